/**
 * Reads what change evidence needs from the GitHub REST API, as plain data (RawChangeData,
 * DeploymentRecord[]); evidence/change.ts and evidence/deployments.ts turn it into evidence.
 *
 * Every call goes through withApi with its PERMISSIONS_BY_OPERATION entry, so a 403 names the
 * missing `permissions:` line (pull-requests: read, contents: read, deployments: read).
 *
 * GitHub's limits, and what is done about them (each becomes a note, i.e. a warning):
 * - the files of a pull request are listed up to 3,000: totals still come from the pull request;
 * - its commits are listed up to 250;
 * - per-commit line counts need one request per commit: read for at most `maxCommitStats`
 *   (default 50) commits, else not at all (AI share then counts commits instead of lines).
 */
import { Buffer } from 'node:buffer';
import { ConfigError, docUrl } from '../errors.js';
import type { RawChangeData, RawCommit, RawGitPerson } from '../evidence/change.js';
import { CODEOWNERS_LOCATIONS } from '../evidence/codeowners.js';
import type { DeploymentRecord } from '../evidence/model.js';
import { FINAL_DEPLOYMENT_STATES } from '../evidence/deployments.js';
import { apiStatus, PERMISSIONS_BY_OPERATION, withApi } from './api-errors.js';
import type { GitHubClient } from './client.js';
import type { RunContext } from './context.js';


/** GitHub's caps on the pull request file and commit lists. */
export const MAX_PULL_FILES = 3000;
export const MAX_PULL_COMMITS = 250;

export interface ReadChangeOptions {
  /** Read per-commit line counts when the pull request has at most this many commits. Default 50. */
  maxCommitStats?: number;
  /** Requests in flight at once for per-commit and per-deployment reads. Default 4. */
  concurrency?: number;
  /** The pull request to read (findChangePull); default the event's. */
  pullNumber?: number;
}

/** Map over items with at most `limit` calls in flight; results keep the input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += limit) {
    out.push(...(await Promise.all(items.slice(i, i + limit).map(fn))));
  }
  return out;
}

/** git's identity plus the linked account; GitHub sends `null` (or `{}`) when no account matches the email. */
function person(git: { name?: string; email?: string } | null | undefined, account: { login?: string; type?: string } | null | undefined): RawGitPerson {
  return {
    ...(git?.name === undefined || git.name === '' ? {} : { name: git.name }),
    ...(git?.email === undefined || git.email === '' ? {} : { email: git.email }),
    ...(account?.login === undefined ? {} : { login: account.login }),
    ...(account?.type === undefined ? {} : { type: account.type }),
  };
}

/** A merge queue's branch names its pull request: `gh-readonly-queue/<base>/pr-<number>-<base sha>`. */
const MERGE_QUEUE_REF = /(?:^|\/)gh-readonly-queue\/.+\/pr-(\d+)-[0-9a-f]{40}$/;

export interface ChangePull {
  number: number;
  /** How the number was found, for the log. */
  via: 'pull_request event' | 'merge queue branch' | 'merged pull request of the pushed commit';
}

/**
 * The pull request a run's change came through: the event's own; for merge_group, the one the
 * queue branch names; for push, the merged pull request whose merge commit is the pushed commit
 * (a direct push has none: undefined). So a gate on the queue or on the default branch judges the
 * reviews and files of the pull request that was merged, not an empty change.
 */
export async function findChangePull(client: GitHubClient, ctx: RunContext): Promise<ChangePull | undefined> {
  if (ctx.pullRequest !== undefined) return { number: ctx.pullRequest.number, via: 'pull_request event' };
  if (ctx.mergeGroup !== undefined) {
    const m = MERGE_QUEUE_REF.exec(ctx.mergeGroup.headRef);
    return m?.[1] === undefined ? undefined : { number: Number(m[1]), via: 'merge queue branch' };
  }
  if (ctx.eventName !== 'push') return undefined;
  const { owner, repo } = ctx.repository;
  const read = PERMISSIONS_BY_OPERATION.readPullRequest;
  const pulls = await withApi(read.operation, read.permission, () => client.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: ctx.subjectSha, per_page: 100 }), { readOnlyToken: ctx.isReadOnlyToken });
  const merged = pulls.data.find((p) => p.merged_at !== null && p.merge_commit_sha?.toLowerCase() === ctx.subjectSha.toLowerCase());
  return merged === undefined ? undefined : { number: merged.number, via: 'merged pull request of the pushed commit' };
}

