/**
 * What the vulnerability parsers share: vulnerability-id handling (which id is primary), the size
 * caps the evidence schema puts on a finding, and the list that enforces `maxFindings`.
 */
import type { Finding, Location } from '../model.js';
import { asCount, asRecord, asString, limitError, Warnings, type SourceFile, clipText } from '../source.js';
import { parsePurl } from './purl.js';

/** Sizes from packages/core/schemas/evidence.schema.json (`finding`, `location`, `vexStatement`). */
export const CAPS = {
  id: 1024,
  aliases: 100,
  tool: 256,
  tools: 32,
  purl: 4096,
  packageName: 1024,
  version: 256,
  ecosystem: 128,
  fixedIn: 100,
  title: 4096,
  rule: 1024,
  locations: 1000,
  path: 4096,
  justification: 1024,
  statement: 16_384,
  products: 10_000,
  timestamp: 64,
} as const;

const CVE_ID = /^CVE-\d{4}-\d{4,}$/i;
const GHSA_ID = /^GHSA(?:-[0-9a-z]{4}){3}$/i;
/** A CVE or GHSA id at the start of a rule id (`CVE-2021-23337`, grype's `CVE-2021-23337-lodash`). */
export const LEADING_VULNERABILITY_ID = /^(CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3})(?![0-9])/i;

export function isCve(id: string): boolean {
  return CVE_ID.test(id);
}

export function isGhsa(id: string): boolean {
  return GHSA_ID.test(id);
}

/** Ids compare case-insensitively (`GHSA-p6mc-m468-83gw` and `GHSA-P6MC-M468-83GW` are one). */
export function idKey(id: string): string {
  return id.toUpperCase();
}

/** Distinct non-empty ids in first-seen order (case-insensitive). */
export function uniqueIds(ids: Iterable<string | undefined>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of ids) {
    if (id === undefined) continue;
    const trimmed = id.trim();
    if (trimmed === '') continue;
    const key = idKey(trimmed);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(trimmed);
  }
  return out;
}

function smallest(ids: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const id of ids) if (best === undefined || idKey(id) < idKey(best)) best = id;
  return best;
}

/** The primary id: a CVE (the smallest if several), else a GHSA, else `fallback` (the tool's own id). */
export function primaryId(ids: readonly string[], fallback: string): string {
  return smallest(ids.filter(isCve)) ?? smallest(ids.filter(isGhsa)) ?? fallback;
}

/** Primary id plus the other ids as sorted aliases. `own` is the tool's id for this finding. */
export function idsOf(own: string, others: Iterable<string | undefined>): { id: string; aliases: string[] } {
  const all = uniqueIds([own, ...others]);
  const id = primaryId(all, own);
  const key = idKey(id);
  const aliases = all.filter((a) => idKey(a) !== key).sort((a, b) => compareText(idKey(a), idKey(b)));
  return { id, aliases };
}

/** Code-unit order: deterministic and locale-independent. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Purl types whose namespace is the distribution (vendor), not part of the package's name.
const DISTRO_NAMESPACE_TYPES: ReadonlySet<string> = new Set(['deb', 'rpm', 'apk', 'alpm']);

/**
 * The package a purl names: `@scope/name` for npm, `group:artifact` for Maven, the bare name for OS
 * packages (`pkg:deb/debian/curl` is `curl`), `namespace/name` otherwise (Go modules, Composer).
 */
export function packageFromPurl(purl: string): { name: string; version?: string; ecosystem: string } | undefined {
  const parts = parsePurl(purl);
  if (parts === undefined) return undefined;
  const lastSlash = parts.path.lastIndexOf('/');
  const name =
    parts.type === 'maven' && lastSlash > 0
      ? `${parts.path.slice(0, lastSlash)}:${parts.path.slice(lastSlash + 1)}`
      : DISTRO_NAMESPACE_TYPES.has(parts.type)
        ? parts.path.slice(lastSlash + 1)
        : parts.path;
  return parts.version === undefined ? { name, ecosystem: parts.type } : { name, version: parts.version, ecosystem: parts.type };
}

/** One SARIF-style region read defensively: only integers >= 1 are kept (the schema's minimum). */
export function regionOf(region: unknown): Omit<Location, 'path'> {
  const r = asRecord(region);
  if (r === undefined) return {};
  const out: Omit<Location, 'path'> = {};
  const startLine = positive(r.startLine);
  const endLine = positive(r.endLine);
  const startColumn = positive(r.startColumn);
  const endColumn = positive(r.endColumn);
  if (startLine !== undefined) out.startLine = startLine;
  if (endLine !== undefined) out.endLine = endLine;
  if (startColumn !== undefined) out.startColumn = startColumn;
  if (endColumn !== undefined) out.endColumn = endColumn;
  return out;
}

function positive(v: unknown): number | undefined {
  const n = asCount(v);
  return n !== undefined && n >= 1 ? n : undefined;
}

