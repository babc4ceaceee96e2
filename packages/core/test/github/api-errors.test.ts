import { describe, expect, it } from '@jest/globals';
import { Octokit } from '@octokit/rest';

import { ConfigError, type GenopsError, InternalError } from '../../src/errors.js';
import {
  apiStatus,
  explainApiError,
  isHttpError,
  operationForRoute,
  PERMISSIONS_BY_OPERATION,
  type PermissionNeed,
  permissionsYaml,
  withApi,
} from '../../src/github/api-errors.js';

const CHECKS_WRITE: PermissionNeed = { scope: 'checks', level: 'write' };
const CHECK_RUNS_URL = 'https://api.github.com/repos/octo-org/payments/check-runs';

/** An error shaped like @octokit/request-error's RequestError. */
function httpError(
  status: number,
  data: unknown,
  options: { headers?: Record<string, string>; method?: string; url?: string; noResponse?: boolean; cause?: unknown } = {},
): Error {
  const message =
    typeof data === 'object' && data !== null && 'message' in data ? String(data.message) : String(data);
  const url = options.url ?? CHECK_RUNS_URL;
  return Object.assign(new Error(message, options.cause === undefined ? undefined : { cause: options.cause }), {
    name: 'HttpError',
    status,
    request: { method: options.method ?? 'POST', url, headers: { authorization: 'token [REDACTED]' } },
    ...(options.noResponse === true ? {} : { response: { status, url, headers: options.headers ?? {}, data } }),
  });
}

const notAccessible = () =>
  httpError(403, {
    message: 'Resource not accessible by integration',
    documentation_url: 'https://docs.github.com/rest/checks/runs#create-a-check-run',
    status: '403',
  });

