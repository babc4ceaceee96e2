/**
 * Change evidence: what a pull request changes (files, categories such as migrations or infra),
 * who reviewed it (human, bot, code owner; on the gated head commit or not), who owns the changed
 * paths (CODEOWNERS), and how much of it an AI tool wrote.
 *
 * Input is plain data: `RawChangeData` (read from the GitHub API by github/change-data.ts, or
 * built by a test), or the files of a unified diff when there is no API (`changeFromDiff`).
 *
 * Review semantics follow GitHub: per reviewer the latest APPROVED / CHANGES_REQUESTED / DISMISSED
 * review decides, a later COMMENTED review does not undo an approval, PENDING reviews are not
 * submitted. A reviewer is a bot when GitHub says `type: Bot` or the login ends in `[bot]`.
 * Code-owner approvals count user owners only: team membership needs organization read access,
 * which a workflow token does not have (a warning says so when a changed path has team owners).
 *
 * AI attribution: a commit is AI-attributed when its author (or committer) login is a known coding
 * agent, its author email matches an AI co-author pattern, or a `Co-authored-by:` trailer does.
 * The share is by changed lines (additions + deletions of AI commits / all) when every commit has
 * line counts, else by commit count (with a warning).
 */
import picomatch from 'picomatch';
import { ConfigError } from '../errors.js';
import { type CodeownersRules, ownerKind, ownersOf, parseCodeowners } from './codeowners.js';
import type { ChangedFile, ChangeEvidence, DiffFile, Parsed, Review } from './model.js';
import { DEFAULT_LIMITS, ownParser, Warnings } from './source.js';

// ---------------------------------------------------------------------------------------------
// Input

/** A GitHub account as the API shows it: `type` is `User`, `Bot` or `Organization`. */
export interface RawActor {
  login: string;
  type?: string;
}

export interface RawPullRequest {
  number: number;
  title: string;
  draft: boolean;
  baseRef: string;
  headRef: string;
  url?: string;
  author: RawActor & { association: string };
  labels: string[];
  /** GitHub's own totals (exact even when the file list was cut at 3,000 files). */
  changedFiles?: number;
  additions?: number;
  deletions?: number;
}

export interface RawChangedFile {
  path: string;
  previousPath?: string;
  status: string;
  additions: number;
  deletions: number;
  /** The file's hunks as the API gives them (absent for binary or very large files). */
  patch?: string;
}

export interface RawReview {
  /** null for a deleted account ("ghost"). */
  reviewer: RawActor | null;
  state: string;
  commitId?: string;
  submittedAt?: string;
}

/** A commit author or committer: git's name and email, plus the GitHub account when GitHub linked one. */
export interface RawGitPerson {
  name?: string;
  email?: string;
  login?: string;
  type?: string;
}

export interface RawCommit {
  sha: string;
  message: string;
  author: RawGitPerson;
  committer: RawGitPerson;
  /** Line counts of this commit, when they were read. */
  additions?: number;
  deletions?: number;
}

export interface RawChangeData {
  /** The commit the gate decides about (the pull request head). */
  headSha: string;
  pullRequest: RawPullRequest;
  files: RawChangedFile[];
  reviews: RawReview[];
  commits: RawCommit[];
  /** The CODEOWNERS file of the base branch, or null when there is none. */
  codeowners: { path: string; text: string } | null;
  /** What the reader noticed and could read past (lists cut by GitHub, line counts not read). */
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// Options

export interface ChangeOptions {
  /** Category name → path globs (picomatch, `dot: true`). Default: DEFAULT_CATEGORIES. */
  categories?: Readonly<Record<string, readonly string[]>>;
  /** Logins of coding agents (PR authors, commit authors), matched case-insensitively. */
  aiAgents?: readonly string[];
  /**
   * Who in a `Co-authored-by:` trailer (or a commit's author) means an AI tool. A pattern with `@`
   * is an email: matched exactly, or as the end of the email when it starts with `+` or `@`
   * (`+Copilot@users.noreply.github.com` matches every Copilot noreply address). Any other pattern
   * is a name, matched exactly. Case-insensitive.
   */
  aiCoAuthorPatterns?: readonly string[];
  maxWarnings?: number;
}

export const DEFAULT_CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  migration: ['**/migrations/**', '**/*.sql', '**/db/migrate/**', '**/alembic/versions/**', '**/prisma/migrations/**'],
  infra: ['**/*.tf', '**/terraform/**', '**/k8s/**', '**/helm/**', '**/Dockerfile', '.github/workflows/**'],
  config: ['**/*.{yml,yaml,toml,ini,env}', '**/config/**'],
};

