/**
 * What changed between the base branch's SBOM and the head's.
 *
 * Components pair by key: the purl without version, qualifiers and subpath (`pkg:npm/@babel/core`),
 * else `group/name`, else `name` (so a component with a purl on one side only does not pair). One key can hold several versions (npm installs `ms@2.0.0` and
 * `ms@2.1.3` side by side); for each key the versions pair up in this order:
 *   1. equal versions (as multisets: two copies of 1.0.0 on each side are two unchanged pairs);
 *   2. within the same major version (semver major, else the first dotted segment), highest with
 *      highest;
 *   3. the remaining ones, highest with highest;
 *   4. what is left is removed (base) or added (head).
 * A pair whose versions differ is upgraded or downgraded (semver when both parse, loosely; else a
 * dotted-numeric compare; else both coerced to semver) or `changed` when none of those can order
 * them, or when they are equal as versions but written differently (`1.0.0+a` / `1.0.0+b`).
 * Any pair whose license sets differ is also in licenseChanged.
 *
 * Lists are sorted by key, then versions. `added` carries the head's licenses (`licensesTo`),
 * `removed` the base's (`licensesFrom`), licenseChanged both.
 */
import semver from 'semver';
import type { Component, ComponentChange, SbomDiffEvidence, SbomEvidence } from '../model.js';
import { purlKey } from './purl.js';

/** The identity that pairs a component across SBOMs. */
export function componentKey(c: Pick<Component, 'purl' | 'group' | 'name'>): string {
  const fromPurl = c.purl === undefined ? undefined : purlKey(c.purl);
  if (fromPurl !== undefined) return fromPurl;
  return c.group === undefined ? c.name : `${c.group}/${c.name}`;
}

export function diffSboms(base: SbomEvidence, head: SbomEvidence): SbomDiffEvidence {
  const baseByKey = groupByKey(base.components);
  const headByKey = groupByKey(head.components);
  const keys = [...new Set([...baseByKey.keys(), ...headByKey.keys()])].sort(compareText);
  const out: SbomDiffEvidence = { added: [], removed: [], upgraded: [], downgraded: [], changed: [], licenseChanged: [] };
  for (const key of keys) {
    const { pairs, removed, added } = pairVersions(baseByKey.get(key) ?? [], headByKey.get(key) ?? []);
    for (const c of removed) out.removed.push(change(key, c, { from: c.version, licensesFrom: c.licenses }));
    for (const c of added) out.added.push(change(key, c, { to: c.version, licensesTo: c.licenses }));
    for (const [b, h] of pairs) {
      if (b.version !== h.version) {
        const order = compareVersions(b.version, h.version);
        const list = order === undefined || order === 0 ? out.changed : order < 0 ? out.upgraded : out.downgraded;
        list.push(change(key, h, { from: b.version, to: h.version }));
      }
      if (!sameSet(b.licenses, h.licenses)) {
        out.licenseChanged.push(change(key, h, { from: b.version, to: h.version, licensesFrom: b.licenses, licensesTo: h.licenses }));
      }
    }
  }
  for (const list of [out.added, out.removed, out.upgraded, out.downgraded, out.changed, out.licenseChanged]) list.sort(compareChanges);
  return out;
}

function groupByKey(components: readonly Component[]): Map<string, Component[]> {
  const map = new Map<string, Component[]>();
  for (const c of components) {
    const key = componentKey(c);
    const list = map.get(key);
    if (list === undefined) map.set(key, [c]);
    else list.push(c);
  }
  return map;
}

function change(
  key: string,
  c: Component,
  extra: { from?: string | undefined; to?: string | undefined; licensesFrom?: string[]; licensesTo?: string[] },
): ComponentChange {
  const out: ComponentChange = { key, name: c.name, scope: c.scope };
  if (c.purl !== undefined) out.purl = c.purl;
  if (extra.from !== undefined) out.from = extra.from;
  if (extra.to !== undefined) out.to = extra.to;
  if (extra.licensesFrom !== undefined) out.licensesFrom = [...extra.licensesFrom].sort(compareText);
  if (extra.licensesTo !== undefined) out.licensesTo = [...extra.licensesTo].sort(compareText);
  return out;
}

