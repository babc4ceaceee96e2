/**
 * SBOMs: one entry point that detects the format by content (not by file name) and reads it into
 * SbomEvidence, plus the base/head diff. Supported: CycloneDX JSON and XML 1.2-1.6, SPDX 2.3 JSON
 * (2.2 with a warning). See cyclonedx.ts and spdx.ts for what is read and how scope is decided.
 */
import type { Parsed, SbomEvidence } from '../model.js';
import { DEFAULT_LIMITS, asRecord, formatError, isRecord, parseJsonText, sourceText, type EvidenceLimits, type SourceFile } from '../source.js';
import { readCycloneDxJson, readCycloneDxXml } from './cyclonedx.js';
import { readSpdxJson } from './spdx.js';

export { diffSboms, componentKey } from './diff.js';

const SUPPORTED = 'CycloneDX JSON (specVersion 1.2-1.6), CycloneDX XML (namespace http://cyclonedx.org/schema/bom/1.2 to 1.6) or SPDX 2.3 JSON';
const EXPECTED = `an SBOM: ${SUPPORTED}`;
const HINT = 'Generate one with e.g. `cyclonedx-npm --output-format JSON`, `syft -o cyclonedx-json` or `syft -o spdx-json`.';

const XML_TAG_NAME = /^[^\s/>]+/;
const XMLNS_ATTRIBUTE = /\bxmlns(?::([^\s=]+))?\s*=\s*(["'])(.*?)\2/g;
const CYCLONEDX_NAMESPACE = /^http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)$/;

/** Reads a CycloneDX (JSON or XML) or SPDX JSON SBOM. Throws ConfigError FILE_INVALID on anything else. */
export function parseSbomFile(file: SourceFile, limits: EvidenceLimits = DEFAULT_LIMITS): Parsed<SbomEvidence> {
  const text = sourceText(file, EXPECTED);
  const first = firstNonBlank(text);
  if (first === '{' || first === '[') {
    const doc = parseJsonText(file, text, EXPECTED);
    if (!isRecord(doc)) throw unknownFormat(file, 'is JSON but not an object');
    if (doc.bomFormat === 'CycloneDX') return readCycloneDxJson(file, doc, limits, EXPECTED);
    if (typeof doc.spdxVersion === 'string') return readSpdxJson(file, doc, limits, EXPECTED);
    // GitHub's REST API wraps the export: { "sbom": { "spdxVersion": ... } }.
    const wrapped = asRecord(doc.sbom);
    if (wrapped !== undefined && typeof wrapped.spdxVersion === 'string') return readSpdxJson(file, wrapped, limits, EXPECTED);
    if (doc['@context'] !== undefined && JSON.stringify(doc['@context']).includes('spdx')) {
      throw unknownFormat(file, 'is SPDX 3 JSON-LD, which genops does not read yet');
    }
    if (typeof doc.bomFormat === 'string') throw unknownFormat(file, `has bomFormat ${JSON.stringify(doc.bomFormat)}, not "CycloneDX"`);
    throw unknownFormat(file, 'is JSON with neither bomFormat "CycloneDX" nor spdxVersion');
  }
  if (first === '<') {
    const startTag = rootStartTag(text) ?? '';
    const tag = XML_TAG_NAME.exec(startTag)?.[0] ?? '';
    const colon = tag.indexOf(':');
    const prefix = colon < 0 ? undefined : tag.slice(0, colon);
    const local = colon < 0 ? tag : tag.slice(colon + 1);
    if (local !== 'bom') throw unknownFormat(file, `is XML with root element <${tag.slice(0, 60)}>, not a CycloneDX <bom>`);
    let namespace: string | undefined;
    for (const m of startTag.slice(tag.length, MAX_START_TAG).matchAll(XMLNS_ATTRIBUTE)) {
      if (m[1] === prefix) namespace = m[3];
    }
    const version = namespace === undefined ? undefined : CYCLONEDX_NAMESPACE.exec(namespace)?.[1];
    if (version === undefined) {
      throw unknownFormat(file, `has a <bom> root element ${namespace === undefined ? 'without a namespace' : `in namespace ${JSON.stringify(namespace.slice(0, 100))}`}, not a CycloneDX one`);
    }
    return readCycloneDxXml(file, version, limits, EXPECTED);
  }
  if (text.startsWith('SPDXVersion:', text.length - text.trimStart().length)) {
    throw unknownFormat(file, 'is SPDX tag-value, which genops does not read');
  }
  throw unknownFormat(file, 'is neither JSON nor XML');
}

function unknownFormat(file: SourceFile, what: string): Error {
  return formatError(file, `${what}: not a supported SBOM`, { expected: EXPECTED, hint: HINT });
}

/** Longest root start tag read for namespace declarations (real ones are a few hundred characters). */
const MAX_START_TAG = 16_384;

/** The text inside the root element's start tag, skipping the XML declaration, comments and DOCTYPE. Linear. */
function rootStartTag(text: string): string | undefined {
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    if (lt < 0) return undefined;
    let skipTo: number;
    if (text.startsWith('<?', lt)) skipTo = indexAfter(text, '?>', lt + 2);
    else if (text.startsWith('<!--', lt)) skipTo = indexAfter(text, '-->', lt + 4);
    else if (text.startsWith('<!', lt)) skipTo = indexAfter(text, '>', lt + 2);
    else {
      const gt = text.indexOf('>', lt + 1);
      return gt < 0 ? undefined : text.slice(lt + 1, gt);
    }
    if (skipTo < 0) return undefined;
    i = skipTo;
  }
}

function indexAfter(text: string, token: string, from: number): number {
  const at = text.indexOf(token, from);
  return at < 0 ? -1 : at + token.length;
}

function firstNonBlank(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return text[i];
  }
  return undefined;
}