/**
 * Coding agents that open pull requests or author commits under their own account. Codex (cloud)
 * opens pull requests as the user who started it, so it shows only in trailers or its connector.
 */
export const DEFAULT_AI_AGENTS: readonly string[] = [
  'Copilot', // GitHub Copilot coding agent as a pull request author
  'copilot-swe-agent[bot]', // ... and as a commit author
  'devin-ai-integration[bot]',
  'claude[bot]',
  'chatgpt-codex-connector[bot]',
  'cursor[bot]',
  'google-labs-jules[bot]',
  'amazon-q-developer[bot]',
];

export const DEFAULT_AI_CO_AUTHOR_PATTERNS: readonly string[] = [
  'noreply@anthropic.com', // Claude Code: "Co-Authored-By: Claude <noreply@anthropic.com>"
  '+Copilot@users.noreply.github.com', // GitHub Copilot (agent and chat)
  '+copilot-swe-agent[bot]@users.noreply.github.com',
  'cursoragent@cursor.com', // Cursor: "Co-authored-by: Cursor Agent <cursoragent@cursor.com>"
  'noreply@aider.chat', // aider
  'aider@aider.chat',
  '+devin-ai-integration[bot]@users.noreply.github.com', // Devin
  '+claude[bot]@users.noreply.github.com',
  '+cursor[bot]@users.noreply.github.com',
  '+chatgpt-codex-connector[bot]@users.noreply.github.com', // OpenAI Codex
  'noreply@openai.com',
  'codex@openai.com',
  '+google-labs-jules[bot]@users.noreply.github.com', // Google Jules
  '+amazon-q-developer[bot]@users.noreply.github.com',
];

// ---------------------------------------------------------------------------------------------

const REVIEW_STATES = ['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED', 'PENDING'] as const;
type ReviewState = Review['state'];

/** Change evidence from GitHub API data (warnings dropped: see analyzeChange). */
export function buildChangeEvidence(raw: RawChangeData, options: ChangeOptions = {}): ChangeEvidence {
  return analyzeChange(raw, options).value;
}

/** Change evidence from a diff alone (warnings dropped: see analyzeDiffChange). */
export function changeFromDiff(
  diffFiles: readonly DiffFile[],
  codeowners: { text: string; path: string } | null,
  options: ChangeOptions = {},
): ChangeEvidence {
  return analyzeDiffChange(diffFiles, codeowners, options).value;
}

/** Change evidence from GitHub API data, with what was noticed on the way (for the source record). */
export function analyzeChange(raw: RawChangeData, options: ChangeOptions = {}): Parsed<ChangeEvidence> {
  const warnings = new Warnings(options.maxWarnings ?? DEFAULT_LIMITS.maxWarnings);
  for (const note of raw.notes) warnings.add(note);
  const files = describeFiles(raw.files, raw.codeowners, options, warnings);
  const pr = raw.pullRequest;

  const userOwners = new Set<string>();
  for (const f of files.list) for (const o of f.owners) if (ownerKind(o) === 'user') userOwners.add(o.slice(1).toLowerCase());
  const reviews = effectiveReviews(raw.reviews, raw.headSha, userOwners, warnings);
  const approved = reviews.filter((r) => r.state === 'APPROVED');

  return {
    value: {
      source: 'github',
      pullRequest: {
        number: pr.number,
        title: pr.title,
        draft: pr.draft,
        baseRef: pr.baseRef,
        headRef: pr.headRef,
        ...(pr.url === undefined ? {} : { url: pr.url }),
      },
      author: { login: pr.author.login, type: actorType(pr.author), association: pr.author.association },
      labels: [...new Set(pr.labels)],
      files: files.list,
      totals: {
        files: pr.changedFiles ?? files.list.length,
        additions: pr.additions ?? sum(files.list, (f) => f.additions),
        deletions: pr.deletions ?? sum(files.list, (f) => f.deletions),
      },
      categories: files.categories,
      reviews,
      approvals: {
        human: approved.filter((r) => !r.isBot).length,
        bot: approved.filter((r) => r.isBot).length,
        codeOwner: approved.filter((r) => !r.isBot && r.isCodeOwner).length,
        changesRequested: reviews.filter((r) => r.state === 'CHANGES_REQUESTED').length,
      },
      codeowners: files.codeowners,
      ai: aiAuthorship(pr.author.login, raw.commits, options, warnings),
    },
    format: 'github-rest',
    parser: ownParser('change'),
    warnings: warnings.done(),
  };
}

