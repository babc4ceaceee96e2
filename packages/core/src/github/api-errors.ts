/**
 * Turns GitHub API failures into errors a user can act on: which operation failed, which
 * `permissions:` line grants it (as YAML to paste), when a rate limit resets, what GitHub
 * said about a rejected request. One home for these messages; callers match on `code`.
 *
 * Errors are recognised by shape (`status` plus optional `response`/`request`, as
 * @octokit/request-error's RequestError has) so this module needs no Octokit import.
 */
import { ConfigError, type ConfigErrorCode, docUrl, type GenopsError, InternalError, isGenopsError } from '../errors.js';

export type PermissionScope =
  | 'checks'
  | 'statuses'
  | 'pull-requests'
  | 'issues'
  | 'contents'
  | 'deployments'
  | 'id-token'
  | 'attestations'
  | 'actions';

export type PermissionLevel = 'read' | 'write';

/** One line of a workflow's `permissions:` block. */
export interface PermissionNeed {
  readonly scope: PermissionScope;
  readonly level: PermissionLevel;
}

export interface OperationPermission {
  /** What we were doing, completing "Cannot …": `create a check run`. */
  readonly operation: string;
  readonly permission: PermissionNeed;
  /**
   * REST routes the operation covers, as `METHOD /path/{param}` exactly as in GitHub's OpenAPI
   * description (and Octokit's endpoint templates). Empty when it is not a REST call.
   */
  readonly routes: readonly string[];
}

/**
 * Operation → the `permissions:` line it needs. Used to explain 403/404 responses (the client's
 * error hook matches the request's route) and to generate the permissions section of each
 * action's README.
 */
