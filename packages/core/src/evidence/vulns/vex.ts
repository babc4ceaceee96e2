/**
 * VEX documents: what a vendor (or the repository's owners) say about whether a vulnerability
 * affects their product. Two formats:
 *
 * - OpenVEX JSON (`@context: https://openvex.dev/ns/v0.2.0`, also v0.0.1's string vulnerabilities
 *   and products). A product with `subcomponents` covers those subcomponents (the packages the
 *   vulnerability lives in); otherwise the product itself. Purls come from `identifiers.purl`, else
 *   `@id`. The statement's time is its `last_updated`, else `timestamp`, else the document's.
 * - CycloneDX VEX (a CycloneDX JSON BOM whose `vulnerabilities[]` carry `analysis.state`):
 *   not_affected and false_positive -> not_affected, resolved and resolved_with_pedigree -> fixed,
 *   exploitable -> affected, in_triage -> under_investigation. `affects[].ref` is resolved to a purl
 *   through the BOM's components (bom-ref), a BOM-Link (`urn:cdx:...#<ref>`), or used directly when it
 *   is a purl. Time: analysis.lastUpdated, firstIssued, the vulnerability's updated/published, else
 *   metadata.timestamp. `affects[].versions` (version ranges) are not evaluated.
 *
 * A product we cannot turn into a purl is kept as written (it matches no finding) and warned
 * about: dropping it would turn the statement into one about every product.
 */
import type { ConfigError } from '../../errors.js';
import type { Parsed, VexStatement, VexStatus } from '../model.js';
import { asArray, asRecord, asString, clipText, formatError, isRecord, ownParser, parseJsonSource, Warnings, type SourceFile } from '../source.js';
import { CAPS, stringsOf, uniqueIds } from './common.js';

const EXPECTED = 'a VEX document: OpenVEX JSON (`@context: https://openvex.dev/ns/...`, `statements[]`) or CycloneDX VEX JSON (`bomFormat: CycloneDX`, `vulnerabilities[].analysis`)';
const MAX_STATEMENTS = 100_000;

const OPENVEX_STATUS: ReadonlySet<string> = new Set<VexStatus>(['not_affected', 'affected', 'fixed', 'under_investigation']);

const CYCLONEDX_STATE: ReadonlyMap<string, VexStatus> = new Map<string, VexStatus>([
  ['not_affected', 'not_affected'],
  ['false_positive', 'not_affected'],
  ['resolved', 'fixed'],
  ['resolved_with_pedigree', 'fixed'],
  ['exploitable', 'affected'],
  ['in_triage', 'under_investigation'],
]);

interface Draft {
  vulnerability: string;
  aliases: string[];
  products: string[];
  status: VexStatus;
  justification: string | undefined;
  impact: string | undefined;
  actionStatement: string | undefined;
  timestamp: string | undefined;
}

/** Fits a statement to the evidence schema's sizes; `cut` records that something was shortened. */
function statementOf(d: Draft, source: string, cut: Set<string>): VexStatement {
  const fit = (s: string, max: number, what: string): string => {
    if (s.length > max) cut.add(what);
    return clipText(s, max);
  };
  const aliases = uniqueIds(d.aliases).filter((a) => a.toUpperCase() !== d.vulnerability.toUpperCase());
  if (aliases.length > CAPS.aliases) cut.add('alias lists');
  const products = [...new Set(d.products)];
  if (products.length > CAPS.products) cut.add('product lists');
  const s: VexStatement = {
    vulnerability: fit(d.vulnerability, CAPS.id, 'vulnerability ids'),
    aliases: aliases.slice(0, CAPS.aliases).map((a) => fit(a, CAPS.id, 'aliases')),
    products: products.slice(0, CAPS.products).map((p) => fit(p, CAPS.purl, 'products')),
    status: d.status,
    source: clipText(source, CAPS.path),
  };
  if (d.justification !== undefined) s.justification = fit(d.justification, CAPS.justification, 'justifications');
  if (d.impact !== undefined) s.impact = fit(d.impact, CAPS.statement, 'impact statements');
  if (d.actionStatement !== undefined) s.actionStatement = fit(d.actionStatement, CAPS.statement, 'action statements');
  if (d.timestamp !== undefined && d.timestamp.length <= CAPS.timestamp) s.timestamp = d.timestamp;
  else if (d.timestamp !== undefined) cut.add('timestamps (dropped)');
  return s;
}

function isPurl(s: string): boolean {
  return s.toLowerCase().startsWith('pkg:');
}

// ---------------------------------------------------------------------------------------------
// OpenVEX

function openVexProduct(p: unknown): string | undefined {
  if (typeof p === 'string') return asString(p);
  const product = asRecord(p);
  return asString(asRecord(product?.identifiers)?.purl) ?? asString(product?.['@id']);
}

