// The client against testkit's fake GitHub, which checks every request against GitHub's OpenAPI
// description and answers like GitHub (403 with x-accepted-github-permissions, secondary limits).
// Imported by path: @genops/core does not depend on @genops/testkit (the dependency runs the other way).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { startFakeGitHub, type FakeGitHub } from '@genops/testkit';
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js';
import { memoryLogger, type MemoryLogger } from '../../src/logger.js';
import { failure } from './helpers/failure.js';

const REPO = { owner: 'octo-org', repo: 'payments' };
const SHA = '6dcb09b5b57875f334f61aebed695e2e4193db5e';

let gh: FakeGitHub;
let logger: MemoryLogger;
let octokit: GitHubClient;

beforeEach(async () => {
  gh = await startFakeGitHub();
  logger = memoryLogger();
  octokit = createGitHubClient({
    token: 'ghs_fake',
    baseUrl: gh.url,
    logger,
    retryAfterBaseValue: 1,
    throttle: { spaceRequests: false },
  });
});

afterEach(async () => {
  expect(gh.rejected).toEqual([]);
  expect(gh.problems).toEqual([]);
  await gh.close();
});

const createCheckRun = () => octokit.rest.checks.create({ ...REPO, name: 'genops / policy-gate', head_sha: SHA, status: 'in_progress' });

describe('createGitHubClient against the fake GitHub', () => {
  it('a 502 twice and then 200: retried, succeeds', async () => {
    gh.failNext('checks/create', 502, 2);
    const { data, status } = await createCheckRun();
    expect(status).toBe(201);
    expect(data.name).toBe('genops / policy-gate');
    expect(gh.calls('checks/create').map((r) => r.status)).toEqual([502, 502, 201]);
  });

  it('a 403 secondary rate limit with retry-after: 0 is retried', async () => {
    gh.failNext('checks/create', 403, 1, { retryAfter: 0 });
    const { status } = await createCheckRun();
    expect(status).toBe(201);
    expect(gh.calls('checks/create').map((r) => r.status)).toEqual([403, 201]);
    expect(logger.messages('warning')).toEqual([expect.stringContaining('secondary rate limit on POST /repos/{owner}/{repo}/check-runs')]);
  });

  it('a token without checks: write gets PERMISSION_MISSING with the YAML, once', async () => {
    gh.denyPermission('checks');
    const err = await failure(createCheckRun());
    expect(err.code).toBe('PERMISSION_MISSING');
    expect(err.message).toContain('create a check run');
    expect(err.details.hint).toContain('permissions:\n  checks: write');
    expect(gh.calls('checks/create')).toHaveLength(1);
  });

  it('a fork PR\'s read-only token on a comment: PERMISSION_MISSING naming pull-requests: write', async () => {
    gh.setPermission('*', 'read');
    const err = await failure(octokit.rest.issues.createComment({ ...REPO, issue_number: 42, body: 'genops: allow' }));
    expect(err.code).toBe('PERMISSION_MISSING');
    expect(err.details.hint).toContain('permissions:\n  pull-requests: write');
    expect(err.details.hint).toContain('fork');
  });
});