export const PERMISSIONS_BY_OPERATION = {
  createCheckRun: {
    operation: 'create a check run',
    permission: { scope: 'checks', level: 'write' },
    routes: ['POST /repos/{owner}/{repo}/check-runs'],
  },
  updateCheckRun: {
    operation: 'update a check run',
    permission: { scope: 'checks', level: 'write' },
    routes: ['PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}'],
  },
  listCheckRuns: {
    operation: 'list the check runs of a commit',
    permission: { scope: 'checks', level: 'read' },
    routes: ['GET /repos/{owner}/{repo}/commits/{ref}/check-runs'],
  },
  createCommitStatus: {
    operation: 'set a commit status',
    permission: { scope: 'statuses', level: 'write' },
    routes: ['POST /repos/{owner}/{repo}/statuses/{sha}'],
  },
  // PR comments go through the Issues API; for a pull request `pull-requests: write` is enough.
  writePrComment: {
    operation: 'write a pull request comment',
    permission: { scope: 'pull-requests', level: 'write' },
    routes: [
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
    ],
  },
  listPrComments: {
    operation: 'list the comments of a pull request',
    permission: { scope: 'pull-requests', level: 'read' },
    routes: ['GET /repos/{owner}/{repo}/issues/{issue_number}/comments'],
  },
  // Suggested line edits are review comments on the diff (only there can GitHub apply them).
  writeReviewComment: {
    operation: 'write a pull request review comment',
    permission: { scope: 'pull-requests', level: 'write' },
    routes: ['POST /repos/{owner}/{repo}/pulls/{pull_number}/comments', 'PATCH /repos/{owner}/{repo}/pulls/comments/{comment_id}'],
  },
  readPullRequest: {
    operation: 'read a pull request, its files, reviews, review comments and commits',
    permission: { scope: 'pull-requests', level: 'read' },
    routes: [
      'GET /repos/{owner}/{repo}/pulls/{pull_number}',
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/files',
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits',
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/comments',
      'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
    ],
  },
  readRunApprovals: {
    operation: 'read the deployment reviews of this workflow run',
    permission: { scope: 'actions', level: 'read' },
    routes: ['GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals'],
  },
  readDeployments: {
    operation: 'read deployments',
    permission: { scope: 'deployments', level: 'read' },
    routes: [
      'GET /repos/{owner}/{repo}/deployments',
      'GET /repos/{owner}/{repo}/deployments/{deployment_id}',
      'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    ],
  },
  // Incident records kept as issues with a label (risk-score's similar-incident search).
  readIssues: {
    operation: 'list the issues of a repository',
    permission: { scope: 'issues', level: 'read' },
    routes: ['GET /repos/{owner}/{repo}/issues'],
  },
  // Who applied the break-glass label, and when (issue events of the pull request).
  readLabelEvents: {
    operation: 'read the label events of a pull request',
    permission: { scope: 'pull-requests', level: 'read' },
    routes: ['GET /repos/{owner}/{repo}/issues/{issue_number}/events'],
  },
  // The post-incident follow-up issue a break-glass opens.
  createIssue: {
    operation: 'open an issue',
    permission: { scope: 'issues', level: 'write' },
    routes: ['POST /repos/{owner}/{repo}/issues'],
  },
  writeDeploymentStatus: {
    operation: 'set a deployment status',
    permission: { scope: 'deployments', level: 'write' },
    routes: ['POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses'],
  },
  readContents: {
    operation: 'read repository contents and git data',
    permission: { scope: 'contents', level: 'read' },
    routes: [
      'GET /repos/{owner}/{repo}/contents/{path}',
      'GET /repos/{owner}/{repo}/commits/{ref}',
      'GET /repos/{owner}/{repo}/compare/{basehead}',
      'GET /repos/{owner}/{repo}/git/ref/{ref}',
      'GET /repos/{owner}/{repo}/git/commits/{commit_sha}',
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
      'GET /repos/{owner}/{repo}/git/blobs/{file_sha}',
    ],
  },
  writeContents: {
    operation: 'write repository contents and git data',
    permission: { scope: 'contents', level: 'write' },
    routes: [
      'PUT /repos/{owner}/{repo}/contents/{path}',
      'POST /repos/{owner}/{repo}/git/blobs',
      'POST /repos/{owner}/{repo}/git/trees',
      'POST /repos/{owner}/{repo}/git/commits',
      'POST /repos/{owner}/{repo}/git/refs',
      'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
    ],
  },
  requestIdToken: {
    // Not REST: the runner's ACTIONS_ID_TOKEN_REQUEST_URL. Listed for the docs and for callers.
    operation: 'request an OIDC token for keyless signing',
    permission: { scope: 'id-token', level: 'write' },
    routes: [],
  },
  createAttestation: {
    operation: 'store an attestation',
    permission: { scope: 'attestations', level: 'write' },
    routes: ['POST /repos/{owner}/{repo}/attestations'],
  },
  readRunArtifacts: {
    operation: 'read workflow run artifacts',
    permission: { scope: 'actions', level: 'read' },
    routes: [
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
      'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
    ],
  },
} as const satisfies Record<string, OperationPermission>;

export type OperationKey = keyof typeof PERMISSIONS_BY_OPERATION;

const BY_ROUTE: ReadonlyMap<string, OperationPermission> = new Map(
  Object.values(PERMISSIONS_BY_OPERATION).flatMap((op: OperationPermission) => op.routes.map((r) => [r, op] as const)),
);

/** The table entry for a route template (`POST`, `/repos/{owner}/{repo}/check-runs`), if any. */
export function operationForRoute(method: string, urlTemplate: string): OperationPermission | undefined {
  return BY_ROUTE.get(`${method.toUpperCase()} ${urlTemplate}`);
}

/** The YAML block granting these permissions, e.g. `permissions:\n  checks: write`. */
export function permissionsYaml(needs: readonly { scope: string; level: string }[]): string {
  return ['permissions:', ...needs.map((n) => `  ${n.scope}: ${n.level}`)].join('\n');
}

export interface ApiErrorContext {
  /** What we were doing, completing "Cannot …": `create a check run`. */
  operation: string;
  /** The permission the operation needs, when known. */
  permission?: PermissionNeed;
  /** How many times the request was sent (the client counts retries). */
  attempts?: number;
  /**
   * Whether the run's token is read-only whatever `permissions:` says (RunContext.isReadOnlyToken).
   * Unknown (undefined): the hint mentions fork pull requests as a possible cause.
   */
  readOnlyToken?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Recognising HTTP errors.

interface HttpErrorLike {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  request?: { method?: string; url?: string };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * An error from an Octokit request (RequestError or an aborted fetch), recognised by shape:
 * not `instanceof`, which fails across realms (Jest's VM contexts, bundled copies).
 */
export function isHttpError(error: unknown): error is HttpErrorLike {
  return (
    isRecord(error) &&
    typeof error['status'] === 'number' &&
    typeof error['message'] === 'string' &&
    !isGenopsError(error)
  );
}

/**
 * The HTTP status behind an error: an Octokit error's own, or the one kept as the cause of an
 * explained error. For callers that treat a status as an answer (404: no such comment yet).
 */
export function apiStatus(error: unknown): number | undefined {
  if (isHttpError(error)) return error.status;
  if (isGenopsError(error) && isHttpError(error.details.cause)) return error.details.cause.status;
  return undefined;
}

function header(error: HttpErrorLike, name: string): string | undefined {
  const value = error.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/** GitHub's own message (`Resource not accessible by integration`), without Octokit's suffixes. */
function githubMessage(error: HttpErrorLike): string {
  const data = error.response?.data;
  const raw = isRecord(data) && typeof data['message'] === 'string' ? data['message'] : error.message;
  return raw.length > 300 ? `${raw.slice(0, 300)}…` : raw;
}

/** `POST /repos/o/r/check-runs`: the request without origin or query (which may carry secrets). */
function requestLine(error: HttpErrorLike): string | undefined {
  const method = error.request?.method;
  const url = error.request?.url;
  if (method === undefined || url === undefined) return undefined;
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split('?')[0] ?? url;
  }
  return `${method} ${path}`;
}

/**
 * Why no response came: the innermost cause's message (`connect ECONNREFUSED 10.0.0.1:443`);
 * fetch wraps it as `TypeError: fetch failed`, and Octokit may report "Unknown Error".
 */
function networkReason(error: HttpErrorLike): string {
  let reason = error.message;
  let current: unknown = (error as { cause?: unknown }).cause;
  for (let depth = 0; depth < 4 && isRecord(current); depth++) {
    if (typeof current['message'] === 'string' && current['message'] !== '') reason = current['message'];
    current = current['cause'];
  }
  return reason;
}

function found(error: HttpErrorLike): string {
  const line = requestLine(error);
  return `HTTP ${error.status}${line === undefined ? '' : ` from ${line}`}: ${githubMessage(error)}`;
}

/**
 * How many times a failed request was sent, as counted by the client. Kept per error so an
 * explanation given again (withApi over the client's hook) still knows it.
 */
const ATTEMPTS = new WeakMap<object, number>();

function attempts(error: HttpErrorLike): number | undefined {
  return ATTEMPTS.get(error);
}

/** GitHub's `x-accepted-github-permissions` header: `checks=write; pull_requests=read,contents=read`. */
function acceptedPermissions(error: HttpErrorLike): { scope: string; level: string }[] | undefined {
  const raw = header(error, 'x-accepted-github-permissions');
  if (raw === undefined || raw.trim() === '') return undefined;
  const firstSet = raw.split(';')[0] ?? '';
  const needs = firstSet
    .split(',')
    .map((part) => part.trim().split('='))
    .filter((kv): kv is [string, string] => kv.length === 2 && kv[0] !== '' && kv[1] !== '')
    .map(([scope, level]) => ({ scope: scope.replace(/_/g, '-'), level }));
  return needs.length > 0 ? needs : undefined;
}

// ---------------------------------------------------------------------------------------------
// Messages.

const PERMISSIONS_DOC = docUrl('github-permissions');

const KEEP_OTHERS =
  'A `permissions:` block sets every permission it does not list to none: keep the other lines ' +
  'this job needs (e.g. `contents: read`).';

function forkNote(readOnlyToken: boolean | undefined): string | undefined {
  const risk =
    '`pull_request_target` has a write token and secrets, so use it carefully: never check out or run the pull request\'s code there.';
  if (readOnlyToken === true) {
    return (
      'This run is for a pull request from a fork: on `pull_request` GitHub gives it a read-only token, ' +
      'whatever `permissions:` says. Accept summary-only output (job summary and outputs), or run on ' +
      `\`pull_request_target\` instead. ${risk}`
    );
  }
  if (readOnlyToken === undefined) {
    return (
      'If this run is for a pull request from a fork, its token is read-only whatever `permissions:` says: ' +
      `accept summary-only output, or run on \`pull_request_target\` instead. ${risk}`
    );
  }
  return undefined;
}

function grantHint(needs: readonly { scope: string; level: string }[] | undefined, operation: string): string {
  if (needs === undefined) {
    return `Grant the permission needed to ${operation} in the workflow's \`permissions:\` block (see the docs).`;
  }
  return `Add to the job (or the workflow):\n\n${permissionsYaml(needs)}\n\n${KEEP_OTHERS}`;
}

function joinHints(...parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => p !== undefined).join('\n\n');
}

function rateLimitKind(error: HttpErrorLike): 'primary' | 'secondary' | undefined {
  if (error.status !== 403 && error.status !== 429) return undefined;
  if (header(error, 'x-ratelimit-remaining') === '0') return 'primary';
  const message = githubMessage(error);
  if (/secondary rate limit|abuse detection/i.test(message)) return 'secondary';
  if (header(error, 'retry-after') !== undefined || error.status === 429) return 'secondary';
  return undefined;
}

function explainRateLimit(error: HttpErrorLike, kind: 'primary' | 'secondary', ctx: ApiErrorContext): ConfigError {
  const tried = attempts(error);
  const triedText = tried === undefined ? '' : ` (sent ${tried} time${tried === 1 ? '' : 's'})`;
  if (kind === 'primary') {
    const resetSeconds = Number(header(error, 'x-ratelimit-reset'));
    const reset = Number.isFinite(resetSeconds) && resetSeconds > 0 ? new Date(resetSeconds * 1000).toISOString() : undefined;
    const resource = header(error, 'x-ratelimit-resource');
    return new ConfigError(
      'RATE_LIMITED',
      `Cannot ${ctx.operation}: the GitHub API rate limit${resource === undefined ? '' : ` (${resource})`} is used up` +
        `${reset === undefined ? '' : ` until ${reset}`}${triedText}`,
      {
        actual: found(error),
        hint:
          `Re-run the job${reset === undefined ? ' later' : ` after ${reset}`}. ` +
          'If this keeps happening, fewer jobs should share the token, or use a GitHub App installation token (higher limit).',
        docUrl: docUrl('github-permissions', 'rate-limits'),
        cause: error,
      },
    );
  }
  const retryAfter = header(error, 'retry-after');
  return new ConfigError(
    'RATE_LIMITED',
    `Cannot ${ctx.operation}: GitHub's secondary rate limit refused the request` +
      `${retryAfter === undefined ? '' : `; retry after ${retryAfter} s`}${triedText}`,
    {
      actual: found(error),
      hint:
        'Secondary limits come from many requests in a short time (often parallel jobs writing checks or comments). ' +
        'Re-run the job later, or stagger the jobs that call the API.',
      docUrl: docUrl('github-permissions', 'rate-limits'),
      cause: error,
    },
  );
}

function formatValidationErrors(data: unknown): string | undefined {
  if (!isRecord(data) || !Array.isArray(data['errors'])) return undefined;
  const parts = data['errors'].map((e: unknown) => {
    if (typeof e === 'string') return e;
    if (!isRecord(e)) return JSON.stringify(e);
    const where = [e['resource'], e['field']].filter((x): x is string => typeof x === 'string').join('.');
    const what = [e['code'], e['message']].filter((x): x is string => typeof x === 'string' && x !== '').join(': ');
    return where === '' ? what : `${where}: ${what}`;
  });
  return parts.length === 0 ? undefined : parts.join('; ');
}

/**
 * A GitHub outage is neither the user's configuration nor a genops bug, and InternalError would
 * ask the user to file an issue with us. It is reported as a ConfigError (the user's move: re-run
 * later) with its own code and the message "GitHub API unavailable after N attempts".
 */
const UNAVAILABLE_CODE: ConfigErrorCode = 'API_UNAVAILABLE';

function explainUnavailable(error: HttpErrorLike, ctx: ApiErrorContext): ConfigError {
  const tried = attempts(error);
  const after = tried === undefined ? '' : ` after ${tried} attempt${tried === 1 ? '' : 's'}`;
  const noResponse = error.response === undefined;
  const line = requestLine(error);
  const message = noResponse
    ? `Cannot ${ctx.operation}: GitHub API unreachable${after} (${networkReason(error)})`
    : `Cannot ${ctx.operation}: GitHub API unavailable${after} (HTTP ${error.status})`;
  return new ConfigError(UNAVAILABLE_CODE, message, {
    actual: noResponse ? `no response${line === undefined ? '' : ` to ${line}`}: ${networkReason(error)}` : found(error),
    hint: noResponse
      ? 'Check the network and, on GitHub Enterprise Server, the API URL (GITHUB_API_URL). Otherwise re-run the job later.'
      : 'This is neither your configuration nor a genops bug: GitHub answered with server errors on every try. ' +
        'Re-run the job later; see https://www.githubstatus.com (or your GitHub Enterprise Server administrator).',
    docUrl: docUrl('github-permissions', 'outages'),
    cause: error,
  });
}

/**
 * Explain a failed GitHub API call. Returns (does not throw) the error to throw:
 *
 * - 401: ConfigError INPUT_INVALID on `github-token` (bad, expired or revoked token).
 * - 403 "Resource not accessible by integration", or any 403 that is not a rate limit:
 *   PERMISSION_MISSING, with the `permissions:` YAML to add and a note about fork pull requests.
 * - 403/429 with rate-limit headers or a secondary-limit message: RATE_LIMITED with the reset time.
 * - 404 / 410: NOT_FOUND: a missing resource, or a token that cannot see it.
 * - 409 / 422: INPUT_INVALID with GitHub's validation details.
 * - 5xx or no response (after the client's retries): "GitHub API unavailable" (see UNAVAILABLE_CODE).
 * - Any other 4xx (400, 405, 415 …): InternalError; genops built a request GitHub does not accept.
 * - A GenopsError is returned as is, unless it wraps an HTTP error (the client's hook explains
 *   every failed request generically): then it is explained again with this, more precise, context.
 * - Anything else: InternalError.
 */
export function explainApiError(error: unknown, ctx: ApiErrorContext): GenopsError {
  if (isGenopsError(error)) {
    return isHttpError(error.details.cause) ? explainApiError(error.details.cause, ctx) : error;
  }
  if (!isHttpError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new InternalError(`unexpected error while trying to ${ctx.operation}: ${message}`, { cause: error });
  }
  if (ctx.attempts !== undefined) ATTEMPTS.set(error, ctx.attempts);
  const status = error.status;
  const op = ctx.operation;
  const needs = ctx.permission === undefined ? acceptedPermissions(error) : [ctx.permission];

  if (status === 401) {
    return new ConfigError('INPUT_INVALID', `Cannot ${op}: GitHub rejected the token (401 ${githubMessage(error)})`, {
      input: 'github-token',
      expected: 'a valid token, by default ${{ github.token }}',
      actual: found(error),
      hint:
        'Leave `github-token` unset to use the job\'s GITHUB_TOKEN, or pass a token that is not expired or revoked. ' +
        'A GITHUB_TOKEN stops working when its job ends: do not hand it to a later job.',
      docUrl: PERMISSIONS_DOC,
      cause: error,
    });
  }

  const rateLimit = rateLimitKind(error);
  if (rateLimit !== undefined) return explainRateLimit(error, rateLimit, ctx);

  if (status === 403) {
    const notAccessible = /resource not accessible by/i.test(githubMessage(error));
    const what =
      needs === undefined
        ? 'the token lacks a permission it needs'
        : `the token lacks \`${needs.map((n) => `${n.scope}: ${n.level}`).join(', ')}\``;
    return new ConfigError(
      'PERMISSION_MISSING',
      notAccessible
        ? `Cannot ${op}: ${what} (GitHub: "${githubMessage(error)}")`
        : `Cannot ${op}: GitHub refused the request (403: "${githubMessage(error)}")`,
      {
        input: 'github-token',
        ...(needs === undefined
          ? {}
          : { expected: `${needs.map((n) => `\`${n.scope}: ${n.level}\``).join(', ')} under \`permissions:\`` }),
        actual: found(error),
        hint: joinHints(
          grantHint(needs, op),
          notAccessible ? forkNote(ctx.readOnlyToken) : 'Organization policies (SAML SSO, IP allow lists, branch protection) can also refuse a token.',
        ),
        docUrl: PERMISSIONS_DOC,
        cause: error,
      },
    );
  }

  if (status === 404 || status === 410) {
    const readNeed = needs?.map((n) => ({ scope: n.scope, level: n.level }));
    return new ConfigError(
      'NOT_FOUND',
      status === 404
        ? `Cannot ${op}: GitHub answered 404 Not Found`
        : `Cannot ${op}: GitHub answered 410 Gone (the resource was removed or the feature is disabled)`,
      {
        actual: found(error),
        hint: joinHints(
          'Either it does not exist (check the repository, number, sha or ref), or the token cannot see it: ' +
            'GitHub answers 404 instead of 403 when a token has no access, e.g. to a private or another repository, ' +
            'or when a `permissions:` block leaves out the line it needs.',
          readNeed === undefined ? undefined : grantHint(readNeed, op),
        ),
        docUrl: PERMISSIONS_DOC,
        cause: error,
      },
    );
  }

  if (status === 409 || status === 422) {
    const details = formatValidationErrors(error.response?.data);
    return new ConfigError(
      'INPUT_INVALID',
      `Cannot ${op}: GitHub rejected the request (${status} ${githubMessage(error)}${details === undefined ? '' : `: ${details}`})`,
      {
        actual: found(error),
        ...(details === undefined ? {} : { expected: `a request GitHub accepts; it reported: ${details}` }),
        hint:
          status === 409
            ? 'The resource changed or is in a state that does not allow this (e.g. an empty repository, or a ref moved meanwhile). Re-run the job.'
            : 'Check the values passed to this step (sha, ref, names) against the repository: e.g. the commit must exist on GitHub.',
        docUrl: PERMISSIONS_DOC,
        cause: error,
      },
    );
  }

  if (status >= 500 || status === 0) return explainUnavailable(error, ctx);

  return new InternalError(`GitHub did not accept the request to ${op}: ${found(error)}`, { cause: error });
}

/**
 * Run one API call and rethrow any failure explained with this operation and permission.
 *
 * ```ts
 * const { operation, permission } = PERMISSIONS_BY_OPERATION.createCheckRun;
 * await withApi(operation, permission, () => octokit.rest.checks.create({...}));
 * ```
 */
export async function withApi<T>(
  operation: string,
  permission: PermissionNeed | undefined,
  fn: () => Promise<T>,
  options: { readOnlyToken?: boolean } = {},
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw explainApiError(error, {
      operation,
      ...(permission === undefined ? {} : { permission }),
      ...(options.readOnlyToken === undefined ? {} : { readOnlyToken: options.readOnlyToken }),
    });
  }
}
