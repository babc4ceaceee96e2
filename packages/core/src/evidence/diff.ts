/**
 * Unified diffs (`git diff base...head`, GitHub's `application/vnd.github.diff`, `diff -u`): for
 * each file, its status, paths and the new-side lines it adds, for changed-line coverage.
 *
 * File sections and their headers are read here; parse-diff walks each hunk body. parse-diff is
 * given one hunk at a time, never whole files, because (checked against parse-diff 0.12):
 * - it does not report renames (`rename from`/`rename to`) or binary files (`Binary files ...
 *   differ`, `GIT binary patch`): a binary file or a pure rename comes out as a file with no chunks;
 * - it strips the quotes of git's C-quoted paths (`"a/t\303\251st.txt"`) but keeps the escapes;
 * - it records `\ No newline at end of file` as a copy of the change before it (same line
 *   number, so an added last line would be counted twice), and throws a TypeError when that marker
 *   follows a hunk with no changes;
 * - its regexes for `diff` lines and hunk headers backtrack quadratically on long crafted lines;
 * - a hunk whose body is shorter than its header says swallows the next file's header.
 * `/dev/null` old/new names (added/removed files) it does handle, as we do.
 *
 * Identifiers: while reading added lines, each file's identifier-like tokens are counted (see
 * `collectIdentifiers`), so risk scoring can look for past incidents that name the same code.
 */
import parseDiff from 'parse-diff';
import type { DiffFile, Parsed } from './model.js';
import { formatError, ownParser, sourceText, Warnings, type SourceFile, cutText } from './source.js';

const EXPECTED = 'a unified diff (`git diff base...head`, or a pull request diff from the GitHub API)';
const FORMAT = 'unified-diff';

// Bounded digit runs: no backtracking blow-up on crafted lines, and line numbers stay safe integers.
const HUNK_HEADER = /^@@ -(\d{1,9})(?:,(\d{1,9}))? \+(\d{1,9})(?:,(\d{1,9}))? @@/;

/** Parse a diff file (see the module comment for what is read). */
export function parseDiffFile(file: SourceFile): Parsed<DiffFile[]> {
  const text = sourceText(file, EXPECTED);
  const warnings = new Warnings();
  const files = readUnifiedDiff(text, file, warnings);
  return { value: files, format: FORMAT, parser: ownParser('unified-diff'), warnings: warnings.done() };
}

/** Parse diff text that did not come from a file (e.g. read from the API); `source` names it in errors. */
/** Paths are bounded like every string of the evidence (schema maxLength 4096). */
const MAX_DIFF_PATH = 4096;

export function parseUnifiedDiff(text: string, source = 'diff'): DiffFile[] {
  return readUnifiedDiff(text, { path: source }, new Warnings());
}

interface Section {
  /** 1-based line of the section's first line, for messages. */
  line: number;
  git: boolean;
  /** A `diff --cc` (merge) section: not read. */
  combined: boolean;
  header: string[];
  hunks: string[][];
}

