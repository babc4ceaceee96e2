import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { startFakeGitHub } from '../src/fake-github/server.js';
import { inputEnvName, parseFileCommands, parseWorkflowCommands, runActionProcess } from '../src/fake-runner.js';

let dir: string;

async function script(name: string, source: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, source);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-runner-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runActionProcess', () => {
  it('runs a script speaking the plain runner protocol and collects outputs, summary, commands and exit code', async () => {
    process.env['GENOPS_PARENT_ONLY'] = 'must not leak';
    const entry = await script(
      'plain.mjs',
      `
import { appendFileSync, readFileSync } from 'node:fs';
const env = process.env;
const out = (s) => appendFileSync(env.GITHUB_OUTPUT, s);
out('decision<<ghadelimiter_1\\nfail\\nsecond line\\nghadelimiter_1\\n');
out('simple=one=two\\n');
out('inputs<<EOF\\n' + JSON.stringify({ failOn: env['INPUT_FAIL-ON'], spaced: env.INPUT_MY_INPUT, token: env['INPUT_GITHUB-TOKEN'] }) + '\\nEOF\\n');
out('context<<EOF\\n' + JSON.stringify({
  event: JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')).pull_request.number,
  name: env.GITHUB_EVENT_NAME, repo: env.GITHUB_REPOSITORY, sha: env.GITHUB_SHA, api: env.GITHUB_API_URL,
  actions: env.GITHUB_ACTIONS, workflowRef: env.GITHUB_WORKFLOW_REF, runId: env.GITHUB_RUN_ID, attempt: env.GITHUB_RUN_ATTEMPT,
  leaked: env.GENOPS_PARENT_ONLY ?? null, cwdIsWorkspace: process.cwd() === env.GITHUB_WORKSPACE, temp: env.RUNNER_TEMP !== undefined,
  outputFile: env.GITHUB_OUTPUT,
}) + '\\nEOF\\n');
appendFileSync(env.GITHUB_STEP_SUMMARY, '## Gate\\n\\n| a | b |\\n');
appendFileSync(env.GITHUB_ENV, 'GENOPS_DECISION=fail\\n');
appendFileSync(env.GITHUB_STATE, 'started<<S\\nyes\\nS\\n');
appendFileSync(env.GITHUB_PATH, '/opt/genops/bin\\n');
console.log('::error file=a.ts,line=3::boom');
console.log('::warning file=src/x%2Cy.ts,title=Gate%3A risk::line one%0Aline two 100%25');
console.log('::notice::plain');
console.log('just a log line');
process.exitCode = 1;
`,
    );
    const result = await runActionProcess({
      entry,
      inputs: { 'fail-on': 'high', 'my input': 'spaced value', 'github-token': 'ghs_x' },
      eventName: 'pull_request',
      eventPayload: { pull_request: { number: 42 } },
      repository: 'octo-org/payments',
      github: 'http://127.0.0.1:9',
    });
    delete process.env['GENOPS_PARENT_ONLY'];

    expect(result.exitCode).toBe(1);
    expect(result.timedOut).toBe(false);
    expect(result.stderr).toBe('');
    expect(result.outputs['decision']).toBe('fail\nsecond line');
    expect(result.outputs['simple']).toBe('one=two');
    expect(JSON.parse(result.outputs['inputs'] ?? '')).toEqual({ failOn: 'high', spaced: 'spaced value', token: 'ghs_x' });
    const context = JSON.parse(result.outputs['context'] ?? '') as Record<string, unknown>;
    expect(context).toMatchObject({
      event: 42,
      name: 'pull_request',
      repo: 'octo-org/payments',
      sha: expect.stringMatching(/^[0-9a-f]{40}$/),
      api: 'http://127.0.0.1:9',
      actions: 'true',
      workflowRef: 'octo-org/payments/.github/workflows/ci.yml@refs/heads/main',
      runId: expect.stringMatching(/^\d+$/),
      attempt: '1',
      leaked: null,
      cwdIsWorkspace: true,
      temp: true,
    });
    expect(result.summary).toBe('## Gate\n\n| a | b |\n');
    expect(result.exportedEnv).toEqual({ GENOPS_DECISION: 'fail' });
    expect(result.state).toEqual({ started: 'yes' });
    expect(result.path).toEqual(['/opt/genops/bin']);
    expect(result.commands).toEqual([
      { command: 'error', properties: { file: 'a.ts', line: '3' }, message: 'boom' },
      { command: 'warning', properties: { file: 'src/x,y.ts', title: 'Gate: risk' }, message: 'line one\nline two 100%' },
      { command: 'notice', properties: {}, message: 'plain' },
    ]);
    expect(existsSync(String(context['outputFile']))).toBe(false); // the temp dir is gone
  });

  it('reads what the real @actions/core writes (inputs, multi-line outputs, summary, annotations, setFailed)', async () => {
    const coreEntry = fileURLToPath(new URL('../node_modules/@actions/core/lib/core.js', import.meta.url));
    const entry = await script(
      'toolkit.mjs',
      `
import * as core from ${JSON.stringify(pathToFileURL(coreEntry).href)};
const failOn = core.getInput('fail-on', { required: true });
core.setOutput('fail-on', failOn);
core.setOutput('report', 'line 1\\nline 2');
core.setOutput('json', { ok: false });
await core.summary.addHeading('Gate').addRaw('3 findings').write();
core.error('boom: 50% of a,b', { file: 'src/a,b.ts', startLine: 3, title: 'Risk: high' });
core.setFailed('gate failed');
`,
    );
    const result = await runActionProcess({ entry, inputs: { 'fail-on': 'high' } });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toEqual({ 'fail-on': 'high', report: 'line 1\nline 2', json: '{"ok":false}' });
    expect(result.summary).toBe('<h1>Gate</h1>\n3 findings');
    expect(result.commands).toEqual([
      { command: 'error', properties: { title: 'Risk: high', file: 'src/a,b.ts', line: '3' }, message: 'boom: 50% of a,b' },
      { command: 'error', properties: {}, message: 'gate failed' },
    ]);
  });

  it('ignores commands between ::stop-commands:: and the resume token', async () => {
    const entry = await script(
      'stop.mjs',
      `console.log('::stop-commands::pause-123');\nconsole.log('::error::not a command');\nconsole.log('::pause-123::');\nconsole.log('::error::real');\n`,
    );
    const result = await runActionProcess({ entry });
    expect(result.exitCode).toBe(0);
    expect(result.commands).toEqual([{ command: 'error', properties: {}, message: 'real' }]);
  });

  it('kills a process that outlives timeoutMs', async () => {
    const entry = await script('hang.mjs', 'setInterval(() => {}, 1000);\n');
    const result = await runActionProcess({ entry, timeoutMs: 300 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
  });

  it('points GITHUB_API_URL at the fake GitHub, which the action reaches with its token input', async () => {
    const gh = await startFakeGitHub({ token: 'ghs_runner' });
    try {
      const entry = await script(
        'api.mjs',
        `
const env = process.env;
const number = JSON.parse(await (await import('node:fs/promises')).readFile(env.GITHUB_EVENT_PATH, 'utf8')).number;
const res = await fetch(env.GITHUB_API_URL + '/repos/' + env.GITHUB_REPOSITORY + '/issues/' + number + '/comments', {
  method: 'POST',
  headers: { authorization: 'token ' + env['INPUT_GITHUB-TOKEN'], 'user-agent': 'genops-test', 'content-type': 'application/json' },
  body: JSON.stringify({ body: 'hello from the action' }),
});
console.log('status ' + res.status);
`,
      );
      const result = await runActionProcess({ entry, github: gh, repository: 'octo-org/payments', inputs: { 'github-token': 'ghs_runner' }, eventPayload: { number: 5 } });
      expect(result.stdout.trim()).toBe('status 201');
      expect(gh.state.repo('octo-org/payments').commentsOn(5).map((c) => c.body)).toEqual(['hello from the action']);
    } finally {
      await gh.close();
    }
  });
});

describe('parsers', () => {
  it('names inputs as @actions/core reads them', () => {
    expect(inputEnvName('fail-on')).toBe('INPUT_FAIL-ON');
    expect(inputEnvName('my input')).toBe('INPUT_MY_INPUT');
  });

  it('parses file commands and refuses an unterminated heredoc', () => {
    expect(parseFileCommands('a=1\nb<<X\n\nx\nX\na=2\n')).toEqual({ a: '2', b: '\nx' });
    expect(() => parseFileCommands('b<<X\nno end\n')).toThrow(/Unterminated heredoc for 'b'/);
  });

  it('parses workflow commands without properties or with odd spacing', () => {
    expect(parseWorkflowCommands('::group::Title\n::endgroup::\n::add-mask::s3cr3t\nnot ::a:: command\n')).toEqual([
      { command: 'group', properties: {}, message: 'Title' },
      { command: 'endgroup', properties: {}, message: '' },
      { command: 'add-mask', properties: {}, message: 's3cr3t' },
    ]);
  });
});
