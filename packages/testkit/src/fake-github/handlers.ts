/**
 * Built-in, stateful handlers for the endpoints genops uses. Each is a pure function of the request
 * and the state (no HTTP here), keyed by operationId. GitHub's own rules that tests should meet
 * are enforced: body size limits, check runs only from a GitHub App, compare-and-swap on refs.
 */
import { GitError, type GitObject, type TreeChange, type TreeEntryMode, type TreeEntryType } from './git.js';
import * as shape from './shapes.js';
import {
  qualifyRef,
  type CheckRunAnnotation,
  type CheckRunRecord,
  type CommitStatusRecord,
  type FakeGitHubState,
  type FakeRepo,
  type PullCommitPerson,
  type PullCommitRecord,
  type PullFileRecord,
} from './state.js';
import type { DeploymentState, FakeRequest, FakeResponse } from './types.js';

export interface BuiltinContext {
  readonly state: FakeGitHubState;
  readonly urls: shape.UrlContext;
  /** The operation's documentation link, for error bodies. */
  readonly docUrl: string | undefined;
}

export type BuiltinHandler = (req: FakeRequest, ctx: BuiltinContext) => FakeResponse;

/** GitHub's limit for issue and pull request comment bodies. */
export const MAX_COMMENT_LENGTH = 65_536;
/** GitHub's limit for a commit status or deployment status description. */
export const MAX_STATUS_DESCRIPTION = 140;
/** Annotations accepted per check-run create/update request (the OpenAPI schema's `maxItems`). */
export const MAX_ANNOTATIONS_PER_REQUEST = 50;

export function errorBody(status: number, message: string, docUrl: string | undefined, extra: Record<string, unknown> = {}): FakeResponse {
  return {
    status,
    body: { message, ...extra, documentation_url: docUrl ?? 'https://docs.github.com/rest', status: String(status) },
  };
}

const notFound = (ctx: BuiltinContext): FakeResponse => errorBody(404, 'Not Found', ctx.docUrl);
const unprocessable = (ctx: BuiltinContext, message: string, errors?: unknown[]): FakeResponse =>
  errorBody(422, message, ctx.docUrl, errors === undefined ? {} : { errors });
const validationFailed = (ctx: BuiltinContext, resource: string, field: string, message: string): FakeResponse =>
  unprocessable(ctx, 'Validation Failed', [{ resource, code: 'custom', field, message }]);