function readUnifiedDiff(raw: string, file: Pick<SourceFile, 'path'>, warnings: Warnings): DiffFile[] {
  const text = raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw;
  if (text.trim() === '') return []; // `git diff` with no changes writes nothing
  const lines = text.split('\n');
  const sections: Section[] = [];
  let current: Section | undefined;
  let hunk: string[] | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  let skippingCombined = false;
  let sawFileLines = false;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (oldLeft > 0 || newLeft > 0) {
      const c = line.charCodeAt(0);
      if (c === 0x5c) continue; // `\ No newline at end of file`: not a line of the file
      let counted = true;
      if (c === 0x2b /* + */) newLeft--;
      else if (c === 0x2d /* - */) oldLeft--;
      else if (c === 0x20 || line === '') {
        oldLeft--;
        newLeft--;
      } else counted = false;
      if (counted) {
        hunk?.push(line);
        if (oldLeft <= 0 && newLeft <= 0) {
          oldLeft = 0;
          newLeft = 0;
        }
        continue;
      }
      warnings.add(`line ${String(i + 1)}: a hunk ends before the line counts of its header say (truncated diff?)`);
      oldLeft = 0;
      newLeft = 0;
    }
    if (line.startsWith('diff ')) {
      skippingCombined = line.startsWith('diff --cc ') || line.startsWith('diff --combined ');
      current = { line: i + 1, git: line.startsWith('diff --git '), combined: skippingCombined, header: [line], hunks: [] };
      sections.push(current);
      hunk = undefined;
      sawFileLines = false;
      if (skippingCombined) warnings.add(`line ${String(i + 1)}: combined (merge) diff sections are not read`);
      continue;
    }
    if (skippingCombined) continue;
    if (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ') && (current === undefined || sawFileLines || current.hunks.length > 0)) {
      // A plain `diff -u` patch has no `diff` lines: a new ---/+++ pair starts the next file.
      current = { line: i + 1, git: false, combined: false, header: [], hunks: [] };
      sections.push(current);
      hunk = undefined;
      sawFileLines = false;
    }
    if (line.startsWith('@@@')) {
      warnings.add(`line ${String(i + 1)}: combined (merge) diff hunks are not read`);
      if (current !== undefined) current.combined = true;
      skippingCombined = true;
      continue;
    }
    if (line.startsWith('@@')) {
      const m = HUNK_HEADER.exec(line);
      if (m === null) {
        throw formatError(file, `line ${String(i + 1)}: malformed hunk header`, {
          expected: EXPECTED,
          line: i + 1,
          hint: 'Hunk headers look like `@@ -12,7 +12,9 @@`. Give the diff exactly as git wrote it.',
        });
      }
      if (current === undefined) {
        throw formatError(file, `line ${String(i + 1)}: a hunk comes before any file header`, {
          expected: EXPECTED,
          line: i + 1,
          hint: 'The diff must name its files (`diff --git a/x b/x`, `--- a/x`, `+++ b/x`) before their hunks.',
        });
      }
      oldLeft = m[2] === undefined ? 1 : Number(m[2]);
      newLeft = m[4] === undefined ? 1 : Number(m[4]);
      hunk = [line];
      current.hunks.push(hunk);
      continue;
    }
    if (current !== undefined && current.hunks.length === 0) {
      current.header.push(line);
      if (line.startsWith('+++ ')) sawFileLines = true;
    }
    // Anything else between or after hunks (a `-- ` mail signature, trailing text) is not part of a file.
  }
  if (oldLeft > 0 || newLeft > 0) warnings.add('the last hunk ends before the line counts of its header say (truncated diff?)');

  if (sections.length === 0) {
    throw formatError(file, 'is not a unified diff: no `diff --git`, `---`/`+++` or `@@` lines', {
      expected: EXPECTED,
      hint: 'Write the diff with `git diff --no-color base...head > change.diff`.',
    });
  }
  const out: DiffFile[] = [];
  for (const s of sections) {
    const f = sectionToFile(s, warnings);
    if (f !== undefined) out.push(f);
  }
  return out;
}

const OLD_PREFIXES = new Set(['a/', 'c/', 'i/', 'o/', '1/']);
const NEW_PREFIXES = new Set(['b/', 'w/', 'i/', '2/']);
const DEV_NULL = '/dev/null';

