/**
 * CODEOWNERS as GitHub reads it: which owners a path has.
 *
 * Semantics (docs.github.com, "About code owners"):
 * - Each line is a pattern followed by owners: `@user`, `@org/team` or an email address. A
 *   pattern with no owners unassigns: paths it matches have no owner (unless a later line matches).
 * - The last matching line wins; earlier matches do not add owners.
 * - Patterns follow gitignore, with GitHub's exceptions: no `!` negation, no `[ ]` character
 *   ranges, and `\#` does not escape a leading `#`. Lines using them are invalid; GitHub skips
 *   invalid lines (and flags them in the file view), so they become warnings here.
 * - One more difference from gitignore, documented by GitHub: `docs/*` owns `docs/a.md` but not
 *   `docs/build/b.md` (a final `*` segment does not reach into subdirectories).
 * - `#` at the start of a line, or at the start of a word after the pattern, begins a comment.
 * - Paths are case sensitive. Files over 3 MB are not loaded by GitHub at all.
 *
 * Matching is done here without regular expressions: a pattern is split into path segments, `**`
 * matches any number of whole segments, `*` and `?` match within a segment. Neither `ignore` (full
 * gitignore: `docs/*` would own `docs/build/b.md`, because it ignores the directory) nor picomatch
 * (glob semantics: `*.js` only at the root, `apps/` matches nothing) gives GitHub's answers as is.
 */

/** Where GitHub looks for CODEOWNERS, in the order it looks; the first found is used. */
export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;
import { Warnings } from './source.js';

/** GitHub does not load a CODEOWNERS file of 3 MB or more. */
export const CODEOWNERS_MAX_BYTES = 3 * 1024 * 1024;

/** Longer owners cannot be GitHub logins, team slugs or email addresses (254 characters at most). */
const MAX_OWNER_LENGTH = 256;
/** What the evidence schema keeps per file. */
const MAX_OWNERS_PER_RULE = 100;

export type OwnerKind = 'user' | 'team' | 'email';

export interface CodeownersRule {
  /** The pattern as written. */
  readonly pattern: string;
  /** Owners as written (`@octocat`, `@octo-org/team`, `docs@example.com`); empty: the rule unassigns. */
  readonly owners: readonly string[];
  /** 1-based line in the file. */
  readonly line: number;
  readonly matcher: PathMatcher;
}

export interface CodeownersRules {
  /** Where the file was read from, e.g. `.github/CODEOWNERS`. */
  readonly path: string;
  readonly rules: readonly CodeownersRule[];
  /** Lines GitHub would skip, with their line numbers; capped. */
  readonly warnings: readonly string[];
}

/** A compiled pattern: segment tokens (including what a directory match owns below it). */
export interface PathMatcher {
  readonly segments: readonly Segment[];
  /** Trailing `/` (or `/**`): only paths inside a matching directory, not a file of that name. */
  readonly directoryOnly: boolean;
  /** A final `*` segment: direct children only (GitHub's documented `docs/*` behaviour). */
  readonly noDescendants: boolean;
}

/** `**` (any number of segments), or one segment's tokens. */
type Segment = 'globstar' | readonly Token[];
/** `*`: any run of characters; `?`: one character; else a literal character. */
type Token = { readonly star: true } | { readonly any: true } | string;

// GitHub logins: letters, digits and single hyphens; team slugs may also hold `_` and `.`.
const USER_OWNER = /^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const TEAM_OWNER = /^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\/[A-Za-z0-9_.-]+$/;
const EMAIL_OWNER = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `@user`, `@org/team`, an email address, or undefined when it is none of those. */
export function ownerKind(owner: string): OwnerKind | undefined {
  if (USER_OWNER.test(owner)) return 'user';
  if (TEAM_OWNER.test(owner)) return 'team';
  if (EMAIL_OWNER.test(owner)) return 'email';
  return undefined;
}

/** Parse a CODEOWNERS file. Never throws: lines GitHub would skip become warnings. */
export function parseCodeowners(text: string, path: string, maxWarnings?: number): CodeownersRules {
  const warnings = new Warnings(maxWarnings);
  if (new TextEncoder().encode(text).length >= CODEOWNERS_MAX_BYTES) {
    warnings.add(`${path} is 3 MB or larger: GitHub does not load it, so no path has a code owner`);
    return { path, rules: [], warnings: warnings.done() };
  }
  const rules: CodeownersRule[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const where = `${path} line ${String(line)}`;
    if (trimmed.startsWith('\\#')) {
      warnings.add(`${where}: GitHub does not support escaping a leading # with \\; the line is skipped`);
      continue;
    }
    const words = splitWords(trimmed);
    const commentAt = words.findIndex((w, i) => i > 0 && w.startsWith('#'));
    const [pattern, ...owners] = commentAt < 0 ? words : words.slice(0, commentAt);
    if (pattern === undefined) continue;
    const problem = patternProblem(pattern);
    if (problem !== undefined) {
      warnings.add(`${where}: ${problem}; the line is skipped`);
      continue;
    }
    const bad = owners.filter((o) => o.length > MAX_OWNER_LENGTH || ownerKind(o) === undefined);
    if (bad.length > 0) {
      warnings.add(
        `${where}: ${bad.map((o) => JSON.stringify(o)).join(', ')} ${bad.length === 1 ? 'is not an owner' : 'are not owners'} ` +
          '(expected @user, @org/team or an email address); the line is skipped',
      );
      continue;
    }
    if (owners.length > MAX_OWNERS_PER_RULE) {
      warnings.add(`${where}: ${String(owners.length)} owners; genops keeps the first ${String(MAX_OWNERS_PER_RULE)}`);
      owners.length = MAX_OWNERS_PER_RULE;
    }
    rules.push({ pattern, owners, line, matcher: compilePattern(pattern) });
  }
  return { path, rules, warnings: warnings.done() };
}

