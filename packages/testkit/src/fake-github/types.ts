import type { FakeGitHubState } from './state.js';

export type FakeUserType = 'User' | 'Bot' | 'Organization';

export interface FakeUser {
  readonly login: string;
  readonly id: number;
  readonly type: FakeUserType;
}

/** A user in a seed or option: a login, or a login with type and (optionally) a fixed id. */
export type FakeUserInit = string | { readonly login: string; readonly type?: FakeUserType; readonly id?: number };

/** The keys of a workflow's `permissions:` block (plus `metadata`, which every token has). */
export type GitHubPermission =
  | 'actions'
  | 'attestations'
  | 'checks'
  | 'contents'
  | 'deployments'
  | 'discussions'
  | 'id-token'
  | 'issues'
  | 'metadata'
  | 'packages'
  | 'pages'
  | 'pull-requests'
  | 'repository-projects'
  | 'security-events'
  | 'statuses';

export type PermissionLevel = 'none' | 'read' | 'write';

/** A request that passed OpenAPI validation, as a handler sees it. */
export interface FakeRequest {
  /** Upper case: `GET`, `POST`, ... */
  readonly method: string;
  /** The request path, still percent-encoded, without the query string. */
  readonly path: string;
  readonly operationId: string;
  /** The OpenAPI path template, e.g. `/repos/{owner}/{repo}/check-runs`. */
  readonly template: string;
  /** Path parameters, decoded and coerced to their schema types (`pull_number` is a number). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Every query parameter as sent (strings), with the declared ones coerced to their schema types. */
  readonly query: Readonly<Record<string, unknown>>;
  /** Parsed JSON body, a string for a non-JSON body, `undefined` when there is none. */
  readonly body: unknown;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The token's user. */
  readonly user: FakeUser;
}

export interface FakeResponse {
  readonly status: number;
  /** Sent as JSON; omit for an empty body (204). */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FakeHandlerContext {
  readonly state: FakeGitHubState;
  /** The fake API's base URL, `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /** Runs the built-in handler for this operation (or answers 501 when there is none). */
  next(): Promise<FakeResponse>;
}

export type FakeHandler = (request: FakeRequest, context: FakeHandlerContext) => FakeResponse | Promise<FakeResponse>;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Path and query string as sent. */
  readonly url: string;
  readonly operationId: string;
  readonly template: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
  /** The status the fake answered with (401, 403, injected failures and handler results alike). */
  status: number;
}

/** A request the fake refused because it does not fit GitHub's OpenAPI description (HTTP 400). */
export interface RejectedRequest {
  readonly method: string;
  readonly path: string;
  readonly url: string;
  /** What was wrong, in one line (also the `message` of the 400 response). */
  readonly reason: string;
  /** Set when the path and method matched an operation and a parameter or the body was wrong. */
  readonly operationId: string | undefined;
  readonly template: string | undefined;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number;
}

