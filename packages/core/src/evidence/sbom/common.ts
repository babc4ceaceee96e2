/**
 * What the CycloneDX and SPDX readers share: the component list (with the id the document's
 * dependency graph uses for each), the evidence schema's size caps, hash normalization, aggregated
 * warnings, scope from a dependency graph, and totals.
 */
import type { Component, DependencyScope, SbomEvidence } from '../model.js';
import { limitError, type EvidenceLimits, type SourceFile, type Warnings, clipText } from '../source.js';

/**
 * Components as read, with `scope` still `unknown`, and beside them (same index) the id the
 * document's dependency graph uses for each: bom-ref (CycloneDX) or SPDXID (SPDX).
 * Enforces limits.maxComponents as they are read.
 */
export class ComponentList {
  readonly items: Component[] = [];
  readonly refs: (string | undefined)[] = [];
  constructor(
    private readonly file: SourceFile,
    private readonly limits: EvidenceLimits,
  ) {}

  /** Throws a limit error before the count passes the limit. */
  reserve(count: number): void {
    if (this.items.length + count > this.limits.maxComponents) {
      throw limitError(this.file, 'components', this.limits.maxComponents, 'maxComponents');
    }
  }

  add(component: Component, ref: string | undefined): void {
    this.reserve(1);
    this.items.push(component);
    this.refs.push(ref);
  }

  /** Drops the components whose ref is `ref` (the root listed again); returns how many. */
  dropRef(ref: string): number {
    let kept = 0;
    for (let i = 0; i < this.items.length; i++) {
      const item = this.items[i];
      if (this.refs[i] === ref || item === undefined) continue;
      this.items[kept] = item;
      this.refs[kept] = this.refs[i];
      kept++;
    }
    const dropped = this.items.length - kept;
    this.items.length = kept;
    this.refs.length = kept;
    return dropped;
  }
}

/** Sizes from packages/core/schemas/evidence.schema.json (`component`, `sbom.root`). */
export const CAPS = { name: 1024, group: 1024, version: 256, purl: 4096, license: 4096, licenses: 64, hashes: 16, hash: 1024, type: 64 } as const;

/** Cuts values to the evidence schema's sizes, counting what it cuts (one warning in the end). */
export class Clipper {
  cut = 0;

  text(value: string, max: number): string;
  text(value: string | undefined, max: number): string | undefined;
  text(value: string | undefined, max: number): string | undefined {
    if (value === undefined || value.length <= max) return value;
    this.cut++;
    return clipText(value, max);
  }

  report(warnings: Warnings): void {
    if (this.cut > 0) warnings.add(`${String(this.cut)} value(s) were longer than the evidence allows and were cut`);
  }
}

/**
 * A component with the fields every reader fills, cut to the evidence schema's sizes; the optional
 * ones are set only when present (assigned one by one: spreading conditional objects was the
 * parser's hot spot at 20,000 components).
 */
export function newComponent(
  name: string,
  fields: { purl?: string | undefined; group?: string | undefined; version?: string | undefined; type?: string | undefined },
  licenses: string[],
  hashes: Record<string, string> | undefined,
  clipper: Clipper,
): Component {
  let kept = licenses;
  if (kept.length > CAPS.licenses) {
    clipper.cut++;
    kept = kept.slice(0, CAPS.licenses);
  }
  for (const [i, l] of kept.entries()) if (l.length > CAPS.license) kept[i] = clipper.text(l, CAPS.license);
  const c: Component = { name: clipper.text(name, CAPS.name), licenses: kept, scope: 'unknown' };
  if (fields.purl !== undefined) c.purl = clipper.text(fields.purl, CAPS.purl);
  if (fields.group !== undefined) c.group = clipper.text(fields.group, CAPS.group);
  if (fields.version !== undefined) c.version = clipper.text(fields.version, CAPS.version);
  if (hashes !== undefined) c.hashes = hashes;
  if (fields.type !== undefined) c.type = clipper.text(fields.type.toLowerCase(), CAPS.type);
  return c;
}

/** The described root, cut to the evidence schema's sizes. */
export function newRoot(name: string, version: string | undefined, purl: string | undefined, clipper: Clipper): NonNullable<SbomEvidence['root']> {
  const root: NonNullable<SbomEvidence['root']> = { name: clipper.text(name, CAPS.name) };
  if (version !== undefined) root.version = clipper.text(version, CAPS.version);
  if (purl !== undefined) root.purl = clipper.text(purl, CAPS.purl);
  return root;
}

const HEX = /^[0-9a-fA-F]+$/;
const SHA_DIGITS = /^sha(1|224|256|384|512)$/;

/**
 * Normalized hash algorithm name: lower case, `sha-` before a bare SHA-1/SHA-2 size (SPDX writes
 * `SHA256`, CycloneDX `SHA-256`); SHA-3 and BLAKE names keep their own dashes (`sha3-256`).
 */
