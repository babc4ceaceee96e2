/**
 * SPDX 2.3 JSON (2.2 read the same way, with a warning): `syft -o spdx-json`, GitHub's dependency-graph
 * export (the file, or the REST response `{ "sbom": { ... } }`), Trivy, sbom-tool.
 *
 * - Root: what SPDXRef-DOCUMENT DESCRIBES (or `documentDescribes`); roots are not components.
 * - Licenses: licenseConcluded then licenseDeclared, each an SPDX expression; NOASSERTION / NONE dropped.
 * - purl: the first externalRefs entry of referenceType `purl`. Hashes: `checksums` (SHA256 -> sha-256).
 * - Type: primaryPackagePurpose, lower case. SPDX has no separate group, so `group` stays absent.
 * - Scope, from relationships. Dependency edges: A DEPENDS_ON B, and B DEPENDENCY_OF A (also the
 *   DEV_/BUILD_/TEST_/RUNTIME_/OPTIONAL_/PROVIDED_ variants). Containment: A CONTAINS B, B CONTAINED_BY A.
 *   Direct: what a root depends on. A root without dependency edges of its own that CONTAINS packages
 *   (syft's directory / image root) has as direct dependencies the contained packages no other
 *   contained package depends on, provided the document has dependency edges at all; a root that only
 *   contains packages, in a document without dependency edges, says nothing about scope (unknown).
 *   Transitive: what the direct ones reach through dependency or containment edges. The rest: unknown.
 */
import type { Component, DependencyScope, Parsed, SbomEvidence } from '../model.js';
import { asArray, asRecord, asString, formatError, ownParser, Warnings, type EvidenceLimits, type SourceFile } from '../source.js';
import {
  buildSbomEvidence,
  checkPurl,
  Clipper,
  ComponentList,
  HashReader,
  Oddities,
  reportDuplicateRefs,
  newComponent,
  newRoot,
  scopesFromGraph,
} from './common.js';
import { addLicense, LicenseReader } from './licenses.js';

/** B <type> A means A depends on B. */
const DEPENDENCY_OF = new Set([
  'DEPENDENCY_OF',
  'DEV_DEPENDENCY_OF',
  'BUILD_DEPENDENCY_OF',
  'TEST_DEPENDENCY_OF',
  'RUNTIME_DEPENDENCY_OF',
  'OPTIONAL_DEPENDENCY_OF',
  'PROVIDED_DEPENDENCY_OF',
]);

type Edges = Map<string, Set<string>>;

function addEdge(edges: Edges, from: string, to: string): void {
  const set = edges.get(from);
  if (set === undefined) edges.set(from, new Set([to]));
  else set.add(to);
}

