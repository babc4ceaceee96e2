// readIncidentIssues against testkit's fake GitHub, which checks every request and response
// against GitHub's OpenAPI description (`GET /repos/{owner}/{repo}/issues` lists pull requests
// too, as GitHub does).
import { afterEach, describe, expect, it } from '@jest/globals';

import { FIXTURE_PULL, fixturePullRunContext as runContext, startFakeGitHub, type FakeGitHub, type IssueSeed, type RepoSeed } from '@genops/testkit';
import { readIncidentIssues } from '../../src/github/incidents.js';
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js';
import { memoryLogger } from '../../src/logger.js';
import { buildIncidentIndex, findSimilarIncidents } from '../../src/risk/incidents.js';
import { emptyEvidence, type Evidence } from '../../src/evidence/model.js';
import { failure } from './helpers/failure.js';

const FULL_NAME = FIXTURE_PULL.fullName;
const ISSUES = `https://github.com/${FULL_NAME}/issues`;

let gh: FakeGitHub;
let client: GitHubClient;

async function start(seed: RepoSeed): Promise<void> {
  gh = await startFakeGitHub({ seed: { repos: { [FULL_NAME]: seed } } });
  client = createGitHubClient({ token: 'ghs_fake', baseUrl: gh.url, logger: memoryLogger(), retryAfterBaseValue: 1, throttle: { spaceRequests: false } });
}

afterEach(async () => {
  expect(gh.rejected).toEqual([]);
  expect(gh.problems).toEqual([]);
  await gh.close();
});

const SEED: RepoSeed = {
  issues: [
    {
      number: 3,
      title: 'Connection pool exhaustion after raising MAX_POOL_SIZE',
      body: 'acquireConnection() timed out in src/db/pool.ts; PgBouncer max_client_conn reached.',
      labels: ['incident', 'service:payments-api', 'component:pgbouncer', 'severity:SEV2'],
      state: 'closed',
      createdAt: '2024-04-27T10:00:00Z',
    },
    { number: 5, title: 'Add dark mode', body: 'Feature request.', labels: ['enhancement'], createdAt: '2024-05-01T10:00:00Z' },
    { number: 7, title: 'Refund rounding for JPY', body: null, labels: ['Incident', 'component/money'], createdAt: '2024-06-08T10:00:00Z' },
  ],
  pulls: [{ number: 9, title: 'Fix pool size', labels: ['incident'], head: { ref: 'fix', sha: 'a'.repeat(40) } }],
};

