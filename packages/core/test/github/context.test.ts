import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

import { ConfigError, type GenopsError } from '../../src/errors.js';
import { normalizeContext, readContextFromEnv, type RunnerEnv, SUPPORTED_EVENTS } from '../../src/github/context.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8'));
}

/** A deep copy of a fixture with one change applied. */
function fixtureWith(name: string, change: (payload: any) => void): unknown {
  const payload = fixture(name);
  change(payload);
  return payload;
}

const SHA = {
  prHead: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
  prMerge: 'e5bd3914e2e596debea16f433f57875b5b90bcd6',
  forkHead: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
  main: '9049f1265b7d61be4a8904a9a27120d2064dab3b',
  queued: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
  workflow: 'b1946ac92492d2347c6235b4d2611184f2c3a1e0',
};

/** The environment a github.com runner sets, for one event. */
function runnerEnv(eventName: string, overrides: Record<string, string | undefined> = {}): RunnerEnv {
  return {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: `/home/runner/work/_temp/_github_workflow/event.json`,
    GITHUB_REPOSITORY: 'octo-org/payments',
    GITHUB_REPOSITORY_OWNER: 'octo-org',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_RUN_ID: '12011223344',
    GITHUB_RUN_NUMBER: '311',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_WORKFLOW: 'release gate',
    GITHUB_WORKFLOW_REF: 'octo-org/payments/.github/workflows/release-gate.yml@refs/heads/main',
    GITHUB_WORKFLOW_SHA: SHA.workflow,
    GITHUB_JOB: 'gate',
    GITHUB_ACTOR: 'monalisa',
    GITHUB_TRIGGERING_ACTOR: 'hubot',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_SHA: SHA.queued,
    GITHUB_HEAD_REF: '',
    GITHUB_BASE_REF: '',
    RUNNER_OS: 'Linux',
    ...overrides,
  };
}

function thrown(fn: () => unknown): GenopsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as GenopsError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