/** Change evidence from a diff alone: files, categories and owners; no reviews, labels or author. */
export function analyzeDiffChange(
  diffFiles: readonly DiffFile[],
  codeowners: { text: string; path: string } | null,
  options: ChangeOptions = {},
): Parsed<ChangeEvidence> {
  const warnings = new Warnings(options.maxWarnings ?? DEFAULT_LIMITS.maxWarnings);
  const raw: RawChangedFile[] = diffFiles.map((f) => ({
    path: f.path,
    ...(f.previousPath === undefined ? {} : { previousPath: f.previousPath }),
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
  }));
  const files = describeFiles(raw, codeowners, options, warnings);
  warnings.add('read from a diff only: reviews, labels, the author and AI authorship are unknown (ai.share is 0 for lack of commits, not a finding)');
  const identifiers = changeIdentifiers(diffFiles);
  return {
    value: {
      source: 'diff',
      labels: [],
      files: files.list,
      totals: { files: files.list.length, additions: sum(files.list, (f) => f.additions), deletions: sum(files.list, (f) => f.deletions) },
      categories: files.categories,
      reviews: [],
      approvals: { human: 0, bot: 0, codeOwner: 0, changesRequested: 0 },
      codeowners: files.codeowners,
      ai: { agentAuthor: null, coAuthors: [], aiCommits: 0, commits: 0, share: 0 },
      ...(identifiers.length === 0 ? {} : { identifiers }),
    },
    format: 'unified-diff',
    parser: ownParser('change'),
    warnings: warnings.done(),
  };
}

/** At most this many identifiers in ChangeEvidence (the schema's maxItems). */
export const MAX_CHANGE_IDENTIFIERS = 200;
const MAX_IDENTIFIER_LENGTH = 128;

/**
 * The change's identifiers from its diff files' (each file's are most frequent first): those
 * that the most files use come first, then by their best rank in a file, then in code-unit order;
 * at most 200. Files are counted rather than occurrences so one large or generated file cannot
 * fill the list on its own. Set `ChangeEvidence.identifiers` from this for API reads too (with
 * the diff built from the pull request's patches).
 */
export function changeIdentifiers(diffFiles: readonly DiffFile[]): string[] {
  const stats = new Map<string, { files: number; bestRank: number }>();
  for (const f of diffFiles) {
    const seen = new Set<string>();
    for (const [rank, name] of (f.identifiers ?? []).entries()) {
      // Names diff.ts would not produce still must fit the schema (maxLength 128).
      if (seen.has(name) || name === '' || name.length > MAX_IDENTIFIER_LENGTH) continue;
      seen.add(name);
      const s = stats.get(name);
      if (s === undefined) stats.set(name, { files: 1, bestRank: rank });
      else {
        s.files++;
        s.bestRank = Math.min(s.bestRank, rank);
      }
    }
  }
  return [...stats]
    .sort(([a, x], [b, y]) => y.files - x.files || x.bestRank - y.bestRank || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_CHANGE_IDENTIFIERS)
    .map(([name]) => name);
}

// ---------------------------------------------------------------------------------------------
// Files, categories, owners

function describeFiles(
  raw: readonly RawChangedFile[],
  codeownersFile: { text: string; path: string } | null,
  options: ChangeOptions,
  warnings: Warnings,
): { list: ChangedFile[]; categories: Record<string, number>; codeowners: ChangeEvidence['codeowners'] } {
  if (raw.length > MAX_FILES) {
    throw new ConfigError('FILE_INVALID', `the change touches ${String(raw.length)} files, more than the ${String(MAX_FILES)} evidence can record`, {
      expected: `a change of at most ${String(MAX_FILES)} files`,
      hint: 'Gate such a change on a narrower diff (e.g. per package), or without change evidence.',
    });
  }
  const matchers = compileCategories(options.categories ?? DEFAULT_CATEGORIES);
  let rules: CodeownersRules | undefined;
  if (codeownersFile !== null) {
    rules = parseCodeowners(codeownersFile.text, codeownersFile.path, options.maxWarnings);
    for (const w of rules.warnings) warnings.add(w);
  }
  const categories: Record<string, number> = Object.fromEntries(matchers.map((m) => [m.name, 0]));
  const owners = new Set<string>();
  const unowned: string[] = [];
  const teamOwned: string[] = [];
  const emailOwned: string[] = [];
  const list: ChangedFile[] = raw.map((f) => {
    const fileOwners = rules === undefined ? [] : ownersOf(rules, f.path);
    if (fileOwners.length === 0) unowned.push(f.path);
    for (const o of fileOwners) owners.add(o);
    if (fileOwners.some((o) => ownerKind(o) === 'team')) teamOwned.push(f.path);
    if (fileOwners.some((o) => ownerKind(o) === 'email')) emailOwned.push(f.path);
    const cats = matchers.filter((m) => m.match(f.path) || (f.previousPath !== undefined && m.match(f.previousPath))).map((m) => m.name);
    for (const c of cats) categories[c] = (categories[c] ?? 0) + 1;
    return {
      path: f.path,
      ...(f.previousPath === undefined ? {} : { previousPath: f.previousPath }),
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      owners: fileOwners,
      categories: cats,
    };
  });
  if (teamOwned.length > 0) {
    warnings.add(
      `${String(teamOwned.length)} changed file${teamOwned.length === 1 ? ' is' : 's are'} owned by teams (e.g. ${teamOwned[0] ?? ''}): ` +
        'team membership needs organization read access, so approvals by team members are not counted as code-owner approvals',
    );
  }
  if (emailOwned.length > 0) {
    warnings.add(
      `${String(emailOwned.length)} changed file${emailOwned.length === 1 ? ' is' : 's are'} owned by email addresses (e.g. ${emailOwned[0] ?? ''}): ` +
        'genops cannot map an email to a login, so approvals by those owners are not counted as code-owner approvals',
    );
  }
  return {
    list,
    categories,
    codeowners: {
      file: codeownersFile?.path ?? null,
      ownedFiles: list.length - unowned.length,
      unownedFiles: unowned,
      owners: [...owners].sort(),
    },
  };
}