function config(e: GenopsError): ConfigError {
  if (!(e instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${e.name}: ${e.message}`);
  return e;
}

describe('explainApiError: 403 permission', () => {
  it('"Resource not accessible by integration" names the operation and the exact YAML', () => {
    const e = config(explainApiError(notAccessible(), { operation: 'create a check run', permission: CHECKS_WRITE }));
    expect(e.code).toBe('PERMISSION_MISSING');
    expect(e.message).toBe(
      'Cannot create a check run: the token lacks `checks: write` (GitHub: "Resource not accessible by integration")',
    );
    expect(e.details.input).toBe('github-token');
    expect(e.details.expected).toBe('`checks: write` under `permissions:`');
    expect(e.details.hint).toContain('Add to the job (or the workflow):\n\npermissions:\n  checks: write\n');
    expect(e.details.hint).toContain('keep the other lines');
    expect(e.details.actual).toBe(
      'HTTP 403 from POST /repos/octo-org/payments/check-runs: Resource not accessible by integration',
    );
    expect(e.details.docUrl).toMatch(/github-permissions/);
  });

  it('mentions fork pull requests when it cannot know', () => {
    const e = explainApiError(notAccessible(), { operation: 'create a check run', permission: CHECKS_WRITE });
    expect(e.details.hint).toContain('If this run is for a pull request from a fork');
    expect(e.details.hint).toContain('pull_request_target');
    expect(e.details.hint).toContain('never check out or run the pull request');
  });

  it('says so plainly when the token is known to be read-only', () => {
    const e = explainApiError(notAccessible(), {
      operation: 'create a check run',
      permission: CHECKS_WRITE,
      readOnlyToken: true,
    });
    expect(e.details.hint).toContain('This run is for a pull request from a fork');
    expect(e.details.hint).toContain('summary-only');
  });

  it('leaves the fork note out when the token is known to be writable', () => {
    const e = explainApiError(notAccessible(), {
      operation: 'create a check run',
      permission: CHECKS_WRITE,
      readOnlyToken: false,
    });
    expect(e.details.hint).not.toContain('fork');
  });

  it("uses GitHub's x-accepted-github-permissions header when the caller gave no permission", () => {
    const error = httpError(
      403,
      { message: 'Resource not accessible by integration' },
      { headers: { 'x-accepted-github-permissions': 'pull_requests=write; issues=write' } },
    );
    const e = explainApiError(error, { operation: 'write a comment' });
    expect(e.details.expected).toBe('`pull-requests: write` under `permissions:`');
    expect(e.message).toContain('`pull-requests: write`');
  });

  it('without any permission information, still says where to grant it', () => {
    const e = explainApiError(notAccessible(), { operation: 'do something' });
    expect(e.code).toBe('PERMISSION_MISSING');
    expect(e.details.expected).toBeUndefined();
    expect(e.details.hint).toContain('`permissions:` block');
  });

  it('another 403 (SAML, policy) is PERMISSION_MISSING quoting GitHub', () => {
    const error = httpError(403, {
      message: 'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
    });
    const e = explainApiError(error, { operation: 'create a check run', permission: CHECKS_WRITE });
    expect(e.code).toBe('PERMISSION_MISSING');
    expect(e.message).toContain('SAML enforcement');
    expect(e.details.hint).toContain('Organization policies');
  });
});

describe('explainApiError: rate limits', () => {
  it('primary limit: RATE_LIMITED with the reset time', () => {
    const error = httpError(
      403,
      { message: 'API rate limit exceeded for installation ID 4242.' },
      {
        method: 'GET',
        headers: {
          'x-ratelimit-limit': '1000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': '1795000000',
          'x-ratelimit-resource': 'core',
        },
      },
    );
    const e = explainApiError(error, { operation: 'read a pull request' });
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.message).toContain('rate limit (core) is used up until 2026-11-18T11:06:40.000Z');
    expect(e.details.hint).toContain('after 2026-11-18T11:06:40.000Z');
  });

  it('429 with retry-after: secondary limit with the wait', () => {
    const error = httpError(429, { message: 'You have exceeded a secondary rate limit.' }, { headers: { 'retry-after': '30' } });
    const e = explainApiError(error, { operation: 'write a pull request comment', attempts: 4 });
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.message).toContain('secondary rate limit');
    expect(e.message).toContain('retry after 30 s');
    expect(e.message).toContain('sent 4 times');
  });

  it('403 secondary limit without headers', () => {
    const error = httpError(403, {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
    });
    expect(explainApiError(error, { operation: 'x' }).code).toBe('RATE_LIMITED');
  });

  it('a "Resource not accessible" 403 is not a rate limit, whatever the remaining count', () => {
    const error = httpError(403, { message: 'Resource not accessible by integration' }, { headers: { 'x-ratelimit-remaining': '4999' } });
    expect(explainApiError(error, { operation: 'x' }).code).toBe('PERMISSION_MISSING');
  });
});

describe('explainApiError: other statuses', () => {
  it('401: INPUT_INVALID on github-token', () => {
    const e = config(explainApiError(httpError(401, { message: 'Bad credentials' }), { operation: 'create a check run' }));
    expect(e.code).toBe('INPUT_INVALID');
    expect(e.details.input).toBe('github-token');
    expect(e.message).toContain('401 Bad credentials');
  });

  it('404: NOT_FOUND, a missing resource or a token that cannot see it', () => {
    const error = httpError(404, { message: 'Not Found' }, { method: 'GET', url: 'https://api.github.com/repos/octo-org/secret/pulls/7' });
    const e = explainApiError(error, { operation: 'read a pull request', permission: { scope: 'pull-requests', level: 'read' } });
    expect(e.code).toBe('NOT_FOUND');
    expect(e.details.hint).toContain('does not exist');
    expect(e.details.hint).toContain('private');
    expect(e.details.hint).toContain('permissions:\n  pull-requests: read');
    expect(e.details.actual).toContain('GET /repos/octo-org/secret/pulls/7');
  });

  it('410: NOT_FOUND (gone or disabled)', () => {
    const e = explainApiError(httpError(410, { message: 'Issues are disabled for this repo' }), { operation: 'x' });
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain('410 Gone');
  });

  it("422: INPUT_INVALID with GitHub's errors", () => {
    const error = httpError(422, {
      message: 'Validation Failed',
      errors: [
        { resource: 'CheckRun', field: 'head_sha', code: 'invalid' },
        { resource: 'CheckRun', code: 'custom', field: 'output', message: 'summary is too long (maximum is 65535 characters)' },
        'No commit found for SHA: 6dcb09b',
      ],
      documentation_url: 'https://docs.github.com/rest/checks/runs#create-a-check-run',
    });
    const e = explainApiError(error, { operation: 'create a check run' });
    expect(e.code).toBe('INPUT_INVALID');
    expect(e.message).toContain('422 Validation Failed');
    expect(e.message).toContain('CheckRun.head_sha: invalid');
    expect(e.message).toContain('CheckRun.output: custom: summary is too long');
    expect(e.message).toContain('No commit found for SHA: 6dcb09b');
  });

  it('409: INPUT_INVALID (conflict)', () => {
    const e = explainApiError(httpError(409, { message: 'Git Repository is empty.' }), { operation: 'read contents' });
    expect(e.code).toBe('INPUT_INVALID');
    expect(e.details.hint).toContain('Re-run');
  });

  it.each([500, 502, 503, 504])('%i: GitHub API unavailable, neither config nor a genops bug', (status) => {
    const e = explainApiError(httpError(status, { message: 'Server Error' }), { operation: 'create a check run', attempts: 4 });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.code).toBe('API_UNAVAILABLE');
    expect(e.message).toBe(`Cannot create a check run: GitHub API unavailable after 4 attempts (HTTP ${status})`);
    expect(e.details.hint).toContain('neither your configuration nor a genops bug');
    expect(e.details.hint).toContain('githubstatus.com');
  });

  it('no response at all: unreachable, with the network reason', () => {
    const reason = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:443'), { code: 'ECONNREFUSED' });
    const fetchFailed = new TypeError('fetch failed', { cause: reason });
    const error = httpError(500, 'Unknown Error', { noResponse: true, cause: fetchFailed });
    const e = explainApiError(error, { operation: 'read a pull request', attempts: 1 });
    expect(e.message).toBe('Cannot read a pull request: GitHub API unreachable after 1 attempt (connect ECONNREFUSED 10.0.0.7:443)');
    expect(e.details.hint).toContain('GITHUB_API_URL');
  });

  it.each([400, 405, 415])('%i: an InternalError (genops sent a request GitHub does not accept)', (status) => {
    const e = explainApiError(httpError(status, { message: 'Problems parsing JSON' }), { operation: 'create a check run' });
    expect(e).toBeInstanceOf(InternalError);
    expect(e.message).toContain(`HTTP ${status}`);
  });

  it('never prints the query string of the URL', () => {
    const error = httpError(404, { message: 'Not Found' }, { method: 'GET', url: 'https://api.github.com/repos/o/r?access_token=abc123' });
    const e = explainApiError(error, { operation: 'x' });
    expect(e.describe()).not.toContain('abc123');
  });

  it("shortens an overlong GitHub message", () => {
    const e = explainApiError(httpError(403, { message: `Forbidden ${'x'.repeat(1000)}` }), { operation: 'x' });
    expect(e.message.length).toBeLessThan(400);
  });
});

describe('explainApiError: what is not an HTTP error', () => {
  it('passes a GenopsError through', () => {
    const original = new ConfigError('INPUT_INVALID', 'bad input', { input: 'policy' });
    expect(explainApiError(original, { operation: 'x' })).toBe(original);
  });

  it('explains again a GenopsError that wraps an HTTP error, keeping the attempts', () => {
    const first = explainApiError(httpError(502, { message: 'Bad Gateway' }), { operation: 'call POST /x', attempts: 3 });
    const again = explainApiError(first, { operation: 'create a check run', permission: CHECKS_WRITE });
    expect(again).not.toBe(first);
    expect(again.message).toBe('Cannot create a check run: GitHub API unavailable after 3 attempts (HTTP 502)');
  });

  it('anything else is an InternalError', () => {
    const e = explainApiError(new TypeError("Cannot read properties of undefined (reading 'id')"), { operation: 'create a check run' });
    expect(e).toBeInstanceOf(InternalError);
    expect(e.message).toContain('while trying to create a check run');
    expect(explainApiError('a string', { operation: 'x' })).toBeInstanceOf(InternalError);
  });

  it('isHttpError and apiStatus', () => {
    const error = httpError(404, { message: 'Not Found' });
    expect(isHttpError(error)).toBe(true);
    expect(isHttpError(new Error('x'))).toBe(false);
    expect(isHttpError({ status: 404 })).toBe(false);
    expect(apiStatus(error)).toBe(404);
    expect(apiStatus(explainApiError(error, { operation: 'x' }))).toBe(404);
    expect(apiStatus(new ConfigError('INPUT_INVALID', 'x'))).toBeUndefined();
    expect(apiStatus(undefined)).toBeUndefined();
  });
});

describe('withApi', () => {
  it('returns the result', async () => {
    await expect(withApi('x', undefined, async () => 7)).resolves.toBe(7);
  });

  it('throws the explained error', async () => {
    const err = await withApi('create a check run', CHECKS_WRITE, async () => {
      throw notAccessible();
    }).catch((e: unknown) => e as GenopsError);
    expect(err.code).toBe('PERMISSION_MISSING');
    expect(err.details.hint).toContain('checks: write');
  });

  it('passes readOnlyToken on', async () => {
    const err = await withApi(
      'create a check run',
      CHECKS_WRITE,
      async () => {
        throw notAccessible();
      },
      { readOnlyToken: true },
    ).catch((e: unknown) => e as GenopsError);
    expect(err.details.hint).toContain('This run is for a pull request from a fork');
  });
});

describe('PERMISSIONS_BY_OPERATION', () => {
  /** Every `METHOD /url` Octokit knows, from its endpoint methods. */
  function octokitRoutes(): Set<string> {
    const rest = new Octokit().rest as unknown as Record<string, Record<string, { endpoint?: { DEFAULTS: { method: string; url: string } } }>>;
    const routes = new Set<string>();
    for (const scope of Object.keys(rest)) {
      const methods = rest[scope] ?? {};
      for (const name of Object.keys(methods)) {
        const defaults = methods[name]?.endpoint?.DEFAULTS;
        if (defaults !== undefined) routes.add(`${defaults.method} ${defaults.url}`);
      }
    }
    return routes;
  }

  it('lists only routes that exist in GitHub\'s REST API', () => {
    const known = octokitRoutes();
    expect(known.size).toBeGreaterThan(500);
    for (const entry of Object.values(PERMISSIONS_BY_OPERATION)) {
      for (const route of entry.routes) expect({ route, known: known.has(route) }).toEqual({ route, known: true });
    }
  });

  it('maps each route to one operation only', () => {
    const all = Object.values(PERMISSIONS_BY_OPERATION).flatMap((e) => [...e.routes]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('covers the permissions genops needs', () => {
    const lines = new Set(Object.values(PERMISSIONS_BY_OPERATION).map((e) => `${e.permission.scope}: ${e.permission.level}`));
    for (const line of [
      'checks: write',
      'statuses: write',
      'pull-requests: write',
      'pull-requests: read',
      'deployments: read',
      'deployments: write',
      'contents: read',
      'contents: write',
      'id-token: write',
      'attestations: write',
      'actions: read',
    ]) {
      expect(lines).toContain(line);
    }
    expect(PERMISSIONS_BY_OPERATION.createCheckRun.permission).toEqual(CHECKS_WRITE);
    expect(PERMISSIONS_BY_OPERATION.createCommitStatus.permission).toEqual({ scope: 'statuses', level: 'write' });
  });

  it('operationForRoute finds the entry for a route template', () => {
    expect(operationForRoute('post', '/repos/{owner}/{repo}/check-runs')?.operation).toBe('create a check run');
    expect(operationForRoute('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/files')?.permission).toEqual({
      scope: 'pull-requests',
      level: 'read',
    });
    expect(operationForRoute('GET', '/repos/{owner}/{repo}/branches')).toBeUndefined();
  });

  it('permissionsYaml', () => {
    expect(permissionsYaml([CHECKS_WRITE, { scope: 'id-token', level: 'write' }])).toBe(
      'permissions:\n  checks: write\n  id-token: write',
    );
  });
});