async function rejected(promise: Promise<unknown>): Promise<GenopsError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as GenopsError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('normalizeContext: supported events', () => {
  it('pull_request from a branch of the same repository', () => {
    const env = runnerEnv('pull_request', {
      GITHUB_REF: 'refs/pull/42/merge',
      GITHUB_SHA: SHA.prMerge,
      GITHUB_HEAD_REF: 'retry-charges',
      GITHUB_BASE_REF: 'main',
    });
    const ctx = normalizeContext(env, fixture('pull_request'));
    expect(ctx).toEqual({
      eventName: 'pull_request',
      repository: { owner: 'octo-org', repo: 'payments', fullName: 'octo-org/payments' },
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      runId: 12011223344,
      runAttempt: 2,
      workflowRef: 'octo-org/payments/.github/workflows/release-gate.yml@refs/heads/main',
      workflowSha: SHA.workflow,
      job: 'gate',
      actor: 'monalisa',
      triggeringActor: 'hubot',
      ref: 'refs/pull/42/merge',
      sha: SHA.prMerge,
      subjectSha: SHA.prHead,
      pullRequest: {
        number: 42,
        headSha: SHA.prHead,
        baseSha: SHA.main,
        headRef: 'retry-charges',
        baseRef: 'main',
        headRepoFullName: 'octo-org/payments',
        isFork: false,
        author: 'monalisa',
        draft: false,
        labels: ['area/billing', 'risk:high'],
      },
      isReadOnlyToken: false,
    });
  });

  it('pull_request from a fork: read-only token, subject is the fork head', () => {
    const env = runnerEnv('pull_request', { GITHUB_REF: 'refs/pull/1347/merge', GITHUB_SHA: SHA.prMerge });
    const ctx = normalizeContext(env, fixture('pull_request.fork'));
    expect(ctx.pullRequest).toMatchObject({
      number: 1347,
      headSha: SHA.forkHead,
      headRepoFullName: 'drive-by-dev/payments',
      isFork: true,
      author: 'drive-by-dev',
      draft: true,
      labels: [],
    });
    expect(ctx.subjectSha).toBe(SHA.forkHead);
    expect(ctx.sha).toBe(SHA.prMerge);
    expect(ctx.isReadOnlyToken).toBe(true);
  });

  it('pull_request_target from a fork: still a fork, but the token is not read-only', () => {
    const env = runnerEnv('pull_request_target', { GITHUB_REF: 'refs/heads/main', GITHUB_SHA: SHA.main });
    const ctx = normalizeContext(env, fixture('pull_request_target'));
    expect(ctx.eventName).toBe('pull_request_target');
    expect(ctx.pullRequest?.isFork).toBe(true);
    expect(ctx.pullRequest?.labels).toEqual(['safe-to-test']);
    expect(ctx.isReadOnlyToken).toBe(false);
    // GITHUB_SHA is the base branch's commit; the gate decides about the PR head.
    expect(ctx.sha).toBe(SHA.main);
    expect(ctx.subjectSha).toBe(SHA.forkHead);
  });

  it('a PR from a branch inside a repository that is itself a fork is not a fork PR', () => {
    const payload = fixtureWith('pull_request', (p) => {
      p.pull_request.head.repo.fork = true;
      p.pull_request.base.repo.fork = true;
    });
    const ctx = normalizeContext(runnerEnv('pull_request'), payload);
    expect(ctx.pullRequest?.isFork).toBe(false);
    expect(ctx.isReadOnlyToken).toBe(false);
  });

  it('a PR whose fork was deleted (head.repo null) counts as a fork', () => {
    const payload = fixtureWith('pull_request.fork', (p) => {
      p.pull_request.head.repo = null;
    });
    const ctx = normalizeContext(runnerEnv('pull_request'), payload);
    expect(ctx.pullRequest?.headRepoFullName).toBeNull();
    expect(ctx.pullRequest?.isFork).toBe(true);
    expect(ctx.isReadOnlyToken).toBe(true);
  });

  it('merge_group: subject is the queue head', () => {
    const env = runnerEnv('merge_group', {
      GITHUB_REF: 'refs/heads/gh-readonly-queue/main/pr-42-9049f1265b7d61be4a8904a9a27120d2064dab3b',
      GITHUB_SHA: SHA.queued,
    });
    const ctx = normalizeContext(env, fixture('merge_group'));
    expect(ctx.mergeGroup).toEqual({
      headSha: SHA.queued,
      baseSha: SHA.main,
      headRef: 'refs/heads/gh-readonly-queue/main/pr-42-9049f1265b7d61be4a8904a9a27120d2064dab3b',
      baseRef: 'refs/heads/main',
    });
    expect(ctx.subjectSha).toBe(SHA.queued);
    expect(ctx.pullRequest).toBeUndefined();
    expect(ctx.isReadOnlyToken).toBe(false);
  });

  it('push: subject is GITHUB_SHA', () => {
    const ctx = normalizeContext(runnerEnv('push'), fixture('push'));
    expect(ctx.eventName).toBe('push');
    expect(ctx.subjectSha).toBe(SHA.queued);
    expect(ctx.ref).toBe('refs/heads/main');
    expect(ctx).not.toHaveProperty('pullRequest');
    expect(ctx).not.toHaveProperty('mergeGroup');
    expect(ctx).not.toHaveProperty('deployment');
    expect(ctx).not.toHaveProperty('dispatchInputs');
  });

  it('workflow_dispatch: inputs as strings', () => {
    const ctx = normalizeContext(runnerEnv('workflow_dispatch'), fixture('workflow_dispatch'));
    expect(ctx.dispatchInputs).toEqual({
      environment: 'staging',
      'dry-run': 'true',
      reason: 're-run gate after policy fix',
    });
    expect(ctx.subjectSha).toBe(SHA.queued);
  });

  it('workflow_dispatch: boolean and number inputs are stringified, null inputs are none', () => {
    const withTypes = fixtureWith('workflow_dispatch', (p) => {
      p.inputs = { 'dry-run': false, replicas: 3 };
    });
    expect(normalizeContext(runnerEnv('workflow_dispatch'), withTypes).dispatchInputs).toEqual({
      'dry-run': 'false',
      replicas: '3',
    });
    const noInputs = fixtureWith('workflow_dispatch', (p) => {
      p.inputs = null;
    });
    expect(normalizeContext(runnerEnv('workflow_dispatch'), noInputs).dispatchInputs).toEqual({});
  });

  it('deployment: subject is the deployed commit', () => {
    const env = runnerEnv('deployment', { GITHUB_SHA: SHA.queued, GITHUB_REF: 'refs/heads/main' });
    const ctx = normalizeContext(env, fixture('deployment'));
    expect(ctx.deployment).toEqual({
      id: 1618033988,
      environment: 'production',
      ref: 'main',
      sha: SHA.queued,
      task: 'deploy',
    });
    expect(ctx.subjectSha).toBe(SHA.queued);
  });

  it('deployment: a missing task defaults to GitHub\'s "deploy"', () => {
    const payload = fixtureWith('deployment', (p) => {
      delete p.deployment.task;
    });
    expect(normalizeContext(runnerEnv('deployment'), payload).deployment?.task).toBe('deploy');
  });

  it('schedule: a payload with no repository at all', () => {
    const ctx = normalizeContext(runnerEnv('schedule'), fixture('schedule'));
    expect(ctx.eventName).toBe('schedule');
    expect(ctx.repository.fullName).toBe('octo-org/payments');
    expect(ctx.subjectSha).toBe(SHA.queued);
  });

  it('has a fixture for every supported event', () => {
    const files = readdirSync(FIXTURES);
    for (const event of SUPPORTED_EVENTS) expect(files).toContain(`${event}.json`);
  });
});