export interface FailNextOptions {
  /** `retry-after` header in seconds (403/429 default 1: 0 makes @octokit/plugin-throttling wait 60 s). */
  readonly retryAfter?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FileSeed {
  /** UTF-8 text, or raw bytes. */
  readonly [path: string]: string | Uint8Array;
}

export interface PullFileSeed {
  readonly filename: string;
  readonly status?: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  readonly additions?: number;
  readonly deletions?: number;
  readonly patch?: string;
  readonly previousFilename?: string;
  readonly sha?: string;
}

/** A commit author or committer: git's identity, plus the GitHub account GitHub linked to the email. */
export interface GitPersonSeed {
  readonly name: string;
  readonly email: string;
  /** ISO 8601. Default: the clock. */
  readonly date?: string;
  /** The account GitHub shows for the email (`author.login` in the API); default none (null). */
  readonly user?: FakeUserInit | null;
}

/** A commit of a pull request, as `GET /pulls/{n}/commits` and `GET /commits/{sha}` show it. */
export interface PullCommitSeed {
  /** Default: a stable fake sha derived from the pull request number and the commit's position. */
  readonly sha?: string;
  readonly message: string;
  readonly author: GitPersonSeed;
  /** Default: the author. */
  readonly committer?: GitPersonSeed;
  /** Default: the previous commit of the list, or the base sha for the first. */
  readonly parents?: readonly string[];
  /** Files the commit changes; its stats are their sums unless additions/deletions are given. */
  readonly files?: readonly PullFileSeed[];
  readonly additions?: number;
  readonly deletions?: number;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface ReviewSeed {
  readonly user: FakeUserInit;
  readonly state: ReviewState;
  readonly body?: string;
  /** Default: the pull request's head sha. */
  readonly commitId?: string;
  readonly submittedAt?: string;
  readonly authorAssociation?: string;
}

export interface PullSeed {
  readonly number: number;
  readonly title?: string;
  readonly body?: string | null;
  readonly state?: 'open' | 'closed';
  readonly draft?: boolean;
  readonly merged?: boolean;
  /** The commit the merge made on the base branch (merged pull requests; `merge_commit_sha`). */
  readonly mergeCommitSha?: string;
  /** Default: the token's user. */
  readonly user?: FakeUserInit;
  /** `repo` is `owner/name` of the head repository (set it to another repository for a fork). */
  readonly head: { readonly ref: string; readonly sha: string; readonly repo?: string };
  readonly base?: { readonly ref?: string; readonly sha?: string };
  readonly labels?: readonly string[];
  readonly files?: readonly PullFileSeed[];
  readonly reviews?: readonly ReviewSeed[];
  /** Oldest first, as GitHub lists them. */
  readonly commits?: readonly PullCommitSeed[];
  readonly authorAssociation?: string;
  /** Label events (`GET .../issues/{n}/events`), oldest first: who added or removed which label, when. */
  readonly labelEvents?: readonly LabelEventSeed[];
}

export interface LabelEventSeed {
  readonly label: string;
  readonly actor: FakeUserInit;
  /** Default `labeled`. */
  readonly event?: 'labeled' | 'unlabeled';
  /** ISO 8601. Default: the clock. */
  readonly createdAt?: string;
}

/** An issue (not a pull request: those are `pulls`, and the issue list shows both, as GitHub does). */
export interface IssueSeed {
  readonly number: number;
  readonly title?: string;
  readonly body?: string | null;
  /** Default `open`. */
  readonly state?: 'open' | 'closed';
  /** Only for closed issues; default `completed`. */
  readonly stateReason?: 'completed' | 'not_planned' | 'duplicate';
  readonly labels?: readonly string[];
  /** Default: the token's user. */
  readonly user?: FakeUserInit;
  /** ISO 8601. Default: the clock. */
  readonly createdAt?: string;
  readonly comments?: number;
}

export interface CommentSeed {
  readonly issueNumber: number;
  readonly body: string;
  /** Default: the token's user. */
  readonly user?: FakeUserInit;
}

export interface StatusSeed {
  readonly sha: string;
  readonly state: 'error' | 'failure' | 'pending' | 'success';
  readonly context?: string;
  readonly description?: string | null;
  readonly targetUrl?: string | null;
  readonly creator?: FakeUserInit;
}

export interface CheckRunSeed {
  readonly name: string;
  readonly headSha: string;
  readonly status?: 'queued' | 'in_progress' | 'completed';
  readonly conclusion?: string | null;
}

export interface DeploymentSeed {
  readonly ref: string;
  readonly sha: string;
  readonly environment?: string;
  readonly task?: string;
  readonly description?: string | null;
  readonly payload?: unknown;
  readonly creator?: FakeUserInit;
  readonly transientEnvironment?: boolean;
  /** Default: true when `environment` is `production`. */
  readonly productionEnvironment?: boolean;
  /** ISO 8601. Default: the clock. */
  readonly createdAt?: string;
  /** Statuses, oldest first. */
  readonly statuses?: readonly {
    readonly state: DeploymentState;
    readonly description?: string;
    readonly logUrl?: string;
    readonly environmentUrl?: string;
    /** ISO 8601. Default: the clock. */
    readonly createdAt?: string;
  }[];
}

/** A deployment review of a workflow run (protected environments with required reviewers). */
export interface RunApprovalSeed {
  /** The workflow run reviewed. */
  readonly runId: number;
  /** Environments the review covers (names). */
  readonly environments: readonly string[];
  readonly state: 'approved' | 'rejected' | 'pending';
  readonly user: FakeUserInit;
  /** Default ''. */
  readonly comment?: string;
}

export type DeploymentState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

export interface RepoSeed {
  /** Default `main`. */
  readonly defaultBranch?: string;
  readonly private?: boolean;
  /** Branch name → files; each branch gets one root commit holding them. */
  readonly branches?: Readonly<Record<string, FileSeed>>;
  readonly pulls?: readonly PullSeed[];
  readonly issues?: readonly IssueSeed[];
  readonly comments?: readonly CommentSeed[];
  readonly statuses?: readonly StatusSeed[];
  readonly checkRuns?: readonly CheckRunSeed[];
  readonly deployments?: readonly DeploymentSeed[];
  /** Deployment reviews of workflow runs (GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals). */
  readonly runApprovals?: readonly RunApprovalSeed[];
}

export interface FakeGitHubSeed {
  /** `owner/name` → contents. */
  readonly repos?: Readonly<Record<string, RepoSeed>>;
}

export interface FakeGitHubOptions {
  /** When set, only this token is accepted (401 `Bad credentials` otherwise); any token when unset. */
  readonly token?: string;
  /** The token's user. Default `github-actions[bot]` (a Bot, id 41898282), like `GITHUB_TOKEN`. */
  readonly user?: FakeUserInit;
  readonly seed?: FakeGitHubSeed;
  /** Default: a deterministic clock starting 2026-01-01T00:00:00Z, one second later at each reading. */
  readonly clock?: () => Date;
  /** The web UI origin used in `html_url`s. Default `https://github.com`. */
  readonly serverUrl?: string;
  /** Create a repository on first use (default true). When false, unknown repositories answer 404. */
  readonly autoCreateRepos?: boolean;
  /** Accept top-level body fields the OpenAPI schema does not name (GitHub ignores them). Default false. */
  readonly allowUnknownBodyFields?: boolean;
  /**
   * Check response bodies against the OpenAPI response schema: `builtin` (default) for the built-in
   * handlers, `all` for handlers registered with `on()` too. A mismatch answers 500 and is listed
   * in `responseProblems`.
   */
  readonly validateResponses?: 'builtin' | 'all' | 'off';
}
