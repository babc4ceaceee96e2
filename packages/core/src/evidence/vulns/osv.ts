/**
 * OSV-Scanner JSON (`osv-scanner scan --format json`, v1 and v2): `results[]` of { source
 * (v1.x: `packageSource`), packages[] of { package: { name, version, ecosystem }, vulnerabilities
 * (full OSV records), groups: [{ ids, aliases, max_severity }] } }.
 *
 * One finding per group (OSV-Scanner already groups the records that alias each other, e.g. a
 * GHSA and a GO- or RUSTSEC- id); without `groups`, one per record. Ids: the group's ids and
 * aliases plus each record's aliases, CVE primary. Severity: `max_severity` (OSV-Scanner's own CVSS
 * score) in CVSS bands, else the records' `database_specific.severity` words (GitHub advisories),
 * else the band of the CVSS v3 base score computed from the records' vectors. Fixed versions: the
 * `fixed` events of ECOSYSTEM/SEMVER ranges for this package (GIT ranges name commits, not
 * versions). The purl is built from the OSV ecosystem, name and version.
 */
import type { Finding, Location, Parsed, Severity } from '../model.js';
import { asArray, asNumber, asRecord, asString, isRecord, ownParser, type EvidenceLimits, type SourceFile } from '../source.js';
import { FindingCollector, cvssOf, distinct, idsOf, makeFinding, packageOf, stringsOf, stripRunnerRoot } from './common.js';
import { parsePurl, purlFromOsvEcosystem } from './purl.js';
import { cvss3BaseScore, cvssVersionOf, moreSevere, severityFromScore, severityFromWord } from './severity.js';

/** An OSV-Scanner report: `results[]` whose entries carry `packages` or `source` (Semgrep's `results` do not). */
export function isOsvScanner(doc: Record<string, unknown>): boolean {
  if (!Array.isArray(doc.results)) return false;
  if (doc.results.length === 0) return doc.errors === undefined && doc.paths === undefined;
  return doc.results.some((r) => isRecord(r) && (Array.isArray(r.packages) || isRecord(r.source) || isRecord(r.packageSource)));
}

type OsvRecord = Record<string, unknown>;

function ecosystemBase(ecosystem: string | undefined): string | undefined {
  if (ecosystem === undefined) return undefined;
  const colon = ecosystem.indexOf(':');
  return colon < 0 ? ecosystem : ecosystem.slice(0, colon);
}

/** `fixed` events of the affected[] entries that name this package. */
function fixedVersions(records: OsvRecord[], name: string, ecosystem: string | undefined): string[] {
  const out: string[] = [];
  const base = ecosystemBase(ecosystem);
  for (const record of records) {
    for (const a of asArray(record.affected)) {
      const affected = asRecord(a);
      const pkg = asRecord(affected?.package);
      if (asString(pkg?.name) !== name) continue;
      if (base !== undefined && ecosystemBase(asString(pkg?.ecosystem)) !== base) continue;
      for (const r of asArray(affected?.ranges)) {
        const range = asRecord(r);
        const type = asString(range?.type);
        if (type !== 'ECOSYSTEM' && type !== 'SEMVER') continue;
        for (const e of asArray(range?.events)) {
          const fixed = asString(asRecord(e)?.fixed);
          if (fixed !== undefined) out.push(fixed);
        }
      }
    }
  }
  return distinct(out);
}

/** The highest CVSS v3 base score among the records' vectors (v4 and v2 vectors carry no score here). */
function bestCvss(records: OsvRecord[]): Finding['cvss'] {
  let best: Finding['cvss'];
  for (const record of records) {
    for (const s of asArray(record.severity)) {
      const vector = asString(asRecord(s)?.score);
      if (vector === undefined) continue;
      const score = cvss3BaseScore(vector);
      if (score !== undefined && (best === undefined || score > best.score)) best = cvssOf(score, vector, cvssVersionOf(vector));
    }
  }
  return best;
}

