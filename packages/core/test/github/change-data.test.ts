// readChangeData / readDeploymentHistory against testkit's fake GitHub, which checks every request
// and response against GitHub's OpenAPI description. The fake is seeded from the API responses in
// fixtures/evidence/github/ (pull request octo-org/payments-api#128).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import {
  FIXTURE_PULL,
  fixturePullRunContext as runContext,
  fixturePullSeed as pullSeed,
  fixtureRepoSeed as repoSeed,
  getOpenApiIndex,
  githubFixtureJson as json,
  githubFixtureText as text,
  startFakeGitHub,
  type FakeGitHub,
  type RepoSeed,
} from '@genops/testkit';
import { analyzeChange } from '../../src/evidence/change.js';
import { summarizeDeployments } from '../../src/evidence/deployments.js';
import { readChangeData, readDeploymentHistory } from '../../src/github/change-data.js';
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js';
import { memoryLogger } from '../../src/logger.js';
import { evidenceDef } from '../evidence/helpers.js';
import { failure } from './helpers/failure.js';

const FULL_NAME = FIXTURE_PULL.fullName;
const HEAD = FIXTURE_PULL.head;

let gh: FakeGitHub;
let client: GitHubClient;

async function start(seed: RepoSeed = repoSeed()): Promise<void> {
  gh = await startFakeGitHub({ seed: { repos: { [FULL_NAME]: seed } } });
  client = createGitHubClient({ token: 'ghs_fake', baseUrl: gh.url, logger: memoryLogger(), retryAfterBaseValue: 1, throttle: { spaceRequests: false } });
}

beforeEach(async () => {
  await start();
});

afterEach(async () => {
  expect(gh.rejected).toEqual([]);
  expect(gh.problems).toEqual([]);
  await gh.close();
});

describe('the fixtures are GitHub API responses', () => {
  it.each([
    ['pull.json', 'pulls/get'],
    ['files.json', 'pulls/list-files'],
    ['reviews.json', 'pulls/list-reviews'],
    ['commits.json', 'pulls/list-commits'],
    ['commit.3a7d2f9.json', 'repos/get-commit'],
    ['commit.b81e4c7.json', 'repos/get-commit'],
    ['commit.e4c2a9b.json', 'repos/get-commit'],
    ['deployments.production.json', 'repos/list-deployments'],
  ])('%s fits the OpenAPI response schema of %s', (name, operationId) => {
    const api = getOpenApiIndex();
    const op = api.operation(operationId);
    expect(op).toBeDefined();
    expect(api.validateResponse(op!, 200, json(name)).problems).toEqual([]);
  });

  it('deployment-statuses.json holds a repos/list-deployment-statuses response per deployment', () => {
    const api = getOpenApiIndex();
    const op = api.operation('repos/list-deployment-statuses')!;
    const all = json('deployment-statuses.json');
    expect(Object.keys(all)).toHaveLength(4);
    for (const list of Object.values(all)) expect(api.validateResponse(op, 200, list).problems).toEqual([]);
  });
});