/** Pairs the versions of one key (see the module comment for the order). */
export function pairVersions(
  base: readonly Component[],
  head: readonly Component[],
): { pairs: [Component, Component][]; removed: Component[]; added: Component[] } {
  // The common cases, without sorting: a package on one side only, or once on each side.
  if (base.length === 0 || head.length === 0) return { pairs: [], removed: [...base], added: [...head] };
  const [onlyBase] = base;
  const [onlyHead] = head;
  if (base.length === 1 && head.length === 1 && onlyBase !== undefined && onlyHead !== undefined) {
    return { pairs: [[onlyBase, onlyHead]], removed: [], added: [] };
  }
  const pairs: [Component, Component][] = [];
  let restBase = [...base].sort(byVersion);
  let restHead = [...head].sort(byVersion);
  // 1. Equal versions.
  const headByVersion = new Map<string, Component[]>();
  for (const h of restHead) {
    const v = h.version ?? '';
    const list = headByVersion.get(v);
    if (list === undefined) headByVersion.set(v, [h]);
    else list.push(h);
  }
  const unmatchedBase: Component[] = [];
  const matchedHead = new Set<Component>();
  for (const b of restBase) {
    const h = headByVersion.get(b.version ?? '')?.shift();
    if (h === undefined) unmatchedBase.push(b);
    else {
      pairs.push([b, h]);
      matchedHead.add(h);
    }
  }
  restBase = unmatchedBase;
  restHead = restHead.filter((h) => !matchedHead.has(h));
  // 2. Same major, highest with highest.
  if (restBase.length > 0 && restHead.length > 0) {
    const majors = new Set(restBase.map(majorOf));
    const pairedBase = new Set<Component>();
    const pairedHead = new Set<Component>();
    for (const major of [...majors].sort(compareText)) {
      const b = restBase.filter((c) => majorOf(c) === major);
      const h = restHead.filter((c) => majorOf(c) === major);
      for (const [x, y] of zipFromHighest(b, h)) {
        pairs.push([x, y]);
        pairedBase.add(x);
        pairedHead.add(y);
      }
    }
    restBase = restBase.filter((c) => !pairedBase.has(c));
    restHead = restHead.filter((c) => !pairedHead.has(c));
  }
  // 3. The rest, highest with highest.
  const cross = zipFromHighest(restBase, restHead);
  pairs.push(...cross);
  const n = cross.length;
  // 4. Leftovers.
  return { pairs, removed: restBase.slice(0, restBase.length - n), added: restHead.slice(0, restHead.length - n) };
}

/** Pairs two ascending lists from their ends: [b[last], h[last]], [b[last-1], h[last-1]], ... */
function zipFromHighest(base: readonly Component[], head: readonly Component[]): [Component, Component][] {
  const n = Math.min(base.length, head.length);
  const out: [Component, Component][] = [];
  for (let i = 1; i <= n; i++) {
    const b = base[base.length - i];
    const h = head[head.length - i];
    if (b !== undefined && h !== undefined) out.push([b, h]);
  }
  return out;
}

function majorOf(c: Component): string {
  const v = c.version;
  if (v === undefined) return '';
  const parsed = semver.parse(v, { loose: true }) ?? semver.coerce(v);
  if (parsed !== null) return String(parsed.major);
  return v.split('.')[0] ?? v;
}

/**
 * Ascending version order for pairing, a total order: versions that coerce to semver first, by that,
 * then the rest; ties by text.
 */
function byVersion(a: Component, b: Component): number {
  const ca = a.version === undefined ? null : semver.coerce(a.version, { includePrerelease: true });
  const cb = b.version === undefined ? null : semver.coerce(b.version, { includePrerelease: true });
  if (ca !== null && cb === null) return -1;
  if (ca === null && cb !== null) return 1;
  const order = ca !== null && cb !== null ? semver.compare(ca, cb) : 0;
  return order !== 0 ? order : compareText(a.version ?? '', b.version ?? '') || compareContent(a, b);
}

/** Tie-break on everything a change reports, so equal versions pair the same whatever the input order. */
function compareContent(a: Component, b: Component): number {
  return (
    compareText(a.purl ?? '', b.purl ?? '') ||
    compareText(a.name, b.name) ||
    compareText(a.scope, b.scope) ||
    compareText(a.licenses.join('\n'), b.licenses.join('\n'))
  );
}

const DOTTED_NUMERIC = /^v?\d+(?:\.\d+)*$/i;

/**
 * Negative when `a` is older, positive when newer, 0 when equal as versions, undefined when they
 * cannot be ordered (either absent, or neither semver, dotted numbers, nor coercible to semver).
 */
export function compareVersions(a: string | undefined, b: string | undefined): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (a === b) return 0;
  const sa = semver.valid(a, { loose: true });
  const sb = semver.valid(b, { loose: true });
  if (sa !== null && sb !== null) return semver.compare(sa, sb, { loose: true });
  if (DOTTED_NUMERIC.test(a) && DOTTED_NUMERIC.test(b)) return compareDotted(a, b);
  const ca = semver.coerce(a, { includePrerelease: true });
  const cb = semver.coerce(b, { includePrerelease: true });
  if (ca !== null && cb !== null) {
    const order = semver.compare(ca, cb);
    return order === 0 ? undefined : order;
  }
  return undefined;
}

function compareDotted(a: string, b: string): number {
  const pa = a.replace(/^v/i, '').split('.');
  const pb = b.replace(/^v/i, '').split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    // BigInt: segments may be longer than a double holds exactly (dates, build numbers).
    const x = BigInt(pa[i] ?? '0');
    const y = BigInt(pb[i] ?? '0');
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  if (sa.size !== sb.size) return false;
  for (const x of sa) if (!sb.has(x)) return false;
  return true;
}

/** Code-unit order: deterministic, independent of locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareChanges(x: ComponentChange, y: ComponentChange): number {
  return (
    compareText(x.key, y.key) ||
    compareText(x.from ?? '', y.from ?? '') ||
    compareText(x.to ?? '', y.to ?? '') ||
    compareText(x.purl ?? '', y.purl ?? '') ||
    compareText(x.name, y.name) ||
    compareText(x.scope, y.scope) ||
    compareText((x.licensesFrom ?? []).join('\n'), (y.licensesFrom ?? []).join('\n')) ||
    compareText((x.licensesTo ?? []).join('\n'), (y.licensesTo ?? []).join('\n'))
  );
}
