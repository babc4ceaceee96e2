/**
 * From the findings of every report plus every VEX statement to the evidence section.
 *
 * 1. De-duplicate: findings are the same when they share an id or alias (case-insensitive) and
 *    name the same package version (purl without qualifiers or subpath, compared after
 *    percent-decoding; without a purl, the same package name and version; for code findings, the
 *    same start location). Shared ids chain: A~B and B~C puts A, B and C together. A finding whose
 *    purl has no version (npm audit v2 reports none) joins the one versioned finding of the same
 *    package and vulnerability when there is exactly one; with several versions it stays apart
 *    rather than be guessed onto one of them.
 *    Merged: ids and tools united, primary id re-chosen (CVE, else GHSA, else the first finding's),
 *    the most severe severity, the CVSS with the highest score, fixed versions and locations united.
 * 2. Apply VEX: a statement matches a finding when its vulnerability or aliases meet the finding's
 *    id or aliases, and it lists no products or one whose purl names the finding's package (a
 *    product purl without version covers every version; qualifiers are ignored). Of several
 *    matching statements the latest `timestamp` wins (statements without one are oldest), ties go to
 *    the later statement in input order. `not_affected` and `fixed` suppress the finding.
 * 3. Order: severity, then id, then purl, then first location; totals count unsuppressed findings.
 *
 * The result is a fixed point: building evidence from its own findings and the same statements
 * gives the same evidence.
 */
import type { Finding, Location, VexStatement, VulnerabilityEvidence } from '../model.js';
import { CAPS, compareText, distinct, idKey, locationKey, primaryId, uniqueIds } from './common.js';
import { parsePurl, purlKey, purlPackageKey, type PurlParts } from './purl.js';
import { countBySeverity, moreSevere, severityRank } from './severity.js';

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root] ?? root;
    let node = i;
    while (this.parent[node] !== root) {
      const next = this.parent[node] ?? root;
      this.parent[node] = root;
      node = next;
    }
    return root;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    // The smaller index stays root, so a group's root is its first finding.
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }
}

function startKey(l: Location | undefined): string {
  return l === undefined ? '' : `${l.path}\u0000${String(l.startLine ?? '')}:${String(l.startColumn ?? '')}`;
}

/** What "the same place" means for a finding: its package version, or for code its start location. */
function identity(f: Finding, parts: PurlParts | undefined): string {
  const purl = parts !== undefined ? `purl\u0000${purlKey(parts)}` : f.purl !== undefined ? `raw\u0000${f.purl}` : undefined;
  if (f.kind === 'code') return `code\u0000${purl ?? ''}\u0000${startKey(f.locations[0])}`;
  if (purl !== undefined) return purl;
  if (f.package !== undefined) return `pkg\u0000${f.package.ecosystem ?? ''}\u0000${f.package.name}\u0000${f.package.version ?? ''}`;
  return `loc\u0000${startKey(f.locations[0])}`;
}

function idsOfFinding(f: Finding): string[] {
  return [f.id, ...f.aliases];
}

function groupFindings(findings: readonly Finding[]): number[][] {
  const n = findings.length;
  const sets = new UnionFind(n);
  const parts = findings.map((f) => (f.purl === undefined ? undefined : parsePurl(f.purl)));
  const byIdentityAndId = new Map<string, number>();
  const versioned = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const f = findings[i];
    if (f === undefined) continue;
    const p = parts[i];
    const place = identity(f, p);
    for (const id of idsOfFinding(f)) {
      const key = `${place}\u0001${idKey(id)}`;
      const seen = byIdentityAndId.get(key);
      if (seen === undefined) byIdentityAndId.set(key, i);
      else sets.union(seen, i);
      if (f.kind === 'dependency' && p?.version !== undefined) {
        const pkgKey = `${purlPackageKey(p)}\u0001${idKey(id)}`;
        const list = versioned.get(pkgKey);
        if (list === undefined) versioned.set(pkgKey, [i]);
        else list.push(i);
      }
    }
  }
  // Versionless purls: join the single versioned group of the same package and vulnerability.
  for (let i = 0; i < n; i++) {
    const f = findings[i];
    const p = parts[i];
    if (f === undefined || p === undefined || p.version !== undefined || f.kind !== 'dependency') continue;
    const candidates = new Set<number>();
    for (const id of idsOfFinding(f)) {
      for (const j of versioned.get(`${purlPackageKey(p)}\u0001${idKey(id)}`) ?? []) candidates.add(sets.find(j));
    }
    const [only] = candidates;
    if (candidates.size === 1 && only !== undefined) sets.union(only, i);
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const root = sets.find(i);
    const group = groups.get(root);
    if (group === undefined) groups.set(root, [i]);
    else group.push(i);
  }
  return [...groups.values()];
}