function sectionToFile(s: Section, warnings: Warnings): DiffFile | undefined {
  let minus: string | undefined;
  let plus: string | undefined;
  let renameFrom: string | undefined;
  let renameTo: string | undefined;
  let copyFrom: string | undefined;
  let copyTo: string | undefined;
  let created = false;
  let deleted = false;
  let binary = false;
  if (s.combined) return undefined;
  for (const h of s.header) {
    if (h.startsWith('--- ')) minus = headerPath(h.slice(4));
    else if (h.startsWith('+++ ')) plus = headerPath(h.slice(4));
    else if (h.startsWith('rename from ')) renameFrom = plainPath(h.slice(12));
    else if (h.startsWith('rename to ')) renameTo = plainPath(h.slice(10));
    else if (h.startsWith('copy from ')) copyFrom = plainPath(h.slice(10));
    else if (h.startsWith('copy to ')) copyTo = plainPath(h.slice(8));
    else if (h.startsWith('new file mode')) created = true;
    else if (h.startsWith('deleted file mode')) deleted = true;
    else if (h === 'GIT binary patch' || (h.startsWith('Binary files ') && h.endsWith(' differ'))) binary = true;
  }
  const gitNames = s.git ? gitHeaderNames(s.header[0] ?? '') : undefined;
  const prefixed = s.git ? gitNames === undefined || hasPrefixes(gitNames[0], gitNames[1]) : hasPlainPrefixes(minus, plus);
  const strip = (name: string | undefined, prefixes: ReadonlySet<string>): string | undefined => {
    if (name === undefined || name === DEV_NULL || !prefixed) return name;
    return prefixes.has(name.slice(0, 2)) ? name.slice(2) : name;
  };
  let oldPath = renameFrom ?? copyFrom ?? strip(minus, OLD_PREFIXES) ?? strip(gitNames?.[0], OLD_PREFIXES);
  let newPath = renameTo ?? copyTo ?? strip(plus, NEW_PREFIXES) ?? strip(gitNames?.[1], NEW_PREFIXES);
  if (oldPath === DEV_NULL) {
    created = true;
    oldPath = undefined;
  }
  if (newPath === DEV_NULL) {
    deleted = true;
    newPath = undefined;
  }
  const path = deleted ? oldPath : newPath ?? oldPath;
  if (path === undefined || path === '') {
    warnings.add(`line ${String(s.line)}: a file section whose path cannot be read was skipped`);
    return undefined;
  }

  let additions = 0;
  let deletions = 0;
  const added: number[] = [];
  const identifierCounts = binary || skipsIdentifiers(path) ? undefined : new Map<string, number>();
  for (const h of s.hunks) {
    const counted = hunkChanges(h, identifierCounts);
    additions += counted.additions;
    deletions += counted.deletions;
    for (const n of counted.added) added.push(n);
  }
  added.sort((a, b) => a - b);
  const addedLines = added.filter((n, i) => i === 0 || n !== added[i - 1]);

  const renamed = renameFrom !== undefined && renameTo !== undefined && renameFrom !== renameTo;
  const status: DiffFile['status'] = deleted ? 'removed' : created || copyTo !== undefined ? 'added' : renamed ? 'renamed' : 'modified';
  const out: DiffFile = { path: cutText(path, MAX_DIFF_PATH), status, additions, deletions, addedLines: status === 'removed' ? [] : addedLines };
  if (status === 'renamed' && oldPath !== undefined) out.previousPath = cutText(oldPath, MAX_DIFF_PATH);
  if (binary) out.binary = true;
  const identifiers = identifierCounts === undefined || status === 'removed' ? [] : topIdentifiers(identifierCounts, MAX_FILE_IDENTIFIERS);
  if (identifiers.length > 0) out.identifiers = identifiers;
  return out;
}

/** Added new-side line numbers of one hunk, from parse-diff (given that hunk alone); counts the identifiers of added lines into `identifiers`. */
function hunkChanges(hunk: string[], identifiers?: Map<string, number>): { additions: number; deletions: number; added: number[] } {
  // A synthetic file header, so parse-diff never runs its `diff`-line regex on our input.
  let files: parseDiff.File[];
  try {
    files = parseDiff(`--- a\n+++ b\n${hunk.join('\n')}`);
  } catch {
    files = []; // unreachable with the hunks built above; a hunk parse-diff cannot read adds nothing
  }
  let additions = 0;
  let deletions = 0;
  const added: number[] = [];
  for (const f of files) {
    additions += f.additions;
    deletions += f.deletions;
    for (const chunk of f.chunks) {
      for (const change of chunk.changes) {
        if (change.type === 'add' && !change.content.startsWith('\\') && Number.isSafeInteger(change.ln) && change.ln > 0) {
          added.push(change.ln);
          if (identifiers !== undefined) collectIdentifiers(change.content, 1, identifiers);
        }
      }
    }
  }
  return { additions, deletions, added };
}

// ---------------------------------------------------------------------------------------------
// Identifiers of added lines

/**
 * Per file, the identifiers kept (most frequent first). 50 names say what a file's change is
 * about; more would mostly be noise and would grow the evidence.
 */
export const MAX_FILE_IDENTIFIERS = 50;
/** Identifier length bounds: 1–2 characters (`i`, `db`) carry no meaning; longer than 64 are hashes or blobs. */
const MIN_IDENTIFIER = 3;
const MAX_IDENTIFIER = 64;