describe('normalizeContext: environment details', () => {
  it('leaves optional fields out when unset or empty', () => {
    const env = runnerEnv('push', { GITHUB_WORKFLOW_SHA: undefined, GITHUB_JOB: '', GITHUB_TRIGGERING_ACTOR: undefined });
    const ctx = normalizeContext(env, fixture('push'));
    expect(ctx).not.toHaveProperty('workflowSha');
    expect(ctx).not.toHaveProperty('job');
    expect(ctx).not.toHaveProperty('triggeringActor');
  });

  it('defaults to github.com when the URLs are unset, and derives a GHES API URL', () => {
    const bare = normalizeContext(runnerEnv('push', { GITHUB_SERVER_URL: undefined, GITHUB_API_URL: undefined }), fixture('push'));
    expect(bare.serverUrl).toBe('https://github.com');
    expect(bare.apiUrl).toBe('https://api.github.com');
    const ghes = normalizeContext(
      runnerEnv('push', { GITHUB_SERVER_URL: 'https://git.example.com/', GITHUB_API_URL: undefined }),
      fixture('push'),
    );
    expect(ghes.serverUrl).toBe('https://git.example.com');
    expect(ghes.apiUrl).toBe('https://git.example.com/api/v3');
  });

  it('lower-cases shas', () => {
    const ctx = normalizeContext(runnerEnv('push', { GITHUB_SHA: SHA.queued.toUpperCase() }), fixture('push'));
    expect(ctx.sha).toBe(SHA.queued);
  });

  it('does not read process.env', () => {
    const before = process.env['GITHUB_RUN_ID'];
    process.env['GITHUB_RUN_ID'] = '1';
    try {
      expect(normalizeContext(runnerEnv('push'), fixture('push')).runId).toBe(12011223344);
    } finally {
      if (before === undefined) delete process.env['GITHUB_RUN_ID'];
      else process.env['GITHUB_RUN_ID'] = before;
    }
  });
});

