/**
 * Coverage reports (lcov, Cobertura XML) and the coverage section of the evidence: line and
 * branch totals over all reports, and coverage of the lines the change adds.
 */
import { ConfigError } from '../../errors.js';
import type { CoverageEvidence, CoverageRatio, CoverageReport, DiffFile, Parsed } from '../model.js';
import { formatError, ownParser, parseXmlSource, sourceText, Warnings, type SourceFile } from '../source.js';
import { changedLineCoverage, normalizeCoveragePath, type MeasuredFile } from './changed-lines.js';
import { COBERTURA_ARRAYS, readCobertura } from './cobertura.js';
import { looksLikeLcov, parseLcovText } from './lcov.js';

export { changedLineCoverage, matchFiles, normalizeCoveragePath, toRanges } from './changed-lines.js';

const EXPECTED = 'a coverage report: lcov (lcov.info) or Cobertura XML (coverage.xml)';
const HINT =
  'Write lcov (Jest/Vitest/c8/nyc: the `lcov` reporter; coverage.py: `coverage lcov`) or Cobertura XML (`coverage xml`, istanbul `cobertura`, gcovr `--xml`).';

/** Parse one coverage report; the format is detected from the content. */
export function parseCoverageFile(file: SourceFile): Parsed<CoverageReport> {
  const text = sourceText(file, EXPECTED);
  const warnings = new Warnings();
  const head = text.trimStart().slice(0, 1);
  if (head === '<') {
    const doc = readXml(file);
    const root = doc.coverage;
    if (root !== null && typeof root === 'object' && !Array.isArray(root)) {
      const r = root as Record<string, unknown>;
      if (r['@_clover'] !== undefined || r.project !== undefined) {
        throw formatError(file, 'is a Clover XML report, which genops does not read', { expected: EXPECTED, hint: HINT });
      }
      const report = readCobertura(r, warnings);
      if (report.files.length === 0) warnings.add('the report lists no files');
      return { value: report, format: 'cobertura-xml', parser: ownParser('cobertura'), warnings: warnings.done() };
    }
    const found = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('#'));
    throw formatError(file, `is XML but not Cobertura (root <${(found ?? '?').slice(0, 80)}>)`, {
      expected: EXPECTED,
      hint: found === 'report' ? `This looks like a JaCoCo report. ${HINT}` : HINT,
    });
  }
  if (looksLikeLcov(text)) {
    const report = parseLcovText(text, warnings);
    if (report.files.length === 0) warnings.add('the tracefile has no SF records');
    return { value: report, format: 'lcov', parser: ownParser('lcov'), warnings: warnings.done() };
  }
  throw formatError(file, head === '{' ? 'is JSON, not a supported coverage format (istanbul JSON is not read)' : 'is not a recognized coverage report', {
    expected: EXPECTED,
    hint: HINT,
  });
}

/** parseXmlSource, with what fast-xml-parser throws past its validator turned into FILE_INVALID. */
function readXml(file: SourceFile): Record<string, unknown> {
  try {
    return parseXmlSource(file, EXPECTED, { arrays: COBERTURA_ARRAYS });
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw formatError(file, `is not well-formed XML: ${e instanceof Error ? e.message.slice(0, 200) : 'parse error'}`, { expected: EXPECTED });
  }
}

/**
 * The coverage section: reports merged per file (a line is covered when any report covers it),
 * totals, and, with a diff, coverage of the changed lines.
 */
export function buildCoverageEvidence(reports: CoverageReport[], diff: DiffFile[] | null, options: { workspaceRoot?: string }): CoverageEvidence {
  const measured = new Map<string, MeasuredFile>();
  const branchLines = new Map<string, Map<number, { covered: number; total: number }>>();
  let branchCovered = 0;
  let branchTotal = 0;
  let anyBranches = false;

  for (const report of reports) {
    let detailedCovered = 0;
    let detailedTotal = 0;
    for (const f of report.files) {
      const path = normalizeCoveragePath(f.path, options.workspaceRoot);
      let m = measured.get(path);
      if (m === undefined) {
        m = { path, lines: new Map() };
        measured.set(path, m);
      }
      for (const [line, hits] of f.lines) m.lines.set(line, (m.lines.get(line) ?? 0) + hits);
      if (f.branches !== undefined) {
        let perLine = branchLines.get(path);
        if (perLine === undefined) {
          perLine = new Map();
          branchLines.set(path, perLine);
        }
        for (const [line, b] of f.branches) {
          detailedCovered += b.covered;
          detailedTotal += b.total;
          const prev = perLine.get(line);
          // Across reports the same branches are counted once: the most any report saw covered.
          perLine.set(line, { covered: Math.max(prev?.covered ?? 0, b.covered), total: Math.max(prev?.total ?? 0, b.total) });
        }
      }
    }
    if (report.branches !== undefined) {
      anyBranches = true;
      // Branch counts a report gives only as totals (lcov BRF/BRH without BRDA) are added as they are.
      branchCovered += Math.max(0, report.branches.covered - detailedCovered);
      branchTotal += Math.max(0, report.branches.total - detailedTotal);
    }
  }
  for (const perLine of branchLines.values()) {
    for (const b of perLine.values()) {
      branchCovered += Math.min(b.covered, b.total);
      branchTotal += b.total;
    }
  }

  let covered = 0;
  let total = 0;
  for (const f of measured.values()) {
    for (const hits of f.lines.values()) {
      total++;
      if (hits > 0) covered++;
    }
  }
  const evidence: CoverageEvidence = {
    lines: ratio(covered, total),
    files: measured.size,
    changedLines: diff === null ? null : changedLineCoverage(measured, diff),
  };
  if (anyBranches || branchLines.size > 0) evidence.branches = ratio(branchCovered, branchTotal);
  return evidence;
}

function ratio(covered: number, total: number): CoverageRatio {
  return { covered, total, ratio: total === 0 ? null : covered / total };
}
