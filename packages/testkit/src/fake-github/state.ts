/**
 * The fake's in-memory model: repositories with comments, check runs, statuses, pull requests,
 * deployments and a Git object store. Tests read it to assert what the product did, and write to it
 * to arrange a scenario (including a concurrent writer moving a ref).
 */
import { createHash } from 'node:crypto';
import { GitError, GitStore, type GitSignature } from './git.js';
import type {
  CheckRunSeed,
  CommentSeed,
  DeploymentSeed,
  RunApprovalSeed,
  DeploymentState,
  FakeGitHubSeed,
  FakeUser,
  FakeUserInit,
  FileSeed,
  GitPersonSeed,
  IssueSeed,
  PullCommitSeed,
  PullFileSeed,
  PullSeed,
  RepoSeed,
  ReviewState,
  StatusSeed,
} from './types.js';

export interface IssueCommentRecord {
  readonly id: number;
  readonly issueNumber: number;
  body: string;
  readonly user: FakeUser;
  readonly createdAt: string;
  updatedAt: string;
}

/** A pull request review comment on one line (or a range) of a file in the diff. */
export interface ReviewCommentRecord {
  readonly id: number;
  readonly pullNumber: number;
  readonly path: string;
  readonly line: number;
  readonly startLine?: number;
  readonly side: 'LEFT' | 'RIGHT';
  readonly commitId: string;
  readonly diffHunk: string;
  body: string;
  readonly user: FakeUser;
  readonly createdAt: string;
  updatedAt: string;
}

export interface IssueRecord {
  readonly id: number;
  readonly number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'duplicate' | null;
  labels: string[];
  readonly user: FakeUser;
  readonly createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  comments: number;
}

export interface CheckRunAnnotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

export interface CheckRunRecord {
  readonly id: number;
  name: string;
  readonly headSha: string;
  status: string;
  conclusion: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  startedAt: string | null;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Every annotation sent, across create and updates (GitHub appends them). */
  readonly annotations: CheckRunAnnotation[];
  actions: unknown[];
  readonly app: FakeUser;
}

export interface CommitStatusRecord {
  readonly id: number;
  readonly sha: string;
  readonly state: string;
  readonly description: string | null;
  readonly targetUrl: string | null;
  readonly context: string;
  readonly creator: FakeUser;
  readonly createdAt: string;
}

export interface PullFileRecord {
  readonly filename: string;
  readonly status: NonNullable<PullFileSeed['status']>;
  readonly additions: number;
  readonly deletions: number;
  readonly patch: string | undefined;
  readonly previousFilename: string | undefined;
  readonly sha: string;
}

export interface ReviewRecord {
  readonly id: number;
  readonly user: FakeUser;
  readonly state: ReviewState;
  readonly body: string;
  readonly commitId: string;
  readonly submittedAt: string;
  readonly authorAssociation: string;
}

export interface PullCommitPerson extends GitSignature {
  /** The GitHub account linked to the email, or null. */
  readonly user: FakeUser | null;
}

export interface PullCommitRecord {
  readonly sha: string;
  readonly message: string;
  readonly author: PullCommitPerson;
  readonly committer: PullCommitPerson;
  readonly parents: readonly string[];
  readonly files: readonly PullFileRecord[];
  readonly additions: number;
  readonly deletions: number;
}

export interface PullRecord {
  readonly id: number;
  readonly number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  readonly mergeCommitSha?: string;
  readonly user: FakeUser;
  readonly head: { ref: string; sha: string; repo: string };
  readonly base: { ref: string; sha: string; repo: string };
  labels: string[];
  readonly files: PullFileRecord[];
  readonly reviews: ReviewRecord[];
  readonly commits: PullCommitRecord[];
  readonly authorAssociation: string;
  readonly createdAt: string;
  updatedAt: string;
  readonly labelEvents: LabelEventRecord[];
}

export interface LabelEventRecord {
  readonly id: number;
  readonly label: string;
  readonly actor: FakeUser;
  readonly event: 'labeled' | 'unlabeled';
  readonly createdAt: string;
}

export interface DeploymentRecord {
  readonly id: number;
  readonly sha: string;
  readonly ref: string;
  readonly task: string;
  readonly payload: unknown;
  readonly environment: string;
  readonly originalEnvironment: string;
  readonly description: string | null;
  readonly transientEnvironment: boolean;
  readonly productionEnvironment: boolean;
  readonly creator: FakeUser;
  readonly createdAt: string;
  updatedAt: string;
}