function groupsOf(entry: Record<string, unknown>, records: Map<string, OsvRecord>): { ids: string[]; aliases: string[]; maxSeverity: number | undefined }[] {
  const groups = asArray(entry.groups)
    .map(asRecord)
    .filter((g): g is Record<string, unknown> => g !== undefined)
    .map((g) => ({ ids: stringsOf(g.ids), aliases: stringsOf(g.aliases), maxSeverity: asNumber(g.max_severity) }))
    .filter((g) => g.ids.length > 0);
  // A record no group names is still a vulnerability of this package: it gets a group of its own.
  const grouped = new Set(groups.flatMap((g) => g.ids));
  for (const id of records.keys()) if (!grouped.has(id)) groups.push({ ids: [id], aliases: [], maxSeverity: undefined });
  return groups;
}

export function parseOsvScanner(file: SourceFile, doc: Record<string, unknown>, limits: EvidenceLimits): Parsed<Finding[]> {
  const out = new FindingCollector(file, limits.maxFindings, limits.maxWarnings);
  let absolutePaths = 0;

  for (const resultValue of asArray(doc.results)) {
    const result = asRecord(resultValue);
    if (result === undefined) continue;
    const source = asRecord(result.source) ?? asRecord(result.packageSource);
    const sourceType = asString(source?.type);
    let sourcePath = asString(source?.path);
    if (sourcePath !== undefined && sourcePath.startsWith('/')) {
      const relative = stripRunnerRoot(sourcePath);
      if (relative === undefined) absolutePaths++;
      else sourcePath = relative;
    }
    const locations: Location[] = sourcePath !== undefined && (sourceType === 'lockfile' || sourceType === 'sbom') ? [{ path: sourcePath }] : [];

    for (const entryValue of asArray(result.packages)) {
      const entry = asRecord(entryValue);
      const pkg = asRecord(entry?.package);
      const name = asString(pkg?.name);
      if (entry === undefined || name === undefined) continue;
      const version = asString(pkg?.version);
      const ecosystem = asString(pkg?.ecosystem);

      const records = new Map<string, OsvRecord>();
      for (const v of asArray(entry.vulnerabilities)) {
        const record = asRecord(v) ?? (typeof v === 'string' ? { id: v } : undefined);
        const id = asString(record?.id);
        if (record !== undefined && id !== undefined && !records.has(id)) records.set(id, record);
      }
      const purl = ecosystem === undefined ? undefined : purlFromOsvEcosystem(ecosystem, name, version);

      for (const group of groupsOf(entry, records)) {
        const members: OsvRecord[] = [];
        for (const id of group.ids) {
          const record = records.get(id);
          if (record !== undefined) members.push(record);
        }
        const own = group.ids[0] ?? '';
        const ids = idsOf(own, [...group.ids, ...group.aliases, ...members.flatMap((m) => stringsOf(m.aliases))]);
        const cvss = bestCvss(members);
        let severity: Severity = group.maxSeverity !== undefined && group.maxSeverity >= 0 && group.maxSeverity <= 10 ? severityFromScore(group.maxSeverity) : 'unknown';
        if (severity === 'unknown') {
          for (const m of members) severity = moreSevere(severity, severityFromWord(asString(asRecord(m.database_specific)?.severity)));
        }
        if (severity === 'unknown' && cvss !== undefined) severity = severityFromScore(cvss.score);
        const fixedIn = fixedVersions(members, name, ecosystem);
        out.add(
          makeFinding({
            ...ids,
            kind: 'dependency',
            tools: ['osv-scanner'],
            severity,
            cvss: cvss ?? cvssOf(group.maxSeverity, undefined, undefined),
            purl,
            package: packageOf(name, version, purl === undefined ? ecosystem : parsePurl(purl)?.type),
            fixedIn,
            fixAvailable: fixedIn.length > 0,
            title: members.map((m) => asString(m.summary)).find((s) => s !== undefined),
            locations: locations.map((l) => ({ ...l })),
          }),
        );
      }
    }
  }
  if (absolutePaths > 0) out.warn(`${String(absolutePaths)} source paths are absolute paths outside a runner workspace and were kept as written`);
  return { value: out.findings, format: 'osv-scanner-json', parser: ownParser('osv-scanner'), warnings: out.done() };
}