/** Reads a parsed SPDX JSON document (the object holding `spdxVersion`). */
export function readSpdxJson(file: SourceFile, doc: Record<string, unknown>, limits: EvidenceLimits, expected: string): Parsed<SbomEvidence> {
  const warnings = new Warnings(limits.maxWarnings);
  const spdxVersion = asString(doc.spdxVersion) ?? '';
  let specVersion: string;
  if (spdxVersion === 'SPDX-2.3') specVersion = '2.3';
  else if (spdxVersion === 'SPDX-2.2') {
    specVersion = '2.2';
    warnings.add('is SPDX 2.2: read as SPDX 2.3 (the package fields genops reads are the same)');
  } else {
    throw formatError(file, `is ${spdxVersion === '' ? 'SPDX without a spdxVersion' : spdxVersion}, which genops does not read`, {
      expected,
      hint: 'Generate SPDX 2.3 JSON (e.g. syft -o spdx-json, or GitHub\'s "Export SBOM").',
    });
  }
  const rawPackages = doc.packages;
  if (rawPackages !== undefined && !Array.isArray(rawPackages)) {
    throw formatError(file, '"packages" is not an array', { expected, hint: 'Give the SBOM the tool wrote, unmodified.' });
  }
  const documentId = asString(doc.SPDXID) ?? 'SPDXRef-DOCUMENT';

  const roots: string[] = [];
  const addRoot = (id: string | undefined): void => {
    if (id !== undefined && !roots.includes(id)) roots.push(id);
  };
  for (const d of asArray(doc.documentDescribes)) addRoot(asString(d));
  const depends: Edges = new Map();
  const contains: Edges = new Map();
  for (const rel of asArray(doc.relationships)) {
    const rr = asRecord(rel);
    const a = asString(rr?.spdxElementId);
    const b = asString(rr?.relatedSpdxElement);
    const type = asString(rr?.relationshipType)?.toUpperCase();
    if (a === undefined || b === undefined || type === undefined) continue;
    if (type === 'DESCRIBES' && a === documentId) addRoot(b);
    else if (type === 'DESCRIBED_BY' && b === documentId) addRoot(a);
    else if (type === 'DEPENDS_ON') addEdge(depends, a, b);
    else if (DEPENDENCY_OF.has(type)) addEdge(depends, b, a);
    else if (type === 'CONTAINS') addEdge(contains, a, b);
    else if (type === 'CONTAINED_BY') addEdge(contains, b, a);
  }
  const rootSet = new Set(roots);

  const list = new ComponentList(file, limits);
  const licenses = new LicenseReader();
  const hashes = new HashReader();
  const oddities = new Oddities();
  const clipper = new Clipper();
  let root: SbomEvidence['root'];
  const packages = rawPackages ?? [];
  list.reserve(packages.length);
  for (const [i, p] of packages.entries()) {
    const where = `/packages/${String(i)}`;
    const pkg = asRecord(p);
    if (pkg === undefined) {
      oddities.note('package entries are not objects and were skipped', where);
      continue;
    }
    const read = readPackage(pkg, where, { licenses, hashes, oddities, clipper });
    if (read === undefined) continue;
    const ref = asString(pkg.SPDXID);
    if (ref !== undefined && rootSet.has(ref)) {
      root ??= newRoot(read.name, read.version, read.purl, clipper);
      continue;
    }
    list.add(read, ref);
  }
  if (roots.length === 0 && (depends.size > 0 || contains.size > 0)) {
    warnings.add('describes no root (no DESCRIBES relationship or documentDescribes): every scope is unknown');
  }
  const scopes = spdxScopes(list.refs, roots, depends, contains);
  reportDuplicateRefs(list.refs, 'SPDXID', warnings);
  licenses.report(warnings);
  hashes.report(warnings);
  oddities.report(warnings);
  clipper.report(warnings);
  return {
    value: buildSbomEvidence(root === undefined ? { standard: 'spdx', specVersion } : { standard: 'spdx', specVersion, root }, list.items, scopes),
    format: `spdx-json@${specVersion}`,
    parser: ownParser('spdx'),
    warnings: warnings.done(),
  };
}

interface Readers {
  licenses: LicenseReader;
  hashes: HashReader;
  oddities: Oddities;
  clipper: Clipper;
}

function readPackage(pkg: Record<string, unknown>, where: string, { licenses, hashes, oddities, clipper }: Readers): Component | undefined {
  const name = asString(pkg.name);
  if (name === undefined) {
    oddities.note('packages without a name were skipped', where);
    return undefined;
  }
  const version = asString(pkg.versionInfo);
  const list: string[] = [];
  for (const field of [pkg.licenseConcluded, pkg.licenseDeclared]) {
    const value = asString(field);
    if (value !== undefined) addLicense(list, licenses.expression(value));
  }
  const digests: Record<string, string> = {};
  for (const c of asArray(pkg.checksums)) {
    const cr = asRecord(c);
    hashes.add(digests, asString(cr?.algorithm), asString(cr?.checksumValue));
  }
  let purl: string | undefined;
  for (const ref of asArray(pkg.externalRefs)) {
    const er = asRecord(ref);
    if (asString(er?.referenceType)?.toLowerCase() !== 'purl') continue;
    purl = asString(er?.referenceLocator);
    if (purl !== undefined) break;
  }
  checkPurl(purl, where, oddities);
  const purpose = asString(pkg.primaryPackagePurpose)?.replaceAll('_', '-');
  let hasHashes = false;
  for (const _ in digests) hasHashes = true;
  return newComponent(name, { purl, version, type: purpose }, list, hasHashes ? digests : undefined, clipper);
}

function spdxScopes(refs: readonly (string | undefined)[], roots: readonly string[], depends: Edges, contains: Edges): DependencyScope[] {
  if (roots.length === 0) return refs.map(() => 'unknown');
  const rootSet = new Set(roots);
  const direct = new Set<string>();
  for (const root of roots) {
    const deps = depends.get(root);
    if (deps !== undefined && deps.size > 0) {
      for (const d of deps) if (!rootSet.has(d)) direct.add(d);
      continue;
    }
    const contained = contains.get(root);
    if (contained === undefined || depends.size === 0) continue;
    const dependedOn = new Set<string>();
    for (const c of contained) for (const d of depends.get(c) ?? []) if (d !== c) dependedOn.add(d);
    for (const c of contained) if (!dependedOn.has(c) && !rootSet.has(c)) direct.add(c);
  }
  const children = function* (id: string): Generator<string> {
    yield* depends.get(id) ?? [];
    yield* contains.get(id) ?? [];
  };
  return scopesFromGraph(refs, direct, children, rootSet);
}
