/**
 * Coverage of the lines a change adds: each added line of the diff is covered (hits > 0),
 * uncovered (instrumented, 0 hits) or not instrumented (comments, blank lines, files no report
 * measures). Only covered + uncovered lines make the ratio.
 *
 * Coverage reports name files in their own way (`/home/runner/work/repo/repo/src/a.ts`,
 * `./src/a.ts`, `a.py` relative to a Cobertura source); diffs use repository paths. Paths are
 * normalized, the workspace root stripped when known, and then matched by the longest suffix on
 * whole path segments, in either direction, only when that match is unambiguous (two coverage
 * files that both end with the diff path, e.g. in a monorepo, match neither).
 *
 * A changed file that no coverage report mentions is listed in `unmeasuredFiles` when it is a
 * source file: it has an extension some covered file has (so docs and config are not listed) and
 * is not a test file by the usual conventions (`*.test.*`, `*.spec.*`, `*_test.*`, `test_*.py`,
 * or under `test/`, `tests/`, `__tests__/`, `spec/`, `__mocks__/`).
 */
import type { CoverageEvidence, DiffFile } from '../model.js';
import { cutText } from '../source.js';

export const MAX_UNCOVERED_FILES = 200;
export const MAX_UNMEASURED_FILES = 200;
/** The evidence schema's bound on ranges per file. */
const MAX_RANGES = 100_000;
const MAX_PATH = 4096;

/** A coverage file after merging reports: line -> hits. */
export interface MeasuredFile {
  path: string;
  lines: Map<number, number>;
}

/** `/`-separated, no `./` or empty segments; the workspace root stripped when the path is under it. */
export function normalizeCoveragePath(path: string, workspaceRoot?: string): string {
  let p = cleanPath(path);
  if (workspaceRoot !== undefined) {
    const root = cleanPath(workspaceRoot);
    if (root !== '' && root !== '/' && p.startsWith(`${root}/`)) p = p.slice(root.length + 1);
  }
  return p;
}

function cleanPath(path: string): string {
  const absolute = path.startsWith('/') || path.startsWith('\\');
  const segments = path.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
  return (absolute ? '/' : '') + segments.join('/');
}

type ChangedLines = NonNullable<CoverageEvidence['changedLines']>;

export function changedLineCoverage(measured: ReadonlyMap<string, MeasuredFile>, diff: readonly DiffFile[]): ChangedLines {
  const changed = changedFiles(diff);
  const matches = matchFiles([...changed.keys()], measured);
  const extensions = new Set<string>();
  for (const path of measured.keys()) {
    const ext = extensionOf(path);
    if (ext !== undefined) extensions.add(ext);
  }

  let covered = 0;
  let uncovered = 0;
  let notInstrumented = 0;
  const uncoveredFiles: ChangedLines['uncovered'] = [];
  const unmeasured: string[] = [];
  for (const [path, lines] of changed) {
    const coveragePath = matches.get(path);
    const file = coveragePath === undefined ? undefined : measured.get(coveragePath);
    if (file === undefined) {
      notInstrumented += lines.length;
      const ext = extensionOf(path);
      if (ext !== undefined && extensions.has(ext) && !isTestPath(path) && unmeasured.length < MAX_UNMEASURED_FILES) unmeasured.push(cutText(path, MAX_PATH));
      continue;
    }
    const missed: number[] = [];
    for (const n of lines) {
      const hits = file.lines.get(n);
      if (hits === undefined) notInstrumented++;
      else if (hits > 0) covered++;
      else {
        uncovered++;
        missed.push(n);
      }
    }
    if (missed.length > 0 && uncoveredFiles.length < MAX_UNCOVERED_FILES) uncoveredFiles.push({ path: cutText(path, MAX_PATH), ranges: toRanges(missed) });
  }
  const total = covered + uncovered;
  const out: ChangedLines = { covered, total, ratio: total === 0 ? null : covered / total, notInstrumented, uncovered: uncoveredFiles };
  if (unmeasured.length > 0) out.unmeasuredFiles = unmeasured;
  return out;
}