function openVexProducts(statement: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const p of asArray(statement.products)) {
    const subcomponents = asArray(asRecord(p)?.subcomponents).map(openVexProduct).filter((s): s is string => s !== undefined);
    if (subcomponents.length > 0) out.push(...subcomponents);
    else {
      const product = openVexProduct(p);
      if (product !== undefined) out.push(product);
    }
  }
  // OpenVEX v0.0.1 kept subcomponents on the statement.
  const legacy = asArray(statement.subcomponents).map(openVexProduct).filter((s): s is string => s !== undefined);
  return legacy.length > 0 ? legacy : out;
}

function parseOpenVex(file: SourceFile, doc: Record<string, unknown>, context: string, warnings: Warnings): Parsed<VexStatement[]> {
  const statementsValue = doc.statements;
  if (!Array.isArray(statementsValue)) {
    throw formatError(file, 'is an OpenVEX document without a `statements` array', { expected: EXPECTED, hint: 'Write the statements as a JSON array under `statements`.' });
  }
  if (statementsValue.length > MAX_STATEMENTS) throw tooMany(file, statementsValue.length);
  const docTime = asString(doc.last_updated) ?? asString(doc.timestamp);
  const out: VexStatement[] = [];
  const cut = new Set<string>();
  let notPurls = 0;
  statementsValue.forEach((value, i) => {
    const st = asRecord(value);
    const where = `statements[${String(i)}]`;
    if (st === undefined) {
      warnings.add(`${where} is not an object; skipped`);
      return;
    }
    const vuln = st.vulnerability;
    const vulnRecord = asRecord(vuln);
    const name = typeof vuln === 'string' ? asString(vuln) : (asString(vulnRecord?.name) ?? asString(vulnRecord?.['@id']));
    if (name === undefined) {
      warnings.add(`${where} names no vulnerability; skipped`);
      return;
    }
    const status = asString(st.status);
    if (status === undefined || !OPENVEX_STATUS.has(status)) {
      warnings.add(`${where} (${clipText(name, 100)}) has status ${JSON.stringify(clipText(String(status), 100))}, not one of not_affected, affected, fixed, under_investigation; skipped`);
      return;
    }
    const justification = asString(st.justification);
    const impact = asString(st.impact_statement);
    const actionStatement = asString(st.action_statement);
    if (status === 'not_affected' && justification === undefined && impact === undefined) {
      warnings.add(`${where} (${clipText(name, 100)}) is not_affected without a justification or impact_statement, which OpenVEX requires`);
    }
    const products = openVexProducts(st);
    notPurls += products.filter((p) => !isPurl(p)).length;
    out.push(
      statementOf(
        {
          vulnerability: name,
          aliases: vulnRecord === undefined ? stringsOf(st.aliases) : stringsOf(vulnRecord.aliases),
          products,
          status: status as VexStatus,
          justification,
          impact,
          actionStatement,
          timestamp: asString(st.last_updated) ?? asString(st.timestamp) ?? docTime,
        },
        file.path,
        cut,
      ),
    );
  });
  if (notPurls > 0) warnings.add(`${String(notPurls)} products are not package URLs; genops matches findings by purl, so they match none`);
  for (const what of cut) warnings.add(`some ${what} were longer than the evidence allows and were shortened`);
  const version = /\/ns\/v(\d+(?:\.\d+)*)/.exec(context)?.[1];
  return { value: out, format: version === undefined ? 'openvex' : `openvex@${version}`, parser: ownParser('openvex'), warnings: warnings.done() };
}

// ---------------------------------------------------------------------------------------------
// CycloneDX VEX

/** bom-ref -> purl over metadata.component and all (nested) components and services. */
function bomRefs(doc: Record<string, unknown>): Map<string, string> {
  const refs = new Map<string, string>();
  const stack: unknown[] = [asRecord(doc.metadata)?.component, ...asArray(doc.components), ...asArray(doc.services)];
  let visited = 0;
  while (stack.length > 0 && visited < 1_000_000) {
    const c = asRecord(stack.pop());
    visited++;
    if (c === undefined) continue;
    const ref = asString(c['bom-ref']);
    const purl = asString(c.purl);
    if (ref !== undefined && purl !== undefined && !refs.has(ref)) refs.set(ref, purl);
    for (const child of asArray(c.components)) stack.push(child);
    for (const child of asArray(c.services)) stack.push(child);
  }
  return refs;
}

function decodeFragment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A purl for an `affects[].ref`, or undefined when the BOM does not say which package it is. */
function resolveRef(ref: string, refs: Map<string, string>): string | undefined {
  const local = refs.get(ref);
  if (local !== undefined) return local;
  if (isPurl(ref)) return ref;
  if (ref.startsWith('urn:cdx:')) {
    const hash = ref.indexOf('#');
    if (hash < 0) return undefined;
    const fragment = decodeFragment(ref.slice(hash + 1));
    return refs.get(fragment) ?? (isPurl(fragment) ? fragment : undefined);
  }
  return undefined;
}

