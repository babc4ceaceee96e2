/**
 * SARIF 2.1.0 (OASIS), as written by CodeQL, Semgrep, Trivy, Grype and most code scanners.
 *
 * One finding per result. Rules are looked up the way SARIF defines it: `rule.toolComponent.index`
 * picks an extension (CodeQL keeps its query packs' rules there), `ruleIndex`/`rule.index` the rule,
 * else the rule with the same `ruleId`. Severity: `security-severity` (result, else rule properties)
 * in CVSS bands as GitHub code scanning maps it; without one, the effective `level` (result, else
 * the rule's `defaultConfiguration.level`, else SARIF's default `warning`, or `none` for a result
 * whose `kind` is not `fail`) as documented in severity.ts.
 *
 * Results whose rule id starts with a CVE or GHSA id (Trivy's `CVE-2021-23337`, Grype's
 * `CVE-2021-23337-lodash`) are dependency findings with that id; everything else is a `code`
 * finding identified by its rule id. Results of kind `pass`/`notApplicable`, results suppressed in
 * the file (`suppressions` with status accepted) and results with `baselineState: absent` are not
 * problems in this run and are left out, each counted in a warning.
 *
 * Paths: `artifactLocation.uri` (or the run's `artifacts[index]`) resolved through
 * `originalUriBaseIds`; absolute `file://` paths under a GitHub runner workspace or under a base id
 * are made relative to the repository; others are kept absolute with a warning. A scheme-less
 * absolute path (Grype writes `/package-lock.json` for a directory scan) is taken relative to the
 * scanned directory, i.e. its leading `/` is dropped.
 */
import type { Finding, Location, Parsed, Severity } from '../model.js';
import { asArray, asNumber, asRecord, asString, formatError, ownParser, type EvidenceLimits, type SourceFile } from '../source.js';
import {
  FindingCollector,
  LEADING_VULNERABILITY_ID,
  distinct,
  idsOf,
  locationKey,
  makeFinding,
  packageFromPurl,
  packageOf,
  regionOf,
  stringsOf,
  stripRunnerRoot,
} from './common.js';
import { severityFromSarifLevel, severityFromScore } from './severity.js';

export const SARIF_EXPECTED = 'a SARIF 2.1.0 log (`version: "2.1.0"`, `runs[]`)';

/** A SARIF log: `runs` plus a `version` or a SARIF `$schema`. */
export function isSarif(doc: Record<string, unknown>): boolean {
  if (!Array.isArray(doc.runs)) return false;
  const schema = asString(doc.$schema);
  return asString(doc.version) !== undefined || (schema !== undefined && schema.toLowerCase().includes('sarif'));
}

type Rule = Record<string, unknown>;

interface RunContext {
  tool: string;
  driverRules: unknown[];
  extensionRules: unknown[][];
  rulesById: Map<string, Rule>;
  baseIds: Record<string, unknown>;
  artifacts: unknown[];
  /** uriBaseId -> the repository path its relative URIs start from (computed once per id). */
  basePrefixes: Map<string, string>;
}

interface PathNotes {
  absoluteKept: number;
  nonFile: number;
}

const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const WINDOWS_DRIVE = /^\/[A-Za-z]:\//;