/**
 * Lower-cased words that are syntax, not names: keywords shared by common languages (TypeScript,
 * JavaScript, Python, Go, Java, Rust, shell) and English function words of comments. SQL words
 * such as `alter`, `table`, `index` or `column` are kept: they say what a migration does.
 */
const IDENTIFIER_STOP_WORDS: ReadonlySet<string> = new Set([
  // keywords
  'abstract', 'any', 'as', 'assert', 'async', 'await', 'bool', 'boolean', 'break', 'byte', 'case', 'catch', 'char', 'class', 'const', 'continue',
  'crate', 'declare', 'def', 'default', 'defer', 'del', 'delete', 'done', 'double', 'elif', 'else', 'enum', 'esac', 'except', 'export', 'extends',
  'false', 'fi', 'final', 'finally', 'float', 'for', 'from', 'func', 'function', 'global', 'goto', 'impl', 'implements', 'import',
  'instanceof', 'int', 'interface', 'keyof', 'lambda', 'let', 'long', 'loop', 'match', 'mod', 'mut', 'namespace', 'new', 'nil', 'none',
  'nonlocal', 'null', 'number', 'object', 'override', 'package', 'pass', 'private', 'protected', 'pub', 'public', 'raise', 'readonly',
  'return', 'self', 'short', 'static', 'str', 'string', 'struct', 'super', 'switch', 'then', 'this', 'throw', 'throws', 'trait', 'true',
  'try', 'type', 'typeof', 'undefined', 'unknown', 'use', 'var', 'void', 'while', 'with', 'yield', 'never', 'get', 'set', 'println', 'printf',
  // English function words (comments, strings)
  'the', 'and', 'but', 'not', 'are', 'was', 'were', 'has', 'have', 'had', 'been', 'can', 'will', 'would', 'should', 'could', 'may', 'must',
  'that', 'these', 'those', 'there', 'their', 'its', 'into', 'onto', 'than', 'when', 'where', 'which', 'who', 'what', 'why', 'how', 'all',
  'only', 'also', 'just', 'our', 'you', 'your', 'they', 'them', 'she', 'his', 'her', 'does', 'did', 'out', 'off', 'per', 'via',
].filter((w) => w.length >= MIN_IDENTIFIER));

/**
 * Lock files and generated bundles: their added lines are versions, hashes and URLs, not the
 * code the change is about (dependency changes reach the evidence through the SBOM diff).
 */
const GENERATED_FILE_NAMES: ReadonlySet<string> = new Set([
  'package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'go.sum', 'cargo.lock', 'poetry.lock', 'pipfile.lock',
  'uv.lock', 'composer.lock', 'gemfile.lock', 'packages.lock.json', 'gradle.lockfile', 'flake.lock', 'mix.lock', 'pubspec.lock', 'podfile.lock',
]);
const GENERATED_SUFFIXES: readonly string[] = ['.min.js', '.min.css', '.map', '.snap', '.svg', '.pb.go', '_pb2.py'];

function skipsIdentifiers(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  return GENERATED_FILE_NAMES.has(name) || GENERATED_SUFFIXES.some((s) => name.endsWith(s));
}

const isWordChar = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/**
 * Count the identifier-like tokens of `text` from `start` into `counts`: maximal runs of
 * `[A-Za-z0-9_]` that do not start with a digit (so `0x1f` and `404ms` are not names), 3 to 64
 * characters long, not a stop word. One linear pass, no regular expression.
 */
export function collectIdentifiers(text: string, start: number, counts: Map<string, number>): void {
  const n = text.length;
  let i = start;
  while (i < n) {
    if (!isWordChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const from = i;
    while (i < n && isWordChar(text.charCodeAt(i))) i++;
    const length = i - from;
    if (length < MIN_IDENTIFIER || length > MAX_IDENTIFIER || isDigit(text.charCodeAt(from))) continue;
    const token = text.slice(from, i);
    // Only underscores (`___`) is a separator line, not a name.
    if (!/[A-Za-z]/.test(token) || IDENTIFIER_STOP_WORDS.has(token.toLowerCase())) continue;
    counts.set(token, (counts.get(token) ?? 0) + 1);
  }
}

/** The `cap` most frequent identifiers, most frequent first; ties in code-unit order (so the result does not depend on line order). */
export function topIdentifiers(counts: ReadonlyMap<string, number>, cap: number): string[] {
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, cap)
    .map(([name]) => name);
}

