/**
 * What every evidence parser shares: the file it reads, limits, safe JSON / XML / YAML readers
 * that report file, line and column, and narrowing helpers for untrusted parsed data.
 *
 * Parsers are pure: (SourceFile) -> Parsed<T>, or a ConfigError FILE_INVALID naming the file,
 * the line and column where there is one, and the format expected. Nothing else escapes them
 * (property tests feed them random bytes to hold that).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
// The ESM build: the package's `main` is a UMD build whose dynamic requires break bundling.
import { parse as parseJsonc, printParseErrorCode, type ParseError as JsoncError } from 'jsonc-parser/lib/esm/main.js';
import { CORE_SCHEMA, EVENT_ID, getScalarValue, load as loadYaml, parseEvents, YAMLException } from 'js-yaml';
import { sha256Hex } from '../artifact/canonical.js';
import { ConfigError, docUrl, type ErrorDetails } from '../errors.js';
import { GENOPS_VERSION } from '../version.js';

/** One input file, read and hashed before any parsing. */
export interface SourceFile {
  /** Workspace-relative path with `/` separators (what errors and evidence show). */
  readonly path: string;
  readonly bytes: Uint8Array;
  /** sha256 of `bytes`, hex. */
  readonly sha256: string;
}

/** A SourceFile for bytes already read: hashed here, the one place that does it. */
export function sourceFileOf(path: string, bytes: Uint8Array): SourceFile {
  return { path, bytes, sha256: sha256Hex(bytes) };
}

export interface EvidenceLimits {
  /** Largest file read, in bytes (checked with stat before reading). */
  maxFileBytes: number;
  /** Most files one source kind may match. */
  maxFilesPerSource: number;
  /** Most components one SBOM may list. */
  maxComponents: number;
  /** Most findings / results over all vulnerability files. */
  maxFindings: number;
  /** Most test cases over all JUnit files. */
  maxTestCases: number;
  /** Most spans over all trace files. */
  maxSpans: number;
  /** Most warnings kept per source (the rest are counted). */
  maxWarnings: number;
}

export const DEFAULT_LIMITS: EvidenceLimits = {
  maxFileBytes: 50 * 1024 * 1024,
  maxFilesPerSource: 200,
  maxComponents: 250_000,
  maxFindings: 200_000,
  maxTestCases: 500_000,
  maxSpans: 1_000_000,
  maxWarnings: 50,
};

/** Parser identity for our own parsers: name plus genops's version. */
export function ownParser(name: string): { name: string; version: string } {
  return { name: `genops/${name}`, version: GENOPS_VERSION };
}

/** A malformed or unexpected file: the user's to fix. */
export function formatError(
  file: Pick<SourceFile, 'path'>,
  message: string,
  details: Omit<ErrorDetails, 'file'> & { expected: string },
): ConfigError {
  return new ConfigError('FILE_INVALID', `${file.path}: ${message}`, {
    docUrl: docUrl('evidence', 'formats'),
    ...details,
    file: file.path,
  });
}