describe('normalizeContext: unsupported and malformed', () => {
  it('names the unsupported event and the supported list', () => {
    const err = thrown(() => normalizeContext(runnerEnv('issue_comment'), { action: 'created' }));
    expect(err.code).toBe('CONTEXT_UNSUPPORTED');
    expect(err.message).toContain("'issue_comment'");
    expect(err.details.input).toBe('GITHUB_EVENT_NAME');
    for (const event of SUPPORTED_EVENTS) expect(err.details.expected).toContain(event);
  });

  it('missing GITHUB_EVENT_NAME', () => {
    const err = thrown(() => normalizeContext(runnerEnv('push', { GITHUB_EVENT_NAME: undefined }), fixture('push')));
    expect(err.code).toBe('INPUT_MISSING');
    expect(err.details.input).toBe('GITHUB_EVENT_NAME');
  });

  it('missing GITHUB_RUN_ID is INPUT_MISSING naming the variable', () => {
    const err = thrown(() => normalizeContext(runnerEnv('push', { GITHUB_RUN_ID: undefined }), fixture('push')));
    expect(err.code).toBe('INPUT_MISSING');
    expect(err.details.input).toBe('GITHUB_RUN_ID');
    expect(err.message).toContain('GITHUB_RUN_ID');
  });

  it.each(['12abc', 'abc', '0', '-3', '1.5', '1e3', ' 12', '0x1f', '99999999999999999999'])(
    'GITHUB_RUN_ID %j is INPUT_INVALID, never NaN',
    (value) => {
      const err = thrown(() => normalizeContext(runnerEnv('push', { GITHUB_RUN_ID: value }), fixture('push')));
      expect(err.code).toBe('INPUT_INVALID');
      expect(err.details.input).toBe('GITHUB_RUN_ID');
      expect(err.details.expected).toBe('a positive decimal integer');
      expect(err.describe()).not.toContain('NaN');
    },
  );

  it('GITHUB_RUN_ATTEMPT is parsed strictly too', () => {
    const err = thrown(() => normalizeContext(runnerEnv('push', { GITHUB_RUN_ATTEMPT: 'two' }), fixture('push')));
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.details.input).toBe('GITHUB_RUN_ATTEMPT');
  });

  it('reports every bad variable in one error', () => {
    const env = runnerEnv('push', {
      GITHUB_RUN_ID: undefined,
      GITHUB_SHA: 'not-a-sha',
      GITHUB_REPOSITORY: 'octo-org',
      GITHUB_ACTOR: '',
    });
    const err = thrown(() => normalizeContext(env, fixture('push')));
    expect(err.code).toBe('INPUT_INVALID'); // the first problem: GITHUB_REPOSITORY
    expect(err.details.input).toBe('GITHUB_REPOSITORY');
    expect(err.message).toContain('4 problems');
    for (const name of ['GITHUB_RUN_ID', 'GITHUB_SHA', 'GITHUB_REPOSITORY', 'GITHUB_ACTOR']) {
      expect(err.message).toContain(name);
    }
    expect(err.details.hint).toContain('set by the GitHub Actions runner');
  });

  it.each(['octo-org', 'octo-org/payments/extra', 'octo org/payments', '/payments'])('GITHUB_REPOSITORY %j', (value) => {
    const err = thrown(() => normalizeContext(runnerEnv('push', { GITHUB_REPOSITORY: value }), fixture('push')));
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.details.input).toBe('GITHUB_REPOSITORY');
  });

  it.each([
    ['GITHUB_SHA', 'abc123'],
    ['GITHUB_WORKFLOW_SHA', 'zzzz'],
    ['GITHUB_REF', 'main'],
    ['GITHUB_SERVER_URL', 'github.com'],
    ['GITHUB_API_URL', 'ftp://api.github.com'],
    ['GITHUB_WORKFLOW_REF', 'release-gate.yml'],
  ])('%s = %j is INPUT_INVALID', (name, value) => {
    const err = thrown(() => normalizeContext(runnerEnv('push', { [name]: value }), fixture('push')));
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.details.input).toBe(name);
  });

  it.each([null, [], 'push', 42])('a payload that is not an object (%j) is FILE_INVALID', (payload) => {
    const err = thrown(() => normalizeContext(runnerEnv('push'), payload));
    expect(err.code).toBe('FILE_INVALID');
    expect(err.details.file).toBe('/home/runner/work/_temp/_github_workflow/event.json');
  });

  it('pull_request without pull_request.head.sha names the field and the event file', () => {
    const payload = fixtureWith('pull_request', (p) => {
      delete p.pull_request.head.sha;
    });
    const err = thrown(() => normalizeContext(runnerEnv('pull_request'), payload));
    expect(err.code).toBe('FILE_INVALID');
    expect(err.message).toContain('pull_request.head.sha');
    expect(err.details.input).toBe('GITHUB_EVENT_PATH');
    expect(err.details.file).toBe('/home/runner/work/_temp/_github_workflow/event.json');
    expect(err.details.actual).toBe('missing');
    expect(err.details.hint).toContain('GITHUB_EVENT_NAME matches the payload');
  });

  it('pull_request event with a push payload', () => {
    const err = thrown(() => normalizeContext(runnerEnv('pull_request'), fixture('push')));
    expect(err.code).toBe('FILE_INVALID');
    expect(err.message).toContain('no pull_request');
  });

  it('pull_request payload problems are all listed', () => {
    const payload = fixtureWith('pull_request', (p) => {
      p.pull_request.number = '42';
      p.pull_request.base.sha = 'main';
      delete p.pull_request.user;
      p.pull_request.draft = 'no';
    });
    const err = thrown(() => normalizeContext(runnerEnv('pull_request'), payload));
    expect(err.message).toContain('4 problems');
    for (const field of ['pull_request.number', 'pull_request.base.sha', 'pull_request.user.login', 'pull_request.draft']) {
      expect(err.message).toContain(field);
    }
    expect(err.details.actual).toBe('"42"');
  });

  it('pull_request without head.repo cannot tell whether it is a fork: refused', () => {
    const payload = fixtureWith('pull_request', (p) => {
      delete p.pull_request.head.repo;
    });
    const err = thrown(() => normalizeContext(runnerEnv('pull_request'), payload));
    expect(err.code).toBe('FILE_INVALID');
    expect(err.message).toContain('pull_request.head.repo');
  });

  it('pull_request with a malformed label', () => {
    const payload = fixtureWith('pull_request', (p) => {
      p.pull_request.labels = [{ name: 'ok' }, { id: 3 }];
    });
    const err = thrown(() => normalizeContext(runnerEnv('pull_request'), payload));
    expect(err.message).toContain('pull_request.labels.1.name');
  });

  it('merge_group without head_sha', () => {
    const payload = fixtureWith('merge_group', (p) => {
      delete p.merge_group.head_sha;
    });
    const err = thrown(() => normalizeContext(runnerEnv('merge_group'), payload));
    expect(err.code).toBe('FILE_INVALID');
    expect(err.message).toContain('merge_group.head_sha');
  });

  it('deployment with a string id and no sha', () => {
    const payload = fixtureWith('deployment', (p) => {
      p.deployment.id = '1618033988';
      delete p.deployment.sha;
    });
    const err = thrown(() => normalizeContext(runnerEnv('deployment'), payload));
    expect(err.code).toBe('FILE_INVALID');
    expect(err.message).toContain('deployment.id');
    expect(err.message).toContain('deployment.sha');
  });

  it('deployment event without a deployment object', () => {
    const err = thrown(() => normalizeContext(runnerEnv('deployment'), fixture('schedule')));
    expect(err.message).toContain('no deployment');
  });

  it('workflow_dispatch with a nested input value', () => {
    const payload = fixtureWith('workflow_dispatch', (p) => {
      p.inputs.environment = { name: 'staging' };
    });
    const err = thrown(() => normalizeContext(runnerEnv('workflow_dispatch'), payload));
    expect(err.message).toContain('inputs.environment');
  });

  it('a payload for another repository than GITHUB_REPOSITORY', () => {
    const payload = fixtureWith('push', (p) => {
      p.repository.full_name = 'someone-else/payments';
    });
    const err = thrown(() => normalizeContext(runnerEnv('push'), payload));
    expect(err.code).toBe('FILE_INVALID');
    expect(err.message).toContain('repository.full_name');
    expect(err.details.expected).toContain('octo-org/payments');
  });

  it('env and payload problems together: env first', () => {
    const payload = fixtureWith('merge_group', (p) => {
      delete p.merge_group.base_sha;
    });
    const err = thrown(() => normalizeContext(runnerEnv('merge_group', { GITHUB_RUN_ATTEMPT: undefined }), payload));
    expect(err.code).toBe('INPUT_MISSING');
    expect(err.details.input).toBe('GITHUB_RUN_ATTEMPT');
    expect(err.message).toContain('merge_group.base_sha');
  });
});