// What the evidence schema allows (more could not be signed).
const MAX_CATEGORIES = 32;
const MAX_CATEGORY_NAME = 64;
const MAX_FILES = 100_000;
const MAX_CO_AUTHORS = 100;
const MAX_CO_AUTHOR_NAME = 256;

function compileCategories(categories: Readonly<Record<string, readonly string[]>>): { name: string; match: (path: string) => boolean }[] {
  const entries = Object.entries(categories);
  const badName = entries.find(([name]) => name === '' || name.length > MAX_CATEGORY_NAME);
  if (entries.length > MAX_CATEGORIES || badName !== undefined) {
    throw new ConfigError(
      'INPUT_INVALID',
      badName === undefined
        ? `${String(entries.length)} change categories, more than ${String(MAX_CATEGORIES)}`
        : `change category name ${JSON.stringify(badName[0].slice(0, 80))} is empty or longer than ${String(MAX_CATEGORY_NAME)} characters`,
      { expected: `at most ${String(MAX_CATEGORIES)} categories with names of 1 to ${String(MAX_CATEGORY_NAME)} characters` },
    );
  }
  return entries.map(([name, globs]) => {
    try {
      const match = picomatch([...globs], { dot: true });
      return { name, match: (path: string) => match(path) };
    } catch (e) {
      throw new ConfigError('INPUT_INVALID', `The path globs of change category ${JSON.stringify(name)} are invalid: ${e instanceof Error ? e.message : String(e)}`, {
        expected: 'picomatch globs such as **/migrations/** or **/*.sql',
        actual: globs.join(', '),
        cause: e,
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Reviews

function isBotActor(actor: RawActor): boolean {
  return actor.type === 'Bot' || actor.login.toLowerCase().endsWith('[bot]');
}

function actorType(actor: RawActor): 'User' | 'Bot' | 'Organization' {
  if (isBotActor(actor)) return 'Bot';
  return actor.type === 'Organization' ? 'Organization' : 'User';
}

function effectiveReviews(raw: readonly RawReview[], headSha: string, userOwners: ReadonlySet<string>, warnings: Warnings): Review[] {
  const byReviewer = new Map<string, { actor: RawActor; review: RawReview; state: ReviewState }>();
  let ghosts = 0;
  for (const review of raw) {
    const state = REVIEW_STATES.find((s) => s === review.state);
    if (state === undefined) {
      warnings.add(`a review has an unknown state ${JSON.stringify(review.state)}: ignored`);
      continue;
    }
    if (state === 'PENDING') continue; // not submitted; only its author sees it
    if (review.reviewer === null) {
      ghosts++;
      continue;
    }
    const key = review.reviewer.login.toLowerCase();
    const current = byReviewer.get(key);
    // A comment after an approval (or a request for changes) leaves that state in force.
    if (state === 'COMMENTED' && current !== undefined && current.state !== 'COMMENTED') continue;
    byReviewer.set(key, { actor: review.reviewer, review, state });
  }
  if (ghosts > 0) warnings.add(`${String(ghosts)} review${ghosts === 1 ? ' is' : 's are'} by a deleted account: not counted`);
  return [...byReviewer.values()].map(({ actor, review, state }) => ({
    reviewer: actor.login,
    state,
    isBot: isBotActor(actor),
    isCodeOwner: userOwners.has(actor.login.toLowerCase()),
    ...(review.submittedAt === undefined ? {} : { submittedAt: review.submittedAt }),
    onHead: review.commitId !== undefined && review.commitId.toLowerCase() === headSha.toLowerCase(),
  }));
}

// ---------------------------------------------------------------------------------------------
// AI authorship

/** `Co-authored-by: Name <email>` trailers of a commit message (key case-insensitive). */
export function coAuthorTrailers(message: string): { name: string; email: string }[] {
  const out: { name: string; email: string }[] = [];
  const key = 'co-authored-by:';
  for (const line of message.split('\n')) {
    const t = line.trim();
    if (t.length <= key.length || t.slice(0, key.length).toLowerCase() !== key) continue;
    const rest = t.slice(key.length).trim();
    const open = rest.lastIndexOf('<');
    const close = rest.lastIndexOf('>');
    if (open < 0 || close < open) continue;
    out.push({ name: rest.slice(0, open).trim(), email: rest.slice(open + 1, close).trim() });
  }
  return out;
}

function compilePatterns(patterns: readonly string[]): (name: string | undefined, email: string | undefined) => boolean {
  const names = new Set<string>();
  const emails = new Set<string>();
  const suffixes: string[] = [];
  for (const p of patterns) {
    const lower = p.trim().toLowerCase();
    if (lower === '') continue;
    if (!lower.includes('@')) names.add(lower);
    else if (lower.startsWith('+') || lower.startsWith('@')) suffixes.push(lower);
    else emails.add(lower);
  }
  return (name, email) => {
    if (name !== undefined && names.has(name.trim().toLowerCase())) return true;
    if (email === undefined) return false;
    const e = email.trim().toLowerCase();
    return emails.has(e) || suffixes.some((s) => e.endsWith(s));
  };
}

function aiAuthorship(
  prAuthor: string,
  commits: readonly RawCommit[],
  options: ChangeOptions,
  warnings: Warnings,
): ChangeEvidence['ai'] {
  const agents = new Set((options.aiAgents ?? DEFAULT_AI_AGENTS).map((a) => a.toLowerCase()));
  const isAiPerson = compilePatterns(options.aiCoAuthorPatterns ?? DEFAULT_AI_CO_AUTHOR_PATTERNS);
  const isAgent = (login: string | undefined): boolean => login !== undefined && agents.has(login.toLowerCase());
  const tools = new Set<string>();
  let aiCommits = 0;
  let aiLines = 0;
  let allLines = 0;
  let withLines = 0;
  for (const c of commits) {
    const named: string[] = [];
    if (isAgent(c.author.login)) named.push(c.author.login ?? '');
    else if (isAiPerson(c.author.name, c.author.email)) named.push(c.author.name ?? c.author.email ?? '');
    if (isAgent(c.committer.login)) named.push(c.committer.login ?? '');
    for (const t of coAuthorTrailers(c.message)) if (isAiPerson(t.name, t.email)) named.push(t.name === '' ? t.email : t.name);
    const lines = c.additions !== undefined && c.deletions !== undefined ? c.additions + c.deletions : undefined;
    if (lines !== undefined) {
      withLines++;
      allLines += lines;
    }
    if (named.length === 0) continue;
    aiCommits++;
    if (lines !== undefined) aiLines += lines;
    for (const n of named) if (n !== '') tools.add(n.length > MAX_CO_AUTHOR_NAME ? `${n.slice(0, MAX_CO_AUTHOR_NAME - 1)}…` : n);
  }
  const coAuthors = [...tools].sort();
  if (coAuthors.length > MAX_CO_AUTHORS) {
    warnings.add(`${String(coAuthors.length)} different AI co-authors; the first ${String(MAX_CO_AUTHORS)} (sorted) are recorded`);
    coAuthors.length = MAX_CO_AUTHORS;
  }
  let share = 0;
  if (commits.length > 0 && withLines === commits.length) {
    // Only empty commits: no lines to weigh, so count commits.
    share = allLines === 0 ? aiCommits / commits.length : aiLines / allLines;
  } else if (commits.length > 0) {
    share = aiCommits / commits.length;
    warnings.add(
      `line counts are known for ${String(withLines)} of ${String(commits.length)} commits: ai.share is the share of AI-attributed commits, not of changed lines`,
    );
  }
  return {
    agentAuthor: isAgent(prAuthor) ? prAuthor : null,
    coAuthors,
    aiCommits,
    commits: commits.length,
    share,
  };
}

function sum<T>(items: readonly T[], f: (t: T) => number): number {
  let n = 0;
  for (const i of items) n += f(i);
  return n;
}