/** The rule that decides a path's owners: the last one matching it. */
export function matchingRule(rules: CodeownersRules, filePath: string): CodeownersRule | undefined {
  const segments = filePath.split('/').filter((s) => s !== '');
  if (segments.length === 0) return undefined;
  for (let i = rules.rules.length - 1; i >= 0; i--) {
    const rule = rules.rules[i];
    if (rule !== undefined && matchesPath(rule.matcher, segments)) return rule;
  }
  return undefined;
}

/** Owners of a repository path (`src/app.ts`, no leading slash needed), as written; empty when unowned. */
export function ownersOf(rules: CodeownersRules, filePath: string): string[] {
  return [...(matchingRule(rules, filePath)?.owners ?? [])];
}

// ---------------------------------------------------------------------------------------------

/** Words separated by unescaped spaces or tabs; a backslash keeps the next character (`My\ Docs/`). */
function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === '\\' && i + 1 < line.length) {
      current += ch + (line[i + 1] as string);
      i++;
    } else if (ch === ' ' || ch === '\t') {
      if (current !== '') words.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current !== '') words.push(current);
  return words;
}

function patternProblem(pattern: string): string | undefined {
  if (pattern.startsWith('!')) return 'negation with ! is not supported in CODEOWNERS';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') i++;
    else if (ch === '[' || ch === ']') return 'character ranges with [ ] are not supported in CODEOWNERS';
  }
  if (pattern.split('/').every((s) => s === '')) return `${JSON.stringify(pattern)} matches no path`;
  return undefined;
}

/** gitignore anchoring: a slash at the start or in the middle anchors to the root; else any depth. */
export function compilePattern(pattern: string): PathMatcher {
  let body = pattern;
  let directoryOnly = false;
  while (body.endsWith('/') && !body.endsWith('\\/')) {
    directoryOnly = true;
    body = body.slice(0, -1);
  }
  const anchored = body.includes('/');
  const parts = body.split('/').filter((s) => s !== '');
  // `dir/**` owns everything inside dir, like `dir/` (but stays anchored).
  if (parts.length > 1 && parts[parts.length - 1] === '**') {
    parts.pop();
    directoryOnly = true;
  }
  if (!anchored) parts.unshift('**');
  const segments: Segment[] = [];
  for (const part of parts) {
    if (part === '**') {
      if (segments[segments.length - 1] !== 'globstar') segments.push('globstar');
    } else {
      segments.push(segmentTokens(part));
    }
  }
  const last = parts[parts.length - 1];
  const noDescendants = !directoryOnly && last === '*';
  // What a match on a directory owns, as more segments: `dir/` is `dir/<one>/**`, `name` is
  // `name/**` (the file, or anything inside the folder), `docs/*` owns nothing below.
  if (directoryOnly) {
    const anyName: Segment = [{ star: true }];
    // `**/`: the directory itself must be at least one segment.
    if (!segments.some((x) => x !== 'globstar')) segments.unshift(anyName);
    segments.push(anyName);
  }
  if (!noDescendants && segments[segments.length - 1] !== 'globstar') segments.push('globstar');
  return { segments, directoryOnly, noDescendants };
}

function segmentTokens(part: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < part.length; i++) {
    const ch = part[i] as string;
    if (ch === '\\' && i + 1 < part.length) {
      tokens.push(part[++i] as string);
    } else if (ch === '*') {
      const prev = tokens[tokens.length - 1];
      if (!(typeof prev === 'object' && 'star' in prev)) tokens.push({ star: true });
    } else if (ch === '?') {
      tokens.push({ any: true });
    } else {
      tokens.push(ch);
    }
  }
  return tokens;
}

/** Does the pattern own this path (split into segments)? */
export function matchesPath(m: PathMatcher, path: readonly string[]): boolean {
  return matchSegments(m.segments, path);
}

/**
 * Pattern segments against path segments. Greedy, backtracking to the last globstar: correct
 * because every other segment consumes exactly one path segment. O(pattern × path) at worst, no
 * allocation (it runs for every changed file against every rule).
 */
function matchSegments(pattern: readonly Segment[], path: readonly string[]): boolean {
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  while (s < path.length) {
    const seg = pattern[p];
    if (seg === 'globstar') {
      starP = p++;
      starS = s;
      continue;
    }
    if (seg !== undefined && matchSegment(seg, path[s] as string)) {
      p++;
      s++;
      continue;
    }
    if (starP < 0) return false;
    p = starP + 1;
    s = ++starS;
  }
  while (pattern[p] === 'globstar') p++;
  return p === pattern.length;
}

/**
 * One segment's tokens against one path segment. Greedy, backtracking to the last `*`: correct
 * because every other token consumes exactly one character. O(name × tokens) at worst.
 */
function matchSegment(tokens: readonly Token[], name: string): boolean {
  let t = 0;
  let c = 0;
  let starT = -1;
  let starC = 0;
  while (c < name.length) {
    const tok = tokens[t];
    if (tok !== undefined && typeof tok === 'object' && 'star' in tok) {
      starT = t++;
      starC = c;
      continue;
    }
    if (tok !== undefined && (typeof tok === 'object' || tok === name[c])) {
      t++;
      c++;
      continue;
    }
    if (starT < 0) return false;
    t = starT + 1;
    c = ++starC;
  }
  for (; t < tokens.length; t++) {
    const tok = tokens[t];
    if (!(typeof tok === 'object' && 'star' in tok)) return false;
  }
  return true;
}