export interface RunApprovalRecord {
  readonly runId: number;
  /** Environment names; each gets a stable id per repository. */
  readonly environments: readonly string[];
  readonly state: 'approved' | 'rejected' | 'pending';
  readonly user: FakeUser;
  readonly comment: string;
  readonly createdAt: string;
}

export interface DeploymentStatusRecord {
  readonly id: number;
  readonly deploymentId: number;
  readonly state: DeploymentState;
  readonly description: string;
  readonly environment: string;
  readonly targetUrl: string;
  readonly logUrl: string;
  readonly environmentUrl: string;
  readonly creator: FakeUser;
  readonly createdAt: string;
}

const GITHUB_ACTIONS_BOT: FakeUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
const EPOCH = Date.parse('2026-01-01T00:00:00Z');

/** A clock that starts at 2026-01-01T00:00:00Z and moves one second each time it is read. */
export function tickingClock(start = EPOCH, stepMs = 1000): () => Date {
  let t = start - stepMs;
  return () => new Date((t += stepMs));
}

export interface FakeGitHubStateOptions {
  readonly tokenUser?: FakeUserInit;
  readonly clock?: () => Date;
  readonly autoCreateRepos?: boolean;
}

export class FakeGitHubState {
  readonly tokenUser: FakeUser;
  readonly autoCreateRepos: boolean;
  private readonly clock: () => Date;
  private readonly repos = new Map<string, FakeRepo>();
  private lastId = 1000;

  constructor(options: FakeGitHubStateOptions = {}) {
    this.clock = options.clock ?? tickingClock();
    this.autoCreateRepos = options.autoCreateRepos ?? true;
    this.tokenUser = options.tokenUser === undefined ? GITHUB_ACTIONS_BOT : makeUser(options.tokenUser);
  }

  /** The current time as GitHub prints it: ISO 8601 without milliseconds. */
  now(): string {
    return this.clock().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** Ids are global, increasing and deterministic, like GitHub's database ids. */
  nextId(): number {
    return ++this.lastId;
  }

  /** A user from a login or init object; the token's user when undefined. */
  user(init?: FakeUserInit): FakeUser {
    return init === undefined ? this.tokenUser : makeUser(init);
  }

  /** The repository `owner/name`, created when new (whatever `autoCreateRepos` says). */
  repo(fullName: string): FakeRepo {
    const [owner, name, ...rest] = fullName.split('/');
    if (owner === undefined || name === undefined || owner === '' || name === '' || rest.length > 0) {
      throw new Error(`repo(): expected 'owner/name', got '${fullName}'`);
    }
    const key = fullName.toLowerCase();
    let repo = this.repos.get(key);
    if (repo === undefined) {
      repo = new FakeRepo(this, owner, name);
      this.repos.set(key, repo);
    }
    return repo;
  }

  /** The repository a request names: created on first use unless `autoCreateRepos` is false. */
  findRepo(owner: string, name: string): FakeRepo | undefined {
    const existing = this.repos.get(`${owner}/${name}`.toLowerCase());
    if (existing !== undefined || !this.autoCreateRepos) return existing;
    return this.repo(`${owner}/${name}`);
  }

  listRepos(): FakeRepo[] {
    return [...this.repos.values()];
  }

  seed(seed: FakeGitHubSeed): void {
    for (const [fullName, repoSeed] of Object.entries(seed.repos ?? {})) this.repo(fullName).seed(repoSeed);
  }
}

export class FakeRepo {
  readonly id: number;
  readonly fullName: string;
  defaultBranch = 'main';
  isPrivate = false;
  readonly createdAt: string;
  readonly git = new GitStore();
  readonly comments: IssueCommentRecord[] = [];
  readonly checkRuns: CheckRunRecord[] = [];
  readonly statuses: CommitStatusRecord[] = [];
  readonly pulls = new Map<number, PullRecord>();
  /** Issues that are not pull requests, by number. */
  readonly issues = new Map<number, IssueRecord>();
  readonly deployments: DeploymentRecord[] = [];
  readonly deploymentStatuses: DeploymentStatusRecord[] = [];
  /** Deployment reviews of workflow runs, oldest first. */
  readonly runApprovals: RunApprovalRecord[] = [];
  /** Review comments on pull request diffs, oldest first. */
  readonly reviewComments: ReviewCommentRecord[] = [];
  /** Environment name -> id and creation time, created on first mention. */
  readonly environments = new Map<string, { id: number; createdAt: string }>();

  constructor(
    readonly state: FakeGitHubState,
    readonly owner: string,
    readonly name: string,
  ) {
    this.id = state.nextId();
    this.fullName = `${owner}/${name}`;
    this.createdAt = state.now();
  }

