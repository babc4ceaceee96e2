/**
 * Severity vocabulary shared by the vulnerability parsers.
 *
 * Every scanner has its own words; they all land on the model's six levels:
 *
 * | source                         | critical | high | medium             | low                   | none        | unknown           |
 * |--------------------------------|----------|------|--------------------|-----------------------|-------------|-------------------|
 * | words (Grype, Trivy, GHSA, npm)| critical | high | medium, moderate   | low, negligible       | none, info  | unknown, anything else |
 * | CVSS score (all scanners)      | >= 9.0   | >= 7.0 | >= 4.0           | >= 0.1                | 0.0         | no score          |
 * | SARIF `security-severity`      | same bands as CVSS (GitHub code scanning: "over 9.0 is critical, 7.0 to 8.9 is high, 4.0 to 6.9 is medium and 3.9 or less is low") |
 * | SARIF `level` (no security-severity) | -  | error | warning           | note                  | none        | -                 |
 *
 * Choices worth knowing: `negligible` (Debian/Ubuntu via Grype) counts as low, not none, because it is
 * still a known vulnerability; npm's `info` counts as none. A security-severity of exactly 0 is `none`
 * (CVSS), where GitHub would show it as low. SARIF `level` is a rule's importance, not a security
 * rating: it is only used when the tool gives no security-severity, and `error` becomes high (not
 * critical) so that only a scored finding can be critical.
 */
import { SEVERITIES, type Finding, type Severity, type SeverityCounts } from '../model.js';

const WORDS: ReadonlyMap<string, Severity> = new Map<string, Severity>([
  ['critical', 'critical'],
  ['high', 'high'],
  ['important', 'high'],
  ['medium', 'medium'],
  ['moderate', 'medium'],
  ['low', 'low'],
  ['negligible', 'low'],
  ['none', 'none'],
  ['info', 'none'],
  ['informational', 'none'],
  ['unknown', 'unknown'],
]);

/** A scanner's severity word, case-insensitive; unrecognized or absent words are `unknown`. */
export function severityFromWord(word: string | undefined): Severity {
  if (word === undefined) return 'unknown';
  return WORDS.get(word.trim().toLowerCase()) ?? 'unknown';
}

/** CVSS qualitative rating of a score (also GitHub's bands for SARIF security-severity). */
export function severityFromScore(score: number): Severity {
  if (score >= 9.0) return 'critical';
  if (score >= 7.0) return 'high';
  if (score >= 4.0) return 'medium';
  if (score >= 0.1) return 'low';
  return 'none';
}

/** SARIF `level` when no security-severity is given (see the table above). */
export function severityFromSarifLevel(level: string): Severity {
  switch (level) {
    case 'error':
      return 'high';
    case 'warning':
      return 'medium';
    case 'note':
      return 'low';
    case 'none':
      return 'none';
    default:
      return 'unknown';
  }
}

/** 0 for critical ... 5 for unknown: lower is more severe (the order of SEVERITIES). */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** The more severe of two; any rating beats `unknown`. */
export function moreSevere(a: Severity, b: Severity): Severity {
  return severityRank(b) < severityRank(a) ? b : a;
}

/** A word when the scanner gives one, else the band of the score, else unknown. */
export function severityOf(word: string | undefined, score: number | undefined): Severity {
  const fromWord = severityFromWord(word);
  if (fromWord !== 'unknown') return fromWord;
  return score === undefined ? 'unknown' : severityFromScore(score);
}

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 };
}

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts = emptyCounts();
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** A CVSS score as the model keeps it: a finite number in [0, 10], else undefined. */
export function cvssScore(v: number | undefined): number | undefined {
  return v !== undefined && v >= 0 && v <= 10 ? v : undefined;
}

/** `3.1` from `CVSS:3.1/...`, `4.0` from `CVSS:4.0/...`; `2.0` for a bare v2 vector (`AV:N/AC:L/Au:N/...`). */
export function cvssVersionOf(vector: string): string | undefined {
  if (vector.startsWith('CVSS:')) {
    const slash = vector.indexOf('/');
    const version = vector.slice(5, slash < 0 ? undefined : slash);
    return version === '' ? undefined : version;
  }
  return vector.includes('Au:') ? '2.0' : undefined;
}

// CVSS v3.x base metric weights (FIRST CVSS v3.1 specification, section 7.4). Maps, so a metric
// value such as `constructor` from an untrusted vector finds nothing.
type Weights = ReadonlyMap<string, number>;
const weights = (o: Record<string, number>): Weights => new Map(Object.entries(o));
const AV = weights({ N: 0.85, A: 0.62, L: 0.55, P: 0.2 });
const AC = weights({ L: 0.77, H: 0.44 });
const PR_UNCHANGED = weights({ N: 0.85, L: 0.62, H: 0.27 });
const PR_CHANGED = weights({ N: 0.85, L: 0.68, H: 0.5 });
const UI = weights({ N: 0.85, R: 0.62 });
const CIA = weights({ H: 0.56, L: 0.22, N: 0 });

/** CVSS v3.1 Roundup: the smallest number with one decimal that is >= the input, free of float noise. */
function roundUp(value: number): number {
  const scaled = Math.round(value * 100_000);
  return scaled % 10_000 === 0 ? scaled / 100_000 : (Math.floor(scaled / 10_000) + 1) / 10;
}

/**
 * The base score of a CVSS v3.0/v3.1 vector (`CVSS:3.1/AV:N/AC:L/...`), computed as the
 * specification defines it; undefined for any other version or a vector missing a base metric.
 * OSV records carry only vectors, so this is how their findings get a score.
 */
export function cvss3BaseScore(vector: string): number | undefined {
  if (!vector.startsWith('CVSS:3.0/') && !vector.startsWith('CVSS:3.1/')) return undefined;
  const metrics = new Map<string, string>();
  for (const part of vector.slice(9).split('/')) {
    const colon = part.indexOf(':');
    if (colon > 0) metrics.set(part.slice(0, colon), part.slice(colon + 1));
  }
  const scope = metrics.get('S');
  if (scope !== 'U' && scope !== 'C') return undefined;
  const changed = scope === 'C';
  const weight = (table: Weights, metric: string): number | undefined => table.get(metrics.get(metric) ?? '');
  const av = weight(AV, 'AV');
  const ac = weight(AC, 'AC');
  const pr = weight(changed ? PR_CHANGED : PR_UNCHANGED, 'PR');
  const ui = weight(UI, 'UI');
  const c = weight(CIA, 'C');
  const i = weight(CIA, 'I');
  const a = weight(CIA, 'A');
  if (av === undefined || ac === undefined || pr === undefined || ui === undefined || c === undefined || i === undefined || a === undefined) {
    return undefined;
  }
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  if (impact <= 0) return 0;
  const exploitability = 8.22 * av * ac * pr * ui;
  return roundUp(Math.min(changed ? 1.08 * (impact + exploitability) : impact + exploitability, 10));
}
