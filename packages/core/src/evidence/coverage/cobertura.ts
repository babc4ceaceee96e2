/**
 * Cobertura XML coverage (`coverage.xml`), as written by coverage.py (`coverage xml`), istanbul's
 * cobertura reporter, gcovr, ReportGenerator, cargo-tarpaulin and JaCoCo converters:
 * `<coverage>` with `<sources><source>` and `<packages><package><classes><class filename>` holding
 * `<lines><line number hits [branch condition-coverage="50% (1/2)"]>`. Lines repeated under
 * `<methods>` are the same lines again and are not read.
 *
 * A class `filename` is relative to a `<source>`: with exactly one source it is joined to it (so
 * a workspace root can be stripped later); with several, which one holds the file is unknown and
 * the filename is kept as written (matched to repository paths by suffix). Several classes of one
 * file (Java inner classes) are one file: per line, the highest hit count.
 */
import type { CoverageReport, LineCoverageFile } from '../model.js';
import { asArray, asNumber, isRecord, xmlAttr, xmlText, type Warnings } from '../source.js';

export const COBERTURA_ARRAYS: ReadonlySet<string> = new Set(['source', 'package', 'class', 'line']);

// Bounded digits: runs once per branch line on untrusted text.
const CONDITION_COVERAGE = /\((\d{1,9})\/(\d{1,9})\)/;

interface FileLines {
  lines: Map<number, number>;
  branches: Map<number, { covered: number; total: number }>;
}

export function readCobertura(root: Record<string, unknown>, warnings: Warnings): CoverageReport {
  const sources = asArray(isRecord(root.sources) ? root.sources.source : undefined)
    .map((s) => xmlText(s))
    .filter((s): s is string => s !== undefined);
  const base = sources.length === 1 ? sources[0] : undefined;
  const files = new Map<string, FileLines>();
  let badLines = 0;

  for (const pkg of asArray(isRecord(root.packages) ? root.packages.package : undefined)) {
    if (!isRecord(pkg)) continue;
    for (const cls of asArray(isRecord(pkg.classes) ? pkg.classes.class : undefined)) {
      if (!isRecord(cls)) continue;
      const filename = xmlAttr(cls, 'filename');
      if (filename === undefined) {
        warnings.add(`a <class> ${JSON.stringify((xmlAttr(cls, 'name') ?? '').slice(0, 200))} has no filename; skipped`);
        continue;
      }
      const path = base === undefined || isAbsolute(filename) ? filename : joinPath(base, filename);
      let file = files.get(path);
      if (file === undefined) {
        file = { lines: new Map(), branches: new Map() };
        files.set(path, file);
      }
      for (const line of asArray(isRecord(cls.lines) ? cls.lines.line : undefined)) {
        const number = asNumber(xmlAttr(line, 'number'));
        const hits = asNumber(xmlAttr(line, 'hits'));
        if (number === undefined || !Number.isSafeInteger(number) || number < 1 || hits === undefined || hits < 0) {
          badLines++;
          continue;
        }
        file.lines.set(number, Math.max(file.lines.get(number) ?? 0, hits));
        if (xmlAttr(line, 'branch') === 'true') {
          const m = CONDITION_COVERAGE.exec(xmlAttr(line, 'condition-coverage') ?? '');
          if (m !== null) {
            const total = Number(m[2]);
            const covered = Math.min(Number(m[1]), total);
            const prev = file.branches.get(number);
            file.branches.set(number, { covered: Math.max(prev?.covered ?? 0, covered), total: Math.max(prev?.total ?? 0, total) });
          }
        }
      }
    }
  }
  if (badLines > 0) warnings.add(`${String(badLines)} <line> elements without a valid number and hits were skipped`);
  if (sources.length > 1) warnings.add(`${String(sources.length)} <source> roots: class filenames are kept relative and matched to repository paths by suffix`);

  const out: LineCoverageFile[] = [];
  let covered = 0;
  let total = 0;
  for (const [path, f] of files) {
    const file: LineCoverageFile = { path, lines: f.lines };
    if (f.branches.size > 0) {
      file.branches = f.branches;
      for (const b of f.branches.values()) {
        covered += b.covered;
        total += b.total;
      }
    }
    out.push(file);
  }
  const report: CoverageReport = { files: out };
  if (total > 0) report.branches = { covered, total };
  return report;
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);
}

function joinPath(base: string, rel: string): string {
  let end = base.length;
  while (end > 0 && (base[end - 1] === '/' || base[end - 1] === '\\')) end--;
  const b = base.slice(0, end);
  return b === '' || b === '.' ? rel : `${b}/${rel}`;
}
