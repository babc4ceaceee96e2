import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';

import { getOpenApiIndex } from '../src/fake-github/openapi.js';
import { startFakeGitHub, type FakeGitHub } from '../src/fake-github/server.js';
import type { FakeGitHubOptions } from '../src/fake-github/types.js';

const TOKEN = 'ghs_fakeInstallationToken000000000000000';
const OWNER = 'octo-org';
const REPO = 'payments';
const R = { owner: OWNER, repo: REPO };
const HEAD = '6dcb09b5b57875f334f61aebed695e2e4193db5e';
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let gh: FakeGitHub | undefined;

async function start(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  gh = await startFakeGitHub({ token: TOKEN, ...options });
  return gh;
}

function octokit(server: FakeGitHub, auth: string | null = TOKEN): Octokit {
  return new Octokit({ baseUrl: server.url, log: silent, ...(auth === null ? {} : { auth }) });
}

/**
 * `octokit.request` without its route types: Octokit's types would refuse these deliberately wrong
 * requests at compile time, but code that builds routes dynamically or casts gets no such help.
 */
function untyped(api: Octokit): (route: string, params?: Record<string, unknown>) => Promise<unknown> {
  return api.request;
}

/** The HTTP error an Octokit call rejected with (fails the test if it resolved). */
async function httpError(p: Promise<unknown>): Promise<{ status: number; message: string; response: { headers: Record<string, string | undefined>; data: unknown } }> {
  try {
    await p;
  } catch (e) {
    return e as never;
  }
  throw new Error('expected the request to fail');
}

beforeAll(() => {
  getOpenApiIndex(); // load once up front so the first test's timing is not the load
});

afterEach(async () => {
  const server = gh;
  gh = undefined;
  if (server !== undefined) {
    await server.close();
    // Every built-in response was checked against the OpenAPI response schema; none may be off.
    expect(server.problems).toEqual([]);
  }
});