describe('readChangeData', () => {
  it('reads pull request #128: files, reviews, commits with line counts, and the base branch CODEOWNERS', async () => {
    const raw = await readChangeData(client, runContext(gh));
    expect(raw.headSha).toBe(HEAD);
    expect(raw.pullRequest).toEqual({
      number: 128,
      title: 'Add refunds table and retry payment capture with backoff',
      draft: false,
      baseRef: 'main',
      headRef: 'feature/refunds',
      url: 'https://github.com/octo-org/payments-api/pull/128',
      author: { login: 'kaiya-dev', type: 'User', association: 'MEMBER' },
      labels: ['database', 'needs-dba-review'],
      changedFiles: 9,
      additions: 296,
      deletions: 12,
    });
    expect(raw.files).toHaveLength(9);
    expect(raw.files[7]).toEqual({ path: 'docs/refunds.md', previousPath: 'docs/refund.md', status: 'renamed', additions: 10, deletions: 2 });
    expect(raw.reviews).toHaveLength(10);
    expect(raw.reviews[0]).toEqual({ reviewer: { login: 'hubot', type: 'User' }, state: 'COMMENTED', commitId: '3a7d2f91c0b84e6d5a1f9c2e8b7d4a6f0e3c5b19', submittedAt: '2026-11-05T10:01:12Z' });
    expect(raw.commits.map((c) => [c.sha.slice(0, 7), c.additions, c.deletions])).toEqual([
      ['3a7d2f9', 52, 2],
      ['b81e4c7', 205, 0],
      ['e4c2a9b', 39, 10],
    ]);
    expect(raw.commits[1]?.message).toContain('Co-authored-by: Claude <noreply@anthropic.com>');
    expect(raw.commits[2]?.committer).toEqual({ name: 'GitHub', email: 'noreply@github.com', login: 'web-flow', type: 'User' });
    expect(raw.codeowners?.path).toBe('.github/CODEOWNERS');
    expect(raw.codeowners?.text).toBe(text('CODEOWNERS'));
    expect(raw.notes).toEqual([]);
    expect(gh.calls('repos/get-commit')).toHaveLength(3);
    expect(gh.calls('repos/get-content').map((r) => [r.params['path'], r.query['ref']])).toEqual([['.github/CODEOWNERS', 'main']]);
  });

  it('becomes change evidence with concrete approvals, owners, categories and AI share', async () => {
    const parsed = analyzeChange(await readChangeData(client, runContext(gh)));
    const c = parsed.value;
    expect(c.totals).toEqual({ files: 9, additions: 296, deletions: 12 });
    expect(c.categories).toEqual({ migration: 1, infra: 2, config: 2 });
    expect(c.files.filter((f) => f.categories.includes('migration')).map((f) => f.path)).toEqual(['db/migrations/20261105_add_refunds.sql']);
    expect(c.reviews.map((r) => [r.reviewer, r.state, r.isBot, r.isCodeOwner, r.onHead])).toEqual([
      ['hubot', 'APPROVED', false, true, true],
      ['dba-lead', 'APPROVED', false, true, false],
      ['alice-eng', 'DISMISSED', false, false, false],
      ['copilot-pull-request-reviewer[bot]', 'COMMENTED', true, false, true],
      ['octocat', 'CHANGES_REQUESTED', false, false, true],
      ['security-lead', 'APPROVED', false, true, true],
      ['github-actions[bot]', 'APPROVED', true, false, true],
    ]);
    expect(c.approvals).toEqual({ human: 3, bot: 1, codeOwner: 3, changesRequested: 1 });
    expect(c.codeowners).toEqual({
      file: '.github/CODEOWNERS',
      ownedFiles: 8,
      unownedFiles: ['config/retry.yaml'],
      owners: [
        '@dba-lead',
        '@hubot',
        '@mona-lisa',
        '@octo-org/payments-core',
        '@octo-org/payments-maintainers',
        '@octo-org/platform',
        '@security-lead',
        'docs@octo-org.example',
      ],
    });
    expect(c.ai).toEqual({ agentAuthor: null, coAuthors: ['Claude'], aiCommits: 1, commits: 3, share: 205 / 308 });
    expect(c.labels).toEqual(['database', 'needs-dba-review']);
    expect(evidenceDef('change')(c)).toEqual([]);
    expect(c.author).toEqual({ login: 'kaiya-dev', type: 'User', association: 'MEMBER' });
    expect(parsed.warnings).toEqual([
      '.github/CODEOWNERS line 25: negation with ! is not supported in CODEOWNERS; the line is skipped',
      '4 changed files are owned by teams (e.g. src/payments/retry.ts): team membership needs organization read access, so approvals by team members are not counted as code-owner approvals',
      '1 changed file is owned by email addresses (e.g. docs/refunds.md): genops cannot map an email to a login, so approvals by those owners are not counted as code-owner approvals',
    ]);
  });

  it('without pull-requests: read, PERMISSION_MISSING names the permission', async () => {
    gh.denyPermission('pull-requests');
    const err = await failure(readChangeData(client, runContext(gh)));
    expect(err.code).toBe('PERMISSION_MISSING');
    expect(err.message).toContain('Cannot read a pull request, its files, reviews, review comments and commits: the token lacks `pull-requests: read`');
    expect(err.details.hint).toContain('permissions:\n  pull-requests: read');
  });

  it('without contents: read, the per-commit read fails naming contents: read', async () => {
    gh.denyPermission('contents');
    const err = await failure(readChangeData(client, runContext(gh)));
    expect(err.code).toBe('PERMISSION_MISSING');
    expect(err.message).toContain('Cannot read repository contents and git data: the token lacks `contents: read`');
  });

  it('more commits than maxCommitStats: no per-commit reads, a note, and AI share by commits', async () => {
    const raw = await readChangeData(client, runContext(gh), { maxCommitStats: 2 });
    expect(gh.calls('repos/get-commit')).toHaveLength(0);
    expect(raw.commits.every((c) => c.additions === undefined)).toBe(true);
    expect(raw.notes).toEqual(['the pull request has 3 commits, more than the 2 whose line counts genops reads one by one']);
    const parsed = analyzeChange(raw);
    expect(parsed.value.ai.share).toBe(1 / 3);
    expect(parsed.warnings).toContain('line counts are known for 0 of 3 commits: ai.share is the share of AI-attributed commits, not of changed lines');
  });

  it('CODEOWNERS in docs/ is found after two 404s; none at all is null', async () => {
    await gh.close();
    await start(repoSeed({ branches: { main: { 'docs/CODEOWNERS': '* @hubot\n', 'docs/readme.md': 'x' } } }));
    const raw = await readChangeData(client, runContext(gh));
    expect(raw.codeowners).toEqual({ path: 'docs/CODEOWNERS', text: '* @hubot\n' });
    expect(gh.calls('repos/get-content').map((r) => r.status)).toEqual([404, 404, 200]);

    await gh.close();
    await start(repoSeed({ branches: { main: { 'src/index.ts': 'export {};\n' } } }));
    expect((await readChangeData(client, runContext(gh))).codeowners).toBeNull();
  });

  it('a CODEOWNERS over 1 MB comes without content: it is read as a blob', async () => {
    const big = `* @hubot\n${'# padding padding padding padding padding padding padding padding\n'.repeat(17_000)}`;
    await gh.close();
    await start(repoSeed({ branches: { main: { '.github/CODEOWNERS': big } } }));
    const raw = await readChangeData(client, runContext(gh));
    expect(raw.codeowners?.text).toBe(big);
    expect(gh.calls('git/get-blob')).toHaveLength(1);
  });

  it('GitHub lists at most 3,000 files: the rest is noted, totals stay GitHub\'s', async () => {
    const files = Array.from({ length: 3005 }, (_, i) => ({ filename: `src/gen/file${String(i)}.ts`, additions: 1 }));
    await gh.close();
    await start(repoSeed({ pulls: [{ ...pullSeed(), files }] }));
    const raw = await readChangeData(client, runContext(gh));
    expect(raw.files).toHaveLength(3000);
    expect(raw.notes).toEqual([
      "GitHub lists at most 3000 files of a pull request: 3000 of 3005 were read (totals are GitHub's; categories and owners cover the files read)",
    ]);
    expect(analyzeChange(raw).value.totals).toEqual({ files: 3005, additions: 3005, deletions: 0 });
  });

  it('outside a pull request event: CONTEXT_UNSUPPORTED, no request sent', async () => {
    const err = await failure(readChangeData(client, runContext(gh, false)));
    expect(err.code).toBe('CONTEXT_UNSUPPORTED');
    expect(gh.requests).toHaveLength(0);
  });
});