  seed(seed: RepoSeed): void {
    if (seed.defaultBranch !== undefined) this.defaultBranch = seed.defaultBranch;
    if (seed.private !== undefined) this.isPrivate = seed.private;
    for (const [branch, files] of Object.entries(seed.branches ?? {})) this.commitFiles(branch, files, { message: `Seed ${branch}` });
    for (const p of seed.pulls ?? []) this.addPull(p);
    for (const i of seed.issues ?? []) this.addIssue(i);
    for (const c of seed.comments ?? []) this.addComment(c);
    for (const s of seed.statuses ?? []) this.addStatus(s);
    for (const c of seed.checkRuns ?? []) this.addCheckRun(c);
    for (const d of seed.deployments ?? []) this.addDeployment(d);
    for (const a of seed.runApprovals ?? []) this.addRunApproval(a);
  }

  // ---- deployment reviews of workflow runs

  /** Records a review of a run for environments (what a required reviewer's approve/reject does). */
  addRunApproval(a: RunApprovalSeed): RunApprovalRecord {
    const now = this.state.now();
    for (const name of a.environments) if (!this.environments.has(name)) this.environments.set(name, { id: this.state.nextId(), createdAt: now });
    const record: RunApprovalRecord = { runId: a.runId, environments: [...a.environments], state: a.state, user: this.state.user(a.user), comment: a.comment ?? '', createdAt: now };
    this.runApprovals.push(record);
    return record;
  }

  // ---- issue comments

  addComment(c: CommentSeed): IssueCommentRecord {
    const now = this.state.now();
    const record: IssueCommentRecord = {
      id: this.state.nextId(),
      issueNumber: c.issueNumber,
      body: c.body,
      user: this.state.user(c.user),
      createdAt: now,
      updatedAt: now,
    };
    this.comments.push(record);
    return record;
  }

  /** Comments on one issue or pull request, oldest first (GitHub's order). */
  commentsOn(issueNumber: number): IssueCommentRecord[] {
    return this.comments.filter((c) => c.issueNumber === issueNumber);
  }

  // ---- issues

  addIssue(i: IssueSeed): IssueRecord {
    const created = i.createdAt ?? this.state.now();
    const state = i.state ?? 'open';
    const record: IssueRecord = {
      id: this.state.nextId(),
      number: i.number,
      title: i.title ?? `Issue #${i.number}`,
      body: i.body === undefined ? null : i.body,
      state,
      stateReason: state === 'closed' ? (i.stateReason ?? 'completed') : null,
      labels: [...(i.labels ?? [])],
      user: this.state.user(i.user),
      createdAt: created,
      updatedAt: created,
      closedAt: state === 'closed' ? created : null,
      comments: i.comments ?? 0,
    };
    this.issues.set(i.number, record);
    return record;
  }

  // ---- check runs and statuses

  addCheckRun(c: CheckRunSeed): CheckRunRecord {
    const now = this.state.now();
    const conclusion = c.conclusion ?? null;
    const status = conclusion !== null ? 'completed' : (c.status ?? 'queued');
    const record: CheckRunRecord = {
      id: this.state.nextId(),
      name: c.name,
      headSha: c.headSha,
      status,
      conclusion,
      detailsUrl: null,
      externalId: null,
      startedAt: now,
      completedAt: status === 'completed' ? now : null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      actions: [],
      app: this.state.tokenUser,
    };
    this.checkRuns.push(record);
    return record;
  }

  addStatus(s: StatusSeed): CommitStatusRecord {
    const record: CommitStatusRecord = {
      id: this.state.nextId(),
      sha: s.sha,
      state: s.state,
      description: s.description ?? null,
      targetUrl: s.targetUrl ?? null,
      context: s.context ?? 'default',
      creator: this.state.user(s.creator),
      createdAt: this.state.now(),
    };
    this.statuses.push(record);
    return record;
  }

  // ---- pull requests