/** Added lines per path (a path listed twice is one file), without removed and binary files. */
function changedFiles(diff: readonly DiffFile[]): Map<string, number[]> {
  const byPath = new Map<string, Set<number>>();
  for (const f of diff) {
    if (f.status === 'removed' || f.binary === true || f.addedLines.length === 0) continue;
    const path = cleanPath(f.path);
    let set = byPath.get(path);
    if (set === undefined) {
      set = new Set();
      byPath.set(path, set);
    }
    for (const n of f.addedLines) set.add(n);
  }
  const out = new Map<string, number[]>();
  for (const [path, set] of byPath) out.set(path, [...set].sort((a, b) => a - b));
  return out;
}

/**
 * Diff path -> coverage path. Exact match first; then the coverage paths ending with the diff
 * path (absolute or deeper paths); then the longest suffix of the diff path that is a coverage
 * path (paths relative to a source root). Ambiguous matches are dropped.
 */
export function matchFiles(diffPaths: readonly string[], measured: ReadonlyMap<string, unknown>): Map<string, string> {
  // Every whole-segment suffix of every coverage path -> the coverage paths that end with it.
  const bySuffix = new Map<string, string[]>();
  for (const path of measured.keys()) {
    let from = 0;
    for (;;) {
      const suffix = path.slice(from);
      if (suffix !== '') {
        const list = bySuffix.get(suffix);
        if (list === undefined) bySuffix.set(suffix, [path]);
        else if (list[list.length - 1] !== path) list.push(path);
      }
      const slash = path.indexOf('/', from);
      if (slash === -1) break;
      from = slash + 1;
    }
  }
  const out = new Map<string, string>();
  const claims = new Map<string, string[]>();
  for (const d of diffPaths) {
    if (measured.has(d)) {
      out.set(d, d);
      continue;
    }
    const ending = bySuffix.get(d);
    if (ending !== undefined) {
      if (ending.length === 1 && ending[0] !== undefined) out.set(d, ending[0]);
      continue; // several coverage files end with this path: ambiguous
    }
    // A coverage path that is a suffix of the diff path, the longest one.
    let from = d.indexOf('/') + 1;
    while (from > 0) {
      const suffix = d.slice(from);
      if (measured.has(suffix)) {
        const list = claims.get(suffix);
        if (list === undefined) claims.set(suffix, [d]);
        else list.push(d);
        break;
      }
      from = d.indexOf('/', from) + 1;
    }
  }
  for (const [coveragePath, diffs] of claims) {
    // `a.py` claimed by both `src/x/a.py` and `src/y/a.py` belongs to neither for sure.
    if (diffs.length === 1 && diffs[0] !== undefined && !out.has(diffs[0])) out.set(diffs[0], coveragePath);
  }
  return out;
}

/** Sorted line numbers -> `[start, end]` runs of consecutive lines. */
export function toRanges(sorted: readonly number[]): [number, number][] {
  const ranges: [number, number][] = [];
  let start: number | undefined;
  let end = 0;
  for (const n of sorted) {
    if (start !== undefined && n === end + 1) {
      end = n;
      continue;
    }
    if (start !== undefined) ranges.push([start, end]);
    start = n;
    end = n;
  }
  if (start !== undefined) ranges.push([start, end]);
  return ranges.length > MAX_RANGES ? ranges.slice(0, MAX_RANGES) : ranges;
}

function extensionOf(path: string): string | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 || dot === base.length - 1 ? undefined : base.slice(dot + 1).toLowerCase();
}

const TEST_DIRS = new Set(['test', 'tests', '__tests__', 'spec', 'specs', '__mocks__']);

function isTestPath(path: string): boolean {
  const segments = path.toLowerCase().split('/');
  const base = segments.pop() ?? '';
  if (segments.some((s) => TEST_DIRS.has(s))) return true;
  const stem = base.slice(0, base.lastIndexOf('.') === -1 ? base.length : base.lastIndexOf('.'));
  return base.includes('.test.') || base.includes('.spec.') || stem.endsWith('_test') || stem.endsWith('_spec') || (base.startsWith('test_') && base.endsWith('.py'));
}

