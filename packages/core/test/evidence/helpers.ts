/**
 * Shared by all evidence parser tests: fixture files as SourceFiles, ConfigError checks, validators
 * for the evidence JSON Schema's `$defs`, and JSON paths and mutations for property tests.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { ConfigError } from '../../src/errors.js';
import type { SourceFile } from '../../src/evidence/source.js';

const FIXTURES = fileURLToPath(new URL('../../../../fixtures/evidence/', import.meta.url));

export function sourceFile(path: string, data: Uint8Array | string): SourceFile {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return { path, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** A fixture under fixtures/evidence/ (`vulns/grype.json`), with its workspace-relative path. */
export function fixture(name: string): SourceFile {
  return sourceFile(`fixtures/evidence/${name}`, readFileSync(`${FIXTURES}${name}`));
}

export function fixtureText(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}

/**
 * The text of one of these fixtures with a random stretch (up to 200 characters) replaced by a
 * random string (up to 20): for "a value or a ConfigError" properties over damaged real files.
 */
export function mutatedFixtureText(...names: string[]): fc.Arbitrary<string> {
  const texts = names.map(fixtureText);
  return fc.tuple(fc.constantFrom(...texts), fc.nat(), fc.nat(), fc.string({ maxLength: 20 })).map(([text, a, b, insert]) => {
    const i = a % text.length;
    const j = Math.min(text.length, i + (b % 200));
    return text.slice(0, i) + insert + text.slice(j);
  });
}

/** A JSON document as an in-memory SourceFile. */
export function jsonFile(doc: unknown, path = 'reports/test.json'): SourceFile {
  return sourceFile(path, JSON.stringify(doc));
}

/** Runs `fn` and returns the ConfigError (FILE_INVALID) it must throw. */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const err = e as ConfigError;
    expect(err.code).toBe('FILE_INVALID');
    return err;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/**
 * Parsers may return or throw a ConfigError FILE_INVALID; anything else is a bug, thrown on so that
 * fast-check shows it.
 */
export function returnsOrConfigError(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (e instanceof ConfigError && e.code === 'FILE_INVALID') return true;
    throw e;
  }
}

// ajv-formats is CommonJS: its function is the module or its `default`, depending on the loader.
type AddFormats = (a: Ajv2020) => Ajv2020;
const formatsModule = addFormatsModule as unknown as AddFormats & { default?: AddFormats };
const addFormats: AddFormats = formatsModule.default ?? formatsModule;
const SCHEMAS = fileURLToPath(new URL('../../schemas/', import.meta.url));
let ajv: Ajv2020 | undefined;

/** A validator for one `$defs` entry of the evidence JSON Schema (`vulnerabilities`, `vexStatement`). */
export function evidenceDef(def: string): (value: unknown) => string[] {
  if (ajv === undefined) {
    ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
    addFormats(ajv);
    for (const name of ['common.schema.json', 'evidence.schema.json']) ajv.addSchema(JSON.parse(readFileSync(`${SCHEMAS}${name}`, 'utf8')) as object);
  }
  const validate = ajv.getSchema(`https://genops.dev/schemas/evidence.schema.json#/$defs/${def}`);
  if (validate === undefined) throw new Error(`no $defs/${def} in evidence.schema.json`);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

type Path = (string | number)[];

/** Every path into a JSON document (objects and arrays), at most `max` of them, breadth first. */
export function jsonPaths(doc: unknown, max = 4000): Path[] {
  const out: Path[] = [];
  const queue: { value: unknown; path: Path }[] = [{ value: doc, path: [] }];
  while (queue.length > 0 && out.length < max) {
    const next = queue.shift();
    if (next === undefined) break;
    const { value, path } = next;
    if (path.length > 0) out.push(path);
    if (Array.isArray(value)) value.forEach((v, i) => queue.push({ value: v, path: [...path, i] }));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) queue.push({ value: v, path: [...path, k] });
  }
  return out;
}

/** A copy of `doc` with the value at `path` replaced (or deleted when `value` is undefined). */
export function mutateAt(doc: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(doc);
  let node: unknown = copy;
  for (let i = 0; i < path.length - 1; i++) node = (node as Record<string | number, unknown>)[path[i] as string | number];
  const last = path[path.length - 1] as string | number;
  const parent = node as Record<string | number, unknown>;
  if (value === undefined) {
    if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else Reflect.deleteProperty(parent, last);
  } else parent[last] = value;
  return copy;
}
