/**
 * License values of SBOM components: SPDX ids and expressions are checked with spdx-expression-parse
 * and kept as written either way (an invalid one is reported once, with how many components carry
 * it); license names that are not SPDX (`license.name` in CycloneDX) are kept as written without a
 * check. NOASSERTION and NONE say nothing about the license and are dropped.
 */
import parseSpdxExpression from 'spdx-expression-parse';
import type { Warnings } from '../source.js';

/** spdx-expression-parse re-slices its input per token: cap what it is given. */
const MAX_EXPRESSION_LENGTH = 2000;

const NO_LICENSE = new Set(['NOASSERTION', 'NONE']);

export class LicenseReader {
  /** Expression -> valid? Real SBOMs repeat a few dozen values thousands of times. */
  private readonly checked = new Map<string, boolean>();
  /** Invalid expression -> components carrying it, in first-seen order. */
  private readonly invalid = new Map<string, number>();

  /** An SPDX id or expression as written (trimmed), or undefined for NOASSERTION / NONE / empty. */
  expression(raw: string): string | undefined {
    const value = raw.trim();
    if (value === '' || NO_LICENSE.has(value)) return undefined;
    let valid = this.checked.get(value);
    if (valid === undefined) {
      valid = isSpdxExpression(value);
      this.checked.set(value, valid);
    }
    if (!valid) this.invalid.set(value, (this.invalid.get(value) ?? 0) + 1);
    return value;
  }

  /** A license name (not an SPDX id), as written. */
  name(raw: string): string | undefined {
    const value = raw.trim();
    return value === '' || NO_LICENSE.has(value) ? undefined : value;
  }

  /** One warning per distinct invalid expression. */
  report(warnings: Warnings): void {
    for (const [value, count] of this.invalid) {
      const shown = value.length > 200 ? `${value.slice(0, 200)}...` : value;
      warnings.add(
        `license ${JSON.stringify(shown)} (${count === 1 ? '1 component' : `${String(count)} components`}) is not a valid SPDX license expression; kept as written`,
      );
    }
  }
}

export function isSpdxExpression(value: string): boolean {
  if (value.length > MAX_EXPRESSION_LENGTH) return false;
  try {
    parseSpdxExpression(value);
    return true;
  } catch {
    return false;
  }
}

/** Adds a license to a component's list unless it is already there (order of first mention kept). */
export function addLicense(list: string[], value: string | undefined): void {
  if (value !== undefined && !list.includes(value)) list.push(value);
}
