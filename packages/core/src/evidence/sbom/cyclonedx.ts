/**
 * CycloneDX 1.2-1.6, JSON and XML (https://cyclonedx.org/docs/1.6/json/).
 *
 * - Components: `components`, with nested `component.components` flattened (document order, parent
 *   before its children). A component repeating metadata.component's bom-ref is the root, not counted.
 * - Licenses: `licenses[].license.id` and `licenses[].expression` are SPDX (checked, kept as written);
 *   `licenses[].license.name` is kept as written.
 * - Hashes: `component.hashes`; when a component has none, the hashes of its `distribution` external
 *   reference (where cyclonedx-npm 1.12+ puts the package-lock integrity).
 * - Scope: from the `dependencies` graph. What the root (metadata.component bom-ref) depends on is
 *   `direct`, what those reach is `transitive`; everything else, and everything when there is no graph
 *   or no root to start from, is `unknown` (never inferred from the component list).
 * - JSON is validated against the official schema (warnings, `schemaValid`); XML gets structural checks
 *   only: there is no pure-JS XSD validator.
 */
import type { Component, DependencyScope, Parsed, SbomEvidence } from '../model.js';
import {
  asArray,
  asRecord,
  asString,
  formatError,
  ownParser,
  parseXmlSource,
  Warnings,
  xmlAttr,
  xmlText,
  type EvidenceLimits,
  type SourceFile,
} from '../source.js';
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
import { checkCycloneDxSchema } from './schema.js';

export const CYCLONEDX_VERSIONS: readonly string[] = ['1.2', '1.3', '1.4', '1.5', '1.6'];

/** Deeper nesting of components than this is refused (real SBOMs nest a handful of levels). */
const MAX_NESTING = 64;

/** What the readers of one document share. */
interface Reading {
  file: SourceFile;
  expected: string;
  warnings: Warnings;
  licenses: LicenseReader;
  hashes: HashReader;
  oddities: Oddities;
  clipper: Clipper;
  components: ComponentList;
}

function startReading(file: SourceFile, limits: EvidenceLimits, expected: string): Reading {
  return {
    file,
    expected,
    warnings: new Warnings(limits.maxWarnings),
    licenses: new LicenseReader(),
    hashes: new HashReader(),
    oddities: new Oddities(),
    clipper: new Clipper(),
    components: new ComponentList(file, limits),
  };
}

type Graph = Map<string, string[]>;

function finish(
  r: Reading,
  format: string,
  specVersion: string,
  root: { ref?: string; value?: SbomEvidence['root'] },
  graph: Graph | undefined,
  schemaValid: boolean | undefined,
): Parsed<SbomEvidence> {
  // The root listed again among the components is the root, not a dependency of itself.
  if (root.ref !== undefined && r.components.dropRef(root.ref) > 0) {
    r.warnings.add('the root component (metadata.component) is listed again in components; counted once, as the root');
  }
  const scopes = cycloneDxScopes(r.components.refs, root.ref, graph, r.warnings);
  reportDuplicateRefs(r.components.refs, 'bom-ref', r.warnings);
  r.licenses.report(r.warnings);
  r.hashes.report(r.warnings);
  r.oddities.report(r.warnings);
  r.clipper.report(r.warnings);
  const head: Pick<SbomEvidence, 'standard' | 'specVersion' | 'root' | 'schemaValid'> = { standard: 'cyclonedx', specVersion };
  if (root.value !== undefined) head.root = root.value;
  if (schemaValid !== undefined) head.schemaValid = schemaValid;
  return {
    value: buildSbomEvidence(head, r.components.items, scopes),
    format,
    parser: ownParser('cyclonedx'),
    warnings: r.warnings.done(),
  };
}