export function hashAlgorithm(raw: string): string {
  const lower = raw.trim().toLowerCase().replaceAll('_', '-');
  const sha = SHA_DIGITS.exec(lower);
  return sha === null ? lower : `sha-${sha[1] ?? ''}`;
}

/** Collects a component's hashes; a value that is not hex (or absurdly long) is skipped and counted. */
export class HashReader {
  /** Hash values skipped. */
  skipped = 0;

  add(into: Record<string, string>, alg: string | undefined, value: string | undefined): void {
    if (alg === undefined || value === undefined) return;
    const content = value.trim();
    const name = hashAlgorithm(alg);
    if (content.length > CAPS.hash || name === '' || name.length > 64 || !HEX.test(content)) {
      this.skipped++;
      return;
    }
    if (into[name] !== undefined) return;
    let count = 0;
    for (const _ in into) count++;
    if (count >= CAPS.hashes) {
      this.skipped++;
      return;
    }
    into[name] = content.toLowerCase();
  }

  report(warnings: Warnings): void {
    if (this.skipped > 0) warnings.add(`${String(this.skipped)} hash value(s) are not hexadecimal digests and were skipped`);
  }
}

/** Counts of odd components, reported as one warning each (not one per component). */
export class Oddities {
  private readonly counts = new Map<string, { count: number; first: string }>();

  /** `what` is the message ("components without a name were skipped"), `where` the first location. */
  note(what: string, where: string): void {
    const seen = this.counts.get(what);
    if (seen === undefined) this.counts.set(what, { count: 1, first: where });
    else seen.count++;
  }

  report(warnings: Warnings): void {
    for (const [what, { count, first }] of this.counts) warnings.add(`${String(count)} ${what} (first at ${first})`);
  }
}

const PURL_SHAPE = /^pkg:\/*[a-zA-Z][a-zA-Z0-9.+-]*\/[^/?#]/i;

/** Counts purls that do not look like package URLs (they are kept as written). */
export function checkPurl(purl: string | undefined, where: string, oddities: Oddities): void {
  if (purl !== undefined && !PURL_SHAPE.test(purl)) oddities.note('purl(s) are not package URLs (pkg:type/name@version); kept as written', where);
}

/**
 * Scope of each component from a dependency graph: `direct` for the ids in `direct`, `transitive`
 * for what those reach through `children`, `unknown` for the rest. Breadth-first, each id once.
 */
export function scopesFromGraph(
  refs: readonly (string | undefined)[],
  direct: ReadonlySet<string>,
  children: (id: string) => Iterable<string>,
  exclude: ReadonlySet<string>,
): DependencyScope[] {
  const transitive = new Set<string>();
  const queue: string[] = [...direct];
  const seen = new Set<string>(direct);
  for (const id of exclude) seen.add(id);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    if (id === undefined) continue;
    for (const child of children(id)) {
      if (seen.has(child)) continue;
      seen.add(child);
      transitive.add(child);
      queue.push(child);
    }
  }
  return refs.map((ref) => {
    if (ref === undefined) return 'unknown';
    if (direct.has(ref)) return 'direct';
    return transitive.has(ref) ? 'transitive' : 'unknown';
  });
}

/** Warns about duplicate refs (bom-ref / SPDXID must be unique within a document). */
export function reportDuplicateRefs(refs: readonly (string | undefined)[], what: string, warnings: Warnings): void {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const ref of refs) {
    if (ref === undefined) continue;
    if (seen.has(ref)) duplicates.add(ref);
    else seen.add(ref);
  }
  if (duplicates.size === 0) return;
  const first = [...duplicates].slice(0, 3).map((r) => JSON.stringify(r)).join(', ');
  warnings.add(`${String(duplicates.size)} ${what} value(s) are used by more than one component (${first}${duplicates.size > 3 ? ', ...' : ''}); they must be unique`);
}

/** Sets each component's scope (mutating the list just read) and counts the totals. */
export function buildSbomEvidence(
  head: Pick<SbomEvidence, 'standard' | 'specVersion' | 'root' | 'schemaValid'>,
  components: Component[],
  scopes: readonly DependencyScope[],
): SbomEvidence {
  const totals = { components: components.length, direct: 0, transitive: 0, unknownScope: 0, withoutLicense: 0 };
  for (const [i, c] of components.entries()) {
    const scope = scopes[i] ?? 'unknown';
    c.scope = scope;
    if (scope === 'direct') totals.direct++;
    else if (scope === 'transitive') totals.transitive++;
    else totals.unknownScope++;
    if (c.licenses.length === 0) totals.withoutLicense++;
  }
  const out: SbomEvidence = { standard: head.standard, specVersion: head.specVersion, components, totals };
  if (head.root !== undefined) out.root = head.root;
  if (head.schemaValid !== undefined) out.schemaValid = head.schemaValid;
  return out;
}
