/**
 * The one place an Octokit is built (like toolkit's getOctokit): retries with backoff on 5xx and
 * network errors (@octokit/plugin-retry), waits out rate limits a bounded number of times
 * (@octokit/plugin-throttling), and turns every failed request into a GenopsError through
 * api-errors.ts. Secrets are not masked here: the action layer calls core.setSecret first.
 */
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';

import { ConfigError, InternalError } from '../errors.js';
import type { Logger } from '../logger.js';
import { explainApiError, operationForRoute } from './api-errors.js';

/**
 * Counts the attempts of each request. Hooks of one request share its options object, and this
 * wrap sits inside the retry and throttling wraps, so it runs once per attempt.
 */
const attemptsByRequest = new WeakMap<object, number>();
/** @octokit/core's Octokit (not a direct dependency), as the plugins take it. */
type CoreOctokit = Parameters<typeof retry>[0];
function countAttempts(octokit: CoreOctokit): Record<string, never> {
  octokit.hook.wrap('request', (request, options) => {
    attemptsByRequest.set(options, (attemptsByRequest.get(options) ?? 0) + 1);
    return request(options);
  });
  return {};
}

const GenopsOctokit = Octokit.plugin(countAttempts, retry, throttling);

type LimiterGroup = NonNullable<ThrottlingOptions['write']>;

/**
 * Stands in for the throttling plugin's Bottleneck groups that space writes (1 s apart),
 * notification-triggering writes (3 s) and searches (2 s): runs each job at once. It only
 * needs `key(id).schedule(options, fn, ...args)`, which is all the plugin calls.
 */
const immediateGroup = {
  key: () => ({
    schedule: (...args: unknown[]): Promise<unknown> => {
      const at = args.findIndex((a) => typeof a === 'function');
      const fn = args[at] as (...a: unknown[]) => unknown;
      return Promise.resolve().then(() => fn(...args.slice(at + 1)));
    },
  }),
} as unknown as LimiterGroup;

/** An Octokit (@octokit/rest) with the retry and throttling plugins. */
export type GitHubClient = InstanceType<typeof GenopsOctokit>;

export interface ThrottleOptions {
  /** Default true. */
  enabled?: boolean;
  /**
   * The longest wait, in seconds, accepted for one rate-limit retry. A primary limit usually
   * resets much later than this: then the call fails at once with RATE_LIMITED and the reset
   * time, instead of holding the job. Default 120.
   */
  maxWaitSeconds?: number;
  /**
   * Seconds to wait on a secondary limit that came without `retry-after`, or with
   * `retry-after: 0` (the plugin reads 0 as missing). Default 60.
   */
  fallbackSecondaryRateRetryAfter?: number;
  /**
   * Leave GitHub's recommended gaps between requests: 1 s between writes, 3 s between writes
   * that notify people (comments), 2 s between searches. Default true; tests pass false.
   */
  spaceRequests?: boolean;
}

export interface GitHubClientOptions {
  token: string;
  /** API root, e.g. RunContext.apiUrl. Default https://api.github.com. */
  baseUrl?: string;
  /** Prepended to Octokit's user agent. Default `genops`. */
  userAgent?: string;
  logger: Logger;
  /** Retries after the first attempt, for server errors and for rate limits. Default 3. */
  retries?: number;
  throttle?: ThrottleOptions;
  /**
   * Milliseconds per unit of backoff. Server errors are retried after 1, 4, 9 … units; rate
   * limits after GitHub's `retry-after` seconds, one unit each. Default 1000; tests pass 1.
   */
  retryAfterBaseValue?: number;
  /** RunContext.isReadOnlyToken, so 403 explanations can say the token is read-only. */
  readOnlyToken?: boolean;
}

/**
 * Statuses the retry plugin must not retry. Its defaults, plus 429: rate limits belong to the
 * throttling plugin, which honours `retry-after` instead of a fixed backoff.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { logger } = options;
  const retries = options.retries ?? 3;
  const maxWaitSeconds = options.throttle?.maxWaitSeconds ?? 120;
  const retryAfterBaseValue = options.retryAfterBaseValue ?? 1000;
  if (options.token.trim() === '') {
    throw new ConfigError('INPUT_MISSING', 'No GitHub token was given', {
      input: 'github-token',
      expected: 'a token, by default ${{ github.token }}',
      hint: 'Leave `github-token` unset to use the job\'s GITHUB_TOKEN, or pass one with `github-token: ${{ secrets.… }}`.',
    });
  }
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
    throw new InternalError(`createGitHubClient: retries must be an integer from 0 to 10, got ${String(retries)}`);
  }

  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const route = `${request.method} ${request.url}`;
      if (retryCount >= retries) {
        logger.warning(`GitHub API ${kind} on ${route}: giving up after ${retries} retries`);
        return false;
      }
      if (retryAfter > maxWaitSeconds) {
        logger.warning(
          `GitHub API ${kind} on ${route}: it resets in ${retryAfter} s, longer than the ${maxWaitSeconds} s genops waits; giving up`,
        );
        return false;
      }
      logger.warning(`GitHub API ${kind} on ${route}: retrying in ${retryAfter} s (retry ${retryCount + 1} of ${retries})`);
      return true;
    };

  // Octokit logs objects (request options with headers) as a second argument: only the
  // message string is forwarded. Per-request lines and Octokit's own error lines are debug:
  // failures reach the user once, explained, through the error hook below.
  const octokitLog = {
    debug: (message: string) => logger.debug(message),
    info: (message: string) => logger.debug(message),
    warn: (message: string) => logger.warning(message),
    error: (message: string) => logger.debug(message),
  };

  const octokit = new GenopsOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'genops',
    log: octokitLog,
    // Not `request: { retries }`: plugin-retry reads `request.retries` from every failed request
    // and, when it is set, retries whatever the status, so doNotRetry (401, 403, 404, 422 …)
    // would be ignored. The plugin's own `retry.retries` applies to retryable statuses only.
    request: { log: octokitLog },
    retry: { retries, doNotRetry: DO_NOT_RETRY, retryAfterBaseValue },
    throttle: {
      enabled: options.throttle?.enabled ?? true,
      retryAfterBaseValue,
      fallbackSecondaryRateRetryAfter: options.throttle?.fallbackSecondaryRateRetryAfter ?? 60,
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
      ...(options.throttle?.spaceRequests === false
        ? { write: immediateGroup, notifications: immediateGroup, search: immediateGroup }
        : {}),
    },
  });

  // Registered after the plugins' hooks, so it sees a request's final failure (after retries).
  // Known routes are explained with their operation and permission; `withApi` can re-explain
  // with a caller's own words (the original error stays the cause).
  octokit.hook.error('request', (error, requestOptions) => {
    const known = operationForRoute(requestOptions.method, requestOptions.url);
    const attempts = attemptsByRequest.get(requestOptions);
    throw explainApiError(error, {
      operation: known?.operation ?? `call ${requestOptions.method} ${requestOptions.url}`,
      ...(attempts === undefined ? {} : { attempts }),
      ...(known === undefined ? {} : { permission: known.permission }),
      ...(options.readOnlyToken === undefined ? {} : { readOnlyToken: options.readOnlyToken }),
    });
  });

  return octokit;
}