function cycloneDxScopes(
  refs: readonly (string | undefined)[],
  rootRef: string | undefined,
  graph: Graph | undefined,
  warnings: Warnings,
): DependencyScope[] {
  // No graph, or one without edges (cyclonedx-python writes `{ "ref": ... }` entries only): nothing to say.
  if (graph === undefined || ![...graph.values()].some((deps) => deps.length > 0)) return refs.map(() => 'unknown');
  if (rootRef === undefined) {
    warnings.add('has a dependency graph but no metadata.component bom-ref to start from: every scope is unknown');
    return refs.map(() => 'unknown');
  }
  const rootDeps = graph.get(rootRef);
  if (rootDeps === undefined) {
    warnings.add(`the dependency graph has no entry for the root component ${JSON.stringify(rootRef)}: every scope is unknown`);
    return refs.map(() => 'unknown');
  }
  const known = new Set<string | undefined>(refs);
  known.add(rootRef);
  let dangling = 0;
  for (const [ref, deps] of graph) {
    if (!known.has(ref)) dangling++;
    for (const d of deps) if (!known.has(d)) dangling++;
  }
  if (dangling > 0) warnings.add(`${String(dangling)} dependency reference(s) name no component in the SBOM`);
  const direct = new Set(rootDeps.filter((d) => d !== rootRef));
  return scopesFromGraph(refs, direct, (id) => graph.get(id) ?? [], new Set([rootRef]));
}

function addToGraph(graph: Graph, ref: string, deps: string[]): void {
  const existing = graph.get(ref);
  if (existing === undefined) graph.set(ref, deps);
  else for (const d of deps) existing.push(d);
}

// ---------------------------------------------------------------------------------------------
// JSON

/** Reads a parsed CycloneDX JSON document (`bomFormat: "CycloneDX"`). */
export function readCycloneDxJson(file: SourceFile, doc: Record<string, unknown>, limits: EvidenceLimits, expected: string): Parsed<SbomEvidence> {
  const specVersion = asString(doc.specVersion);
  if (specVersion === undefined) {
    throw formatError(file, 'is CycloneDX JSON without a specVersion', { expected, hint: 'Give the SBOM the tool wrote, unmodified.' });
  }
  requireSupportedVersion(file, `CycloneDX JSON specVersion ${specVersion}`, specVersion, expected);
  const r = startReading(file, limits, expected);

  const rawComponents = doc.components;
  if (rawComponents !== undefined && !Array.isArray(rawComponents)) {
    throw formatError(file, '"components" is not an array', { expected, hint: 'Give the SBOM the tool wrote, unmodified.' });
  }
  if (rawComponents !== undefined) readJsonComponents(r, rawComponents);

  const schemaValid = checkCycloneDxSchema(specVersion, doc, r.warnings);

  const metadata = asRecord(doc.metadata);
  const rootComponent = asRecord(metadata?.component);
  const rootRef = asString(rootComponent?.['bom-ref']);
  const rootName = asString(rootComponent?.name);
  const rootVersion = asString(rootComponent?.version);
  const rootPurl = asString(rootComponent?.purl);
  const root = rootName === undefined ? undefined : newRoot(rootName, rootVersion, rootPurl, r.clipper);

  let graph: Graph | undefined;
  if (doc.dependencies !== undefined) {
    if (Array.isArray(doc.dependencies)) {
      graph = new Map();
      for (const entry of doc.dependencies) {
        const e = asRecord(entry);
        const ref = asString(e?.ref);
        if (ref === undefined) continue;
        const deps: string[] = [];
        for (const d of asArray(e?.dependsOn)) {
          const s = asString(d);
          if (s !== undefined) deps.push(s);
        }
        addToGraph(graph, ref, deps);
      }
    } else {
      r.warnings.add('"dependencies" is not an array; ignored (every scope is unknown)');
    }
  }
  return finish(r, `cyclonedx-json@${specVersion}`, specVersion, { ...(rootRef === undefined ? {} : { ref: rootRef }), ...(root === undefined ? {} : { value: root }) }, graph, schemaValid);
}

function readJsonComponents(r: Reading, top: unknown[]): void {
  r.components.reserve(top.length);
  const stack: { list: unknown[]; index: number; at: string; depth: number }[] = [{ list: top, index: 0, at: '/components', depth: 1 }];
  for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
    if (frame.index >= frame.list.length) {
      stack.pop();
      continue;
    }
    const i = frame.index++;
    const where = `${frame.at}/${String(i)}`;
    const c = asRecord(frame.list[i]);
    if (c === undefined) {
      r.oddities.note('component entries are not objects and were skipped', where);
      continue;
    }
    const read = readJsonComponent(r, c, where);
    if (read !== undefined) r.components.add(read, asString(c['bom-ref']));
    const nested = c.components;
    if (Array.isArray(nested) && nested.length > 0) {
      if (frame.depth >= MAX_NESTING) {
        throw formatError(r.file, `nests components more than ${String(MAX_NESTING)} levels deep (at ${where})`, { expected: r.expected });
      }
      r.components.reserve(nested.length);
      stack.push({ list: nested, index: 0, at: `${where}/components`, depth: frame.depth + 1 });
    }
  }
}

