/**
 * Trivy JSON (`trivy fs|image|repo --format json`), SchemaVersion 2: `Results[]` of
 * { Target, Class, Type, Vulnerabilities[] }.
 *
 * One finding per vulnerability entry: `VulnerabilityID` plus `VendorIDs` as ids, `Severity`
 * (then the CVSS band when it is UNKNOWN), CVSS from the `SeveritySource` vendor first, then NVD,
 * then GHSA (newest CVSS version within it). `FixedVersion` is a comma-separated list that may hold
 * range bounds (`>= 3.1.0, >= 2.1.3, < 3.0.0` for RustSec advisories): plain versions and `>=`
 * bounds are the fixed versions, upper bounds are not. Locations (lockfile and lines) are kept for
 * filesystem and repository scans, where `Target` is a repository path. Misconfigurations, secrets
 * and licenses in the same report are not vulnerabilities; they are counted in a warning.
 */
import type { Finding, Location, Parsed } from '../model.js';
import { asArray, asNumber, asRecord, asString, formatError, ownParser, type EvidenceLimits, type SourceFile } from '../source.js';
import { FindingCollector, cvssOf, distinct, idsOf, makeFinding, packageOf, regionOf, stringsOf } from './common.js';
import { parsePurl } from './purl.js';
import { cvssVersionOf, severityFromScore, severityFromWord } from './severity.js';

export const TRIVY_EXPECTED = 'a Trivy JSON report (`SchemaVersion: 2`, `Results[].Vulnerabilities`)';

/** A Trivy report: `SchemaVersion` with `ArtifactName` or `Results`. */
export function isTrivy(doc: Record<string, unknown>): boolean {
  return doc.SchemaVersion !== undefined && (doc.ArtifactName !== undefined || doc.Results !== undefined);
}

const CVSS_VERSIONS = [
  ['V40Score', 'V40Vector', '4.0'],
  ['V3Score', 'V3Vector', undefined],
  ['V2Score', 'V2Vector', '2.0'],
] as const;

function cvssFrom(entry: Record<string, unknown> | undefined): Finding['cvss'] {
  if (entry === undefined) return undefined;
  for (const [scoreKey, vectorKey, fixedVersion] of CVSS_VERSIONS) {
    const score = asNumber(entry[scoreKey]);
    const vector = asString(entry[vectorKey]);
    if (score === undefined) continue;
    // A V3Score of 0 with no vector is Trivy's zero value, not a rating.
    if (score === 0 && vector === undefined) continue;
    const cvss = cvssOf(score, vector, fixedVersion ?? (vector === undefined ? undefined : cvssVersionOf(vector)));
    if (cvss !== undefined) return cvss;
  }
  return undefined;
}

function pickCvss(map: Record<string, unknown> | undefined, severitySource: string | undefined): Finding['cvss'] {
  if (map === undefined) return undefined;
  const order = distinct([...(severitySource === undefined ? [] : [severitySource]), 'nvd', 'ghsa', ...Object.keys(map)]);
  for (const vendor of order) {
    const cvss = cvssFrom(asRecord(map[vendor]));
    if (cvss !== undefined) return cvss;
  }
  return undefined;
}

/** Fixed versions from Trivy's `FixedVersion`: plain versions and the bounds of `>=` comparators. */
export function trivyFixedVersions(fixedVersion: string | undefined): string[] {
  if (fixedVersion === undefined) return [];
  const out: string[] = [];
  for (const raw of fixedVersion.split(',')) {
    const part = raw.trim();
    if (part === '' || part.startsWith('<') || (part.startsWith('>') && !part.startsWith('>='))) continue;
    const version = part.startsWith('>=') ? part.slice(2).trim() : part.startsWith('=') ? part.slice(1).trim() : part;
    if (version !== '') out.push(version);
  }
  return distinct(out);
}

export function parseTrivy(file: SourceFile, doc: Record<string, unknown>, limits: EvidenceLimits): Parsed<Finding[]> {
  const schemaVersion = asNumber(doc.SchemaVersion);
  if (schemaVersion !== 2) {
    throw formatError(file, `is a Trivy report with SchemaVersion ${String(doc.SchemaVersion)}, which genops does not read`, {
      expected: TRIVY_EXPECTED,
      hint: 'Use Trivy 0.20 or later with `--format json` (SchemaVersion 2).',
    });
  }
  const out = new FindingCollector(file, limits.maxFindings, limits.maxWarnings);
  const artifactType = asString(doc.ArtifactType);
  const repositoryPaths = artifactType === 'filesystem' || artifactType === 'repository';
  let skipped = 0;
  const otherClasses = new Map<string, number>();

  for (const resultValue of asArray(doc.Results)) {
    const result = asRecord(resultValue);
    if (result === undefined) continue;
    const target = asString(result.Target);
    const resultType = asString(result.Type);
    const langPackages = asString(result.Class) === 'lang-pkgs';
    for (const other of ['Misconfigurations', 'Secrets', 'Licenses'] as const) {
      const n = asArray(result[other]).length;
      if (n > 0) otherClasses.set(other, (otherClasses.get(other) ?? 0) + n);
    }
    for (const value of asArray(result.Vulnerabilities)) {
      const v = asRecord(value);
      const ownId = asString(v?.VulnerabilityID);
      if (v === undefined || ownId === undefined) {
        skipped++;
        continue;
      }
      const cvss = pickCvss(asRecord(v.CVSS), asString(v.SeveritySource));
      let severity = severityFromWord(asString(v.Severity));
      if (severity === 'unknown' && cvss !== undefined) severity = severityFromScore(cvss.score);
      const purl = asString(asRecord(v.PkgIdentifier)?.PURL);
      const purlParts = purl === undefined ? undefined : parsePurl(purl);
      const fixedIn = trivyFixedVersions(asString(v.FixedVersion));

      const locations: Location[] = [];
      if (repositoryPaths && langPackages && target !== undefined) {
        for (const l of asArray(v.Locations)) {
          const region = regionOf({ startLine: asRecord(l)?.StartLine, endLine: asRecord(l)?.EndLine });
          if (region.startLine !== undefined) locations.push({ path: target, ...region });
        }
        if (locations.length === 0) locations.push({ path: target });
      }

      out.add(
        makeFinding({
          ...idsOf(ownId, stringsOf(v.VendorIDs)),
          kind: 'dependency',
          tools: ['trivy'],
          severity,
          cvss,
          purl,
          package: packageOf(asString(v.PkgName), asString(v.InstalledVersion), purlParts?.type ?? resultType),
          fixedIn,
          fixAvailable: asString(v.Status) === 'fixed' || fixedIn.length > 0,
          title: asString(v.Title),
          locations,
        }),
      );
    }
  }
  if (skipped > 0) out.warn(`${String(skipped)} vulnerabilities have no VulnerabilityID and were skipped`);
  for (const [what, n] of otherClasses) out.warn(`${String(n)} ${what} in the report are not vulnerabilities and were left out`);
  return { value: out.findings, format: 'trivy-json@2', parser: ownParser('trivy'), warnings: out.done() };
}