/**
 * The pull request of a run (`pullNumber`, else the pull_request / pull_request_target event's):
 * details, files, reviews, commits (with line counts when there are few enough) and the base
 * branch's CODEOWNERS.
 */
export async function readChangeData(client: GitHubClient, ctx: RunContext, options: ReadChangeOptions = {}): Promise<RawChangeData> {
  const pr = options.pullNumber === undefined ? ctx.pullRequest : { number: options.pullNumber };
  if (pr === undefined) {
    throw new ConfigError('CONTEXT_UNSUPPORTED', `Cannot read pull request data: this ${ctx.eventName} run is not for a pull request`, {
      expected: 'a pull_request or pull_request_target event',
      hint: 'Read change data only on pull request events, or give a diff file (`diff` input) instead.',
      docUrl: docUrl('evidence', 'github'),
    });
  }
  const maxCommitStats = options.maxCommitStats ?? 50;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const { owner, repo } = ctx.repository;
  const pull_number = pr.number;
  const api = { readOnlyToken: ctx.isReadOnlyToken };
  const read = PERMISSIONS_BY_OPERATION.readPullRequest;
  const notes: string[] = [];

  const { data: pull } = await withApi(read.operation, read.permission, () => client.rest.pulls.get({ owner, repo, pull_number }), api);
  const files = await withApi(read.operation, read.permission, () => client.paginate(client.rest.pulls.listFiles, { owner, repo, pull_number, per_page: 100 }), api);
  const reviews = await withApi(read.operation, read.permission, () => client.paginate(client.rest.pulls.listReviews, { owner, repo, pull_number, per_page: 100 }), api);
  const commits = await withApi(read.operation, read.permission, () => client.paginate(client.rest.pulls.listCommits, { owner, repo, pull_number, per_page: 100 }), api);

  if (pull.changed_files > files.length) {
    notes.push(
      `GitHub lists at most ${String(MAX_PULL_FILES)} files of a pull request: ${String(files.length)} of ${String(pull.changed_files)} were read ` +
        '(totals are GitHub\'s; categories and owners cover the files read)',
    );
  }
  if (pull.commits > commits.length) {
    notes.push(`GitHub lists at most ${String(MAX_PULL_COMMITS)} commits of a pull request: ${String(commits.length)} of ${String(pull.commits)} were read`);
  }

  let lineCounts: ({ additions: number; deletions: number } | undefined)[] = commits.map(() => undefined);
  if (commits.length <= maxCommitStats) {
    const contents = PERMISSIONS_BY_OPERATION.readContents;
    lineCounts = await mapLimited(commits, concurrency, async (c) => {
      const { data } = await withApi(contents.operation, contents.permission, () => client.rest.repos.getCommit({ owner, repo, ref: c.sha, per_page: 1 }), api);
      const { additions, deletions } = data.stats ?? {};
      return additions === undefined || deletions === undefined ? undefined : { additions, deletions };
    });
  } else {
    notes.push(`the pull request has ${String(commits.length)} commits, more than the ${String(maxCommitStats)} whose line counts genops reads one by one`);
  }

  const rawCommits: RawCommit[] = commits.map((c, i) => {
    const lines = lineCounts[i];
    return {
      sha: c.sha,
      message: c.commit.message,
      author: person(c.commit.author, c.author),
      committer: person(c.commit.committer, c.committer),
      ...(lines === undefined ? {} : lines),
    };
  });

  return {
    headSha: pull.head.sha,
    pullRequest: {
      number: pull.number,
      title: pull.title,
      draft: pull.draft ?? false,
      baseRef: pull.base.ref,
      headRef: pull.head.ref,
      url: pull.html_url,
      author: { login: pull.user.login, type: pull.user.type, association: pull.author_association },
      labels: pull.labels.map((l) => l.name),
      changedFiles: pull.changed_files,
      additions: pull.additions,
      deletions: pull.deletions,
    },
    files: files.map((f) => ({
      path: f.filename,
      ...(f.previous_filename === undefined ? {} : { previousPath: f.previous_filename }),
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      ...(f.patch === undefined ? {} : { patch: f.patch }),
    })),
    reviews: reviews.map((r) => ({
      reviewer: r.user === null ? null : { login: r.user.login, type: r.user.type },
      state: r.state,
      ...(r.commit_id === null ? {} : { commitId: r.commit_id }),
      ...(r.submitted_at === undefined ? {} : { submittedAt: r.submitted_at }),
    })),
    commits: rawCommits,
    codeowners: await readCodeowners(client, ctx, pull.base.ref),
    notes,
  };
}