function readJsonComponent(r: Reading, c: Record<string, unknown>, where: string): Component | undefined {
  const name = asString(c.name);
  if (name === undefined) {
    r.oddities.note('components without a name were skipped', where);
    return undefined;
  }
  const licenses: string[] = [];
  for (const choice of asArray(c.licenses)) {
    const lc = asRecord(choice);
    if (lc === undefined) continue;
    const expression = asString(lc.expression);
    if (expression !== undefined) addLicense(licenses, r.licenses.expression(expression));
    const license = asRecord(lc.license);
    if (license === undefined) continue;
    const id = asString(license.id);
    if (id !== undefined) addLicense(licenses, r.licenses.expression(id));
    else {
      const licenseName = asString(license.name);
      if (licenseName !== undefined) addLicense(licenses, r.licenses.name(licenseName));
    }
  }
  const hashes: Record<string, string> = {};
  for (const h of asArray(c.hashes)) {
    const hr = asRecord(h);
    r.hashes.add(hashes, asString(hr?.alg), asString(hr?.content));
  }
  if (isEmpty(hashes)) {
    for (const ref of asArray(c.externalReferences)) {
      const er = asRecord(ref);
      if (er?.type !== 'distribution') continue;
      for (const h of asArray(er.hashes)) {
        const hr = asRecord(h);
        r.hashes.add(hashes, asString(hr?.alg), asString(hr?.content));
      }
    }
  }
  const purl = asString(c.purl);
  checkPurl(purl, where, r.oddities);
  return newComponent(name, { purl, group: asString(c.group), version: asString(c.version), type: asString(c.type) }, licenses, isEmpty(hashes) ? undefined : hashes, r.clipper);
}

function isEmpty(record: Record<string, string>): boolean {
  for (const _ in record) return false;
  return true;
}

function requireSupportedVersion(file: SourceFile, what: string, version: string, expected: string): void {
  if (CYCLONEDX_VERSIONS.includes(version)) return;
  throw formatError(file, `is ${what}, which genops does not read`, {
    expected,
    actual: `specVersion ${version}`,
    hint: `Generate CycloneDX ${CYCLONEDX_VERSIONS.join(', ')} (e.g. cyclonedx-npm --spec-version 1.6, syft -o cyclonedx-json@1.6).`,
  });
}

// ---------------------------------------------------------------------------------------------
// XML

/** Elements that repeat: always arrays after parsing. */
const XML_ARRAYS: ReadonlySet<string> = new Set(['component', 'dependency', 'license', 'expression', 'hash', 'reference', 'tool', 'property']);