type Body = Record<string, unknown>;
const bodyOf = (req: FakeRequest): Body => (req.body !== null && typeof req.body === 'object' ? (req.body as Body) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number => Number(v);

function withRepo(handler: (repo: FakeRepo, req: FakeRequest, ctx: BuiltinContext) => FakeResponse): BuiltinHandler {
  return (req, ctx) => {
    const repo = ctx.state.findRepo(String(req.params['owner']), String(req.params['repo']));
    return repo === undefined ? notFound(ctx) : handler(repo, req, ctx);
  };
}

/** Slices a list like GitHub: `per_page` (default 30, at most 100), `page` (from 1), and a `Link` header. */
export function paginate<T>(items: readonly T[], req: FakeRequest, ctx: BuiltinContext): { page: T[]; headers: Record<string, string> } {
  const requested = req.query['per_page'] === undefined ? 30 : num(req.query['per_page']);
  const perPage = Math.min(100, Math.max(1, Number.isFinite(requested) && requested > 0 ? requested : 30));
  const pageNo = Math.max(1, req.query['page'] === undefined ? 1 : num(req.query['page']) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (page: number): string => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query)) {
      if (k === 'page') continue;
      for (const one of Array.isArray(v) ? v : [v]) q.append(k, String(one));
    }
    q.set('page', String(page));
    return `<${ctx.urls.api}${req.path}?${q.toString()}>`;
  };
  const rels: string[] = [];
  if (pageNo > 1) rels.push(`${link(Math.min(pageNo - 1, last))}; rel="prev"`);
  if (pageNo < last) rels.push(`${link(pageNo + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (pageNo > 1) rels.push(`${link(1)}; rel="first"`);
  return { page: items.slice((pageNo - 1) * perPage, pageNo * perPage), headers: rels.length === 0 ? {} : { link: rels.join(', ') } };
}

function list<T>(items: readonly T[], req: FakeRequest, ctx: BuiltinContext, render: (item: T) => unknown): FakeResponse {
  const { page, headers } = paginate(items, req, ctx);
  return { status: 200, body: page.map(render), headers };
}

const isSha = (s: string): boolean => /^[0-9a-f]{40}$/i.test(s);

// ---------------------------------------------------------------- issue comments

const issueComments: Record<string, BuiltinHandler> = {
  'issues/list-comments': withRepo((repo, req, ctx) => {
    const since = str(req.query['since']);
    const items = repo.commentsOn(num(req.params['issue_number'])).filter((c) => since === undefined || c.updatedAt >= since);
    return list(items, req, ctx, (c) => shape.issueComment(repo, c, ctx.urls));
  }),
  'issues/create-comment': withRepo((repo, req, ctx) => {
    const body = String(bodyOf(req)['body']);
    if (body.length > MAX_COMMENT_LENGTH) return validationFailed(ctx, 'IssueComment', 'body', `Body is too long (maximum is ${MAX_COMMENT_LENGTH} characters)`);
    const c = repo.addComment({ issueNumber: num(req.params['issue_number']), body, user: req.user });
    const rendered = shape.issueComment(repo, c, ctx.urls);
    return { status: 201, body: rendered, headers: { location: String(rendered['url']) } };
  }),
  'issues/get-comment': withRepo((repo, req, ctx) => {
    const c = repo.comments.find((x) => x.id === num(req.params['comment_id']));
    return c === undefined ? notFound(ctx) : { status: 200, body: shape.issueComment(repo, c, ctx.urls) };
  }),
  'issues/update-comment': withRepo((repo, req, ctx) => {
    const c = repo.comments.find((x) => x.id === num(req.params['comment_id']));
    return editComment(c, 'IssueComment', req, ctx, (x) => shape.issueComment(repo, x, ctx.urls));
  }),
  'issues/delete-comment': withRepo((repo, req, ctx) => {
    const i = repo.comments.findIndex((x) => x.id === num(req.params['comment_id']));
    if (i < 0) return notFound(ctx);
    repo.comments.splice(i, 1);
    return { status: 204 };
  }),
};

/** PATCH of an issue or review comment's body (GitHub's length limit applies to both). */
function editComment<C extends { body: string; updatedAt: string }>(c: C | undefined, resource: string, req: FakeRequest, ctx: BuiltinContext, render: (c: C) => unknown): FakeResponse {
  if (c === undefined) return notFound(ctx);
  const body = String(bodyOf(req)['body']);
  if (body.length > MAX_COMMENT_LENGTH) return validationFailed(ctx, resource, 'body', `Body is too long (maximum is ${MAX_COMMENT_LENGTH} characters)`);
  c.body = body;
  c.updatedAt = ctx.state.now();
  return { status: 200, body: render(c) };
}

// ---------------------------------------------------------------- issues

/**
 * `GET /repos/{owner}/{repo}/issues`: issues and pull requests alike (pull requests carry a
 * `pull_request` object), filtered by `state` (default open) and `labels` (comma-separated, every
 * one must be on the issue; names compared case-insensitively), sorted by `sort`/`direction`
 * (default: newest created first), `since` on the update time.
 */
const issues: Record<string, BuiltinHandler> = {
  'issues/list-for-repo': withRepo((repo, req, ctx) => {
    const state = str(req.query['state']) ?? 'open';
    const wanted = (str(req.query['labels']) ?? '')
      .split(',')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l !== '');
    const since = str(req.query['since']);
    type Entry = { number: number; state: string; labels: readonly string[]; createdAt: string; updatedAt: string; comments: number; render: () => unknown };
    const entries: Entry[] = [
      ...[...repo.issues.values()].map((i) => ({ ...i, render: () => shape.issue(repo, i, ctx.urls) })),
      ...[...repo.pulls.values()].map((p) => ({
        number: p.number,
        state: p.state,
        labels: p.labels,
        createdAt: p.createdAt,
        updatedAt: p.updatedAt,
        comments: repo.commentsOn(p.number).length,
        render: () => shape.pullAsIssue(repo, p, ctx.urls),
      })),
    ];
    const sort = str(req.query['sort']) ?? 'created';
    const sign = str(req.query['direction']) === 'asc' ? 1 : -1;
    const key = (e: Entry): string | number => (sort === 'updated' ? e.updatedAt : sort === 'comments' ? e.comments : e.createdAt);
    const items = entries
      .filter((e) => state === 'all' || e.state === state)
      .filter((e) => wanted.every((w) => e.labels.some((l) => l.toLowerCase() === w)))
      .filter((e) => since === undefined || e.updatedAt >= since)
      .sort((a, b) => {
        const ka = key(a);
        const kb = key(b);
        return (ka < kb ? -1 : ka > kb ? 1 : 0) * sign || (a.number - b.number) * sign;
      });
    return list(items, req, ctx, (e) => e.render());
  }),
  /** Only label events are recorded (seeded on pull requests); other issues have none. */
  'issues/list-events': withRepo((repo, req, ctx) => {
    const n = num(req.params['issue_number']);
    const pull = repo.pulls.get(n);
    if (pull === undefined && !repo.issues.has(n)) return notFound(ctx);
    return list(pull?.labelEvents ?? [], req, ctx, (e) => shape.labelEvent(repo, e, ctx.urls));
  }),
  'issues/create': withRepo((repo, req, ctx) => {
    const b = bodyOf(req);
    const title = b['title'];
    if ((typeof title !== 'string' || title === '') && typeof title !== 'number') return validationFailed(ctx, 'Issue', 'title', 'missing_field');
    const body = str(b['body']);
    if (body !== undefined && body.length > MAX_COMMENT_LENGTH) return validationFailed(ctx, 'Issue', 'body', `Body is too long (maximum is ${MAX_COMMENT_LENGTH} characters)`);
    const labels = Array.isArray(b['labels']) ? (b['labels'] as unknown[]).map((l) => (typeof l === 'string' ? l : String((l as Body)['name']))) : [];
    const number = Math.max(0, ...repo.issues.keys(), ...repo.pulls.keys()) + 1;
    const record = repo.addIssue({ number, title: String(title), body: body ?? null, labels, user: req.user });
    const rendered = shape.issue(repo, record, ctx.urls);
    return { status: 201, body: rendered, headers: { location: String(rendered['url']) } };
  }),
};

// ---------------------------------------------------------------- check runs

function checkRunRules(req: FakeRequest, ctx: BuiltinContext, b: Body): FakeResponse | undefined {
  if (req.user.type !== 'Bot') return errorBody(403, 'You must authenticate via a GitHub App.', ctx.docUrl);
  const status = str(b['status']);
  if ((status === 'completed' || b['completed_at'] !== undefined) && b['conclusion'] === undefined) {
    return unprocessable(ctx, 'Invalid request.\n\n"conclusion" is required when "status" is "completed" or "completed_at" is set.');
  }
  return undefined;
}

function applyCheckRun(ctx: BuiltinContext, run: CheckRunRecord, b: Body): void {
  if (str(b['name']) !== undefined) run.name = String(b['name']);
  if ('details_url' in b) run.detailsUrl = str(b['details_url']) ?? null;
  if ('external_id' in b) run.externalId = str(b['external_id']) ?? null;
  if (str(b['started_at']) !== undefined) run.startedAt = String(b['started_at']);
  if (str(b['status']) !== undefined) run.status = String(b['status']);
  if (str(b['conclusion']) !== undefined) {
    run.conclusion = String(b['conclusion']);
    run.status = 'completed';
  }
  if (run.status === 'completed') run.completedAt = str(b['completed_at']) ?? run.completedAt ?? ctx.state.now();
  const output = b['output'] as Body | undefined;
  if (output !== undefined) {
    run.output = {
      title: str(output['title']) ?? run.output.title,
      summary: str(output['summary']) ?? run.output.summary,
      text: str(output['text']) ?? run.output.text,
    };
    if (Array.isArray(output['annotations'])) run.annotations.push(...(output['annotations'] as CheckRunAnnotation[]));
  }
  if (Array.isArray(b['actions'])) run.actions = b['actions'];
}

const checkRuns: Record<string, BuiltinHandler> = {
  'checks/create': withRepo((repo, req, ctx) => {
    const b = bodyOf(req);
    const problem = checkRunRules(req, ctx, b);
    if (problem !== undefined) return problem;
    const headSha = String(b['head_sha']);
    if (!isSha(headSha)) return unprocessable(ctx, `No commit found for SHA: ${headSha}`);
    const run = repo.addCheckRun({ name: String(b['name']), headSha: headSha.toLowerCase(), status: 'queued' });
    applyCheckRun(ctx, run, b);
    return { status: 201, body: shape.checkRun(repo, run, ctx.urls) };
  }),
  'checks/update': withRepo((repo, req, ctx) => {
    const run = repo.checkRuns.find((r) => r.id === num(req.params['check_run_id']));
    if (run === undefined) return notFound(ctx);
    const b = bodyOf(req);
    const problem = checkRunRules(req, ctx, b);
    if (problem !== undefined) return problem;
    applyCheckRun(ctx, run, b);
    return { status: 200, body: shape.checkRun(repo, run, ctx.urls) };
  }),
  'checks/get': withRepo((repo, req, ctx) => {
    const run = repo.checkRuns.find((r) => r.id === num(req.params['check_run_id']));
    return run === undefined ? notFound(ctx) : { status: 200, body: shape.checkRun(repo, run, ctx.urls) };
  }),
  'checks/list-for-ref': withRepo((repo, req, ctx) => {
    const ref = String(req.params['ref']);
    const sha = isSha(ref) ? ref.toLowerCase() : repo.resolveCommitish(ref);
    if (sha === undefined) return notFound(ctx);
    const name = str(req.query['check_name']);
    const status = str(req.query['status']);
    let runs = repo.checkRuns.filter((r) => r.headSha === sha && (name === undefined || r.name === name) && (status === undefined || r.status === status));
    if (req.query['filter'] !== 'all') {
      runs = runs.filter((r) => runs.findLast((x) => x.name === r.name) === r); // `latest` (default): newest per name
    }
    const newestFirst = [...runs].reverse();
    const { page, headers } = paginate(newestFirst, req, ctx);
    return { status: 200, headers, body: { total_count: newestFirst.length, check_runs: page.map((r) => shape.checkRun(repo, r, ctx.urls)) } };
  }),
};

// ---------------------------------------------------------------- commit statuses

function statusesFor(repo: FakeRepo, ref: string): { sha: string; statuses: CommitStatusRecord[] } | undefined {
  const sha = isSha(ref) ? ref.toLowerCase() : repo.resolveCommitish(ref);
  if (sha === undefined) return undefined;
  return { sha, statuses: repo.statuses.filter((s) => s.sha === sha).reverse() };
}

const statuses: Record<string, BuiltinHandler> = {
  'repos/create-commit-status': withRepo((repo, req, ctx) => {
    const b = bodyOf(req);
    const sha = String(req.params['sha']);
    if (!isSha(sha)) return unprocessable(ctx, `No commit found for SHA: ${sha}`);
    const description = str(b['description']) ?? null;
    if (description !== null && description.length > MAX_STATUS_DESCRIPTION) {
      return validationFailed(ctx, 'Status', 'description', `description is too long (maximum is ${MAX_STATUS_DESCRIPTION} characters)`);
    }
    const s = repo.addStatus({
      sha: sha.toLowerCase(),
      state: b['state'] as 'error' | 'failure' | 'pending' | 'success',
      context: str(b['context']) ?? 'default',
      description,
      targetUrl: str(b['target_url']) ?? null,
      creator: req.user,
    });
    return { status: 201, body: shape.commitStatus(repo, s, ctx.urls) };
  }),
  'repos/list-commit-statuses-for-ref': withRepo((repo, req, ctx) => {
    const found = statusesFor(repo, String(req.params['ref']));
    return found === undefined ? notFound(ctx) : list(found.statuses, req, ctx, (s) => shape.commitStatus(repo, s, ctx.urls));
  }),
  'repos/get-combined-status-for-ref': withRepo((repo, req, ctx) => {
    const found = statusesFor(repo, String(req.params['ref']));
    if (found === undefined) return notFound(ctx);
    const latest = found.statuses.filter((s, i, all) => all.findIndex((x) => x.context === s.context) === i);
    const states = latest.map((s) => s.state);
    const state = states.some((s) => s === 'error' || s === 'failure') ? 'failure' : states.length === 0 || states.includes('pending') ? 'pending' : 'success';
    const { page, headers } = paginate(latest, req, ctx);
    const api = `${ctx.urls.api}/repos/${repo.fullName}`;
    return {
      status: 200,
      headers,
      body: {
        state,
        statuses: page.map((s) => shape.commitStatus(repo, s, ctx.urls)),
        sha: found.sha,
        total_count: latest.length,
        repository: shape.repository(repo, ctx.urls),
        commit_url: `${api}/commits/${found.sha}`,
        url: `${api}/commits/${found.sha}/status`,
      },
    };
  }),
};

// ---------------------------------------------------------------- pull requests

const pulls: Record<string, BuiltinHandler> = {
  'pulls/get': withRepo((repo, req, ctx) => {
    const p = repo.pulls.get(num(req.params['pull_number']));
    return p === undefined ? notFound(ctx) : { status: 200, body: shape.pullRequest(repo, p, ctx.urls) };
  }),
  'pulls/list': withRepo((repo, req, ctx) => {
    const state = str(req.query['state']) ?? 'open';
    const items = [...repo.pulls.values()].filter((p) => state === 'all' || p.state === state).sort((a, b) => b.number - a.number);
    return list(items, req, ctx, (p) => shape.pullRequest(repo, p, ctx.urls));
  }),
  'pulls/list-files': withRepo((repo, req, ctx) => {
    const p = repo.pulls.get(num(req.params['pull_number']));
    return p === undefined ? notFound(ctx) : list(p.files.slice(0, 3000), req, ctx, (f) => shape.diffEntry(repo, p, f, ctx.urls));
  }),
  'pulls/list-reviews': withRepo((repo, req, ctx) => {
    const p = repo.pulls.get(num(req.params['pull_number']));
    return p === undefined ? notFound(ctx) : list(p.reviews, req, ctx, (r) => shape.review(repo, p, r, ctx.urls));
  }),
  'pulls/list-review-comments': withRepo((repo, req, ctx) => {
    const n = num(req.params['pull_number']);
    if (!repo.pulls.has(n)) return notFound(ctx);
    return list(repo.reviewComments.filter((c) => c.pullNumber === n), req, ctx, (c) => shape.reviewComment(repo, c, ctx.urls));
  }),
  // A comment on lines of the diff: GitHub refuses a line outside the file's diff hunks (422).
  'pulls/create-review-comment': withRepo((repo, req, ctx) => {
    const p = repo.pulls.get(num(req.params['pull_number']));
    if (p === undefined) return notFound(ctx);
    const b = bodyOf(req);
    const body = String(b['body']);
    if (body.length > MAX_COMMENT_LENGTH) return validationFailed(ctx, 'PullRequestReviewComment', 'body', `Body is too long (maximum is ${MAX_COMMENT_LENGTH} characters)`);
    const path = String(b['path']);
    const commitId = String(b['commit_id']);
    if (b['in_reply_to'] !== undefined || b['line'] === undefined) return unprocessable(ctx, 'genops fake: only new comments with `line` are modelled');
    const line = num(b['line']);
    const startLine = b['start_line'] === undefined ? undefined : num(b['start_line']);
    const side = str(b['side']) === 'LEFT' ? 'LEFT' : 'RIGHT';
    if (!p.commits.some((c) => c.sha === commitId) && p.head.sha !== commitId) return unprocessable(ctx, 'Unprocessable Entity', [{ resource: 'PullRequestReviewComment', code: 'invalid', field: 'commit_id' }]);
    const file = p.files.find((f) => f.filename === path);
    const lines = file?.patch === undefined ? undefined : diffLines(file.patch, side);
    if (file === undefined || lines === undefined) return unprocessable(ctx, 'Unprocessable Entity', [{ resource: 'PullRequestReviewComment', code: 'invalid', field: 'path' }]);
    const range = startLine === undefined ? [line] : Array.from({ length: line - startLine + 1 }, (_, i) => startLine + i);
    if (range.length === 0 || range.some((l) => !lines.has(l))) return unprocessable(ctx, 'Unprocessable Entity', [{ resource: 'PullRequestReviewComment', code: 'custom', field: 'pull_request_review_thread.line', message: 'could not be resolved' }]);
    const now = ctx.state.now();
    const c = { id: ctx.state.nextId(), pullNumber: p.number, path, line, ...(startLine === undefined ? {} : { startLine }), side, commitId, diffHunk: file.patch ?? '', body, user: req.user, createdAt: now, updatedAt: now } as const;
    repo.reviewComments.push(c);
    const rendered = shape.reviewComment(repo, c, ctx.urls);
    return { status: 201, body: rendered, headers: { location: String(rendered['url']) } };
  }),
  'pulls/update-review-comment': withRepo((repo, req, ctx) => {
    const c = repo.reviewComments.find((x) => x.id === num(req.params['comment_id']));
    return editComment(c, 'PullRequestReviewComment', req, ctx, (x) => shape.reviewComment(repo, x, ctx.urls));
  }),
  // The pull requests a commit belongs to: merged ones whose merge commit it is, open ones with it
  // as head (what GitHub answers for a commit pushed to the default branch by a merge).
  'repos/list-pull-requests-associated-with-commit': withRepo((repo, req, ctx) => {
    const sha = (str(req.params['commit_sha']) ?? '').toLowerCase();
    const items = [...repo.pulls.values()].filter((p) => p.mergeCommitSha?.toLowerCase() === sha || (p.state === 'open' && p.head.sha.toLowerCase() === sha)).sort((a, b) => b.number - a.number);
    return list(items, req, ctx, (p) => shape.pullRequest(repo, p, ctx.urls));
  }),
  // GitHub lists at most 250 commits of a pull request.
  'pulls/list-commits': withRepo((repo, req, ctx) => {
    const p = repo.pulls.get(num(req.params['pull_number']));
    return p === undefined ? notFound(ctx) : list(p.commits.slice(0, 250), req, ctx, (c) => shape.commit(repo, c, ctx.urls));
  }),
};

/** The line numbers a unified diff patch shows on one side (context lines and that side's changes). */
function diffLines(patch: string, side: 'LEFT' | 'RIGHT'): Set<number> {
  const out = new Set<number>();
  let oldLine = 0;
  let newLine = 0;
  for (const l of patch.split('\n')) {
    const h = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(l);
    if (h !== null) {
      oldLine = Number(h[1]);
      newLine = Number(h[2]);
      continue;
    }
    if (l.startsWith('+')) {
      if (side === 'RIGHT') out.add(newLine);
      newLine++;
    } else if (l.startsWith('-')) {
      if (side === 'LEFT') out.add(oldLine);
      oldLine++;
    } else if (l.startsWith(' ')) {
      out.add(side === 'RIGHT' ? newLine : oldLine);
      oldLine++;
      newLine++;
    }
  }
  return out;
}

// ---------------------------------------------------------------- commits and contents

/**
 * A commit of the Git store as `GET /commits/{ref}` shows it: files compared with the first
 * parent; line counts from a line multiset comparison (git's diff can pair lines differently,
 * but the counts agree for ordinary edits).
 */
function storeCommit(repo: FakeRepo, sha: string): PullCommitRecord | undefined {
  const obj = repo.git.get(sha);
  if (obj?.type !== 'commit') return undefined;
  const after = repo.git.flatten(obj.tree);
  const parent = obj.parents[0] === undefined ? undefined : repo.git.get(obj.parents[0]);
  const before = parent?.type === 'commit' ? repo.git.flatten(parent.tree) : new Map<string, { sha: string }>();
  const lines = (blobSha: string | undefined): string[] => {
    const blob = blobSha === undefined ? undefined : repo.git.get(blobSha);
    if (blob?.type !== 'blob' || blob.content.length === 0) return [];
    const text = blob.content.toString('utf8');
    return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  };
  const files: PullFileRecord[] = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(path)?.sha;
    const b = after.get(path)?.sha;
    if (a === b) continue;
    const count = new Map<string, number>();
    for (const l of lines(a)) count.set(l, (count.get(l) ?? 0) + 1);
    let additions = 0;
    for (const l of lines(b)) {
      const left = count.get(l) ?? 0;
      if (left > 0) count.set(l, left - 1);
      else additions++;
    }
    let deletions = 0;
    for (const n of count.values()) deletions += n;
    const status = a === undefined ? 'added' : b === undefined ? 'removed' : 'modified';
    files.push({ filename: path, status, additions, deletions, patch: undefined, previousFilename: undefined, sha: b ?? a ?? '' });
  }
  // GitHub links a `<id>+<login>@users.noreply.github.com` address to that account.
  const person = (sig: { name: string; email: string; date: string }): PullCommitPerson => {
    const m = /^\d+\+([^@]+)@users\.noreply\.github\.com$/.exec(sig.email);
    return { ...sig, user: m?.[1] === undefined ? null : repo.state.user(m[1]) };
  };
  return {
    sha,
    message: obj.message,
    author: person(obj.author),
    committer: person(obj.committer),
    parents: obj.parents,
    files,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
  };
}

/** GitHub returns a file's content inline up to 1 MB; above, `encoding: none` and no content. */
const MAX_INLINE_CONTENT = 1024 * 1024;

const contents: Record<string, BuiltinHandler> = {
  'repos/get-commit': withRepo((repo, req, ctx) => {
    const ref = String(req.params['ref']);
    const sha = isSha(ref) ? ref.toLowerCase() : repo.resolveCommitish(ref);
    const c = sha === undefined ? undefined : (repo.findPullCommit(sha) ?? storeCommit(repo, sha));
    if (c === undefined) return unprocessable(ctx, `No commit found for SHA: ${ref}`);
    const { page, headers } = paginate(c.files, req, ctx);
    return { status: 200, headers, body: shape.commit(repo, c, ctx.urls, { files: page }) };
  }),
  'repos/get-content': withRepo((repo, req, ctx) => {
    const ref = str(req.query['ref']) ?? repo.defaultBranch;
    const commit = repo.resolveCommitish(ref);
    if (commit === undefined) return errorBody(404, `No commit found for the ref ${ref}`, ctx.docUrl);
    const path = String(req.params['path']).replace(/^\/+|\/+$/g, '');
    const tree = repo.git.flatten((repo.git.get(commit) as { tree: string }).tree);
    const entry = tree.get(path);
    if (entry !== undefined) {
      const blob = repo.git.get(entry.sha);
      if (blob?.type !== 'blob') return notFound(ctx);
      const inline = blob.content.length <= MAX_INLINE_CONTENT;
      // GitHub wraps base64 at 60 characters with \n, like `base64` does.
      const base64 = inline ? (blob.content.toString('base64').match(/.{1,60}/g) ?? ['']).join('\n') + '\n' : '';
      return {
        status: 200,
        body: shape.contentEntry(repo, { type: 'file', path, sha: entry.sha, size: blob.content.length, ref }, ctx.urls, {
          base64,
          encoding: inline ? 'base64' : 'none',
        }),
      };
    }
    const prefix = `${path}/`;
    const children = new Map<string, { type: 'file' | 'dir'; sha: string; size: number }>();
    for (const [p, e] of tree) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) {
        const blob = repo.git.get(e.sha);
        children.set(rest, { type: 'file', sha: e.sha, size: blob?.type === 'blob' ? blob.content.length : 0 });
      } else if (!children.has(rest.slice(0, slash))) {
        children.set(rest.slice(0, slash), { type: 'dir', sha: '', size: 0 });
      }
    }
    if (children.size === 0) return notFound(ctx);
    const dirSha = (name: string): string => {
      // The folder's tree id: walk the commit's tree down the path.
      let sha = (repo.git.get(commit) as { tree: string }).tree;
      for (const part of `${path}/${name}`.split('/')) {
        const t = repo.git.get(sha);
        const next = t?.type === 'tree' ? t.entries.find((x) => x.name === part) : undefined;
        if (next === undefined) return '';
        sha = next.sha;
      }
      return sha;
    };
    const body = [...children.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, c]) => shape.contentEntry(repo, { type: c.type, path: `${path}/${name}`, sha: c.type === 'dir' ? dirSha(name) : c.sha, size: c.size, ref }, ctx.urls));
    return { status: 200, body };
  }),
};

// ---------------------------------------------------------------- deployments

const deployments: Record<string, BuiltinHandler> = {
  'repos/list-deployments': withRepo((repo, req, ctx) => {
    const q = req.query;
    const items = repo.deployments
      .filter(
        (d) =>
          (q['sha'] === undefined || d.sha === q['sha']) &&
          (q['ref'] === undefined || d.ref === q['ref']) &&
          (q['task'] === undefined || d.task === q['task']) &&
          (q['environment'] === undefined || d.environment === q['environment']),
      )
      .reverse();
    return list(items, req, ctx, (d) => shape.deployment(repo, d, ctx.urls));
  }),
  'repos/get-deployment': withRepo((repo, req, ctx) => {
    const d = repo.deployments.find((x) => x.id === num(req.params['deployment_id']));
    return d === undefined ? notFound(ctx) : { status: 200, body: shape.deployment(repo, d, ctx.urls) };
  }),
  'repos/create-deployment': withRepo((repo, req, ctx) => {
    const b = bodyOf(req);
    const ref = String(b['ref']);
    const sha = isSha(ref) ? ref.toLowerCase() : repo.resolveCommitish(ref);
    if (sha === undefined) return validationFailed(ctx, 'Deployment', 'ref', `No ref found for: ${ref}`);
    const environment = str(b['environment']) ?? 'production';
    const d = repo.addDeployment({
      ref,
      sha,
      environment,
      task: str(b['task']) ?? 'deploy',
      description: str(b['description']) ?? null,
      payload: b['payload'] ?? {},
      creator: req.user,
      transientEnvironment: b['transient_environment'] === true,
      ...(typeof b['production_environment'] === 'boolean' ? { productionEnvironment: b['production_environment'] } : {}),
    });
    return { status: 201, body: shape.deployment(repo, d, ctx.urls) };
  }),
  'repos/list-deployment-statuses': withRepo((repo, req, ctx) => {
    const id = num(req.params['deployment_id']);
    if (!repo.deployments.some((d) => d.id === id)) return notFound(ctx);
    const items = repo.deploymentStatuses.filter((s) => s.deploymentId === id).reverse();
    return list(items, req, ctx, (s) => shape.deploymentStatus(repo, s, ctx.urls));
  }),
  'repos/create-deployment-status': withRepo((repo, req, ctx) => {
    const d = repo.deployments.find((x) => x.id === num(req.params['deployment_id']));
    if (d === undefined) return notFound(ctx);
    const b = bodyOf(req);
    const description = str(b['description']) ?? '';
    if (description.length > MAX_STATUS_DESCRIPTION) {
      return validationFailed(ctx, 'DeploymentStatus', 'description', `description is too long (maximum is ${MAX_STATUS_DESCRIPTION} characters)`);
    }
    const state = b['state'] as DeploymentState;
    const s = repo.addDeploymentStatus(d, {
      state,
      description,
      ...(str(b['log_url']) !== undefined ? { logUrl: String(b['log_url']) } : {}),
      ...(str(b['target_url']) !== undefined ? { targetUrl: String(b['target_url']) } : {}),
      ...(str(b['environment_url']) !== undefined ? { environmentUrl: String(b['environment_url']) } : {}),
      ...(str(b['environment']) !== undefined ? { environment: String(b['environment']) } : {}),
      creator: req.user,
    });
    // auto_inactive (default true): earlier non-transient, non-production deployments to the same
    // environment get an `inactive` status when this one succeeds.
    if (state === 'success' && b['auto_inactive'] !== false) {
      for (const other of repo.deployments) {
        if (other === d || other.id > d.id || other.transientEnvironment || other.productionEnvironment) continue;
        const latest = repo.latestDeploymentStatus(other.id);
        if (latest === undefined || latest.environment !== s.environment || latest.state === 'inactive') continue;
        repo.addDeploymentStatus(other, { state: 'inactive', description: '', creator: req.user });
      }
    }
    return { status: 201, body: shape.deploymentStatus(repo, s, ctx.urls) };
  }),
};

// ---------------------------------------------------------------- git data

function refResponse(repo: FakeRepo, ctx: BuiltinContext, fullRef: string, status: number): FakeResponse {
  const sha = repo.git.refs.get(fullRef);
  return sha === undefined ? notFound(ctx) : { status, body: shape.gitRef(repo, fullRef, sha, ctx.urls) };
}

function gitTry(ctx: BuiltinContext, fn: () => FakeResponse): FakeResponse {
  try {
    return fn();
  } catch (e) {
    if (e instanceof GitError) return unprocessable(ctx, e.message);
    throw e;
  }
}

const git: Record<string, BuiltinHandler> = {
  'git/get-ref': withRepo((repo, req, ctx) => refResponse(repo, ctx, qualifyRef(String(req.params['ref'])), 200)),
  'git/list-matching-refs': withRepo((repo, req, ctx) => {
    const prefix = qualifyRef(String(req.params['ref']));
    const refs = [...repo.git.refs].filter(([r]) => r.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1));
    return { status: 200, body: refs.map(([r, sha]) => shape.gitRef(repo, r, sha, ctx.urls)) };
  }),
  'git/create-ref': withRepo((repo, req, ctx) => {
    const b = bodyOf(req);
    const ref = String(b['ref']);
    const sha = String(b['sha']).toLowerCase();
    if (!ref.startsWith('refs/') || ref.split('/').length < 3) {
      return unprocessable(ctx, `Reference name must start with 'refs/' and have at least two slashes: '${ref}'`);
    }
    if (repo.git.refs.has(ref)) return unprocessable(ctx, 'Reference already exists');
    if (repo.git.get(sha)?.type !== 'commit') return unprocessable(ctx, 'Object does not exist');
    repo.git.refs.set(ref, sha);
    return refResponse(repo, ctx, ref, 201);
  }),
  'git/update-ref': withRepo((repo, req, ctx) => {
    const ref = qualifyRef(String(req.params['ref']));
    const b = bodyOf(req);
    const sha = String(b['sha']).toLowerCase();
    const current = repo.git.refs.get(ref);
    if (current === undefined) return unprocessable(ctx, 'Reference does not exist');
    if (repo.git.get(sha)?.type !== 'commit') return unprocessable(ctx, 'Object does not exist');
    // Compare-and-swap: without force, the new commit must descend from the ref's current commit.
    if (b['force'] !== true && !repo.git.isAncestor(current, sha)) return unprocessable(ctx, 'Update is not a fast forward');
    repo.git.refs.set(ref, sha);
    return refResponse(repo, ctx, ref, 200);
  }),
  'git/delete-ref': withRepo((repo, req, ctx) => {
    const ref = qualifyRef(String(req.params['ref']));
    if (!repo.git.refs.delete(ref)) return unprocessable(ctx, 'Reference does not exist');
    return { status: 204 };
  }),
  'git/create-blob': withRepo((repo, req, ctx) => {
    const b = bodyOf(req);
    const encoding = str(b['encoding']) ?? 'utf-8';
    if (encoding !== 'utf-8' && encoding !== 'utf8' && encoding !== 'base64') {
      return validationFailed(ctx, 'Blob', 'encoding', `encoding must be 'utf-8' or 'base64', got '${encoding}'`);
    }
    const content = String(b['content']);
    const sha = repo.git.writeBlob(encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8'));
    const url = `${ctx.urls.api}/repos/${repo.fullName}/git/blobs/${sha}`;
    return { status: 201, body: { sha, url }, headers: { location: url } };
  }),
  'git/get-blob': withRepo((repo, req, ctx) => {
    const sha = String(req.params['file_sha']).toLowerCase();
    const obj = repo.git.get(sha);
    if (obj?.type !== 'blob') return notFound(ctx);
    return {
      status: 200,
      body: {
        sha,
        node_id: shape.nodeId('B', sha),
        size: obj.content.length,
        url: `${ctx.urls.api}/repos/${repo.fullName}/git/blobs/${sha}`,
        // GitHub wraps base64 at 60 characters with \n, like `base64` does.
        content: (obj.content.toString('base64').match(/.{1,60}/g) ?? ['']).join('\n') + '\n',
        encoding: 'base64',
      },
    };
  }),
  'git/create-tree': withRepo((repo, req, ctx) =>
    gitTry(ctx, () => {
      const b = bodyOf(req);
      const base = str(b['base_tree']);
      if (base !== undefined && repo.git.get(base)?.type !== 'tree') return unprocessable(ctx, `base_tree ${base} is not a valid tree`);
      const changes: TreeChange[] = [];
      for (const item of b['tree'] as Body[]) {
        const path = String(item['path']);
        const mode = (str(item['mode']) ?? '100644') as TreeEntryMode;
        const type = (str(item['type']) ?? 'blob') as TreeEntryType;
        if (item['content'] !== undefined && item['sha'] !== undefined) {
          return unprocessable(ctx, `tree.content and tree.sha are mutually exclusive (path '${path}')`);
        }
        const content = item['content'];
        if (typeof content === 'string') {
          changes.push({ path, mode, type: 'blob', sha: repo.git.writeBlob(content) });
        } else if (item['sha'] === null) {
          if (base === undefined) return unprocessable(ctx, `tree.sha null deletes a path, which needs base_tree (path '${path}')`);
          changes.push({ path, mode, type, sha: null });
        } else if (typeof item['sha'] === 'string') {
          changes.push({ path, mode, type, sha: item['sha'] });
        } else {
          return unprocessable(ctx, `tree item '${path}' needs either sha or content`);
        }
      }
      const sha = repo.git.writeTree(base, changes);
      return { status: 201, body: treeBody(repo, ctx, sha, false) };
    }),
  ),
  'git/get-tree': withRepo((repo, req, ctx) => {
    const id = String(req.params['tree_sha']);
    let sha = isSha(id) ? id.toLowerCase() : repo.resolveCommitish(id);
    const obj = sha === undefined ? undefined : repo.git.get(sha);
    if (obj?.type === 'commit') sha = obj.tree;
    if (sha === undefined || repo.git.get(sha)?.type !== 'tree') return notFound(ctx);
    return { status: 200, body: treeBody(repo, ctx, sha, req.query['recursive'] !== undefined) };
  }),
  'git/create-commit': withRepo((repo, req, ctx) =>
    gitTry(ctx, () => {
      const b = bodyOf(req);
      const now = ctx.state.now();
      const sig = (v: unknown): { name: string; email: string; date: string } | undefined => {
        if (v === undefined || v === null) return undefined;
        const o = v as Body;
        return { name: String(o['name']), email: String(o['email']), date: str(o['date'])?.replace(/\.\d+Z$/, 'Z') ?? now };
      };
      const author = sig(b['author']) ?? repo.signature(req.user, now);
      const committer = sig(b['committer']) ?? author;
      const parents = ((b['parents'] as unknown[] | undefined) ?? []).map((p) => String(p).toLowerCase());
      const sha = repo.git.writeCommit({ tree: String(b['tree']).toLowerCase(), parents, message: String(b['message']), author, committer });
      const commit = repo.git.get(sha) as Extract<GitObject, { type: 'commit' }>;
      const body = shape.gitCommit(repo, sha, commit, ctx.urls);
      return { status: 201, body, headers: { location: String(body['url']) } };
    }),
  ),
  'git/get-commit': withRepo((repo, req, ctx) => {
    const sha = String(req.params['commit_sha']).toLowerCase();
    const obj = repo.git.get(sha);
    return obj?.type !== 'commit' ? notFound(ctx) : { status: 200, body: shape.gitCommit(repo, sha, obj, ctx.urls) };
  }),
};

function treeBody(repo: FakeRepo, ctx: BuiltinContext, sha: string, recursive: boolean): Record<string, unknown> {
  const api = `${ctx.urls.api}/repos/${repo.fullName}/git`;
  const entries: Record<string, unknown>[] = [];
  const walk = (treeSha: string, prefix: string): void => {
    const tree = repo.git.get(treeSha);
    if (tree?.type !== 'tree') return;
    for (const e of tree.entries) {
      const obj = repo.git.get(e.sha);
      entries.push({
        path: `${prefix}${e.name}`,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        ...(obj?.type === 'blob' ? { size: obj.content.length } : {}),
        ...(e.type === 'commit' ? {} : { url: `${api}/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}` }),
      });
      if (recursive && e.type === 'tree') walk(e.sha, `${prefix}${e.name}/`);
    }
  };
  walk(sha, '');
  return { sha, url: `${api}/trees/${sha}`, tree: entries, truncated: false };
}

// ---------------------------------------------------------------- deployment reviews of workflow runs

const runApprovals: Record<string, BuiltinHandler> = {
  // Not paginated on GitHub either: every review of the run, oldest first.
  'actions/get-reviews-for-run': withRepo((repo, req, ctx) => {
    const runId = num(req.params['run_id']);
    return { status: 200, body: repo.runApprovals.filter((a) => a.runId === runId).map((a) => shape.runApproval(repo, a, ctx.urls)) };
  }),
};

// ---------------------------------------------------------------- users

const users: Record<string, BuiltinHandler> = {
  'users/get-authenticated': (req, ctx) => {
    // GITHUB_TOKEN (an installation token) cannot read /user.
    if (req.user.type === 'Bot') return errorBody(403, 'Resource not accessible by integration', ctx.docUrl);
    return {
      status: 200,
      body: {
        ...shape.simpleUser(req.user, ctx.urls),
        name: null,
        company: null,
        blog: '',
        location: null,
        email: null,
        hireable: null,
        bio: null,
        public_repos: 0,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: '2020-01-01T00:00:00Z',
        updated_at: '2020-01-01T00:00:00Z',
        private_gists: 0,
        total_private_repos: 0,
        owned_private_repos: 0,
        disk_usage: 0,
        collaborators: 0,
        two_factor_authentication: true,
        user_view_type: 'private',
      },
    };
  },
};

/** Every built-in handler, by operationId. */
export const BUILTIN_HANDLERS: Readonly<Record<string, BuiltinHandler>> = {
  ...issueComments,
  ...issues,
  ...checkRuns,
  ...statuses,
  ...pulls,
  ...contents,
  ...deployments,
  ...runApprovals,
  ...git,
  ...users,
};
