/**
 * Vulnerability reports: one entry point that detects the format by content and hands the file to
 * its parser. Supported: SARIF 2.1.0, Grype JSON, Trivy JSON (SchemaVersion 2), OSV-Scanner JSON,
 * `npm audit --json` (report versions 2 and 1). Findings come out one per reported problem, not
 * yet de-duplicated across scanners or matched against VEX: that is buildVulnerabilityEvidence (merge.ts).
 */
import type { Finding, Parsed } from '../model.js';
import { asRecord, asString, DEFAULT_LIMITS, formatError, isRecord, parseJsonSource, type EvidenceLimits, type SourceFile } from '../source.js';
import { isGrype, parseGrype } from './grype.js';
import { isNpmAudit, parseNpmAudit } from './npm-audit.js';
import { isOsvScanner, parseOsvScanner } from './osv.js';
import { isSarif, parseSarif } from './sarif.js';
import { isTrivy, parseTrivy } from './trivy.js';

export { buildVulnerabilityEvidence } from './merge.js';
export { parseVexFile } from './vex.js';

export const VULNERABILITY_FORMATS =
  'SARIF 2.1.0, Grype JSON (`grype -o json`), Trivy JSON (`trivy --format json`, SchemaVersion 2), ' +
  'OSV-Scanner JSON (`osv-scanner --format json`) or `npm audit --json`';

const EXPECTED = `a vulnerability report: ${VULNERABILITY_FORMATS}`;

/** Why a JSON document we recognize as something else is not a vulnerability report. */
function misfiled(doc: Record<string, unknown>): string | undefined {
  if (asString(doc.bomFormat) === 'CycloneDX') return 'It is a CycloneDX document: give an SBOM as `sbom`, a VEX document as `vex`.';
  if (asString(doc['@context'])?.includes('openvex') === true) return 'It is an OpenVEX document: give it as `vex`.';
  if (asString(doc.spdxVersion) !== undefined) return 'It is an SPDX SBOM: give it as `sbom`.';
  if (Array.isArray(doc.results) && doc.errors !== undefined) return 'It looks like Semgrep JSON: run Semgrep with `--sarif` instead.';
  const npmError = asRecord(doc.error);
  if (npmError !== undefined) {
    const summary = asString(npmError.summary) ?? asString(npmError.code) ?? 'an error';
    return `It is an npm error report (${summary.slice(0, 200)}), not an audit: fix the npm audit step first.`;
  }
  return undefined;
}

/**
 * Parse one vulnerability report, detecting its format by content. Throws a ConfigError
 * (FILE_INVALID) for anything that is not one of the supported formats.
 */
export function parseVulnerabilityFile(file: SourceFile, limits: EvidenceLimits = DEFAULT_LIMITS): Parsed<Finding[]> {
  const doc = parseJsonSource(file, EXPECTED);
  if (Array.isArray(doc)) {
    throw formatError(file, 'is a JSON array, not a vulnerability report', {
      expected: EXPECTED,
      hint: 'A top-level array is the output of Trivy before 0.20 (SchemaVersion 1): upgrade Trivy, or give one of the supported formats.',
    });
  }
  if (!isRecord(doc)) throw formatError(file, 'is not a JSON object', { expected: EXPECTED, hint: `Give the JSON report of one of: ${VULNERABILITY_FORMATS}.` });
  if (isSarif(doc)) return parseSarif(file, doc, limits);
  if (isGrype(doc)) return parseGrype(file, doc, limits);
  if (isTrivy(doc)) return parseTrivy(file, doc, limits);
  if (isNpmAudit(doc)) return parseNpmAudit(file, doc, limits);
  if (isOsvScanner(doc)) return parseOsvScanner(file, doc, limits);
  throw formatError(file, 'is not a vulnerability report genops recognizes', {
    expected: EXPECTED,
    hint: misfiled(doc) ?? `Give the JSON (or SARIF) output of one of: ${VULNERABILITY_FORMATS}.`,
  });
}
