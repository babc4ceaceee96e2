/**
 * Renders state records as GitHub's REST API returns them. The shapes satisfy the OpenAPI response
 * schemas (the server checks this by default), so Octokit and our code see realistic objects.
 */
import type { GitObject } from './git.js';
import type {
  CheckRunRecord,
  CommitStatusRecord,
  DeploymentRecord,
  DeploymentStatusRecord,
  FakeRepo,
  IssueCommentRecord,
  IssueRecord,
  LabelEventRecord,
  PullCommitPerson,
  PullCommitRecord,
  PullFileRecord,
  PullRecord,
  ReviewCommentRecord,
  ReviewRecord,
  RunApprovalRecord,
} from './state.js';
import type { FakeUser } from './types.js';

export interface UrlContext {
  /** API origin: the fake server's URL. */
  readonly api: string;
  /** Web origin for `html_url`s, `https://github.com` by default. */
  readonly web: string;
}

type Obj = Record<string, unknown>;

export function nodeId(prefix: string, id: number | string): string {
  return `${prefix}_kwDO${Buffer.from(String(id)).toString('base64url')}`;
}

export function simpleUser(u: FakeUser, ctx: UrlContext): Obj {
  const api = `${ctx.api}/users/${encodeURIComponent(u.login)}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type === 'Bot' ? 'BOT' : u.type === 'Organization' ? 'O' : 'U', u.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: u.type === 'Bot' ? `${ctx.web}/apps/${u.login.replace(/\[bot\]$/, '')}` : `${ctx.web}/${u.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: u.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** The GitHub App behind a bot token (`GITHUB_TOKEN` → the `github-actions` app). */
export function integration(bot: FakeUser, ctx: UrlContext): Obj {
  const slug = bot.login.replace(/\[bot\]$/, '');
  const isActions = slug === 'github-actions';
  return {
    id: isActions ? 15368 : bot.id,
    slug,
    node_id: nodeId('A', bot.id),
    client_id: `Iv1.${bot.id.toString(16).padStart(16, '0')}`,
    owner: simpleUser({ login: 'github', id: 9919, type: 'Organization' }, ctx),
    name: isActions ? 'GitHub Actions' : slug,
    description: isActions ? 'Automate your workflow from idea to production' : '',
    external_url: isActions ? 'https://help.github.com/en/actions' : `${ctx.web}/apps/${slug}`,
    html_url: `${ctx.web}/apps/${slug}`,
    created_at: '2018-07-30T09:30:17Z',
    updated_at: '2019-12-10T19:04:12Z',
    permissions: { checks: 'write', contents: 'write', deployments: 'write', issues: 'write', metadata: 'read', pull_requests: 'write', statuses: 'write' },
    events: ['check_run', 'check_suite', 'pull_request', 'push'],
  };
}

export function repository(repo: FakeRepo, ctx: UrlContext): Obj {
  const api = `${ctx.api}/repos/${repo.fullName}`;
  const html = `${ctx.web}/${repo.fullName}`;
  const host = new URL(ctx.web).host;
  const owner: FakeUser = repo.state.user({ login: repo.owner, type: 'Organization' });
  return {
    id: repo.id,
    node_id: nodeId('R', repo.id),
    name: repo.name,
    full_name: repo.fullName,
    owner: simpleUser(owner, ctx),
    private: repo.isPrivate,
    visibility: repo.isPrivate ? 'private' : 'public',
    html_url: html,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${host}/${repo.fullName}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${host}:${repo.fullName}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: html,
    homepage: null,
    language: 'TypeScript',
    license: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: 0,
    open_issues: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    pushed_at: repo.createdAt,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    allow_forking: true,
    web_commit_signoff_required: false,
  };
}

export function issueComment(repo: FakeRepo, c: IssueCommentRecord, ctx: UrlContext): Obj {
  const kind = repo.pulls.has(c.issueNumber) ? 'pull' : 'issues';
  return {
    id: c.id,
    node_id: nodeId('IC', c.id),
    url: `${ctx.api}/repos/${repo.fullName}/issues/comments/${c.id}`,
    html_url: `${ctx.web}/${repo.fullName}/${kind}/${c.issueNumber}#issuecomment-${c.id}`,
    body: c.body,
    user: simpleUser(c.user, ctx),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    issue_url: `${ctx.api}/repos/${repo.fullName}/issues/${c.issueNumber}`,
    author_association: c.user.login === repo.owner ? 'OWNER' : 'NONE',
    performed_via_github_app: c.user.type === 'Bot' ? integration(c.user, ctx) : null,
  };
}

function label(repo: FakeRepo, name: string, i: number, ctx: UrlContext): Obj {
  return {
    id: 5_000_000 + i,
    node_id: nodeId('LA', `${repo.id}:${name}`),
    url: `${ctx.api}/repos/${repo.fullName}/labels/${encodeURIComponent(name)}`,
    name,
    description: '',
    color: 'ededed',
    default: false,
  };
}

/** An `issue` as `GET /repos/{owner}/{repo}/issues` lists it. */
export function issue(repo: FakeRepo, i: IssueRecord, ctx: UrlContext): Obj {
  return issueLike(repo, ctx, {
    id: i.id,
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    stateReason: i.stateReason,
    labels: i.labels,
    user: i.user,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    closedAt: i.closedAt,
    comments: i.comments,
    authorAssociation: i.user.login === repo.owner ? 'OWNER' : 'NONE',
  });
}

/** A pull request in the issue list: an issue with a `pull_request` object (how clients tell them apart). */
export function pullAsIssue(repo: FakeRepo, p: PullRecord, ctx: UrlContext): Obj {
  const html = `${ctx.web}/${repo.fullName}/pull/${p.number}`;
  return {
    ...issueLike(repo, ctx, {
      id: p.id,
      number: p.number,
      title: p.title,
      body: p.body,
      state: p.state,
      stateReason: null,
      labels: p.labels,
      user: p.user,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      closedAt: p.state === 'closed' ? p.updatedAt : null,
      comments: repo.commentsOn(p.number).length,
      authorAssociation: p.authorAssociation,
    }),
    html_url: html,
    draft: p.draft,
    pull_request: { url: `${ctx.api}/repos/${repo.fullName}/pulls/${p.number}`, html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch`, merged_at: p.merged ? p.updatedAt : null },
  };
}

function issueLike(
  repo: FakeRepo,
  ctx: UrlContext,
  i: {
    id: number;
    number: number;
    title: string;
    body: string | null;
    state: string;
    stateReason: string | null;
    labels: readonly string[];
    user: FakeUser;
    createdAt: string;
    updatedAt: string;
    closedAt: string | null;
    comments: number;
    authorAssociation: string;
  },
): Obj {
  const api = `${ctx.api}/repos/${repo.fullName}/issues/${i.number}`;
  return {
    id: i.id,
    node_id: nodeId('I', i.id),
    url: api,
    repository_url: `${ctx.api}/repos/${repo.fullName}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    timeline_url: `${api}/timeline`,
    html_url: `${ctx.web}/${repo.fullName}/issues/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.stateReason,
    title: i.title,
    body: i.body,
    user: simpleUser(i.user, ctx),
    labels: i.labels.map((name, n) => label(repo, name, n, ctx)),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: i.comments,
    closed_at: i.closedAt,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    author_association: i.authorAssociation,
  };
}

/** A `labeled` / `unlabeled` event as `GET /repos/{owner}/{repo}/issues/{issue_number}/events` lists it. */
export function labelEvent(repo: FakeRepo, e: LabelEventRecord, ctx: UrlContext): Obj {
  return {
    id: e.id,
    node_id: nodeId('LE', e.id),
    url: `${ctx.api}/repos/${repo.fullName}/issues/events/${e.id}`,
    actor: simpleUser(e.actor, ctx),
    event: e.event,
    commit_id: null,
    commit_url: null,
    created_at: e.createdAt,
    performed_via_github_app: null,
    label: { name: e.label, color: 'ededed' },
  };
}

export function checkRun(repo: FakeRepo, r: CheckRunRecord, ctx: UrlContext): Obj {
  const url = `${ctx.api}/repos/${repo.fullName}/check-runs/${r.id}`;
  const html = `${ctx.web}/${repo.fullName}/runs/${r.id}`;
  return {
    id: r.id,
    name: r.name,
    node_id: nodeId('CR', r.id),
    head_sha: r.headSha,
    external_id: r.externalId ?? '',
    url,
    html_url: html,
    details_url: r.detailsUrl ?? html,
    status: r.status,
    conclusion: r.conclusion,
    started_at: r.startedAt,
    completed_at: r.completedAt,
    output: { ...r.output, annotations_count: r.annotations.length, annotations_url: `${url}/annotations` },
    check_suite: { id: 90_000_000 + r.id },
    app: integration(r.app, ctx),
    pull_requests: [],
  };
}

export function commitStatus(repo: FakeRepo, s: CommitStatusRecord, ctx: UrlContext): Obj {
  return {
    url: `${ctx.api}/repos/${repo.fullName}/statuses/${s.sha}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${s.creator.id}?v=4`,
    id: s.id,
    node_id: nodeId('SC', s.id),
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    creator: simpleUser(s.creator, ctx),
  };
}

export function pullRequest(repo: FakeRepo, p: PullRecord, ctx: UrlContext): Obj {
  const api = `${ctx.api}/repos/${repo.fullName}`;
  const html = `${ctx.web}/${repo.fullName}/pull/${p.number}`;
  const headRepo = p.head.repo.toLowerCase() === repo.fullName.toLowerCase() ? repo : repo.state.repo(p.head.repo);
  const side = (s: { ref: string; sha: string }, r: FakeRepo): Obj => ({
    label: `${r.owner}:${s.ref}`,
    ref: s.ref,
    sha: s.sha,
    user: simpleUser(repo.state.user({ login: r.owner, type: 'Organization' }), ctx),
    repo: repository(r, ctx),
  });
  const additions = p.files.reduce((n, f) => n + f.additions, 0);
  const deletions = p.files.reduce((n, f) => n + f.deletions, 0);
  return {
    url: `${api}/pulls/${p.number}`,
    id: p.id,
    node_id: nodeId('PR', p.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${p.number}`,
    commits_url: `${api}/pulls/${p.number}/commits`,
    review_comments_url: `${api}/pulls/${p.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${p.number}/comments`,
    statuses_url: `${api}/statuses/${p.head.sha}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: simpleUser(p.user, ctx),
    body: p.body,
    labels: p.labels.map((name, i) => ({
      id: 5_000_000 + i,
      node_id: nodeId('LA', `${repo.id}:${name}`),
      url: `${api}/labels/${encodeURIComponent(name)}`,
      name,
      description: '',
      color: 'ededed',
      default: false,
    })),
    milestone: null,
    active_lock_reason: null,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: p.state === 'closed' ? p.updatedAt : null,
    merged_at: p.merged ? p.updatedAt : null,
    merge_commit_sha: p.mergeCommitSha ?? null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(p.head, headRepo),
    base: side(p.base, repo),
    _links: {
      self: { href: `${api}/pulls/${p.number}` },
      html: { href: html },
      issue: { href: `${api}/issues/${p.number}` },
      comments: { href: `${api}/issues/${p.number}/comments` },
      review_comments: { href: `${api}/pulls/${p.number}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${api}/pulls/${p.number}/commits` },
      statuses: { href: `${api}/statuses/${p.head.sha}` },
    },
    author_association: p.authorAssociation,
    auto_merge: null,
    draft: p.draft,
    merged: p.merged,
    mergeable: null,
    rebaseable: null,
    mergeable_state: 'unknown',
    merged_by: null,
    comments: repo.commentsOn(p.number).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: p.commits.length > 0 ? p.commits.length : 1,
    additions,
    deletions,
    changed_files: p.files.length,
  };
}

export function diffEntry(repo: FakeRepo, p: PullRecord, f: PullFileRecord, ctx: UrlContext): Obj {
  return fileEntry(repo, p.head.sha, f, ctx);
}

/** A `diff-entry`: a changed file as of commit `sha` (a pull request's head, or one commit). */
function fileEntry(repo: FakeRepo, sha: string, f: PullFileRecord, ctx: UrlContext): Obj {
  const path = f.filename.split('/').map(encodeURIComponent).join('/');
  return {
    sha: f.sha,
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    blob_url: `${ctx.web}/${repo.fullName}/blob/${sha}/${path}`,
    raw_url: `${ctx.web}/${repo.fullName}/raw/${sha}/${path}`,
    contents_url: `${ctx.api}/repos/${repo.fullName}/contents/${path}?ref=${sha}`,
    ...(f.patch === undefined ? {} : { patch: f.patch }),
    ...(f.previousFilename === undefined ? {} : { previous_filename: f.previousFilename }),
  };
}

/**
 * A `commit` as `GET /pulls/{n}/commits` lists it; with `details` (`GET /commits/{ref}`) also its
 * stats and one page of its files.
 */
export function commit(repo: FakeRepo, c: PullCommitRecord, ctx: UrlContext, details?: { files: readonly PullFileRecord[] }): Obj {
  const api = `${ctx.api}/repos/${repo.fullName}`;
  const html = `${ctx.web}/${repo.fullName}`;
  const person = (x: PullCommitPerson): Obj => ({ name: x.name, email: x.email, date: x.date });
  const tree = fakeTreeSha(c.sha);
  return {
    sha: c.sha,
    node_id: nodeId('C', c.sha),
    url: `${api}/commits/${c.sha}`,
    html_url: `${html}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${c.sha}`,
      author: person(c.author),
      committer: person(c.committer),
      message: c.message,
      comment_count: 0,
      tree: { sha: tree, url: `${api}/git/trees/${tree}` },
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    author: c.author.user === null ? null : simpleUser(c.author.user, ctx),
    committer: c.committer.user === null ? null : simpleUser(c.committer.user, ctx),
    parents: c.parents.map((p) => ({ sha: p, url: `${api}/commits/${p}`, html_url: `${html}/commit/${p}` })),
    ...(details === undefined
      ? {}
      : {
          stats: { total: c.additions + c.deletions, additions: c.additions, deletions: c.deletions },
          files: details.files.map((f) => fileEntry(repo, c.sha, f, ctx)),
        }),
  };
}

/** Seeded pull request commits have no tree in the Git store: a stable stand-in id. */
function fakeTreeSha(commitSha: string): string {
  let h = 0;
  const out: string[] = [];
  for (let round = 0; round < 5; round++) {
    for (const ch of `${round}:${commitSha}`) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
    out.push(h.toString(16).padStart(8, '0'));
  }
  return out.join('');
}

/** One entry of `GET /contents/{path}`: a file (with its content when `content` is given) or a directory. */
export function contentEntry(
  repo: FakeRepo,
  e: { type: 'file' | 'dir'; path: string; sha: string; size: number; ref: string },
  ctx: UrlContext,
  content?: { base64: string; encoding: 'base64' | 'none' },
): Obj {
  const api = `${ctx.api}/repos/${repo.fullName}`;
  const encoded = e.path.split('/').map(encodeURIComponent).join('/');
  const self = `${api}/contents/${encoded}?ref=${encodeURIComponent(e.ref)}`;
  const git = `${api}/git/${e.type === 'dir' ? 'trees' : 'blobs'}/${e.sha}`;
  const html = `${ctx.web}/${repo.fullName}/${e.type === 'dir' ? 'tree' : 'blob'}/${e.ref}/${encoded}`;
  return {
    type: e.type,
    ...(content === undefined ? {} : { encoding: content.encoding }),
    size: e.size,
    name: e.path.slice(e.path.lastIndexOf('/') + 1),
    path: e.path,
    ...(content === undefined ? {} : { content: content.base64 }),
    sha: e.sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: e.type === 'dir' ? null : `https://raw.githubusercontent.com/${repo.fullName}/${e.ref}/${encoded}`,
    _links: { self, git, html },
  };
}

/** A `pull-request-review-comment`. */
export function reviewComment(repo: FakeRepo, c: ReviewCommentRecord, ctx: UrlContext): Obj {
  const pullUrl = `${ctx.api}/repos/${repo.fullName}/pulls/${c.pullNumber}`;
  const url = `${ctx.api}/repos/${repo.fullName}/pulls/comments/${c.id}`;
  const html = `${ctx.web}/${repo.fullName}/pull/${c.pullNumber}#discussion_r${c.id}`;
  return {
    url,
    pull_request_review_id: c.id + 1,
    id: c.id,
    node_id: nodeId('PRRC', c.id),
    diff_hunk: c.diffHunk,
    path: c.path,
    commit_id: c.commitId,
    original_commit_id: c.commitId,
    user: simpleUser(c.user, ctx),
    body: c.body,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    html_url: html,
    pull_request_url: pullUrl,
    author_association: c.user.login === repo.owner ? 'OWNER' : 'NONE',
    _links: { self: { href: url }, html: { href: html }, pull_request: { href: pullUrl } },
    start_line: c.startLine ?? null,
    original_start_line: c.startLine ?? null,
    start_side: c.startLine === undefined ? null : c.side,
    line: c.line,
    original_line: c.line,
    side: c.side,
    subject_type: 'line',
  };
}

export function review(repo: FakeRepo, p: PullRecord, r: ReviewRecord, ctx: UrlContext): Obj {
  const html = `${ctx.web}/${repo.fullName}/pull/${p.number}`;
  return {
    id: r.id,
    node_id: nodeId('PRR', r.id),
    user: simpleUser(r.user, ctx),
    body: r.body,
    state: r.state,
    html_url: `${html}#pullrequestreview-${r.id}`,
    pull_request_url: `${ctx.api}/repos/${repo.fullName}/pulls/${p.number}`,
    _links: { html: { href: `${html}#pullrequestreview-${r.id}` }, pull_request: { href: `${ctx.api}/repos/${repo.fullName}/pulls/${p.number}` } },
    submitted_at: r.submittedAt,
    commit_id: r.commitId,
    author_association: r.authorAssociation,
  };
}

export function deployment(repo: FakeRepo, d: DeploymentRecord, ctx: UrlContext): Obj {
  const url = `${ctx.api}/repos/${repo.fullName}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: nodeId('DE', d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.originalEnvironment,
    environment: d.environment,
    description: d.description,
    creator: simpleUser(d.creator, ctx),
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    statuses_url: `${url}/statuses`,
    repository_url: `${ctx.api}/repos/${repo.fullName}`,
    transient_environment: d.transientEnvironment,
    production_environment: d.productionEnvironment,
  };
}

export function deploymentStatus(repo: FakeRepo, s: DeploymentStatusRecord, ctx: UrlContext): Obj {
  const deploymentUrl = `${ctx.api}/repos/${repo.fullName}/deployments/${s.deploymentId}`;
  return {
    url: `${deploymentUrl}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId('DES', s.id),
    state: s.state,
    creator: simpleUser(s.creator, ctx),
    description: s.description,
    environment: s.environment,
    target_url: s.targetUrl,
    log_url: s.logUrl,
    environment_url: s.environmentUrl,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    deployment_url: deploymentUrl,
    repository_url: `${ctx.api}/repos/${repo.fullName}`,
  };
}

export function gitRef(repo: FakeRepo, ref: string, sha: string, ctx: UrlContext): Obj {
  return {
    ref,
    node_id: nodeId('REF', `${repo.id}:${ref}`),
    url: `${ctx.api}/repos/${repo.fullName}/git/${ref}`,
    object: { type: 'commit', sha, url: `${ctx.api}/repos/${repo.fullName}/git/commits/${sha}` },
  };
}

export function gitCommit(repo: FakeRepo, sha: string, c: Extract<GitObject, { type: 'commit' }>, ctx: UrlContext): Obj {
  const api = `${ctx.api}/repos/${repo.fullName}`;
  return {
    sha,
    node_id: nodeId('C', sha),
    url: `${api}/git/commits/${sha}`,
    html_url: `${ctx.web}/${repo.fullName}/commit/${sha}`,
    author: c.author,
    committer: c.committer,
    message: c.message,
    tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
    parents: c.parents.map((p) => ({ sha: p, url: `${api}/git/commits/${p}`, html_url: `${ctx.web}/${repo.fullName}/commit/${p}` })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

/** One entry of GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals (`environment-approvals`). */
export function runApproval(repo: FakeRepo, a: RunApprovalRecord, ctx: UrlContext): Obj {
  return {
    environments: a.environments.map((name) => {
      const env = repo.environments.get(name) ?? { id: 0, createdAt: a.createdAt };
      return {
        id: env.id,
        node_id: nodeId('EN', env.id),
        name,
        url: `${ctx.api}/repos/${repo.fullName}/environments/${encodeURIComponent(name)}`,
        html_url: `${ctx.web}/${repo.fullName}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
        created_at: env.createdAt,
        updated_at: env.createdAt,
      };
    }),
    state: a.state,
    user: simpleUser(a.user, ctx),
    comment: a.comment,
  };
}