/** A `---`/`+++` name: C-quoted, or up to a tab (git adds one after names with spaces; diff -u a timestamp). */
function headerPath(rest: string): string | undefined {
  if (rest.startsWith('"')) return unquoteC(rest, 0)?.value;
  const tab = rest.indexOf('\t');
  const name = tab === -1 ? rest : rest.slice(0, tab);
  return name === '' ? undefined : name;
}

/** A `rename from`/`copy to` name: unprefixed, C-quoted when it has special characters. */
function plainPath(rest: string): string | undefined {
  if (rest.startsWith('"')) return unquoteC(rest, 0)?.value;
  return rest === '' ? undefined : rest;
}

/** The two names of `diff --git <a> <b>`, when they can be told apart (as git itself does). */
function gitHeaderNames(line: string): [string, string] | undefined {
  const rest = line.slice('diff --git '.length);
  if (rest.startsWith('"')) {
    const first = unquoteC(rest, 0);
    if (first === undefined || rest[first.end] !== ' ') return undefined;
    const tail = rest.slice(first.end + 1);
    const second = tail.startsWith('"') ? unquoteC(tail, 0)?.value : tail;
    return second === undefined || second === '' ? undefined : [first.value, second];
  }
  const quotedSecond = rest.indexOf(' "');
  if (quotedSecond !== -1) {
    const second = unquoteC(rest, quotedSecond + 1);
    return second === undefined ? undefined : [rest.slice(0, quotedSecond), second.value];
  }
  const parts = rest.split(' ');
  if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') return [parts[0] ?? '', parts[1] ?? ''];
  // Names with spaces: unambiguous only when both sides name the same file (`a/x y b/x y`).
  if (rest.length % 2 === 1) {
    const mid = (rest.length - 1) / 2;
    const a = rest.slice(0, mid);
    const b = rest.slice(mid + 1);
    if (rest[mid] === ' ' && a.slice(2) === b.slice(2)) return [a, b];
  }
  return undefined;
}

function hasPrefixes(a: string, b: string): boolean {
  return OLD_PREFIXES.has(a.slice(0, 2)) && NEW_PREFIXES.has(b.slice(0, 2));
}

/** Plain `diff -u` patches: strip `a/` and `b/` only when both sides (or the one not /dev/null) carry them. */
function hasPlainPrefixes(minus: string | undefined, plus: string | undefined): boolean {
  const oldOk = minus === undefined || minus === DEV_NULL || minus.startsWith('a/');
  const newOk = plus === undefined || plus === DEV_NULL || plus.startsWith('b/');
  return oldOk && newOk && (minus?.startsWith('a/') === true || plus?.startsWith('b/') === true);
}

const C_ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
const lenientUtf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/**
 * Decode a C-quoted name as git writes it (`"t\303\251st \"x\".txt"`): escapes and octal bytes,
 * decoded as UTF-8. `start` is the index of the opening quote; returns the value and the index
 * after the closing quote, or undefined when the quoting is broken.
 */
export function unquoteC(s: string, start: number): { value: string; end: number } | undefined {
  if (s[start] !== '"') return undefined;
  const bytes: number[] = [];
  let i = start + 1;
  while (i < s.length) {
    const ch = s[i] ?? '';
    if (ch === '"') return { value: lenientUtf8.decode(new Uint8Array(bytes)), end: i + 1 };
    if (ch === '\\') {
      const next = s[i + 1] ?? '';
      const simple = C_ESCAPES[next];
      if (simple !== undefined) {
        bytes.push(simple);
        i += 2;
        continue;
      }
      const oct = s.slice(i + 1, i + 4);
      if (oct.length === 3 && /^[0-3][0-7][0-7]$/.test(oct)) {
        bytes.push(parseInt(oct, 8));
        i += 4;
        continue;
      }
      return undefined;
    }
    const cp = s.codePointAt(i) ?? 0;
    const chunk = String.fromCodePoint(cp);
    for (const b of utf8Encoder.encode(chunk)) bytes.push(b);
    i += chunk.length;
  }
  return undefined;
}