function combine(members: readonly Finding[]): Finding {
  const first = members[0];
  if (first === undefined) throw new RangeError('combine() needs at least one finding');
  const ids = uniqueIds(members.flatMap(idsOfFinding));
  const id = primaryId(ids, first.id);
  const aliases = ids.filter((a) => idKey(a) !== idKey(id)).sort((a, b) => compareText(idKey(a), idKey(b)));

  let severity = first.severity;
  let cvss = first.cvss;
  for (const m of members) {
    severity = moreSevere(severity, m.severity);
    if (m.cvss !== undefined && (cvss === undefined || m.cvss.score > cvss.score)) cvss = m.cvss;
  }
  // The most specific purl: one with a version (npm audit's have none), else the first.
  const withPurl = members.filter((m) => m.purl !== undefined);
  const purlSource = withPurl.find((m) => m.purl !== undefined && parsePurl(m.purl)?.version !== undefined) ?? withPurl[0];
  const pkg = purlSource?.package ?? members.find((m) => m.package !== undefined)?.package;

  let locations: Location[];
  if (members.length === 1 && first.locations.length <= 1) {
    // The common case (one report, one location): nothing to de-duplicate.
    locations = first.locations.map((l) => ({ ...l }));
  } else {
    const seen = new Set<string>();
    locations = [];
    for (const m of members) {
      for (const l of m.locations) {
        const key = locationKey(l);
        if (seen.has(key) || locations.length >= CAPS.locations) continue;
        seen.add(key);
        locations.push({ ...l });
      }
    }
  }

  const out: Finding = {
    id,
    aliases: aliases.slice(0, CAPS.aliases),
    kind: first.kind,
    tools: distinct(members.flatMap((m) => m.tools))
      .sort(compareText)
      .slice(0, CAPS.tools),
    severity,
    fixedIn: distinct(members.flatMap((m) => m.fixedIn)).slice(0, CAPS.fixedIn),
    fixAvailable: members.some((m) => m.fixAvailable),
    locations,
    suppressed: false,
  };
  if (cvss !== undefined) out.cvss = { ...cvss };
  if (purlSource?.purl !== undefined) out.purl = purlSource.purl;
  if (pkg !== undefined) out.package = { ...pkg };
  const title = members.find((m) => m.title !== undefined)?.title;
  if (title !== undefined) out.title = title;
  const rule = members.find((m) => m.rule !== undefined)?.rule;
  if (rule !== undefined) out.rule = rule;
  return out;
}

// ---------------------------------------------------------------------------------------------
// VEX

interface PreparedStatement {
  statement: VexStatement;
  order: number;
  time: number;
  /** null: the statement covers every product. */
  products: { parts: PurlParts | undefined; raw: string }[] | null;
}

function prepare(vex: readonly VexStatement[]): { statements: PreparedStatement[]; byId: Map<string, number[]> } {
  const statements: PreparedStatement[] = [];
  const byId = new Map<string, number[]>();
  vex.forEach((statement, order) => {
    const parsed = statement.timestamp === undefined ? Number.NaN : Date.parse(statement.timestamp);
    statements.push({
      statement,
      order,
      time: Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed,
      products: statement.products.length === 0 ? null : statement.products.map((raw) => ({ parts: parsePurl(raw), raw })),
    });
    for (const id of uniqueIds([statement.vulnerability, ...statement.aliases])) {
      const key = idKey(id);
      const list = byId.get(key);
      if (list === undefined) byId.set(key, [order]);
      else list.push(order);
    }
  });
  return { statements, byId };
}

function coversProduct(s: PreparedStatement, purl: string | undefined, parts: PurlParts | undefined): boolean {
  if (s.products === null) return true;
  if (purl === undefined) return false;
  for (const product of s.products) {
    if (product.parts === undefined || parts === undefined) {
      if (product.raw === purl) return true;
      continue;
    }
    if (purlPackageKey(product.parts) !== purlPackageKey(parts)) continue;
    if (product.parts.version === undefined || product.parts.version === parts.version) return true;
  }
  return false;
}

function applyVex(f: Finding, prepared: { statements: PreparedStatement[]; byId: Map<string, number[]> }): Finding {
  const parts = f.purl === undefined ? undefined : parsePurl(f.purl);
  let winner: PreparedStatement | undefined;
  const tried = new Set<number>();
  for (const id of idsOfFinding(f)) {
    for (const index of prepared.byId.get(idKey(id)) ?? []) {
      if (tried.has(index)) continue;
      tried.add(index);
      const s = prepared.statements[index];
      if (s === undefined || !coversProduct(s, f.purl, parts)) continue;
      if (winner === undefined || s.time > winner.time || (s.time === winner.time && s.order > winner.order)) winner = s;
    }
  }
  if (winner === undefined) return f;
  const st = winner.statement;
  const vex: NonNullable<Finding['vex']> = { status: st.status, source: st.source };
  if (st.justification !== undefined) vex.justification = st.justification;
  return { ...f, vex, suppressed: st.status === 'not_affected' || st.status === 'fixed' };
}

interface SortKey {
  rank: number;
  id: string;
  purl: string;
  location: string;
  kind: string;
  tools: string;
}

function sortKey(f: Finding): SortKey {
  return { rank: severityRank(f.severity), id: f.id, purl: f.purl ?? '', location: startKey(f.locations[0]), kind: f.kind, tools: f.tools.join(',') };
}

function compareKeys(a: SortKey, b: SortKey): number {
  return (
    a.rank - b.rank ||
    compareText(a.id, b.id) ||
    compareText(a.purl, b.purl) ||
    compareText(a.location, b.location) ||
    compareText(a.kind, b.kind) ||
    compareText(a.tools, b.tools)
  );
}

/** The vulnerability section: merged findings, VEX applied, totals of what is not suppressed. */
export function buildVulnerabilityEvidence(findings: Finding[], vex: VexStatement[]): VulnerabilityEvidence {
  const prepared = prepare(vex);
  const merged = groupFindings(findings).map((group) =>
    applyVex(
      combine(group.map((i) => findings[i]).filter((f): f is Finding => f !== undefined)),
      prepared,
    ),
  );
  // Keys computed once per finding, not once per comparison (10,000 findings: ~140,000 comparisons).
  const sorted = merged
    .map((finding) => ({ finding, key: sortKey(finding) }))
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((x) => x.finding);
  const open = sorted.filter((f) => !f.suppressed);
  return { findings: sorted, totals: countBySeverity(open), suppressed: sorted.length - open.length };
}