describe('readContextFromEnv', () => {
  it('reads the payload through the injected reader', async () => {
    const seen: string[] = [];
    const env = runnerEnv('merge_group', { GITHUB_EVENT_PATH: `${FIXTURES}merge_group.json` });
    const ctx = await readContextFromEnv(env, async (path) => {
      seen.push(path);
      return readFile(path, 'utf8');
    });
    expect(seen).toEqual([`${FIXTURES}merge_group.json`]);
    expect(ctx.subjectSha).toBe(SHA.queued);
  });

  it('missing GITHUB_EVENT_PATH', async () => {
    const err = await rejected(readContextFromEnv(runnerEnv('push', { GITHUB_EVENT_PATH: '' }), async () => '{}'));
    expect(err.code).toBe('INPUT_MISSING');
    expect(err.details.input).toBe('GITHUB_EVENT_PATH');
  });

  it('a payload file that does not exist', async () => {
    const path = `${FIXTURES}no-such-event.json`;
    const err = await rejected(
      readContextFromEnv(runnerEnv('push', { GITHUB_EVENT_PATH: path }), (p) => readFile(p, 'utf8')),
    );
    expect(err.code).toBe('FILE_NOT_FOUND');
    expect(err.details.file).toBe(path);
  });

  it('a payload file that is not JSON', async () => {
    const err = await rejected(readContextFromEnv(runnerEnv('push'), async () => '{"ref": "refs/heads/main",'));
    expect(err.code).toBe('FILE_INVALID');
    expect(err.message).toContain('not valid JSON');
    expect(err.details.file).toBe('/home/runner/work/_temp/_github_workflow/event.json');
  });
});