describe('OpenAPI validation', () => {
  it('rejects a path GitHub does not have', async () => {
    const server = await start();
    const err = await httpError(octokit(server).request('GET /repos/{owner}/{repo}/check-run', R));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/No GitHub REST operation matches the path \/repos\/octo-org\/payments\/check-run/);
    expect(server.rejected).toHaveLength(1);
    expect(server.rejected[0]).toMatchObject({ method: 'GET', path: '/repos/octo-org/payments/check-run', operationId: undefined });
    expect(server.requests).toHaveLength(0);
  });

  it('rejects a method the path does not define', async () => {
    const server = await start();
    const err = await httpError(octokit(server).request('PUT /repos/{owner}/{repo}/check-runs', { ...R, name: 'x', head_sha: HEAD }));
    expect(err.status).toBe(400);
    expect(server.rejected[0]?.reason).toBe('PUT is not defined for /repos/{owner}/{repo}/check-runs (allowed: POST)');
  });

  it('rejects a body missing required fields, naming them', async () => {
    const server = await start();
    const err = await httpError(untyped(octokit(server))('POST /repos/{owner}/{repo}/check-runs', { ...R, status: 'queued' }));
    expect(err.status).toBe(400);
    const reason = server.rejected[0]?.reason ?? '';
    expect(reason).toContain('checks/create');
    expect(reason).toContain("body is missing required field 'name'");
    expect(reason).toContain("body is missing required field 'head_sha'");
    expect(server.rejected[0]).toMatchObject({ operationId: 'checks/create', template: '/repos/{owner}/{repo}/check-runs', body: { status: 'queued' } });
  });

  it('rejects a body field of the wrong type or value, and an unknown (misspelt) field', async () => {
    const server = await start();
    const api = octokit(server);
    await httpError(untyped(api)('POST /repos/{owner}/{repo}/check-runs', { ...R, name: 'gate', head_sha: HEAD, status: 'done' }));
    await httpError(untyped(api)('POST /repos/{owner}/{repo}/check-runs', { ...R, name: 'gate', head_sha: HEAD, output: { title: 'x' } }));
    await httpError(api.request('POST /repos/{owner}/{repo}/check-runs', { ...R, name: 'gate', head_sha: HEAD, conclussion: 'success' }));
    expect(server.rejected.map((r) => r.reason)).toEqual([
      'checks/create: body/status must be one of ["queued","in_progress","completed"]',
      "checks/create: body/output is missing required field 'summary'",
      expect.stringContaining("body has unknown field 'conclussion'"),
    ]);
  });

  it('rejects a path parameter that fails its schema', async () => {
    const server = await start();
    const err = await httpError(untyped(octokit(server))('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...R, pull_number: 'abc' }));
    expect(err.status).toBe(400);
    expect(server.rejected[0]?.reason).toBe("pulls/get: path parameter 'pull_number' must be integer, got 'abc'");
  });

  it('rejects a missing required query parameter and a query parameter of the wrong type', async () => {
    const server = await start();
    const api = octokit(server);
    await httpError(api.request('GET /search/issues'));
    await httpError(untyped(api)('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...R, issue_number: 1, per_page: 'many' }));
    expect(server.rejected.map((r) => r.reason)).toEqual([
      "search/issues-and-pull-requests: missing required query parameter 'q'",
      "issues/list-comments: query parameter 'per_page' must be integer",
    ]);
  });

  it('rejects a body that is not JSON', async () => {
    const server = await start();
    const res = await fetch(`${server.url}/repos/${OWNER}/${REPO}/check-runs`, {
      method: 'POST',
      headers: { authorization: `token ${TOKEN}`, 'user-agent': 'test', 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('checks/create: Problems parsing JSON');
  });

  it('accepts and records a valid request made through @octokit/rest, and answers it like GitHub', async () => {
    const server = await start();
    const { data, status } = await octokit(server).rest.checks.create({ ...R, name: 'genops/gate', head_sha: HEAD, status: 'in_progress' });
    expect(status).toBe(201);
    expect(data).toMatchObject({
      name: 'genops/gate',
      head_sha: HEAD,
      status: 'in_progress',
      conclusion: null,
      html_url: `https://github.com/${OWNER}/${REPO}/runs/${data.id}`,
      app: { slug: 'github-actions' },
    });
    expect(server.rejected).toEqual([]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: `/repos/${OWNER}/${REPO}/check-runs`,
      operationId: 'checks/create',
      template: '/repos/{owner}/{repo}/check-runs',
      params: { owner: OWNER, repo: REPO },
      body: { name: 'genops/gate', head_sha: HEAD, status: 'in_progress' },
      status: 201,
    });
    expect(server.requests[0]?.headers['authorization']).toBe(`token ${TOKEN}`);
    expect(server.state.repo(`${OWNER}/${REPO}`).checkRuns).toHaveLength(1);
  });

  it('answers 501 naming the operation when a valid request has no handler', async () => {
    const server = await start();
    const err = await httpError(octokit(server).rest.repos.getBranch({ ...R, branch: 'main' }));
    expect(err.status).toBe(501);
    expect(err.message).toContain("gh.on('repos/get-branch', handler)");
    expect(server.calls('repos/get-branch')).toHaveLength(1);
  });
});

describe('authentication, permissions and injected failures', () => {
  it('answers 401 without a token or with the wrong one', async () => {
    const server = await start();
    expect((await httpError(octokit(server, null).rest.checks.get({ ...R, check_run_id: 1 }))).message).toContain('Requires authentication');
    expect((await httpError(octokit(server, 'ghs_wrong').rest.checks.get({ ...R, check_run_id: 1 }))).message).toContain('Bad credentials');
    const bearer = await fetch(`${server.url}/repos/${OWNER}/${REPO}/check-runs/1`, { headers: { authorization: `Bearer ${TOKEN}`, 'user-agent': 't' } });
    expect(bearer.status).toBe(404); // authenticated; the run just does not exist
  });

  it('answers like GitHub for what a GITHUB_TOKEN cannot do, and 404s unknown repositories when asked to', async () => {
    const server = await start({ autoCreateRepos: false, seed: { repos: { [`${OWNER}/${REPO}`]: {} } } });
    const api = octokit(server);
    const user = await httpError(api.rest.users.getAuthenticated());
    expect([user.status, user.message]).toEqual([403, expect.stringContaining('Resource not accessible by integration')]);
    await expect(api.rest.issues.listComments({ ...R, issue_number: 1 })).resolves.toMatchObject({ status: 200 });
    expect((await httpError(api.rest.issues.listComments({ owner: OWNER, repo: 'elsewhere', issue_number: 1 }))).status).toBe(404);
  });

  it('checks custom handlers\' responses too with validateResponses: all', async () => {
    const server = await start({ validateResponses: 'all' });
    server.on('pulls/get', () => ({ status: 200, body: { number: 1 } }));
    const err = await httpError(octokit(server).rest.pulls.get({ ...R, pull_number: 1 }));
    expect(err.status).toBe(500);
    expect(err.message).toContain("response is missing required field '_links'");
    expect(server.problems).toHaveLength(1);
    server.problems.length = 0;
  });

  it('answers 403 like GitHub when the token lacks a permission', async () => {
    const server = await start();
    server.denyPermission('checks');
    const api = octokit(server);
    const err = await httpError(api.rest.checks.create({ ...R, name: 'genops/gate', head_sha: HEAD }));
    expect(err.status).toBe(403);
    expect(err.response.data).toEqual({
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/reference/checks#create-a-check-run',
      status: '403',
    });
    expect(err.response.headers['x-accepted-github-permissions']).toBe('checks=write');
    // Other permissions are untouched.
    await expect(api.rest.repos.createCommitStatus({ ...R, sha: HEAD, state: 'success', context: 'genops' })).resolves.toMatchObject({ status: 201 });
    expect(server.requests.map((r) => [r.operationId, r.status])).toEqual([
      ['checks/create', 403],
      ['repos/create-commit-status', 201],
    ]);
  });

  it('lets either issues or pull-requests grant issue comments, and read-only tokens read', async () => {
    const server = await start();
    const api = octokit(server);
    server.denyPermission('issues');
    await expect(api.rest.issues.createComment({ ...R, issue_number: 3, body: 'hi' })).resolves.toMatchObject({ status: 201 });
    server.denyPermission('pull-requests');
    const err = await httpError(api.rest.issues.createComment({ ...R, issue_number: 3, body: 'hi' }));
    expect(err.response.headers['x-accepted-github-permissions']).toBe('issues=write; pull_requests=write');
    server.setPermission('*', 'read'); // a fork pull request's token
    await expect(api.rest.issues.listComments({ ...R, issue_number: 3 })).resolves.toMatchObject({ status: 200 });
    expect((await httpError(api.rest.issues.createComment({ ...R, issue_number: 3, body: 'hi' }))).status).toBe(403);
  });

  it('fails the next request with an injected 502, then succeeds (plain and with @octokit/plugin-retry)', async () => {
    const server = await start();
    server.failNext('checks/create', 502);
    const api = octokit(server);
    expect((await httpError(api.rest.checks.create({ ...R, name: 'a', head_sha: HEAD }))).status).toBe(502);
    await expect(api.rest.checks.create({ ...R, name: 'a', head_sha: HEAD })).resolves.toMatchObject({ status: 201 });

    server.failNext('checks/create', 502, 2);
    const Retrying = Octokit.plugin(retry);
    const retrying = new Retrying({ baseUrl: server.url, auth: TOKEN, log: silent, retry: { retryAfterBaseValue: 1 } });
    await expect(retrying.rest.checks.create({ ...R, name: 'b', head_sha: HEAD })).resolves.toMatchObject({ status: 201 });
    expect(server.calls('checks/create').map((r) => r.status)).toEqual([502, 201, 502, 502, 201]);
  });

  it('injects a secondary rate limit (403 + retry-after) that @octokit/plugin-throttling waits out', async () => {
    const server = await start();
    server.failNext('issues/list-comments', 403);
    const plain = await httpError(octokit(server).rest.issues.listComments({ ...R, issue_number: 1 }));
    expect(plain.status).toBe(403);
    expect(plain.message).toMatch(/secondary rate limit/);
    expect(plain.response.headers['retry-after']).toBe('1');

    server.failNext('issues/list-comments', 429, 1, { retryAfter: 1 });
    const waits: number[] = [];
    const Throttled = Octokit.plugin(throttling);
    const throttled = new Throttled({
      baseUrl: server.url,
      auth: TOKEN,
      log: silent,
      throttle: {
        onRateLimit: () => false,
        onSecondaryRateLimit: (retryAfter: number) => {
          waits.push(retryAfter);
          return true;
        },
      },
    });
    await expect(throttled.rest.issues.listComments({ ...R, issue_number: 1 })).resolves.toMatchObject({ status: 200 });
    expect(waits).toEqual([1]);
  });

  it('refuses unknown operationIds with a suggestion, and lets a custom handler wrap the built-in one', async () => {
    const server = await start();
    expect(() => server.on('checks/creat', () => ({ status: 200 }))).toThrow(/Unknown GitHub operationId 'checks\/creat'; did you mean checks\/create/);
    const seen: string[] = [];
    server.on('checks/create', async (req, ctx) => {
      seen.push((req.body as { name: string }).name);
      return ctx.next();
    });
    await octokit(server).rest.checks.create({ ...R, name: 'wrapped', head_sha: HEAD });
    expect(seen).toEqual(['wrapped']);
  });
});

describe('built-in issue comments', () => {
  it('paginates 65 comments over 3 pages for octokit.paginate, with Link rel="next"', async () => {
    const comments = Array.from({ length: 65 }, (_, i) => ({ issueNumber: 7, body: `comment ${i + 1}`, user: i % 2 === 0 ? 'alice' : 'github-actions[bot]' }));
    const server = await start({ seed: { repos: { [`${OWNER}/${REPO}`]: { pulls: [{ number: 7, head: { ref: 'feature', sha: HEAD } }], comments } } } });
    const api = octokit(server);

    const first = await api.rest.issues.listComments({ ...R, issue_number: 7, per_page: 25 });
    expect(first.data).toHaveLength(25);
    expect(first.headers.link).toContain(`<${server.url}/repos/${OWNER}/${REPO}/issues/7/comments?per_page=25&page=2>; rel="next"`);
    expect(first.headers.link).toContain('page=3>; rel="last"');

    const all = await api.paginate(api.rest.issues.listComments, { ...R, issue_number: 7, per_page: 25 });
    expect(all.map((c) => c.body)).toEqual(comments.map((c) => c.body));
    expect(all[1]).toMatchObject({ user: { login: 'github-actions[bot]', type: 'Bot' }, html_url: expect.stringContaining(`/pull/7#issuecomment-`) });
    expect(server.calls('issues/list-comments').map((r) => r.query['page'] ?? 1)).toEqual([1, 1, 2, 3]);
  });

  it('creates, updates and deletes a comment; refuses a body over 65,536 characters', async () => {
    const server = await start();
    const api = octokit(server);
    const { data: created } = await api.rest.issues.createComment({ ...R, issue_number: 12, body: '<!-- genops:gate -->\nfailed' });
    expect(created.user?.login).toBe('github-actions[bot]');
    const { data: updated } = await api.rest.issues.updateComment({ ...R, comment_id: created.id, body: '<!-- genops:gate -->\npassed' });
    expect(updated.body).toBe('<!-- genops:gate -->\npassed');
    expect(updated.updated_at > created.updated_at).toBe(true);
    const tooLong = await httpError(api.rest.issues.createComment({ ...R, issue_number: 12, body: 'x'.repeat(65_537) }));
    expect(tooLong.status).toBe(422);
    expect(tooLong.message).toContain('Body is too long (maximum is 65536 characters)');
    await expect(api.rest.issues.deleteComment({ ...R, comment_id: created.id })).resolves.toMatchObject({ status: 204 });
    expect((await httpError(api.rest.issues.getComment({ ...R, comment_id: created.id }))).status).toBe(404);
    expect(server.state.repo(`${OWNER}/${REPO}`).comments).toEqual([]);
  });
});

describe('built-in pull request review comments', () => {
  it('takes a comment on a line of the diff, refuses one outside it or on a file not in the PR; lists and updates', async () => {
    const patch = '@@ -1,2 +1,3 @@\n context\n-old\n+new\n+added';
    const server = await start({ seed: { repos: { [`${OWNER}/${REPO}`]: { pulls: [{ number: 7, head: { ref: 'feature', sha: HEAD }, files: [{ filename: 'genops.yaml', patch }] }] } } } });
    const api = octokit(server);
    const base = { ...R, pull_number: 7, commit_id: HEAD, path: 'genops.yaml', side: 'RIGHT' as const };
    const { data: created } = await api.rest.pulls.createReviewComment({ ...base, line: 3, body: '```suggestion\nadded!\n```' });
    expect(created).toMatchObject({ path: 'genops.yaml', line: 3, side: 'RIGHT', commit_id: HEAD, diff_hunk: patch });
    // Line 1 is a context line: in the diff. Line 4 is not; nor is a file the PR does not change.
    await expect(api.rest.pulls.createReviewComment({ ...base, line: 1, body: 'context' })).resolves.toMatchObject({ status: 201 });
    expect((await httpError(api.rest.pulls.createReviewComment({ ...base, line: 4, body: 'x' }))).status).toBe(422);
    expect((await httpError(api.rest.pulls.createReviewComment({ ...base, path: 'other.ts', line: 1, body: 'x' }))).status).toBe(422);
    expect((await httpError(api.rest.pulls.createReviewComment({ ...base, commit_id: 'f'.repeat(40), line: 3, body: 'x' }))).status).toBe(422);
    const listed = await api.paginate(api.rest.pulls.listReviewComments, { ...R, pull_number: 7, per_page: 1 });
    expect(listed.map((c) => c.line)).toEqual([3, 1]);
    const { data: updated } = await api.rest.pulls.updateReviewComment({ ...R, comment_id: created.id, body: 'changed' });
    expect(updated.body).toBe('changed');
  });
});

describe('built-in checks, statuses, pulls and deployments (responses match the OpenAPI schemas)', () => {
  it('creates, updates and lists check runs; only a GitHub App may', async () => {
    const server = await start();
    const api = octokit(server);
    const { data: run } = await api.rest.checks.create({ ...R, name: 'genops/gate', head_sha: HEAD });
    expect(run.status).toBe('queued');
    const annotations = [{ path: 'a.ts', start_line: 3, end_line: 3, annotation_level: 'failure' as const, message: 'boom' }];
    const { data: done } = await api.rest.checks.update({ ...R, check_run_id: run.id, conclusion: 'failure', output: { title: 'Gate failed', summary: 's', annotations } });
    expect(done).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 'Gate failed', annotations_count: 1 } });
    expect(done.completed_at).not.toBeNull();
    await expect(api.rest.checks.get({ ...R, check_run_id: run.id })).resolves.toMatchObject({ data: { conclusion: 'failure' } });
    const { data: listed } = await api.rest.checks.listForRef({ ...R, ref: HEAD });
    expect(listed.total_count).toBe(1);
    const tooMany = Array.from({ length: 51 }, () => annotations[0]!);
    expect((await httpError(api.rest.checks.update({ ...R, check_run_id: run.id, output: { title: 't', summary: 's', annotations: tooMany } }))).status).toBe(400);
    expect(server.rejected.at(-1)?.reason).toBe('checks/update: body/output/annotations must NOT have more than 50 items');
    // The description itself says: status `completed` requires a conclusion (anyOf in the update schema).
    expect((await httpError(api.rest.checks.update({ ...R, check_run_id: run.id, status: 'completed' }))).status).toBe(400);
    expect((await httpError(api.rest.checks.update({ ...R, check_run_id: run.id, conclusio: 'success' }))).status).toBe(400);
    expect(server.rejected.at(-1)?.reason).toContain("body has unknown field 'conclusio'");
    // The create schema does not; GitHub still refuses it, and so does the fake.
    expect((await httpError(api.rest.checks.create({ ...R, name: 'x', head_sha: HEAD, status: 'completed' }))).status).toBe(422);
    await server.close();
    gh = undefined;

    const asUser = await start({ user: { login: 'octocat', type: 'User' } });
    const err = await httpError(octokit(asUser).rest.checks.create({ ...R, name: 'x', head_sha: HEAD }));
    expect([err.status, err.message]).toEqual([403, expect.stringContaining('You must authenticate via a GitHub App.')]);
  });

  it('creates and lists commit statuses, newest first, with a combined state', async () => {
    const server = await start();
    const api = octokit(server);
    await api.rest.repos.createCommitStatus({ ...R, sha: HEAD, state: 'pending', context: 'genops/gate' });
    await api.rest.repos.createCommitStatus({ ...R, sha: HEAD, state: 'success', context: 'genops/gate', description: 'ok' });
    await api.rest.repos.createCommitStatus({ ...R, sha: HEAD, state: 'failure', context: 'other' });
    const { data } = await api.rest.repos.listCommitStatusesForRef({ ...R, ref: HEAD });
    expect(data.map((s) => [s.context, s.state])).toEqual([
      ['other', 'failure'],
      ['genops/gate', 'success'],
      ['genops/gate', 'pending'],
    ]);
    const { data: combined } = await api.rest.repos.getCombinedStatusForRef({ ...R, ref: HEAD });
    expect([combined.state, combined.total_count]).toEqual(['failure', 2]);
    const long = await httpError(api.rest.repos.createCommitStatus({ ...R, sha: HEAD, state: 'success', description: 'd'.repeat(141) }));
    expect(long.status).toBe(422);
  });

  it('serves seeded pull requests, files (paginated) and reviews', async () => {
    const files = Array.from({ length: 120 }, (_, i) => ({ filename: `src/f${i}.ts`, additions: 2, deletions: 1 }));
    const server = await start({
      seed: {
        repos: {
          [`${OWNER}/${REPO}`]: {
            pulls: [
              {
                number: 42,
                title: 'Add gate',
                user: 'alice',
                head: { ref: 'feature/gate', sha: HEAD, repo: 'alice/payments' },
                labels: ['release'],
                files,
                reviews: [{ user: 'bob', state: 'APPROVED' }, { user: 'carol', state: 'CHANGES_REQUESTED', body: 'nit' }],
              },
            ],
          },
        },
      },
    });
    const api = octokit(server);
    const { data: pr } = await api.rest.pulls.get({ ...R, pull_number: 42 });
    expect(pr).toMatchObject({ number: 42, title: 'Add gate', user: { login: 'alice' }, head: { sha: HEAD, repo: { full_name: 'alice/payments' } }, base: { ref: 'main' }, changed_files: 120 });
    const all = await api.paginate(api.rest.pulls.listFiles, { ...R, pull_number: 42, per_page: 100 });
    expect(all).toHaveLength(120);
    expect(all[0]).toMatchObject({ filename: 'src/f0.ts', status: 'modified', changes: 3 });
    const { data: reviews } = await api.rest.pulls.listReviews({ ...R, pull_number: 42 });
    expect(reviews.map((r) => [r.user?.login, r.state, r.commit_id])).toEqual([
      ['bob', 'APPROVED', HEAD],
      ['carol', 'CHANGES_REQUESTED', HEAD],
    ]);
    expect((await httpError(api.rest.pulls.get({ ...R, pull_number: 43 }))).status).toBe(404);
    await expect(api.rest.pulls.list({ ...R })).resolves.toMatchObject({ data: [{ number: 42 }] });
  });

  it('creates deployments and statuses; success marks earlier staging deployments inactive', async () => {
    const server = await start();
    const api = octokit(server);
    const { data: first } = await api.rest.repos.createDeployment({ ...R, ref: HEAD, environment: 'staging', auto_merge: false, required_contexts: [] });
    if (!('id' in first)) throw new Error('expected a deployment');
    await api.rest.repos.createDeploymentStatus({ ...R, deployment_id: first.id, state: 'success', log_url: 'https://ci.example/1' });
    const { data: second } = await api.rest.repos.createDeployment({ ...R, ref: HEAD, environment: 'staging', required_contexts: [] });
    if (!('id' in second)) throw new Error('expected a deployment');
    await api.rest.repos.createDeploymentStatus({ ...R, deployment_id: second.id, state: 'success' });
    const { data: list } = await api.rest.repos.listDeployments({ ...R, environment: 'staging' });
    expect(list.map((d) => d.id)).toEqual([second.id, first.id]);
    const { data: statuses } = await api.rest.repos.listDeploymentStatuses({ ...R, deployment_id: first.id });
    expect(statuses.map((s) => s.state)).toEqual(['inactive', 'success']);
    expect(statuses[1]).toMatchObject({ log_url: 'https://ci.example/1', target_url: 'https://ci.example/1', environment: 'staging' });
    expect((await httpError(api.rest.repos.createDeployment({ ...R, ref: 'no-such-branch' }))).status).toBe(422);
  });
});

describe('built-in git data for a branch-backed ledger', () => {
  async function commitOn(api: Octokit, parent: string | undefined, baseTree: string | undefined, files: Record<string, string>, message: string): Promise<string> {
    const { data: tree } = await api.rest.git.createTree({
      ...R,
      ...(baseTree === undefined ? {} : { base_tree: baseTree }),
      tree: Object.entries(files).map(([path, content]) => ({ path, mode: '100644' as const, type: 'blob' as const, content })),
    });
    const { data: commit } = await api.rest.git.createCommit({ ...R, message, tree: tree.sha, parents: parent === undefined ? [] : [parent] });
    return commit.sha;
  }

  it('builds blobs, trees and commits, and updates a ref only as a fast-forward (compare-and-swap)', async () => {
    const server = await start();
    const api = octokit(server);
    const { data: blob } = await api.rest.git.createBlob({ ...R, content: Buffer.from('{"v":1}\n').toString('base64'), encoding: 'base64' });
    expect(blob.sha).toBe('59cae28ac9eead4921c3aa9909e0ef5272399c37'); // `git hash-object` of the same bytes
    const { data: tree } = await api.rest.git.createTree({ ...R, tree: [{ path: 'ledger/index.json', mode: '100644', type: 'blob', sha: blob.sha }] });
    const { data: root } = await api.rest.git.createCommit({ ...R, message: 'init ledger', tree: tree.sha, parents: [] });
    await api.rest.git.createRef({ ...R, ref: 'refs/heads/genops-ledger', sha: root.sha });
    expect((await httpError(api.rest.git.createRef({ ...R, ref: 'refs/heads/genops-ledger', sha: root.sha }))).message).toContain('Reference already exists');

    const a = await commitOn(api, root.sha, tree.sha, { 'ledger/a.json': 'A' }, 'writer A');
    const b = await commitOn(api, root.sha, tree.sha, { 'ledger/b.json': 'B' }, 'writer B');
    await expect(api.rest.git.updateRef({ ...R, ref: 'heads/genops-ledger', sha: a, force: false })).resolves.toMatchObject({ data: { object: { sha: a } } });
    const conflict = await httpError(api.rest.git.updateRef({ ...R, ref: 'heads/genops-ledger', sha: b, force: false }));
    expect([conflict.status, conflict.message]).toEqual([422, expect.stringContaining('Update is not a fast forward')]);
    const { data: ref } = await api.rest.git.getRef({ ...R, ref: 'heads/genops-ledger' });
    expect(ref).toMatchObject({ ref: 'refs/heads/genops-ledger', object: { type: 'commit', sha: a } });

    // Retry on top of the winner: read its commit and tree, write again, fast-forward.
    const { data: head } = await api.rest.git.getCommit({ ...R, commit_sha: a });
    expect(head.parents.map((p) => p.sha)).toEqual([root.sha]);
    const b2 = await commitOn(api, a, head.tree.sha, { 'ledger/b.json': 'B' }, 'writer B, retried');
    await api.rest.git.updateRef({ ...R, ref: 'heads/genops-ledger', sha: b2 });
    const { data: full } = await api.rest.git.getTree({ ...R, tree_sha: 'genops-ledger', recursive: 'true' });
    expect(full.tree.map((e) => `${e.type} ${e.path}`)).toEqual(['tree ledger', 'blob ledger/a.json', 'blob ledger/b.json', 'blob ledger/index.json']);
    const { data: got } = await api.rest.git.getBlob({ ...R, file_sha: blob.sha });
    expect(Buffer.from(got.content, 'base64').toString('utf8')).toBe('{"v":1}\n');

    // A concurrent writer moves the branch between our read and our write.
    const repo = server.state.repo(`${OWNER}/${REPO}`);
    repo.commitFiles('genops-ledger', { 'ledger/c.json': 'C' }, { message: 'someone else' });
    const stale = await commitOn(api, b2, full.sha, { 'ledger/d.json': 'D' }, 'stale writer');
    expect((await httpError(api.rest.git.updateRef({ ...R, ref: 'heads/genops-ledger', sha: stale }))).status).toBe(422);
    await expect(api.rest.git.updateRef({ ...R, ref: 'heads/genops-ledger', sha: stale, force: true })).resolves.toMatchObject({ status: 200 });
    expect(repo.readFile('genops-ledger', 'ledger/d.json')).toBe('D');
    expect(repo.readFile('genops-ledger', 'ledger/c.json')).toBeUndefined();

    // Deleting a path through base_tree + sha: null.
    const { data: pruned } = await api.rest.git.createTree({ ...R, base_tree: full.sha, tree: [{ path: 'ledger/a.json', mode: '100644', type: 'blob', sha: null }] });
    const { data: prunedTree } = await api.rest.git.getTree({ ...R, tree_sha: pruned.sha, recursive: '1' });
    expect(prunedTree.tree.map((e) => e.path)).toEqual(['ledger', 'ledger/b.json', 'ledger/index.json']);
    expect((await httpError(api.rest.git.createCommit({ ...R, message: 'x', tree: HEAD, parents: [] }))).status).toBe(422);
  });
});