describe('readIncidentIssues', () => {
  it('the issues with the label, open and closed, newest first; pull requests with it are skipped', async () => {
    await start(SEED);
    const docs = await readIncidentIssues(client, runContext(gh), 'incident');
    expect(docs).toEqual([
      { id: '#7', title: 'Refund rounding for JPY', source: `${ISSUES}/7`, url: `${ISSUES}/7`, date: '2024-06-08T10:00:00Z', services: [], components: ['Incident', 'money'], body: '' },
      {
        id: '#3',
        title: 'Connection pool exhaustion after raising MAX_POOL_SIZE',
        source: `${ISSUES}/3`,
        url: `${ISSUES}/3`,
        date: '2024-04-27T10:00:00Z',
        severity: 'SEV2',
        services: ['payments-api'],
        components: ['incident', 'pgbouncer'],
        body: 'acquireConnection() timed out in src/db/pool.ts; PgBouncer max_client_conn reached.',
      },
    ]);
    const calls = gh.calls('issues/list-for-repo');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.query).toMatchObject({ labels: 'incident', state: 'all', sort: 'created', direction: 'desc', per_page: 100 });
  });

  it('read records find the similar change', async () => {
    await start(SEED);
    const index = buildIncidentIndex(await readIncidentIssues(client, runContext(gh), 'incident'));
    const evidence = {
      ...emptyEvidence(),
      change: {
        source: 'diff',
        labels: [],
        files: [{ path: 'src/db/pool.ts', status: 'modified', additions: 3, deletions: 1, owners: [], categories: [] }],
        totals: { files: 1, additions: 3, deletions: 1 },
        categories: {},
        reviews: [],
        approvals: { human: 0, bot: 0, codeOwner: 0, changesRequested: 0 },
        codeowners: { file: null, ownedFiles: 0, unownedFiles: [], owners: [] },
        ai: { agentAuthor: null, coAuthors: [], aiCommits: 0, commits: 0, share: 0 },
        identifiers: ['MAX_POOL_SIZE'],
      },
    } satisfies Evidence;
    const [match] = findSimilarIncidents(index, evidence, 3);
    expect(match).toMatchObject({ id: '#3', url: `${ISSUES}/3`, terms: ['max', 'max_pool_size', 'pool', 'pool.ts', 'size'] });
  });

  it('pages of 100 until the limit: 250 labelled issues, limit 200, two requests', async () => {
    const issues: IssueSeed[] = Array.from({ length: 250 }, (_, i) => ({
      number: i + 1,
      title: `Incident ${String(i + 1)}`,
      labels: ['incident'],
      createdAt: `2024-01-01T00:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
    }));
    await start({ issues });
    const docs = await readIncidentIssues(client, runContext(gh), 'incident');
    expect(docs).toHaveLength(200);
    expect([docs[0]?.id, docs[199]?.id]).toEqual(['#250', '#51']);
    expect(gh.calls('issues/list-for-repo').map((r) => r.query['page'] ?? 1)).toEqual([1, 2]);

    expect(await readIncidentIssues(client, runContext(gh), 'incident', 5)).toHaveLength(5);
  });

  it('no issue has the label: no records', async () => {
    await start(SEED);
    expect(await readIncidentIssues(client, runContext(gh), 'postmortem')).toEqual([]);
  });

  it('without issues: read, PERMISSION_MISSING names the permission', async () => {
    await start(SEED);
    gh.denyPermission('issues');
    const err = await failure(readIncidentIssues(client, runContext(gh), 'incident'));
    expect(err.code).toBe('PERMISSION_MISSING');
    expect(err.message).toContain('Cannot list the issues of a repository: the token lacks `issues: read`');
    expect(err.details.hint).toContain('permissions:\n  issues: read');
  });

  it('a label GitHub cannot filter on, or a bad limit: INPUT_INVALID, no request sent', async () => {
    await start(SEED);
    for (const label of ['', '  ', 'a,b', 'x'.repeat(51)]) {
      expect((await failure(readIncidentIssues(client, runContext(gh), label))).code).toBe('INPUT_INVALID');
    }
    expect((await failure(readIncidentIssues(client, runContext(gh), 'incident', 0))).code).toBe('INPUT_INVALID');
    expect(gh.requests).toHaveLength(0);
  });
});

describe("the fake GitHub's issue list", () => {
  it('state defaults to open; labels must all match (any case); pull requests carry pull_request; sort and direction', async () => {
    await start(SEED);
    const R = { owner: 'octo-org', repo: 'payments-api' };
    const open = await client.rest.issues.listForRepo(R);
    expect(open.data.map((i) => [i.number, i.pull_request === undefined ? 'issue' : 'pull'])).toEqual([
      [9, 'pull'],
      [7, 'issue'],
      [5, 'issue'],
    ]);
    const both = await client.rest.issues.listForRepo({ ...R, state: 'all', labels: 'INCIDENT,component:pgbouncer' });
    expect(both.data.map((i) => i.number)).toEqual([3]);
    const oldestFirst = await client.rest.issues.listForRepo({ ...R, state: 'closed', direction: 'asc' });
    expect(oldestFirst.data.map((i) => [i.number, i.state, i.state_reason, i.closed_at])).toEqual([[3, 'closed', 'completed', '2024-04-27T10:00:00Z']]);
  });
});