/** A count limit was passed while parsing. */
export function limitError(file: Pick<SourceFile, 'path'>, what: string, max: number, setting: string): ConfigError {
  return new ConfigError('FILE_INVALID', `${file.path}: more than ${String(max)} ${what}`, {
    file: file.path,
    expected: `at most ${String(max)} ${what}`,
    hint: `Raise the ${setting} limit if this file is genuine, or split it.`,
    docUrl: docUrl('evidence', 'limits'),
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decode a file as text: UTF-8 (BOM stripped) or UTF-16 with a BOM. Invalid bytes are an error. */
export function sourceText(file: SourceFile, expected: string): string {
  const b = file.bytes;
  try {
    if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le', { fatal: true }).decode(b.subarray(2));
    if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be', { fatal: true }).decode(b.subarray(2));
    const text = utf8.decode(b);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    throw formatError(file, 'is not valid UTF-8 or UTF-16 text', { expected, hint: 'Give the file the tool wrote, unmodified.' });
  }
}

/** 1-based line and column of a character offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * Parse JSON. The fast path is JSON.parse; on failure, jsonc-parser (strict mode) finds the
 * offset of the first error so the message can give a line and column.
 */
export function parseJsonText(file: SourceFile, text: string, expected: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const errors: JsoncError[] = [];
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    const at = first === undefined ? undefined : lineColumnAt(text, first.offset);
    throw formatError(file, `is not valid JSON${first === undefined ? '' : ` (${printParseErrorCode(first.error)})`}`, {
      expected,
      ...(at === undefined ? {} : { line: at.line, column: at.column }),
      hint: 'Give the JSON file the tool wrote, unmodified.',
    });
  }
}

export function parseJsonSource(file: SourceFile, expected: string): unknown {
  return parseJsonText(file, sourceText(file, expected), expected);
}

// A DOCTYPE with an internal subset can declare entities (XXE, billion laughs). No format genops
// reads needs one; a bare `<!DOCTYPE coverage SYSTEM "...dtd">` (Cobertura) is allowed and never fetched.
const DOCTYPE_SUBSET = /<!DOCTYPE[^>[]*\[/i;
const ENTITY_DECL = /<!ENTITY/i;

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ENTITY_REF = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos));/g;

function decodeCodePoint(cp: number, ref: string): string {
  return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : ref;
}

/** XML's own entities: the five predefined ones and character references. Unknown ones stay as written. */
const XML_ENTITY_DECODER = {
  setExternalEntities: () => undefined,
  addInputEntities: () => undefined,
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: (text: string): string =>
    text.includes('&')
      ? text.replace(ENTITY_REF, (ref, hex: string | undefined, dec: string | undefined, name: string | undefined) =>
          name !== undefined ? (PREDEFINED[name] ?? ref) : decodeCodePoint(hex !== undefined ? parseInt(hex, 16) : Number(dec), ref),
        )
      : text,
};

export interface XmlOptions {
  /** Element names (local, without prefix) that are always arrays, even with one child. */
  arrays?: ReadonlySet<string>;
}

/**
 * Parse XML safely: no DTD internal subset, no entity declarations, no external fetches; the
 * five predefined entities and character references are decoded (XML_ENTITY_DECODER), nothing
 * else. Attributes are `@_name`, text content is `#text`, namespace prefixes are removed.
 */
export function parseXmlSource(file: SourceFile, expected: string, options: XmlOptions = {}): Record<string, unknown> {
  const text = sourceText(file, expected);
  const doctype = DOCTYPE_SUBSET.exec(text) ?? ENTITY_DECL.exec(text);
  if (doctype !== null) {
    const at = lineColumnAt(text, doctype.index);
    throw formatError(file, 'declares a DTD internal subset or entities, which genops refuses to process', {
      expected,
      line: at.line,
      column: at.column,
      hint: 'Remove the <!DOCTYPE [...]> / <!ENTITY> declarations; no supported format needs them.',
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- moved to the fast-xml-validator package, not adopted yet; same code
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (valid !== true) {
    throw formatError(file, `is not well-formed XML: ${valid.err.msg}`, {
      expected,
      line: valid.err.line,
      column: valid.err.col,
    });
  }
  const arrays = options.arrays;
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    textNodeName: '#text',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: { enabled: true, maxEntityCount: 0 },
    entityDecoder: XML_ENTITY_DECODER,
    ...(arrays === undefined ? {} : { isArray: (name: string) => arrays.has(name) }),
  });
  let doc: unknown;
  try {
    doc = parser.parse(text) as unknown;
  } catch (e) {
    // The validator passes a few inputs the parser then rejects (e.g. an unclosed processing instruction).
    throw formatError(file, `is not well-formed XML: ${e instanceof Error ? e.message : String(e)}`, { expected });
  }
  if (!isRecord(doc)) throw formatError(file, 'has no root element', { expected });
  return doc;
}

/** Parse YAML with the core schema (no custom tags), bounded aliases and depth. */
export function parseYamlSource(file: SourceFile, expected: string): unknown {
  const text = sourceText(file, expected);
  try {
    return loadYaml(text, { schema: CORE_SCHEMA, filename: file.path, maxAliases: 100, maxDepth: 64 });
  } catch (e) {
    if (e instanceof YAMLException) {
      throw formatError(file, `is not valid YAML: ${e.reason}`, {
        expected,
        ...(e.mark === undefined ? {} : { line: e.mark.line + 1, column: e.mark.column + 1 }),
      });
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Narrowing helpers for untrusted parsed data: never throw, return undefined when the shape is off.

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return isRecord(v) ? v : undefined;
}

/** An array as is; a single value as a one-element array (XML's one-child case); else empty. */
export function asArray(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  return v === undefined || v === null ? [] : [v];
}

/** A non-empty string, or a finite number as its decimal text; else undefined. */
export function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length === 0 ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A finite number, or a string holding one; else undefined. */
export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A non-negative integer, or undefined. */
export function asCount(v: unknown): number | undefined {
  const n = asNumber(v);
  return n !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
}

export function asBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/** Text content of an XML element parsed by parseXmlSource (string, or `#text` of an object). */
export function xmlText(v: unknown): string | undefined {
  if (isRecord(v)) return asString(v['#text']);
  return asString(v);
}

/** An attribute of an XML element parsed by parseXmlSource. */
export function xmlAttr(v: unknown, name: string): string | undefined {
  return isRecord(v) ? asString(v[`@_${name}`]) : undefined;
}

/** `text` cut to `max` characters with an ellipsis, never splitting a surrogate pair (schema string bounds). */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}\u2026`;
}

/** `text` cut to its first `max` characters, no marker (for paths and names kept as keys). */
export function cutText(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

/** Collects warnings up to a cap and counts the rest. */
export class Warnings {
  readonly list: string[] = [];
  dropped = 0;
  constructor(private readonly max = DEFAULT_LIMITS.maxWarnings) {}
  add(message: string): void {
    if (this.list.length < this.max) this.list.push(message);
    else this.dropped++;
  }
  /** The kept warnings, plus one line saying how many were dropped. */
  done(): string[] {
    return this.dropped === 0 ? this.list : [...this.list, `(${String(this.dropped)} more warnings not shown)`];
  }
}

/**
 * Lines of the given key paths in document `docIndex`, from js-yaml's event stream (which keeps
 * source offsets; the loaded values do not). Only run when there is an error to report.
 */
export function yamlKeyLines(text: string, docIndex: number, paths: readonly (readonly (string | number)[])[]): Map<string, number> {
  const wanted = new Set(paths.map((p) => p.join('\u0000')));
  const found = new Map<string, number>();
  if (wanted.size === 0) return found;
  interface Frame {
    readonly kind: 'map' | 'seq';
    readonly path: readonly (string | number)[];
    index: number;
    expectKey: boolean;
    key: string | number | undefined;
  }
  let events;
  try {
    events = parseEvents(text, { maxDepth: 64 });
  } catch {
    return found;
  }
  let doc = -1;
  const stack: Frame[] = [];
  const record = (path: readonly (string | number)[], offset: number): void => {
    const key = path.join('\u0000');
    if (wanted.has(key) && !found.has(key)) found.set(key, lineColumnAt(text, offset).line);
  };
  /** Where a node starting now sits; undefined while reading a mapping key. */
  const childPath = (): readonly (string | number)[] | undefined => {
    const top = stack[stack.length - 1];
    if (top === undefined) return [];
    if (top.kind === 'seq') return [...top.path, top.index];
    return top.expectKey || top.key === undefined ? undefined : [...top.path, top.key];
  };
  const completed = (): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) return;
    if (top.kind === 'seq') top.index++;
    else if (top.expectKey) top.expectKey = false;
    else {
      top.expectKey = true;
      top.key = undefined;
    }
  };
  for (const ev of events) {
    if (ev.type === EVENT_ID.DOCUMENT) {
      doc++;
      stack.length = 0;
      continue;
    }
    if (doc !== docIndex) continue;
    if (ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE) {
      const path = childPath();
      if (path !== undefined) record(path, ev.start);
      stack.push({ kind: ev.type === EVENT_ID.MAPPING ? 'map' : 'seq', path: path ?? ['?'], index: 0, expectKey: true, key: undefined });
    } else if (ev.type === EVENT_ID.POP) {
      stack.pop();
      completed();
    } else if (ev.type === EVENT_ID.SCALAR) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'map' && top.expectKey) {
        top.key = getScalarValue(text, ev);
        record([...top.path, top.key], ev.valueStart);
      } else {
        const path = childPath();
        if (path !== undefined) record(path, ev.valueStart);
      }
      completed();
    } else {
      completed();
    }
  }
  return found;
}
