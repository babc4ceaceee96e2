/**
 * `spdxAvoids(licenses, ids)`, the CEL function license rules use: can a component be used without
 * accepting any license in `ids`? Each entry of `licenses` (as the SBOM writes it: an SPDX id, an
 * SPDX expression or a free-text name) applies; an expression is turned into its choices
 * (disjunctive normal form: `A OR B` is two choices, `A AND (B OR C)` is {A,B} or {A,C}), and the
 * entry is avoidable when one choice holds no listed id. So `MIT OR GPL-3.0-only` passes a deny list
 * with GPL-3.0-only and `MIT AND GPL-3.0-only` does not, which comparing the text cannot tell.
 *
 * `X WITH exception` matches `X WITH exception` and `X` in the list (denying GPL-2.0-only denies it
 * with any exception, unless the list names only the exception form). `X+` matches `X` and `X+`.
 * A value that is not valid SPDX is one opaque license compared as written. Fails closed: an
 * expression with more than MAX_CHOICES choices counts as not avoidable.
 */
import parseSpdxExpression from 'spdx-expression-parse';

export const MAX_CHOICES = 64;
const MAX_EXPRESSION_LENGTH = 2000;

type SpdxNode = { license: string; plus?: boolean; exception?: string } | { left: SpdxNode; conjunction: 'and' | 'or'; right: SpdxNode };

/** A choice: the names one way of licensing needs accepted, each with the forms it matches. */
type Choice = string[][];

function choices(node: SpdxNode): Choice[] | undefined {
  if ('license' in node) {
    const forms = [node.license];
    if (node.plus === true) forms.push(`${node.license}+`);
    if (node.exception !== undefined) forms.push(`${node.license}${node.plus === true ? '+' : ''} WITH ${node.exception}`);
    return [[forms]];
  }
  const left = choices(node.left);
  const right = choices(node.right);
  if (left === undefined || right === undefined) return undefined;
  if (node.conjunction === 'or') return left.length + right.length > MAX_CHOICES ? undefined : [...left, ...right];
  if (left.length * right.length > MAX_CHOICES) return undefined;
  return left.flatMap((a) => right.map((b) => [...a, ...b]));
}

/** Expression -> its choices (undefined: too many). Real SBOMs repeat a few dozen values. */
const cache = new Map<string, Choice[] | undefined>();

export function licenseChoices(value: string): Choice[] | undefined {
  if (cache.has(value)) return cache.get(value);
  let result: Choice[] | undefined;
  try {
    result = value.length > MAX_EXPRESSION_LENGTH ? [[[value]]] : choices(parseSpdxExpression(value) as SpdxNode);
  } catch {
    result = [[[value]]];
  }
  if (cache.size >= 4096) cache.clear();
  cache.set(value, result);
  return result;
}

/** Whether every license entry can be satisfied by a choice that accepts none of `ids`. */
/** The listed ids as a set, built once per list (a rule passes the same params list for every component). */
const listedSets = new WeakMap<readonly string[], ReadonlySet<string>>();

export function spdxAvoids(licenses: readonly string[], ids: readonly string[]): boolean {
  let listed = listedSets.get(ids);
  if (listed === undefined) {
    listed = new Set(ids);
    listedSets.set(ids, listed);
  }
  for (const entry of licenses) {
    if (listed.has(entry)) return false;
    const cs = licenseChoices(entry);
    if (cs === undefined) return false;
    if (!cs.some((choice) => choice.every((forms) => !forms.some((f) => listed.has(f))))) return false;
  }
  return true;
}