  addPull(p: PullSeed): PullRecord {
    const now = this.state.now();
    const baseRef = p.base?.ref ?? this.defaultBranch;
    const record: PullRecord = {
      id: this.state.nextId(),
      number: p.number,
      title: p.title ?? `Pull request #${p.number}`,
      body: p.body === undefined ? null : p.body,
      state: p.state ?? 'open',
      draft: p.draft ?? false,
      merged: p.merged ?? false,
      ...(p.mergeCommitSha === undefined ? {} : { mergeCommitSha: p.mergeCommitSha }),
      user: this.state.user(p.user),
      head: { ref: p.head.ref, sha: p.head.sha, repo: p.head.repo ?? this.fullName },
      base: { ref: baseRef, sha: p.base?.sha ?? this.getRef(`heads/${baseRef}`) ?? fakeSha(`${this.fullName}:${baseRef}`), repo: this.fullName },
      labels: [...(p.labels ?? [])],
      files: (p.files ?? []).map((f) => pullFile(f)),
      reviews: [],
      commits: [],
      authorAssociation: p.authorAssociation ?? 'CONTRIBUTOR',
      labelEvents: (p.labelEvents ?? []).map((e) => ({ id: this.state.nextId(), label: e.label, actor: this.state.user(e.actor), event: e.event ?? 'labeled', createdAt: e.createdAt ?? this.state.now() })),
      createdAt: now,
      updatedAt: now,
    };
    for (const r of p.reviews ?? []) {
      record.reviews.push({
        id: this.state.nextId(),
        user: this.state.user(r.user),
        state: r.state,
        body: r.body ?? '',
        commitId: r.commitId ?? p.head.sha,
        submittedAt: r.submittedAt ?? this.state.now(),
        authorAssociation: r.authorAssociation ?? 'MEMBER',
      });
    }
    for (const [i, c] of (p.commits ?? []).entries()) {
      const previous = record.commits[i - 1]?.sha ?? record.base.sha;
      record.commits.push(this.pullCommit(c, c.sha ?? fakeSha(`${this.fullName}#${p.number}:commit:${i}`), previous));
    }
    this.pulls.set(p.number, record);
    return record;
  }

  /** A seeded pull request commit by sha (any pull request of this repository). */
  findPullCommit(sha: string): PullCommitRecord | undefined {
    const lower = sha.toLowerCase();
    for (const p of this.pulls.values()) {
      const c = p.commits.find((x) => x.sha === lower);
      if (c !== undefined) return c;
    }
    return undefined;
  }

  private pullCommit(c: PullCommitSeed, sha: string, previous: string): PullCommitRecord {
    const person = (s: GitPersonSeed): PullCommitPerson => ({
      name: s.name,
      email: s.email,
      date: s.date ?? this.state.now(),
      user: s.user === undefined || s.user === null ? null : this.state.user(s.user),
    });
    const files = (c.files ?? []).map((f) => pullFile(f));
    const author = person(c.author);
    return {
      sha: sha.toLowerCase(),
      message: c.message,
      author,
      committer: c.committer === undefined ? author : person(c.committer),
      parents: [...(c.parents ?? [previous])],
      files,
      additions: c.additions ?? files.reduce((n, f) => n + f.additions, 0),
      deletions: c.deletions ?? files.reduce((n, f) => n + f.deletions, 0),
    };
  }

  // ---- deployments

  addDeployment(d: DeploymentSeed): DeploymentRecord {
    const now = d.createdAt ?? this.state.now();
    const environment = d.environment ?? 'production';
    const record: DeploymentRecord = {
      id: this.state.nextId(),
      sha: d.sha,
      ref: d.ref,
      task: d.task ?? 'deploy',
      payload: d.payload ?? {},
      environment,
      originalEnvironment: environment,
      description: d.description ?? null,
      transientEnvironment: d.transientEnvironment ?? false,
      productionEnvironment: d.productionEnvironment ?? environment === 'production',
      creator: this.state.user(d.creator),
      createdAt: now,
      updatedAt: now,
    };
    this.deployments.push(record);
    for (const s of d.statuses ?? []) {
      this.addDeploymentStatus(record, {
        state: s.state,
        description: s.description ?? '',
        logUrl: s.logUrl ?? '',
        environmentUrl: s.environmentUrl ?? '',
        ...(s.createdAt === undefined ? {} : { createdAt: s.createdAt }),
      });
    }
    return record;
  }

  addDeploymentStatus(
    deployment: DeploymentRecord,
    s: {
      state: DeploymentState;
      description?: string;
      logUrl?: string;
      targetUrl?: string;
      environmentUrl?: string;
      environment?: string;
      creator?: FakeUser;
      createdAt?: string;
    },
  ): DeploymentStatusRecord {
    const logUrl = s.logUrl ?? s.targetUrl ?? '';
    const record: DeploymentStatusRecord = {
      id: this.state.nextId(),
      deploymentId: deployment.id,
      state: s.state,
      description: s.description ?? '',
      environment: s.environment ?? this.latestDeploymentStatus(deployment.id)?.environment ?? deployment.environment,
      targetUrl: logUrl,
      logUrl,
      environmentUrl: s.environmentUrl ?? '',
      creator: s.creator ?? this.state.tokenUser,
      createdAt: s.createdAt ?? this.state.now(),
    };
    this.deploymentStatuses.push(record);
    deployment.updatedAt = record.createdAt;
    return record;
  }

