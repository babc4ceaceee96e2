import { validators } from './generated/index.js';
import type { SchemaErrorObject } from './validator.types.js';

export type { CompiledValidator, SchemaErrorObject } from './validator.types.js';

export const SCHEMA_BASE = 'https://genops.dev/schemas/';

export interface SchemaProblem {
  /** JSON Pointer into the document, e.g. `/predicate/header/expiresAt` ('' is the root). */
  pointer: string;
  message: string;
}

/** Validates `data` against the compiled schema with this `$id` (or file name like `statement`). */
export function validateAgainst(schema: string, data: unknown): SchemaProblem[] {
  const id = schema.includes('://') ? schema : `${SCHEMA_BASE}${schema}.schema.json`;
  const validate = validators[id];
  if (validate === undefined) throw new Error(`no compiled schema ${id}: run pnpm gen`);
  if (validate(data)) return [];
  return (validate.errors ?? []).map(describeSchemaError);
}

function describeSchemaError(e: SchemaErrorObject): SchemaProblem {
  const pointer = e.instancePath;
  const p = e.params;
  let message = e.message ?? e.keyword;
  if (e.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') {
    message = `unknown property "${p.additionalProperty}" (not in the schema: a typo?)`;
  } else if (e.keyword === 'required' && typeof p.missingProperty === 'string') {
    message = `missing required property "${p.missingProperty}"`;
  } else if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) {
    message = `must be one of ${p.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (e.keyword === 'const') {
    message = `must be ${JSON.stringify(p.allowedValue)}`;
  }
  return { pointer, message };
}

/** One line per problem, at most `max`, for error messages. */
export function formatSchemaProblems(problems: SchemaProblem[], max = 10): string {
  const lines = problems.slice(0, max).map((pr) => `${pr.pointer === '' ? '(root)' : pr.pointer}: ${pr.message}`);
  if (problems.length > max) lines.push(`... and ${problems.length - max} more`);
  return lines.join('; ');
}