function decodePath(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `file:///home/x` -> `/home/x`, `file:///C:/x` -> `C:/x`, `file://host/x` -> `//host/x`. */
function filePath(uri: string): string {
  let rest = uri.slice(5);
  if (rest.startsWith('///')) rest = rest.slice(2);
  else if (rest.startsWith('//localhost/')) rest = rest.slice(11);
  rest = decodePath(rest.replaceAll('\\', '/'));
  return WINDOWS_DRIVE.test(rest) ? rest.slice(1) : rest;
}

function tidy(path: string): string {
  let p = path.replaceAll('\\', '/');
  while (p.startsWith('./')) p = p.slice(2);
  return p;
}

/** A base id's absolute file path (ending in `/`), following relative bases up to a few levels. */
function baseAbsolute(ctx: RunContext, id: string, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  const base = asRecord(ctx.baseIds[id]);
  const uri = asString(base?.uri);
  if (uri === undefined) return undefined;
  const withSlash = uri.endsWith('/') ? uri : `${uri}/`;
  if (withSlash.toLowerCase().startsWith('file:')) return filePath(withSlash);
  if (URI_SCHEME.test(withSlash)) return undefined;
  const parent = asString(base?.uriBaseId);
  if (parent === undefined) return undefined;
  const parentAbs = baseAbsolute(ctx, parent, depth + 1);
  return parentAbs === undefined ? undefined : parentAbs + decodePath(withSlash);
}

/** A base id's path relative to the root of its chain (`src/` for `{SRC: {uri: "src/", uriBaseId: "%SRCROOT%"}}`). */
function baseRelative(ctx: RunContext, id: string, depth = 0): string {
  if (depth > 8) return '';
  const base = asRecord(ctx.baseIds[id]);
  const uri = asString(base?.uri);
  const parent = asString(base?.uriBaseId);
  if (uri === undefined || URI_SCHEME.test(uri)) return '';
  const here = decodePath(uri.endsWith('/') ? uri : `${uri}/`);
  return parent === undefined ? here : baseRelative(ctx, parent, depth + 1) + here;
}

function relativeToBases(ctx: RunContext, abs: string): string | undefined {
  for (const id of Object.keys(ctx.baseIds)) {
    const base = baseAbsolute(ctx, id);
    if (base !== undefined && abs.startsWith(base)) return baseRelative(ctx, id) + abs.slice(base.length);
  }
  return undefined;
}

/** The repository-relative path of an artifactLocation, as far as the log lets us tell. */
function artifactPath(ctx: RunContext, location: Record<string, unknown>, notes: PathNotes): string | undefined {
  let uri = asString(location.uri);
  let baseId = asString(location.uriBaseId);
  if (uri === undefined) {
    const index = asNumber(location.index);
    const artifact = index === undefined ? undefined : asRecord(asRecord(ctx.artifacts[index])?.location);
    uri = asString(artifact?.uri);
    baseId ??= asString(artifact?.uriBaseId);
  }
  if (uri === undefined) return undefined;
  if (uri.toLowerCase().startsWith('file:')) {
    const abs = filePath(uri);
    const rel = stripRunnerRoot(abs) ?? relativeToBases(ctx, abs);
    if (rel !== undefined) return tidy(rel);
    notes.absoluteKept++;
    return abs;
  }
  if (URI_SCHEME.test(uri)) {
    notes.nonFile++;
    return uri;
  }
  const relative = decodePath(uri);
  if (relative.startsWith('/')) {
    // An absolute path written without a scheme (Grype writes `/package-lock.json` for a directory scan).
    const rel = stripRunnerRoot(relative) ?? relativeToBases(ctx, relative);
    return tidy(rel ?? relative.replace(/^\/+/, ''));
  }
  if (baseId === undefined) return tidy(relative);
  return tidy(basePrefix(ctx, baseId) + relative);
}

/**
 * Where a base id's relative URIs start in the repository: the base's absolute path made relative
 * to the runner workspace when it lies inside one, else the relative part of its chain (the chain's
 * root, e.g. %SRCROOT%, taken as the repository root).
 */
function basePrefix(ctx: RunContext, baseId: string): string {
  const known = ctx.basePrefixes.get(baseId);
  if (known !== undefined) return known;
  const abs = baseAbsolute(ctx, baseId);
  const prefix = (abs === undefined ? undefined : stripRunnerRoot(abs)) ?? baseRelative(ctx, baseId);
  ctx.basePrefixes.set(baseId, prefix);
  return prefix;
}

function text(v: unknown): string | undefined {
  return asString(asRecord(v)?.text);
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return (nl < 0 ? s : s.slice(0, nl)).trim();
}

function runContext(run: Record<string, unknown>): RunContext {
  const tool = asRecord(run.tool);
  const driver = asRecord(tool?.driver);
  const driverRules = asArray(driver?.rules);
  const extensionRules = asArray(tool?.extensions).map((e) => asArray(asRecord(e)?.rules));
  const rulesById = new Map<string, Rule>();
  for (const list of [driverRules, ...extensionRules]) {
    for (const r of list) {
      const rule = asRecord(r);
      const id = asString(rule?.id);
      if (rule !== undefined && id !== undefined && !rulesById.has(id)) rulesById.set(id, rule);
    }
  }
  return {
    tool: asString(driver?.name) ?? 'sarif',
    driverRules,
    extensionRules,
    rulesById,
    baseIds: asRecord(run.originalUriBaseIds) ?? {},
    artifacts: asArray(run.artifacts),
    basePrefixes: new Map(),
  };
}

function ruleOf(ctx: RunContext, result: Record<string, unknown>): { ruleId: string | undefined; rule: Rule | undefined } {
  const ref = asRecord(result.rule);
  let ruleId = asString(result.ruleId) ?? asString(ref?.id);
  const index = asNumber(result.ruleIndex) ?? asNumber(ref?.index);
  const component = asNumber(asRecord(ref?.toolComponent)?.index);
  let rule: Rule | undefined;
  if (index !== undefined && Number.isInteger(index) && index >= 0) {
    const list = component === undefined ? ctx.driverRules : (ctx.extensionRules[component] ?? []);
    const candidate = asRecord(list[index]);
    if (candidate !== undefined && (ruleId === undefined || asString(candidate.id) === ruleId)) rule = candidate;
  }
  if (rule === undefined && ruleId !== undefined) rule = ctx.rulesById.get(ruleId);
  ruleId ??= asString(rule?.id);
  return { ruleId, rule };
}

/** `security-severity` as a number in [0, 10]; `bad` counts values that are present but unusable. */
function securitySeverity(props: Record<string, unknown> | undefined, bad: { count: number }): number | undefined {
  const raw = props?.['security-severity'];
  if (raw === undefined) return undefined;
  const n = asNumber(raw);
  if (n === undefined || n < 0 || n > 10) {
    bad.count++;
    return undefined;
  }
  return n;
}

function isSuppressed(result: Record<string, unknown>): boolean {
  for (const s of asArray(result.suppressions)) {
    const status = asString(asRecord(s)?.status);
    if (status === undefined || status === 'accepted') return true;
  }
  return false;
}

/** Trivy's SARIF names the package only in the message: `Package: lodash\nInstalled Version: 4.17.20\n...`. */
function trivyMessagePackage(message: string): { name?: string; version?: string; fixed: string[] } {
  const out: { name?: string; version?: string; fixed: string[] } = { fixed: [] };
  for (const line of message.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (value === '') continue;
    if (key === 'Package') out.name = value;
    else if (key === 'Installed Version') out.version = value;
    else if (key === 'Fixed Version') out.fixed = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  }
  return out;
}

export function parseSarif(file: SourceFile, doc: Record<string, unknown>, limits: EvidenceLimits): Parsed<Finding[]> {
  const version = asString(doc.version);
  const schema = asString(doc.$schema) ?? '';
  if (version !== '2.1.0' && !(version === undefined && schema.includes('2.1.0'))) {
    throw formatError(file, `is SARIF version ${version ?? '(none)'}, which genops does not read`, {
      expected: SARIF_EXPECTED,
      hint: 'Have the tool write SARIF 2.1.0 (the version GitHub code scanning accepts).',
    });
  }
  const out = new FindingCollector(file, limits.maxFindings, limits.maxWarnings);
  if (version === undefined) out.warn('no `version`; read as SARIF 2.1.0 from its $schema');
  const notes: PathNotes = { absoluteKept: 0, nonFile: 0 };
  const badSeverity = { count: 0 };
  let notProblems = 0;
  let suppressed = 0;
  let absent = 0;
  let withoutRule = 0;

  const runs = asArray(doc.runs);
  runs.forEach((runValue, r) => {
    const run = asRecord(runValue);
    if (run === undefined) {
      out.warn(`runs[${String(r)}] is not an object; skipped`);
      return;
    }
    const ctx = runContext(run);
    if (asString(asRecord(asRecord(run.tool)?.driver)?.name) === undefined) out.warn(`runs[${String(r)}] names no tool.driver.name; its findings are attributed to "sarif"`);
    const results = run.results;
    if (results !== undefined && results !== null && !Array.isArray(results)) out.warn(`runs[${String(r)}].results is not an array; skipped`);
    asArray(Array.isArray(results) ? results : undefined).forEach((value, i) => {
      const result = asRecord(value);
      if (result === undefined) {
        out.warn(`runs[${String(r)}].results[${String(i)}] is not an object; skipped`);
        return;
      }
      const kind = asString(result.kind);
      if (kind === 'pass' || kind === 'notApplicable') {
        notProblems++;
        return;
      }
      if (isSuppressed(result)) {
        suppressed++;
        return;
      }
      if (asString(result.baselineState) === 'absent') {
        absent++;
        return;
      }
      const { ruleId, rule } = ruleOf(ctx, result);
      if (ruleId === undefined) {
        withoutRule++;
        return;
      }
      const ruleProps = asRecord(rule?.properties);
      const score = securitySeverity(asRecord(result.properties), badSeverity) ?? securitySeverity(ruleProps, badSeverity);
      const level =
        asString(result.level) ??
        (kind !== undefined && kind !== 'fail' ? 'none' : (asString(asRecord(rule?.defaultConfiguration)?.level) ?? 'warning'));
      const severity: Severity = score !== undefined ? severityFromScore(score) : severityFromSarifLevel(level);

      const message = text(result.message);
      const locations: Location[] = [];
      const seen = new Set<string>();
      for (const l of asArray(result.locations)) {
        const physical = asRecord(asRecord(l)?.physicalLocation);
        const artifact = asRecord(physical?.artifactLocation);
        if (physical === undefined || artifact === undefined) continue;
        const path = artifactPath(ctx, artifact, notes);
        if (path === undefined || path === '') continue;
        const loc: Location = { path, ...regionOf(physical.region) };
        const key = locationKey(loc);
        if (!seen.has(key)) {
          seen.add(key);
          locations.push(loc);
        }
      }

      const vulnerability = LEADING_VULNERABILITY_ID.exec(ruleId);
      const fixes = Array.isArray(result.fixes) && result.fixes.length > 0;
      const title = text(rule?.shortDescription) ?? text(rule?.fullDescription) ?? (message === undefined ? undefined : firstLine(message));
      if (vulnerability === null) {
        out.add(
          makeFinding({
            id: ruleId,
            aliases: [],
            kind: 'code',
            tools: [ctx.tool],
            severity,
            fixedIn: [],
            fixAvailable: fixes,
            title,
            rule: ruleId,
            locations,
          }),
        );
        return;
      }
      // A vulnerable dependency reported through SARIF: Grype lists the purl in the rule's properties,
      // Trivy names the package in the message text.
      const purls = distinct(stringsOf(ruleProps?.purls).concat(stringsOf(asRecord(result.properties)?.purls)));
      const purl = purls.length === 1 ? purls[0] : undefined;
      const fromPurl = purl === undefined ? undefined : packageFromPurl(purl);
      const fromTrivy = ctx.tool.toLowerCase() === 'trivy' && message !== undefined ? trivyMessagePackage(message) : undefined;
      const pkg = fromPurl ?? packageOf(fromTrivy?.name, fromTrivy?.version, undefined);
      const fixedIn = fromTrivy?.fixed ?? [];
      out.add(
        makeFinding({
          ...idsOf(vulnerability[1] ?? ruleId, []),
          kind: 'dependency',
          tools: [ctx.tool],
          severity,
          purl,
          package: pkg,
          fixedIn,
          fixAvailable: fixes || fixedIn.length > 0,
          title,
          rule: ruleId,
          locations,
        }),
      );
    });
  });

  if (notProblems > 0) out.warn(`${String(notProblems)} results of kind pass/notApplicable are not problems and were left out`);
  if (suppressed > 0) out.warn(`${String(suppressed)} results are suppressed in the SARIF file (suppressions with status accepted) and were left out`);
  if (absent > 0) out.warn(`${String(absent)} results have baselineState "absent" (fixed since the baseline) and were left out`);
  if (withoutRule > 0) out.warn(`${String(withoutRule)} results name no rule (no ruleId, rule.id or ruleIndex) and were left out`);
  if (badSeverity.count > 0) out.warn(`${String(badSeverity.count)} security-severity values are not numbers in [0, 10] and were ignored`);
  if (notes.absoluteKept > 0) out.warn(`${String(notes.absoluteKept)} locations are absolute paths outside any known workspace root and were kept as written`);
  if (notes.nonFile > 0) out.warn(`${String(notes.nonFile)} locations are non-file URIs and were kept as written`);
  if (runs.length === 0) out.warn('the log has no runs');

  return { value: out.findings, format: 'sarif@2.1.0', parser: ownParser('sarif'), warnings: out.done() };
}