  latestDeploymentStatus(deploymentId: number): DeploymentStatusRecord | undefined {
    return this.deploymentStatuses.findLast((s) => s.deploymentId === deploymentId);
  }

  // ---- git

  /** The commit a ref points to; accepts `heads/x`, `refs/heads/x` and `tags/x`. */
  getRef(ref: string): string | undefined {
    return this.git.refs.get(qualifyRef(ref));
  }

  setRef(ref: string, sha: string): void {
    if (this.git.get(sha)?.type !== 'commit') throw new GitError(`Object does not exist or is not a commit: ${sha}`);
    this.git.refs.set(qualifyRef(ref), sha.toLowerCase());
  }

  /** A commit sha from a sha, a branch or tag name, or `heads/...` / `tags/...`. */
  resolveCommitish(commitish: string): string | undefined {
    if (/^[0-9a-f]{40}$/i.test(commitish)) return this.git.get(commitish)?.type === 'commit' ? commitish.toLowerCase() : undefined;
    const ref = commitish === 'HEAD' ? this.defaultBranch : commitish; // GitHub resolves HEAD to the default branch
    for (const candidate of [ref, `heads/${ref}`, `tags/${ref}`]) {
      const sha = this.git.refs.get(qualifyRef(candidate));
      if (sha !== undefined) return sha;
    }
    return undefined;
  }

  /**
   * Commits files on top of a branch (or as a root commit when the branch is new) and moves the
   * branch: the way a test plays a concurrent writer. Returns the new commit sha.
   */
  commitFiles(branch: string, files: FileSeed, options: { message?: string; author?: GitSignature } = {}): string {
    const parent = this.getRef(`heads/${branch}`);
    const baseTree = parent === undefined ? undefined : (this.git.get(parent) as { tree: string }).tree;
    const changes = Object.entries(files).map(([path, content]) => ({
      path,
      mode: '100644' as const,
      type: 'blob' as const,
      sha: this.git.writeBlob(typeof content === 'string' ? content : Buffer.from(content)),
    }));
    const tree = this.git.writeTree(baseTree, changes);
    const author = options.author ?? this.signature(this.state.tokenUser);
    const sha = this.git.writeCommit({ tree, parents: parent === undefined ? [] : [parent], message: options.message ?? 'Update files', author, committer: author });
    this.setRef(`heads/${branch}`, sha);
    return sha;
  }

  /** A file's text at a ref or commit, or undefined. */
  readFile(refOrSha: string, path: string): string | undefined {
    const commit = this.resolveCommitish(refOrSha);
    if (commit === undefined) return undefined;
    const tree = (this.git.get(commit) as { tree: string }).tree;
    const entry = this.git.flatten(tree).get(path);
    const blob = entry === undefined ? undefined : this.git.get(entry.sha);
    return blob?.type === 'blob' ? blob.content.toString('utf8') : undefined;
  }

  /** Every file path at a ref or commit, sorted. */
  listFiles(refOrSha: string): string[] {
    const commit = this.resolveCommitish(refOrSha);
    if (commit === undefined) return [];
    return [...this.git.flatten((this.git.get(commit) as { tree: string }).tree).keys()].sort();
  }

  signature(user: FakeUser, date = this.state.now()): GitSignature {
    return { name: user.login, email: `${user.id}+${user.login}@users.noreply.github.com`, date };
  }
}

/** `heads/main` or `refs/heads/main` → `refs/heads/main`. */
export function qualifyRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/${ref}`;
}

/** A stable 40-hex id derived from any text (for seeded shas nobody committed). */
export function fakeSha(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function makeUser(init: FakeUserInit): FakeUser {
  const u = typeof init === 'string' ? { login: init } : init;
  if (u.login === GITHUB_ACTIONS_BOT.login && u.id === undefined) return GITHUB_ACTIONS_BOT;
  const type = u.type ?? (u.login.endsWith('[bot]') ? 'Bot' : 'User');
  return { login: u.login, type, id: u.id ?? 1_000_000 + (parseInt(fakeSha(`user:${u.login}`).slice(0, 7), 16) % 9_000_000) };
}

function pullFile(f: PullFileSeed): PullFileRecord {
  const additions = f.additions ?? 1;
  const deletions = f.deletions ?? 0;
  return {
    filename: f.filename,
    status: f.status ?? 'modified',
    additions,
    deletions,
    patch: f.patch,
    previousFilename: f.previousFilename,
    sha: f.sha ?? fakeSha(`file:${f.filename}`),
  };
}
