/**
 * Grype JSON (`grype <target> -o json`): `matches[]` of { vulnerability, relatedVulnerabilities,
 * matchDetails, artifact }, plus `source`, `distro` and `descriptor` ({ name: "grype", version }).
 *
 * One finding per match. Grype reports a GHSA as the vulnerability and the CVE among
 * `relatedVulnerabilities` (and the reverse for NVD matches): all those ids are the finding's ids,
 * the CVE primary. Severity is the match's word (`Negligible` counts as low); when that is
 * `Unknown`, a related record's word, then the CVSS score band. CVSS: the vulnerability's own
 * entries before related ones, the highest CVSS version first. Locations (the lockfile or manifest
 * the package was found in) are kept for directory scans only: an image's paths are not repository paths.
 */
import type { Finding, Location, Parsed } from '../model.js';
import { asArray, asNumber, asRecord, asString, ownParser, type EvidenceLimits, type SourceFile } from '../source.js';
import { FindingCollector, cvssOf, distinct, idsOf, makeFinding, packageOf, stringsOf } from './common.js';
import { parsePurl } from './purl.js';
import { cvssVersionOf, moreSevere, severityFromScore, severityFromWord } from './severity.js';

/** A Grype report: a `matches` array (and normally `descriptor.name: "grype"`). */
export function isGrype(doc: Record<string, unknown>): boolean {
  return Array.isArray(doc.matches) && (doc.descriptor === undefined || asString(asRecord(doc.descriptor)?.name) === 'grype');
}

interface CvssEntry {
  score: number;
  vector?: string;
  version?: string;
}

function cvssEntries(vulnerability: Record<string, unknown> | undefined): CvssEntry[] {
  const out: CvssEntry[] = [];
  for (const c of asArray(vulnerability?.cvss)) {
    const entry = asRecord(c);
    const vector = asString(entry?.vector);
    const score = asNumber(asRecord(entry?.metrics)?.baseScore);
    const version = asString(entry?.version) ?? (vector === undefined ? undefined : cvssVersionOf(vector));
    const cvss = cvssOf(score, vector, version);
    if (cvss !== undefined) out.push(cvss);
  }
  return out;
}

/** The entry with the highest CVSS version (the first of those on a tie). */
function newestCvss(entries: CvssEntry[]): CvssEntry | undefined {
  let best: CvssEntry | undefined;
  let bestVersion = -1;
  for (const e of entries) {
    const v = e.version === undefined ? 0 : Number.parseFloat(e.version);
    const version = Number.isFinite(v) ? v : 0;
    if (best === undefined || version > bestVersion) {
      best = e;
      bestVersion = version;
    }
  }
  return best;
}

export function parseGrype(file: SourceFile, doc: Record<string, unknown>, limits: EvidenceLimits): Parsed<Finding[]> {
  const out = new FindingCollector(file, limits.maxFindings, limits.maxWarnings);
  const descriptor = asRecord(doc.descriptor);
  if (descriptor === undefined) out.warn('no `descriptor`; read as Grype JSON from its `matches`');
  const sourceType = asString(asRecord(doc.source)?.type);
  const repositoryPaths = sourceType === 'directory' || sourceType === 'file';
  let skipped = 0;

  for (const value of asArray(doc.matches)) {
    const match = asRecord(value);
    const vulnerability = asRecord(match?.vulnerability);
    const ownId = asString(vulnerability?.id);
    if (match === undefined || vulnerability === undefined || ownId === undefined) {
      skipped++;
      continue;
    }
    const related = asArray(match.relatedVulnerabilities).map(asRecord);
    const artifact = asRecord(match.artifact);

    let severity = severityFromWord(asString(vulnerability.severity));
    if (severity === 'unknown') {
      for (const r of related) severity = moreSevere(severity, severityFromWord(asString(r?.severity)));
    }
    const cvss = newestCvss(cvssEntries(vulnerability)) ?? newestCvss(related.flatMap(cvssEntries));
    if (severity === 'unknown' && cvss !== undefined) severity = severityFromScore(cvss.score);

    const purl = asString(artifact?.purl);
    const purlParts = purl === undefined ? undefined : parsePurl(purl);
    const fix = asRecord(vulnerability.fix);
    const fixedIn = distinct(stringsOf(fix?.versions));
    const locations: Location[] = [];
    if (repositoryPaths) {
      for (const l of asArray(artifact?.locations)) {
        const path = asString(asRecord(l)?.path)?.replace(/^\/+/, '');
        if (path !== undefined && path !== '' && !locations.some((x) => x.path === path)) locations.push({ path });
      }
    }

    out.add(
      makeFinding({
        ...idsOf(ownId, related.map((r) => asString(r?.id))),
        kind: 'dependency',
        tools: ['grype'],
        severity,
        cvss,
        purl,
        package: packageOf(asString(artifact?.name), asString(artifact?.version), purlParts?.type ?? asString(artifact?.type)),
        fixedIn,
        fixAvailable: asString(fix?.state) === 'fixed' || fixedIn.length > 0,
        locations,
      }),
    );
  }
  if (skipped > 0) out.warn(`${String(skipped)} matches have no vulnerability id and were skipped`);
  return { value: out.findings, format: 'grype-json', parser: ownParser('grype'), warnings: out.done() };
}