/** Strings of an array, skipping anything else. */
export function stringsOf(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const item of v) {
    const s = asString(item);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** Distinct values in first-seen order. */
export function distinct(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

// Workspace roots of GitHub-hosted runners (Linux, macOS, Windows, container jobs, Docker actions)
// and self-hosted ones (`<anything>/_work/<repo>/<repo>/`): tools that write absolute paths write these.
const RUNNER_ROOTS: readonly RegExp[] = [
  /^\/home\/runner\/work\/[^/]+\/[^/]+\//,
  /^\/Users\/runner\/work\/[^/]+\/[^/]+\//,
  /^[A-Za-z]:\/a\/[^/]+\/[^/]+\//,
  /^\/__w\/[^/]+\/[^/]+\//,
  /^\/github\/workspace\//,
  /^.*?\/_work\/[^/]+\/[^/]+\//,
];
/** A path under a runner's workspace made relative to it; undefined for any other path. */
export function stripRunnerRoot(abs: string): string | undefined {
  for (const root of RUNNER_ROOTS) {
    const m = root.exec(abs);
    if (m !== null) return abs.slice(m[0].length);
  }
  return undefined;
}

/** Location identity (path and start), for de-duplicating locations. */
export function locationKey(l: Location): string {
  return `${l.path}\u0000${String(l.startLine ?? '')}:${String(l.startColumn ?? '')}-${String(l.endLine ?? '')}:${String(l.endColumn ?? '')}`;
}

/**
 * Builds one parser's findings: enforces `maxFindings`, fits every field to the evidence schema's
 * sizes (noting what was cut), and collects warnings.
 */
export class FindingCollector {
  readonly findings: Finding[] = [];
  readonly warnings: Warnings;
  private readonly clipped = new Set<string>();

  constructor(
    private readonly file: SourceFile,
    private readonly maxFindings: number,
    maxWarnings: number,
  ) {
    this.warnings = new Warnings(maxWarnings);
  }

  add(finding: Finding): void {
    if (this.findings.length >= this.maxFindings) throw limitError(this.file, 'findings', this.maxFindings, 'max-findings');
    this.findings.push(this.fit(finding));
  }

  warn(message: string): void {
    this.warnings.add(message);
  }

  /** Warnings, with one line per field that had to be shortened. */
  done(): string[] {
    for (const what of this.clipped) this.warnings.add(`some ${what} were longer than the evidence allows and were shortened`);
    return this.warnings.done();
  }

  private cut(text: string, max: number, what: string): string {
    if (text.length <= max) return text;
    this.clipped.add(what);
    return clipText(text, max);
  }

  private list<T>(items: T[], max: number, what: string): T[] {
    if (items.length <= max) return items;
    this.clipped.add(what);
    return items.slice(0, max);
  }

  /** The same array when every item fits (the common case: no copy), else a shortened copy. */
  private cutAll(items: string[], maxItems: number, maxLength: number, what: string): string[] {
    const list = this.list(items, maxItems, `${what} lists`);
    return list.every((s) => s.length <= maxLength) ? list : list.map((s) => this.cut(s, maxLength, what));
  }

  private fit(f: Finding): Finding {
    f.id = this.cut(f.id, CAPS.id, 'ids');
    f.aliases = this.cutAll(f.aliases, CAPS.aliases, CAPS.id, 'aliases');
    f.tools = this.cutAll(f.tools, CAPS.tools, CAPS.tool, 'tool names');
    f.fixedIn = this.cutAll(f.fixedIn, CAPS.fixedIn, CAPS.version, 'fixed versions');
    f.locations = this.list(f.locations, CAPS.locations, 'location lists');
    if (f.locations.some((l) => l.path.length > CAPS.path)) f.locations = f.locations.map((l) => ({ ...l, path: this.cut(l.path, CAPS.path, 'paths') }));
    if (f.purl !== undefined) f.purl = this.cut(f.purl, CAPS.purl, 'purls');
    if (f.title !== undefined) f.title = this.cut(f.title, CAPS.title, 'titles');
    if (f.rule !== undefined) f.rule = this.cut(f.rule, CAPS.rule, 'rule ids');
    if (f.package !== undefined) {
      const p = f.package;
      p.name = this.cut(p.name, CAPS.packageName, 'package names');
      if (p.version !== undefined) p.version = this.cut(p.version, CAPS.version, 'package versions');
      if (p.ecosystem !== undefined) p.ecosystem = this.cut(p.ecosystem, CAPS.ecosystem, 'ecosystems');
    }
    return f;
  }
}

type Loose<T> = { [K in keyof T]-?: T[K] | undefined };

/** What a parser knows about one finding; optional fields may be undefined (they are left out). */
export type FindingInput = Pick<Finding, 'id' | 'aliases' | 'kind' | 'tools' | 'severity' | 'fixedIn' | 'fixAvailable' | 'locations'> &
  Partial<Loose<Pick<Finding, 'cvss' | 'purl' | 'package' | 'title' | 'rule'>>>;

/** A Finding with only the optional fields that are known, not yet suppressed by any VEX. */
export function makeFinding(input: FindingInput): Finding {
  const f: Finding = {
    id: input.id,
    aliases: input.aliases,
    kind: input.kind,
    tools: input.tools,
    severity: input.severity,
    fixedIn: input.fixedIn,
    fixAvailable: input.fixAvailable,
    locations: input.locations,
    suppressed: false,
  };
  if (input.cvss !== undefined) f.cvss = input.cvss;
  if (input.purl !== undefined) f.purl = input.purl;
  if (input.package !== undefined) f.package = input.package;
  if (input.title !== undefined) f.title = input.title;
  if (input.rule !== undefined) f.rule = input.rule;
  return f;
}

/** `{ name, version?, ecosystem? }` without undefined members; undefined without a name. */
export function packageOf(name: string | undefined, version: string | undefined, ecosystem: string | undefined): Finding['package'] {
  if (name === undefined) return undefined;
  const p: NonNullable<Finding['package']> = { name };
  if (version !== undefined) p.version = version;
  if (ecosystem !== undefined) p.ecosystem = ecosystem;
  return p;
}

/** `{ score, vector?, version? }` for a score in [0, 10]; undefined otherwise. */
export function cvssOf(score: number | undefined, vector: string | undefined, version: string | undefined): Finding['cvss'] {
  if (score === undefined || !(score >= 0 && score <= 10)) return undefined;
  const c: NonNullable<Finding['cvss']> = { score };
  if (vector !== undefined) c.vector = vector;
  if (version !== undefined) c.version = version;
  return c;
}