/**
 * The CODEOWNERS file GitHub uses for a pull request: on its base branch, the first of
 * `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`; null when there is none.
 */
export async function readCodeowners(client: GitHubClient, ctx: RunContext, ref: string): Promise<{ path: string; text: string } | null> {
  const { owner, repo } = ctx.repository;
  const { operation, permission } = PERMISSIONS_BY_OPERATION.readContents;
  const api = { readOnlyToken: ctx.isReadOnlyToken };
  for (const path of CODEOWNERS_LOCATIONS) {
    let data;
    try {
      ({ data } = await withApi(operation, permission, () => client.rest.repos.getContent({ owner, repo, path, ref }), api));
    } catch (e) {
      if (apiStatus(e) === 404) continue;
      throw e;
    }
    if (Array.isArray(data) || data.type !== 'file') continue; // a directory (or link) by that name
    if (!('content' in data)) continue;
    if (data.encoding === 'base64') return { path, text: Buffer.from(data.content, 'base64').toString('utf8') };
    // Over 1 MB GitHub sends no content (`encoding: none`): read the blob instead.
    const { data: blob } = await withApi(operation, permission, () => client.rest.git.getBlob({ owner, repo, file_sha: data.sha }), api);
    return { path, text: Buffer.from(blob.content, blob.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8') };
  }
  return null;
}

/**
 * The latest `limit` deployments to `environment` (newest first), each with its latest status:
 * its state, and when that status was set if it is final (success, failure, error, inactive).
 */
export async function readDeploymentHistory(client: GitHubClient, ctx: RunContext, environment: string, limit = 20): Promise<DeploymentRecord[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new ConfigError('INPUT_INVALID', `deployment-history must be an integer from 1 to 100, got ${String(limit)}`, {
      input: 'deployment-history',
      expected: 'an integer from 1 to 100',
    });
  }
  const { owner, repo } = ctx.repository;
  const { operation, permission } = PERMISSIONS_BY_OPERATION.readDeployments;
  const api = { readOnlyToken: ctx.isReadOnlyToken };
  const { data: deployments } = await withApi(operation, permission, () => client.rest.repos.listDeployments({ owner, repo, environment, per_page: limit }), api);
  return mapLimited(deployments.slice(0, limit), 4, async (d) => {
    const { data: statuses } = await withApi(
      operation,
      permission,
      () => client.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: d.id, per_page: 1 }),
      api,
    );
    const latest = statuses[0]; // newest first
    const state = latest?.state ?? 'unknown';
    return {
      id: d.id,
      sha: d.sha,
      ref: d.ref,
      environment: d.environment,
      createdAt: d.created_at,
      state,
      ...(latest !== undefined && FINAL_DEPLOYMENT_STATES.has(state) ? { finishedAt: latest.created_at } : {}),
      ...(d.creator === null ? {} : { creator: d.creator.login }),
    };
  });
}