/** Reads CycloneDX XML whose root `<bom>` is in the namespace of `specVersion` (detected by the caller). */
export function readCycloneDxXml(file: SourceFile, specVersion: string, limits: EvidenceLimits, expected: string): Parsed<SbomEvidence> {
  requireSupportedVersion(file, `CycloneDX XML ${specVersion}`, specVersion, expected);
  const doc = parseXmlSource(file, expected, { arrays: XML_ARRAYS });
  const bom = asRecord(doc.bom);
  if (bom === undefined) {
    throw formatError(file, 'has no <bom> root element', { expected, hint: 'Give the SBOM the tool wrote, unmodified.' });
  }
  const r = startReading(file, limits, expected);
  const top: unknown[] = [];
  for (const container of asArray(bom.components)) {
    if (container === '') continue;
    const record = asRecord(container);
    if (record === undefined) throw formatError(file, '<components> holds text instead of <component> elements', { expected });
    for (const c of asArray(record.component)) top.push(c);
  }
  readXmlComponents(r, top);

  const rootComponent = asRecord(asArray(asRecord(bom.metadata)?.component)[0]);
  const rootRef = xmlAttr(rootComponent, 'bom-ref');
  const rootName = xmlText(rootComponent?.name);
  const rootVersion = xmlText(rootComponent?.version);
  const rootPurl = xmlText(rootComponent?.purl);
  const root = rootName === undefined ? undefined : newRoot(rootName, rootVersion, rootPurl, r.clipper);

  let graph: Graph | undefined;
  const dependencies = asRecord(bom.dependencies);
  if (dependencies !== undefined) {
    graph = new Map();
    for (const entry of asArray(dependencies.dependency)) {
      const ref = xmlAttr(entry, 'ref');
      if (ref === undefined) continue;
      const deps: string[] = [];
      for (const d of asArray(asRecord(entry)?.dependency)) {
        const child = xmlAttr(d, 'ref');
        if (child !== undefined) deps.push(child);
      }
      addToGraph(graph, ref, deps);
    }
  }
  return finish(r, `cyclonedx-xml@${specVersion}`, specVersion, { ...(rootRef === undefined ? {} : { ref: rootRef }), ...(root === undefined ? {} : { value: root }) }, graph, undefined);
}

function readXmlComponents(r: Reading, top: unknown[]): void {
  r.components.reserve(top.length);
  const stack: { list: unknown[]; index: number; at: string; depth: number }[] = [{ list: top, index: 0, at: '/bom/components', depth: 1 }];
  for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
    if (frame.index >= frame.list.length) {
      stack.pop();
      continue;
    }
    const i = frame.index++;
    const where = `${frame.at}/component[${String(i + 1)}]`;
    const c = asRecord(frame.list[i]);
    if (c === undefined) {
      r.oddities.note('<component> elements are empty and were skipped', where);
      continue;
    }
    const read = readXmlComponent(r, c, where);
    if (read !== undefined) r.components.add(read, xmlAttr(c, 'bom-ref'));
    const nested = asArray(asRecord(c.components)?.component);
    if (nested.length > 0) {
      if (frame.depth >= MAX_NESTING) {
        throw formatError(r.file, `nests components more than ${String(MAX_NESTING)} levels deep (at ${where})`, { expected: r.expected });
      }
      r.components.reserve(nested.length);
      stack.push({ list: nested, index: 0, at: `${where}/components`, depth: frame.depth + 1 });
    }
  }
}

function readXmlComponent(r: Reading, c: Record<string, unknown>, where: string): Component | undefined {
  const name = xmlText(c.name);
  if (name === undefined) {
    r.oddities.note('components without a <name> were skipped', where);
    return undefined;
  }
  const licenses: string[] = [];
  const licenseChoice = asRecord(c.licenses);
  for (const e of asArray(licenseChoice?.expression)) {
    const expression = xmlText(e);
    if (expression !== undefined) addLicense(licenses, r.licenses.expression(expression));
  }
  for (const l of asArray(licenseChoice?.license)) {
    const license = asRecord(l);
    const id = xmlText(license?.id);
    if (id !== undefined) addLicense(licenses, r.licenses.expression(id));
    else {
      const licenseName = xmlText(license?.name);
      if (licenseName !== undefined) addLicense(licenses, r.licenses.name(licenseName));
    }
  }
  const hashes: Record<string, string> = {};
  for (const h of asArray(asRecord(c.hashes)?.hash)) r.hashes.add(hashes, xmlAttr(h, 'alg'), xmlText(h));
  if (isEmpty(hashes)) {
    for (const ref of asArray(asRecord(c.externalReferences)?.reference)) {
      if (xmlAttr(ref, 'type') !== 'distribution') continue;
      for (const h of asArray(asRecord(asRecord(ref)?.hashes)?.hash)) r.hashes.add(hashes, xmlAttr(h, 'alg'), xmlText(h));
    }
  }
  const purl = xmlText(c.purl);
  checkPurl(purl, where, r.oddities);
  return newComponent(name, { purl, group: xmlText(c.group), version: xmlText(c.version), type: xmlAttr(c, 'type') }, licenses, isEmpty(hashes) ? undefined : hashes, r.clipper);
}
