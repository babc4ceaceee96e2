/**
 * CycloneDX JSON against the official schema of its spec version (validators compiled at build time
 * by scripts/gen.mjs). Violations are warnings, not errors: real tools emit slightly-off SBOMs whose
 * components are still readable, and failing closed on them is the policy layer's call
 * (`sbom.schemaValid`). A file the parser cannot read at all is an error elsewhere.
 */
import { cycloneDxValidators } from '../../schemas/generated/cyclonedx/index.js';
import type { SchemaErrorObject } from '../../schemas/validator.types.js';
import type { Warnings } from '../source.js';

/** Schema violations shown as warnings; the rest are counted in one more line. */
const SHOWN_VIOLATIONS = 5;

/**
 * Validates and reports. Returns whether the document is valid, or undefined when it could not be
 * checked (no schema for the version, or nesting too deep for the validator's recursion).
 */
export function checkCycloneDxSchema(specVersion: string, doc: unknown, warnings: Warnings): boolean | undefined {
  const validate = cycloneDxValidators[specVersion];
  if (validate === undefined) return undefined;
  let valid: boolean;
  try {
    valid = validate(doc);
  } catch (e) {
    if (e instanceof RangeError) {
      warnings.add(`not checked against the CycloneDX ${specVersion} JSON schema: the document nests too deeply`);
      return undefined;
    }
    throw e;
  }
  if (valid) return true;
  const errors = validate.errors ?? [];
  for (const e of errors.slice(0, SHOWN_VIOLATIONS)) {
    warnings.add(`CycloneDX ${specVersion} schema: ${e.instancePath === '' ? '(root)' : e.instancePath}: ${describe(e)}`);
  }
  if (errors.length > SHOWN_VIOLATIONS) {
    warnings.add(`CycloneDX ${specVersion} schema: ${String(errors.length - SHOWN_VIOLATIONS)} more violation(s) not shown`);
  }
  return false;
}

function describe(e: SchemaErrorObject): string {
  const p = e.params;
  if (e.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') {
    return `unknown property ${JSON.stringify(p.additionalProperty)}`;
  }
  if (e.keyword === 'required' && typeof p.missingProperty === 'string') {
    return `missing required property ${JSON.stringify(p.missingProperty)}`;
  }
  if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) {
    // The SPDX license id list has ~700 entries: name it rather than print it.
    return p.allowedValues.length > 12
      ? `is not one of the ${String(p.allowedValues.length)} allowed values (schema ${e.schemaPath})`
      : `must be one of ${p.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return e.message ?? e.keyword;
}
