/**
 * `npm audit --json`.
 *
 * Report version 2 (npm 7+): `vulnerabilities` keyed by package, each with `via[]`. An object in
 * `via` is an advisory against this package (one finding each); a string names a dependency the
 * package is vulnerable through, whose advisories are reported under that dependency, so those
 * entries add no finding. npm 7+ does not report installed versions: the purl is `pkg:npm/<name>`
 * without a version (the merge step pairs it with a scanner's versioned finding of the same
 * vulnerability when exactly one exists). `fixAvailable` is npm's; a fixed version is only known
 * when npm's fix installs this very package (`fixAvailable: { name, version }`).
 *
 * Report version 1 (npm 6): `advisories` keyed by id, each with `findings[]` of installed versions
 * (one finding per version), `cves`, `github_advisory_id`, and `patched_versions` (a range; its
 * lowest version is the fixed version).
 *
 * Ids: the GHSA id (from `github_advisory_id` or the advisory URL) and CVEs; an advisory without
 * either keeps its URL as id. npm's `moderate` is medium, `info` is none.
 */
import semver from 'semver';
import type { Finding, Parsed } from '../model.js';
import { asArray, asBoolean, asNumber, asRecord, asString, isRecord, ownParser, type EvidenceLimits, type SourceFile } from '../source.js';
import { FindingCollector, cvssOf, distinct, idsOf, makeFinding, stringsOf } from './common.js';
import { buildPurl } from './purl.js';
import { cvssVersionOf, severityOf } from './severity.js';

/** `npm audit --json`: report version 2 (`auditReportVersion`, `vulnerabilities`) or 1 (`advisories`). */
export function isNpmAudit(doc: Record<string, unknown>): boolean {
  return (doc.auditReportVersion !== undefined && isRecord(doc.vulnerabilities)) || (isRecord(doc.advisories) && (doc.metadata !== undefined || doc.actions !== undefined));
}

const GHSA_IN_URL = /\/advisories\/(GHSA(?:-[0-9a-z]{4}){3})(?![0-9a-z])/i;

function ghsaFromUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  return GHSA_IN_URL.exec(url)?.[1];
}

/** npm's `{ score, vectorString }`; a zero score without a vector is npm's "no CVSS". */
function npmCvss(v: unknown): Finding['cvss'] {
  const c = asRecord(v);
  const score = asNumber(c?.score);
  const vector = asString(c?.vectorString);
  if (score === undefined || (score === 0 && vector === undefined)) return undefined;
  return cvssOf(score, vector, vector === undefined ? undefined : cvssVersionOf(vector));
}

function npmPackageName(name: string): { scope: string | undefined; bare: string } {
  const slash = name.indexOf('/');
  return name.startsWith('@') && slash > 0 ? { scope: name.slice(0, slash), bare: name.slice(slash + 1) } : { scope: undefined, bare: name };
}

export function npmPurl(name: string, version: string | undefined): string {
  const { scope, bare } = npmPackageName(name);
  return buildPurl('npm', scope, bare, version);
}

function parseV2(doc: Record<string, unknown>, out: FindingCollector): void {
  const vulnerabilities = asRecord(doc.vulnerabilities) ?? {};
  let throughDependencies = 0;
  for (const [key, value] of Object.entries(vulnerabilities)) {
    const entry = asRecord(value);
    if (entry === undefined) continue;
    const name = asString(entry.name) ?? key;
    const fix = entry.fixAvailable;
    const fixAvailable = asBoolean(fix) === true || isRecord(fix);
    const fixRecord = asRecord(fix);
    const fixedIn = fixRecord !== undefined && asString(fixRecord.name) === name ? stringsOf([fixRecord.version]) : [];
    let advisories = 0;
    for (const via of asArray(entry.via)) {
      const advisory = asRecord(via);
      if (advisory === undefined) continue;
      const url = asString(advisory.url);
      const source = asString(advisory.source);
      const own = ghsaFromUrl(url) ?? url ?? (source === undefined ? undefined : `npm-advisory-${source}`);
      if (own === undefined) {
        out.warn(`vulnerabilities.${name}: an advisory in via[] has neither url nor source; skipped`);
        continue;
      }
      advisories++;
      const pkgName = asString(advisory.name) ?? name;
      const cvss = npmCvss(advisory.cvss);
      out.add(
        makeFinding({
          ...idsOf(own, []),
          kind: 'dependency',
          tools: ['npm-audit'],
          severity: severityOf(asString(advisory.severity), cvss?.score),
          cvss,
          purl: npmPurl(pkgName, undefined),
          package: { name: pkgName, ecosystem: 'npm' },
          fixedIn: pkgName === name ? fixedIn : [],
          fixAvailable,
          title: asString(advisory.title),
          locations: [],
        }),
      );
    }
    if (advisories === 0) throughDependencies++;
  }
  if (throughDependencies > 0) {
    out.warn(`${String(throughDependencies)} packages are vulnerable only through their dependencies; those advisories are reported under the dependencies`);
  }
}

function lowestPatched(range: string | undefined): string | undefined {
  if (range === undefined || range === '<0.0.0') return undefined;
  try {
    return semver.validRange(range) === null ? undefined : (semver.minVersion(range)?.version ?? undefined);
  } catch {
    return undefined;
  }
}

function parseV1(doc: Record<string, unknown>, out: FindingCollector): void {
  const advisories = asRecord(doc.advisories) ?? {};
  for (const [key, value] of Object.entries(advisories)) {
    const advisory = asRecord(value);
    const name = asString(advisory?.module_name);
    if (advisory === undefined || name === undefined) continue;
    const url = asString(advisory.url);
    const ghsa = asString(advisory.github_advisory_id) ?? ghsaFromUrl(url);
    const own = ghsa ?? url ?? `npm-advisory-${asString(advisory.id) ?? key}`;
    const ids = idsOf(own, stringsOf(advisory.cves));
    const patched = asString(advisory.patched_versions);
    const fixed = lowestPatched(patched);
    const cvss = npmCvss(advisory.cvss);
    const versions = distinct(asArray(advisory.findings).flatMap((f) => stringsOf([asRecord(f)?.version])));
    for (const version of versions.length === 0 ? [undefined] : versions) {
      out.add(
        makeFinding({
          ...ids,
          aliases: [...ids.aliases],
          kind: 'dependency',
          tools: ['npm-audit'],
          severity: severityOf(asString(advisory.severity), cvss?.score),
          cvss: cvss === undefined ? undefined : { ...cvss },
          purl: npmPurl(name, version),
          package: version === undefined ? { name, ecosystem: 'npm' } : { name, version, ecosystem: 'npm' },
          fixedIn: fixed === undefined ? [] : [fixed],
          fixAvailable: patched !== undefined && patched !== '<0.0.0',
          title: asString(advisory.title),
          locations: [],
        }),
      );
    }
  }
}

export function parseNpmAudit(file: SourceFile, doc: Record<string, unknown>, limits: EvidenceLimits): Parsed<Finding[]> {
  const out = new FindingCollector(file, limits.maxFindings, limits.maxWarnings);
  const reportVersion = asNumber(doc.auditReportVersion);
  if (isRecord(doc.vulnerabilities) && reportVersion !== undefined) {
    if (reportVersion !== 2) out.warn(`auditReportVersion ${String(reportVersion)} is not 2; read as version 2`);
    parseV2(doc, out);
    return { value: out.findings, format: 'npm-audit-json@2', parser: ownParser('npm-audit'), warnings: out.done() };
  }
  parseV1(doc, out);
  return { value: out.findings, format: 'npm-audit-json@1', parser: ownParser('npm-audit'), warnings: out.done() };
}
