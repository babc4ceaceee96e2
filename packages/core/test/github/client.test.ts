import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { ConfigError, type GenopsError, InternalError } from '../../src/errors.js';
import { apiStatus, PERMISSIONS_BY_OPERATION, withApi } from '../../src/github/api-errors.js';
import { createGitHubClient, type GitHubClientOptions } from '../../src/github/client.js';
import { memoryLogger, type MemoryLogger } from '../../src/logger.js';
import { type LocalServer, startLocalServer } from './helpers/local-server.js';

const TOKEN = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
const REPO = { owner: 'octo-org', repo: 'payments' };
const SHA = '6dcb09b5b57875f334f61aebed695e2e4193db5e';

let server: LocalServer;
let logger: MemoryLogger;

beforeEach(async () => {
  server = await startLocalServer();
  logger = memoryLogger();
});

afterEach(async () => {
  await server.close();
});

/** A client against the local server, with 1 ms per backoff unit so retries take milliseconds. */
function client(overrides: Partial<GitHubClientOptions> = {}) {
  return createGitHubClient({
    token: TOKEN,
    baseUrl: server.url,
    logger,
    retryAfterBaseValue: 1,
    throttle: { spaceRequests: false },
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<GenopsError> {
  try {
    await promise;
  } catch (e) {
    expect(e instanceof ConfigError || e instanceof InternalError).toBe(true);
    return e as GenopsError;
  }
  throw new Error('expected the call to fail');
}

const pullPath = `/repos/${REPO.owner}/${REPO.repo}/pulls/42`;
const checkRunsPath = `/repos/${REPO.owner}/${REPO.repo}/check-runs`;
const pull = { number: 42, head: { sha: SHA } };

describe('createGitHubClient: requests', () => {
  it('sends the token, the user agent and JSON to the base URL (trailing slash ignored)', async () => {
    server.reply(`GET ${pullPath}`, { status: 200, body: pull });
    const octokit = client({ baseUrl: `${server.url}/`, userAgent: 'genops-policy-gate/0.1.0' });
    const { data } = await octokit.rest.pulls.get({ ...REPO, pull_number: 42 });
    expect(data.number).toBe(42);
    const [req] = server.requests;
    expect(req?.path).toBe(pullPath);
    expect(req?.headers.authorization).toBe(`token ${TOKEN}`);
    expect(req?.headers['user-agent']).toMatch(/^genops-policy-gate\/0\.1\.0 /);
  });

  it('an empty token is INPUT_MISSING on github-token', () => {
    expect.assertions(2);
    try {
      createGitHubClient({ token: ' ', logger });
    } catch (e) {
      expect((e as GenopsError).code).toBe('INPUT_MISSING');
      expect((e as GenopsError).details.input).toBe('github-token');
    }
  });
});

describe('createGitHubClient: retries', () => {
  it('retries a 502 twice and then succeeds', async () => {
    server.reply(
      `GET ${pullPath}`,
      { status: 502, body: { message: 'Server Error' } },
      { status: 502, body: { message: 'Server Error' } },
      { status: 200, body: pull },
    );
    const { data } = await client().rest.pulls.get({ ...REPO, pull_number: 42 });
    expect(data.head.sha).toBe(SHA);
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after `retries` and says GitHub is unavailable', async () => {
    server.reply(`GET ${pullPath}`, { status: 503, body: { message: 'Service Unavailable' } });
    const err = await failure(client({ retries: 2 }).rest.pulls.get({ ...REPO, pull_number: 42 }));
    expect(server.requests).toHaveLength(3);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('GitHub API unavailable after 3 attempts');
    expect(err.message).toContain('read a pull request');
    expect(apiStatus(err)).toBe(503);
  });

  it('retries: 0 sends once', async () => {
    server.reply(`GET ${pullPath}`, { status: 500, body: { message: 'boom' } });
    await failure(client({ retries: 0 }).rest.pulls.get({ ...REPO, pull_number: 42 }));
    expect(server.requests).toHaveLength(1);
  });

  it('an unreachable API is explained, after retries', async () => {
    const closed = await startLocalServer();
    await closed.close();
    const octokit = createGitHubClient({ token: TOKEN, baseUrl: closed.url, logger, retries: 1, retryAfterBaseValue: 1 });
    const err = await failure(octokit.rest.pulls.get({ ...REPO, pull_number: 42 }));
    expect(err.message).toContain('GitHub API unreachable after 2 attempts');
    expect(err.details.hint).toContain('GITHUB_API_URL');
  });

  it.each([
    [400, 'InternalError'],
    [401, 'INPUT_INVALID'],
    [404, 'NOT_FOUND'],
    [422, 'INPUT_INVALID'],
  ])('does not retry a %i', async (status, expected) => {
    server.reply(`GET ${pullPath}`, { status, body: { message: 'nope' } });
    const err = await failure(client().rest.pulls.get({ ...REPO, pull_number: 42 }));
    expect(server.requests).toHaveLength(1);
    expect(err instanceof InternalError ? 'InternalError' : err.code).toBe(expected);
  });
});

describe('createGitHubClient: rate limits', () => {
  const secondary: { status: number; headers: Record<string, string>; body: unknown } = {
    status: 403,
    headers: { 'retry-after': '0', 'x-ratelimit-remaining': '4321' },
    body: {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url: 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api',
    },
  };

  it('retries a 403 secondary rate limit with retry-after: 0, and logs it', async () => {
    server.reply(`GET ${pullPath}`, secondary, { status: 200, body: pull });
    const { data } = await client().rest.pulls.get({ ...REPO, pull_number: 42 });
    expect(data.number).toBe(42);
    expect(server.requests).toHaveLength(2);
    expect(logger.messages('warning')).toEqual([
      expect.stringContaining('secondary rate limit on GET /repos/{owner}/{repo}/pulls/{pull_number}: retrying'),
    ]);
  });

  it('gives up on a secondary rate limit after `retries` retries', async () => {
    server.reply(`GET ${pullPath}`, secondary);
    const err = await failure(client({ retries: 2 }).rest.pulls.get({ ...REPO, pull_number: 42 }));
    expect(server.requests).toHaveLength(3);
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.message).toContain('secondary rate limit');
    expect(logger.messages('warning').at(-1)).toContain('giving up after 2 retries');
  });

  it('does not wait an hour for a primary limit: RATE_LIMITED with the reset time', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    server.reply(`GET ${pullPath}`, {
      status: 403,
      headers: {
        'x-ratelimit-limit': '1000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(reset),
        'x-ratelimit-resource': 'core',
      },
      body: { message: 'API rate limit exceeded for installation ID 4242.' },
    });
    const err = await failure(client().rest.pulls.get({ ...REPO, pull_number: 42 }));
    expect(server.requests).toHaveLength(1);
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.message).toContain(new Date(reset * 1000).toISOString());
    expect(logger.messages('warning').at(-1)).toContain('giving up');
  });

  it('a 429 secondary limit is retried by the throttling plugin only', async () => {
    server.reply(
      `GET ${pullPath}`,
      { status: 429, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit.' } },
      { status: 200, body: pull },
    );
    await client().rest.pulls.get({ ...REPO, pull_number: 42 });
    expect(server.requests).toHaveLength(2);
  });
});

describe('createGitHubClient: errors are explained', () => {
  it('403 "Resource not accessible by integration" on a check run is PERMISSION_MISSING with the YAML', async () => {
    server.reply(`POST ${checkRunsPath}`, {
      status: 403,
      headers: { 'x-accepted-github-permissions': 'checks=write' },
      body: {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/checks/runs#create-a-check-run',
        status: '403',
      },
    });
    const err = await failure(
      client().rest.checks.create({ ...REPO, name: 'genops / policy-gate', head_sha: SHA, status: 'in_progress' }),
    );
    expect(server.requests).toHaveLength(1);
    expect(err.code).toBe('PERMISSION_MISSING');
    expect(err.message).toContain('create a check run');
    expect(err.details.hint).toContain('permissions:\n  checks: write');
    expect(err.details.hint).toContain('fork');
    expect(err.details.actual).toContain(`POST ${checkRunsPath}`);
  });

  it('says for sure when the client knows the token is read-only', async () => {
    server.reply(`POST ${checkRunsPath}`, { status: 403, body: { message: 'Resource not accessible by integration' } });
    const err = await failure(
      client({ readOnlyToken: true }).rest.checks.create({ ...REPO, name: 'gate', head_sha: SHA }),
    );
    expect(err.details.hint).toContain('This run is for a pull request from a fork');
  });

  it('never puts the token in an error or a log line', async () => {
    server.reply(`POST ${checkRunsPath}`, { status: 403, body: { message: 'Resource not accessible by integration' } });
    const err = await failure(client().rest.checks.create({ ...REPO, name: 'gate', head_sha: SHA }));
    expect(err.describe()).not.toContain(TOKEN);
    expect(JSON.stringify(logger.lines)).not.toContain(TOKEN);
    expect(JSON.stringify(err.details.cause)).not.toContain(TOKEN);
  });

  it('unlisted routes are named by their template', async () => {
    const err = await failure(client().request('GET /repos/{owner}/{repo}/branches/{branch}', { ...REPO, branch: 'main' }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('call GET /repos/{owner}/{repo}/branches/{branch}');
  });

  it('withApi re-explains with the caller\'s operation and permission', async () => {
    server.reply(`GET ${pullPath}/files`, { status: 403, body: { message: 'Resource not accessible by integration' } });
    const octokit = client();
    const err = await failure(
      withApi('list the files changed by the pull request', { scope: 'pull-requests', level: 'read' }, () =>
        octokit.rest.pulls.listFiles({ ...REPO, pull_number: 42 }),
      ),
    );
    expect(err.code).toBe('PERMISSION_MISSING');
    expect(err.message).toContain('list the files changed by the pull request');
    expect(err.details.hint).toContain('pull-requests: read');
    expect(apiStatus(err)).toBe(403);
  });

  it('withApi passes results through', async () => {
    server.reply(`POST /repos/${REPO.owner}/${REPO.repo}/statuses/${SHA}`, { status: 201, body: { id: 1, state: 'success' } });
    const octokit = client();
    const { operation, permission } = PERMISSIONS_BY_OPERATION.createCommitStatus;
    const { data } = await withApi(operation, permission, () =>
      octokit.rest.repos.createCommitStatus({ ...REPO, sha: SHA, state: 'success', context: 'genops' }),
    );
    expect(data.state).toBe('success');
  });

  it('logs Octokit\'s per-request lines at debug only', async () => {
    server.reply(`GET ${pullPath}`, { status: 200, body: pull });
    await client().rest.pulls.get({ ...REPO, pull_number: 42 });
    expect(logger.messages('info')).toEqual([]);
    expect(logger.messages('error')).toEqual([]);
    expect(logger.messages('debug').some((m) => m.includes(`GET ${pullPath} - 200`))).toBe(true);
  });
});