describe('the fake GitHub\'s commit and contents endpoints', () => {
  it('GET /commits/{ref} also serves Git store commits, with line counts against the first parent', async () => {
    const repo = gh.state.repo(FULL_NAME);
    const sha = repo.commitFiles('main', { 'README.md': '# payments-api\nRefunds are idempotent.\n', 'src/new.ts': 'export const a = 1;\nexport const b = 2;\n' });
    const { data } = await client.rest.repos.getCommit({ owner: 'octo-org', repo: 'payments-api', ref: 'main' });
    expect(data.sha).toBe(sha);
    expect(data.stats).toEqual({ total: 3, additions: 3, deletions: 0 });
    expect(data.files?.map((f) => [f.filename, f.status, f.additions, f.deletions])).toEqual([
      ['README.md', 'modified', 1, 0],
      ['src/new.ts', 'added', 2, 0],
    ]);
    expect(data.author?.login).toBe('github-actions[bot]');
    await expect(client.rest.repos.getCommit({ owner: 'octo-org', repo: 'payments-api', ref: 'f'.repeat(40) })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('GET /contents/{path} lists a directory', async () => {
    const { data } = await client.rest.repos.getContent({ owner: 'octo-org', repo: 'payments-api', path: '.github' });
    expect(Array.isArray(data) ? data.map((e) => [e.type, e.path]) : data).toEqual([['file', '.github/CODEOWNERS']]);
  });
});

describe('readDeploymentHistory', () => {
  it('the latest production deployments, newest first, each with its latest status', async () => {
    const records = await readDeploymentHistory(client, runContext(gh), 'production');
    expect(records.map((r) => [r.sha.slice(0, 7), r.state, r.createdAt, r.finishedAt])).toEqual([
      ['9f2c1e4', 'in_progress', '2026-11-06T11:05:30Z', undefined],
      ['feedfac', 'success', '2026-11-03T09:15:44Z', '2026-11-03T09:22:03Z'],
      ['deadbee', 'failure', '2026-11-02T16:30:05Z', '2026-11-02T16:41:19Z'],
      ['c0ffee1', 'success', '2026-10-28T14:02:10Z', '2026-10-28T14:09:47Z'],
    ]);
    expect(records.every((r) => r.environment === 'production' && r.ref === 'main' && r.creator === 'github-actions[bot]')).toBe(true);
    const summary = summarizeDeployments('production', records);
    expect(evidenceDef('deployments')(summary)).toEqual([]);
    expect(summary.counts).toEqual({ success: 2, failure: 1, error: 0, inactive: 0, in_progress: 1, queued: 0, pending: 0, unknown: 0 });
    expect(gh.calls('repos/list-deployments')[0]?.query).toMatchObject({ environment: 'production', per_page: 20 });
  });

  it('a limit, and a deployment without any status', async () => {
    gh.state.repo(FULL_NAME).addDeployment({ ref: 'main', sha: HEAD, environment: 'production' });
    const records = await readDeploymentHistory(client, runContext(gh), 'production', 2);
    expect(records.map((r) => [r.sha.slice(0, 7), r.state])).toEqual([
      ['e4c2a9b', 'unknown'],
      ['9f2c1e4', 'in_progress'],
    ]);
    await expect(readDeploymentHistory(client, runContext(gh), 'production', 0)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('without deployments: read, PERMISSION_MISSING names the permission', async () => {
    gh.denyPermission('deployments');
    const err = await failure(readDeploymentHistory(client, runContext(gh), 'production'));
    expect(err.code).toBe('PERMISSION_MISSING');
    expect(err.message).toContain('Cannot read deployments: the token lacks `deployments: read`');
    expect(err.details.hint).toContain('permissions:\n  deployments: read');
  });
});