function parseCycloneDxVex(file: SourceFile, doc: Record<string, unknown>, warnings: Warnings): Parsed<VexStatement[]> {
  const vulnerabilities = doc.vulnerabilities;
  if (!Array.isArray(vulnerabilities)) {
    throw formatError(file, 'is a CycloneDX document without `vulnerabilities`, so it holds no VEX statements', {
      expected: EXPECTED,
      hint: 'Give the SBOM as `sbom`; a CycloneDX VEX lists vulnerabilities[] with analysis.state.',
    });
  }
  if (vulnerabilities.length > MAX_STATEMENTS) throw tooMany(file, vulnerabilities.length);
  const refs = bomRefs(doc);
  const docTime = asString(asRecord(doc.metadata)?.timestamp);
  const out: VexStatement[] = [];
  const cut = new Set<string>();
  let withoutAnalysis = 0;
  let unresolved = 0;
  vulnerabilities.forEach((value, i) => {
    const v = asRecord(value);
    const where = `vulnerabilities[${String(i)}]`;
    const id = asString(v?.id);
    if (v === undefined || id === undefined) {
      warnings.add(`${where} has no id; skipped`);
      return;
    }
    const analysis = asRecord(v.analysis);
    const state = asString(analysis?.state);
    if (analysis === undefined || state === undefined) {
      withoutAnalysis++;
      return;
    }
    const status = CYCLONEDX_STATE.get(state);
    if (status === undefined) {
      warnings.add(`${where} (${clipText(id, 100)}) has analysis.state ${JSON.stringify(clipText(state, 100))}, which is not a CycloneDX impact analysis state; skipped`);
      return;
    }
    const products: string[] = [];
    for (const a of asArray(v.affects)) {
      const ref = asString(asRecord(a)?.ref);
      if (ref === undefined) continue;
      const purl = resolveRef(ref, refs);
      if (purl === undefined) unresolved++;
      products.push(purl ?? ref);
    }
    const responses = stringsOf(analysis.response);
    out.push(
      statementOf(
        {
          vulnerability: id,
          aliases: asArray(v.references).map((r) => asString(asRecord(r)?.id)).filter((s): s is string => s !== undefined),
          products,
          status,
          justification: asString(analysis.justification) ?? (state === 'false_positive' ? 'false_positive' : undefined),
          impact: asString(analysis.detail),
          actionStatement: responses.length === 0 ? undefined : responses.join(', '),
          timestamp: asString(analysis.lastUpdated) ?? asString(analysis.firstIssued) ?? asString(v.updated) ?? asString(v.published) ?? docTime,
        },
        file.path,
        cut,
      ),
    );
  });
  if (withoutAnalysis > 0) warnings.add(`${String(withoutAnalysis)} vulnerabilities have no analysis.state, so they are not VEX statements`);
  if (unresolved > 0) warnings.add(`${String(unresolved)} affects[].ref values name no component with a purl in this BOM; they match no finding`);
  for (const what of cut) warnings.add(`some ${what} were longer than the evidence allows and were shortened`);
  const specVersion = asString(doc.specVersion);
  return {
    value: out,
    format: specVersion === undefined ? 'cyclonedx-vex-json' : `cyclonedx-vex-json@${specVersion}`,
    parser: ownParser('cyclonedx-vex'),
    warnings: warnings.done(),
  };
}

function tooMany(file: SourceFile, n: number): ConfigError {
  return formatError(file, `lists ${String(n)} statements, more than ${String(MAX_STATEMENTS)}`, {
    expected: `at most ${String(MAX_STATEMENTS)} VEX statements per document`,
    hint: 'Split the VEX document.',
  });
}

/** Parse one VEX document (OpenVEX or CycloneDX VEX), detected by content. */
export function parseVexFile(file: SourceFile): Parsed<VexStatement[]> {
  const doc = parseJsonSource(file, EXPECTED);
  if (!isRecord(doc)) throw formatError(file, 'is not a JSON object', { expected: EXPECTED });
  const warnings = new Warnings();
  const context = asString(doc['@context']);
  if (context?.toLowerCase().startsWith('https://openvex.dev/ns') === true) return parseOpenVex(file, doc, context, warnings);
  if (asString(doc.bomFormat) === 'CycloneDX') return parseCycloneDxVex(file, doc, warnings);
  const csaf = asString(asRecord(doc.document)?.category) === 'csaf_vex';
  throw formatError(file, 'is not a VEX document genops recognizes', {
    expected: EXPECTED,
    hint: csaf ? 'CSAF VEX is not supported; convert it to OpenVEX (e.g. with vexctl).' : 'Give an OpenVEX or CycloneDX VEX JSON document.',
  });
}
