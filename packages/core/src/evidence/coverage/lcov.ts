/**
 * lcov tracefiles (`lcov.info`), as written by istanbul/nyc/Jest/c8/Vitest, lcov/geninfo,
 * grcov, cargo-llvm-cov, and `coverage lcov`: records from `SF:<path>` to `end_of_record`
 * with `DA:<line>,<hits>[,<checksum>]` per instrumented line and `BRDA:<line>,<block>,<branch>,<taken>`
 * per branch (`taken` is `-` when the branch's block never ran). Function records (FN, FNDA,
 * FNF, FNH), TN, VER and the LF/LH summaries are not needed: totals are counted from the lines.
 *
 * The same file in several records (tracefiles concatenated, `lcov -a` input) is one file: hit
 * counts are summed per line, branch counts per branch.
 */
import type { CoverageReport, LineCoverageFile } from '../model.js';
import type { Warnings } from '../source.js';

interface FileRecord {
  lines: Map<number, number>;
  /** `line\0block\0branch` -> times taken. */
  branches: Map<string, { line: number; taken: number }>;
  /** BRF/BRH of records without BRDA lines (some writers give only these). */
  summary: { covered: number; total: number };
  hasBranchDetail: boolean;
}

/** True when the text looks like an lcov tracefile (a record starts with `SF:`). */
export function looksLikeLcov(text: string): boolean {
  return text.startsWith('SF:') || text.includes('\nSF:');
}

export function parseLcovText(text: string, warnings: Warnings): CoverageReport {
  const files = new Map<string, FileRecord>();
  let current: FileRecord | undefined;
  let open = false;
  let unknownLines = 0;
  let outsideRecord = 0;
  let pendingBrf: number | undefined;
  let pendingBrh: number | undefined;

  const closeRecord = (): void => {
    if (current !== undefined && !current.hasBranchDetail && pendingBrf !== undefined) {
      current.summary.total += pendingBrf;
      current.summary.covered += Math.min(pendingBrh ?? 0, pendingBrf);
    }
    current = undefined;
    open = false;
    pendingBrf = undefined;
    pendingBrh = undefined;
  };

  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') continue;
    if (line === 'end_of_record') {
      if (!open) outsideRecord++;
      closeRecord();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon === -1) {
      unknownLines++;
      continue;
    }
    const tag = line.slice(0, colon);
    const value = line.slice(colon + 1);
    if (tag === 'SF') {
      if (open) {
        warnings.add(`line ${String(i + 1)}: a record has no end_of_record before the next SF`);
        closeRecord();
      }
      open = true;
      const path = value.trim();
      if (path === '') {
        warnings.add(`line ${String(i + 1)}: SF without a path; the record is skipped`);
        current = undefined;
        continue;
      }
      current = files.get(path);
      if (current === undefined) {
        current = { lines: new Map(), branches: new Map(), summary: { covered: 0, total: 0 }, hasBranchDetail: false };
        files.set(path, current);
      }
      continue;
    }
    if (tag === 'DA' || tag === 'BRDA' || tag === 'BRF' || tag === 'BRH') {
      if (!open) {
        outsideRecord++;
        continue;
      }
      if (current === undefined) continue;
      if (tag === 'DA') readDa(current, value, i + 1, warnings);
      else if (tag === 'BRDA') readBrda(current, value, i + 1, warnings);
      else if (tag === 'BRF') pendingBrf = count(value);
      else pendingBrh = count(value);
      continue;
    }
    if (!KNOWN_TAGS.has(tag)) unknownLines++;
  }
  if (open) {
    warnings.add('the last record has no end_of_record (truncated file?)');
    closeRecord();
  }
  if (outsideRecord > 0) warnings.add(`${String(outsideRecord)} DA/BRDA/BRF/BRH/end_of_record lines outside a SF record were ignored`);
  if (unknownLines > 0) warnings.add(`${String(unknownLines)} lines that are not lcov were ignored`);

  const out: LineCoverageFile[] = [];
  let branchCovered = 0;
  let branchTotal = 0;
  let anyBranches = false;
  for (const [path, rec] of files) {
    const file: LineCoverageFile = { path, lines: rec.lines };
    if (rec.branches.size > 0) {
      const perLine = new Map<number, { covered: number; total: number }>();
      for (const b of rec.branches.values()) {
        const entry = perLine.get(b.line) ?? { covered: 0, total: 0 };
        entry.total++;
        if (b.taken > 0) entry.covered++;
        perLine.set(b.line, entry);
        branchTotal++;
        if (b.taken > 0) branchCovered++;
      }
      file.branches = perLine;
      anyBranches = true;
    } else if (rec.summary.total > 0) {
      branchTotal += rec.summary.total;
      branchCovered += rec.summary.covered;
      anyBranches = true;
    }
    out.push(file);
  }
  const report: CoverageReport = { files: out };
  if (anyBranches) report.branches = { covered: branchCovered, total: branchTotal };
  return report;
}

const KNOWN_TAGS = new Set(['TN', 'VER', 'FN', 'FNL', 'FNA', 'FNDA', 'FNF', 'FNH', 'LF', 'LH', 'MCDC', 'MCF', 'MCH']);

function readDa(rec: FileRecord, value: string, lineNo: number, warnings: Warnings): void {
  const parts = value.split(',');
  const line = count(parts[0]);
  const hits = hitCount(parts[1]);
  if (line === undefined || line < 1 || hits === undefined) {
    warnings.add(`line ${String(lineNo)}: DA:${value.slice(0, 80)} is not <line>,<hits>; skipped`);
    return;
  }
  rec.lines.set(line, (rec.lines.get(line) ?? 0) + hits);
}

function readBrda(rec: FileRecord, value: string, lineNo: number, warnings: Warnings): void {
  // BRDA:<line>,<block>,<branch>,<taken>; lcov 2 branch ids may hold commas: first and last fields are fixed.
  const first = value.indexOf(',');
  const last = value.lastIndexOf(',');
  const line = count(first === -1 ? undefined : value.slice(0, first));
  const takenText = last === -1 ? undefined : value.slice(last + 1);
  const taken = takenText === '-' ? 0 : hitCount(takenText);
  if (line === undefined || line < 1 || taken === undefined || first === last) {
    warnings.add(`line ${String(lineNo)}: BRDA:${value.slice(0, 80)} is not <line>,<block>,<branch>,<taken>; skipped`);
    return;
  }
  rec.hasBranchDetail = true;
  const key = `${String(line)}\u0000${value.slice(first + 1, last)}`;
  const prev = rec.branches.get(key);
  rec.branches.set(key, { line, taken: (prev?.taken ?? 0) + taken });
}

/** A non-negative integer written in decimal digits only. */
function count(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (t === '' || t.length > 15) return undefined;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(t);
}

/** Hit counts: non-negative numbers (gcov-derived files may write large or fractional ones). */
function hitCount(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
