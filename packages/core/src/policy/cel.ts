/**
 * The CEL side of policies: one Environment, the load-time checks an expression must pass, and the
 * watchdog that enforces the time budget.
 *
 * Load-time guards (each a problem with the offset in the expression, mapped to a YAML line/column
 * by load.ts):
 * - at most MAX_EXPRESSION_CHARS characters; the Environment's limits bound AST nodes, nesting
 *   depth, literal sizes and call arguments;
 * - comprehension macros (all, exists, exists_one, map, filter) nest at most MAX_COMPREHENSION_DEPTH
 *   deep, so work is at most quadratic in the largest evidence list (bounded by its schema);
 * - `matches` (JavaScript RegExp: catastrophic backtracking) and `cel.bind` (a chain of binds
 *   doubles a string or list per step) are refused; `re2Matches` is the linear-time regex, and a
 *   literal pattern is compiled at load;
 * - unknown functions and variables fail cel-js's type check; field names read from `evidence`,
 *   `risk` (and from comprehension variables over their lists) are checked against
 *   packages/core/schemas/{evidence,risk}.schema.json, `variables.x` against the set's earlier
 *   variables, `params.x` against spec.params, `context.x` against the context's fields.
 *   Evidence sections are nullable, which cel-js's schema-typed variables cannot express
 *   (`x != null` fails its check), so these variables are `map`/`dyn` to cel-js and the field check
 *   is ours. Types of fields are not checked at load (a string compared with a number fails at
 *   evaluation, as an error under the set's failurePolicy).
 *
 * Time budget: cel-js has no cancellation, so an evaluation runs under node:vm's watchdog
 * (runWithTimeLimit): when the budget's wall time is spent, V8 terminates whatever is running, inside
 * cel-js too (a loop, a long concatenation, one long re2Matches), and the caller records the rule in
 * progress as an error. Between rules the budget is also checked with the injectable timer. No
 * Proxy membrane: an earlier version guarded every list read through one, which doubled evaluation
 * time and still could not stop work that read nothing.
 */
import vm from 'node:vm';
import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import evidenceSchema from '../../schemas/evidence.schema.json' with { type: 'json' };
import riskSchema from '../../schemas/risk.schema.json' with { type: 'json' };
import { spdxAvoids } from './spdx.js';
import { compileFast, withFastPath, type FastFunctions } from './cel-fast.js';

export const MAX_EXPRESSION_CHARS = 2048;
export const MAX_COMPREHENSION_DEPTH = 2;
export const CEL_LIMITS = { maxAstNodes: 400, maxDepth: 32, maxListElements: 200, maxMapEntries: 200, maxCallArguments: 8 } as const;
/** Longest re2Matches pattern. */
export const MAX_PATTERN_CHARS = 1024;

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

export const CONTEXT_FIELDS = ['now', 'environment', 'repository', 'author', 'local'] as const;
export const LOCAL_FIELDS = ['weekday', 'hour', 'minute', 'date', 'timezone'] as const;

// ---------------------------------------------------------------------------------------------
// re2Matches: linear time, compiled patterns cached (bounded).

const patternCache = new Map<string, RE2JS>();
function compilePattern(pattern: string): RE2JS {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    if (pattern.length > MAX_PATTERN_CHARS) throw new Error(`re2Matches pattern longer than ${String(MAX_PATTERN_CHARS)} characters`);
    re = RE2JS.compile(pattern);
    if (patternCache.size >= 256) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re;
}

/** The pattern's syntax error, or undefined when it compiles. */
export function patternProblem(pattern: string): string | undefined {
  try {
    compilePattern(pattern);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !(value as unknown[]).every((x) => typeof x === 'string')) throw new Error(`spdxAvoids: ${name} must be a list of strings`);
  return value as string[];
}

/** The functions policies may call beyond CEL's standard ones (the Environment and the fast path share them). */
export const POLICY_FUNCTIONS = {
  re2Matches: (s: unknown, p: unknown): boolean => {
    if (typeof s !== 'string' || typeof p !== 'string') throw new Error('re2Matches: text and pattern must be strings');
    return compilePattern(p).matcher(s).find();
  },
  spdxAvoids: (licenses: unknown, ids: unknown): boolean => spdxAvoids(stringList(licenses, 'licenses'), stringList(ids, 'ids')),
} satisfies FastFunctions;

let sharedEnv: Environment | undefined;

/** The Environment every policy expression is checked and run in. */
export function policyEnvironment(): Environment {
  sharedEnv ??= new Environment({ limits: CEL_LIMITS })
    .registerVariable('evidence', 'map')
    .registerVariable('risk', 'dyn')
    .registerVariable('params', 'map')
    .registerVariable('variables', 'map')
    .registerVariable('context', 'map')
    .registerFunction('re2Matches(string, string): bool', POLICY_FUNCTIONS.re2Matches)
    // dyn arguments: evidence and params are maps of dyn, which cel-js does not narrow to list<string>.
    .registerFunction('spdxAvoids(dyn, dyn): bool', POLICY_FUNCTIONS.spdxAvoids);
  return sharedEnv;
}

// ---------------------------------------------------------------------------------------------
// Load-time checks

export type ExpressionKind = 'bool' | 'string' | 'any';

export interface ExpressionProblem {
  /** Offset of the problem in the expression (0-based), when known. */
  offset?: number;
  message: string;
  expected: string;
  hint: string;
}

export interface CompiledExpression {
  readonly source: string;
  /** The fast path where it answers, cel-js for the rest (cel-fast.ts). */
  readonly program: (ctx: Record<string, unknown>) => unknown;
  /** cel-js alone. */
  readonly reference: (ctx: Record<string, unknown>) => unknown;
  /** `variables.<name>` this expression reads. */
  readonly variablesUsed: readonly string[];
}

export interface ExpressionScope {
  /** Variables defined before this expression. */
  variables: readonly string[];
  /** Keys of spec.params. */
  params: readonly string[];
}

type Json = Record<string, unknown>;
/** A set of JSON Schemas a value may match; `any` when we cannot tell (no checks then). */
type Shape = { any: true } | { any: false; list: Json[]; root: Json };

const ANY: Shape = { any: true };

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function expand(root: Json, s: unknown, out: Json[], depth: number): boolean {
  if (depth > 16 || !isObj(s)) return false;
  const ref = s.$ref;
  if (typeof ref === 'string') {
    if (!ref.startsWith('#/')) return false;
    let node: unknown = root;
    for (const part of ref.slice(2).split('/')) node = isObj(node) ? node[part] : undefined;
    return expand(root, node, out, depth + 1);
  }
  const alts = s.anyOf ?? s.oneOf;
  if (Array.isArray(alts)) return alts.every((a) => expand(root, a, out, depth + 1));
  if (s.allOf !== undefined) return false;
  if (s.type === 'null') return true;
  out.push(s);
  return true;
}

function shapeOf(root: Json, s: unknown): Shape {
  const list: Json[] = [];
  return expand(root, s, list, 0) && list.length > 0 ? { any: false, list, root } : ANY;
}

/** The shape of `shape.key`; undefined when no schema in the set has that key. */
function childShape(shape: Shape, key: string): Shape | undefined {
  if (shape.any) return ANY;
  const found: Json[] = [];
  for (const s of shape.list) {
    const props = isObj(s.properties) ? s.properties : undefined;
    if (props !== undefined && key in props) {
      if (!expand(shape.root, props[key], found, 0)) return ANY;
    } else if (isObj(s.additionalProperties)) {
      if (!expand(shape.root, s.additionalProperties, found, 0)) return ANY;
    } else if (s.additionalProperties !== false && (s.type === 'object' || props !== undefined || s.patternProperties !== undefined)) {
      return ANY;
    } else if (s.type !== 'object' && props === undefined) {
      return ANY; // not an object schema: leave the error to evaluation
    }
  }
  return found.length === 0 ? undefined : { any: false, list: found, root: shape.root };
}

function itemShape(shape: Shape): Shape {
  if (shape.any) return ANY;
  const found: Json[] = [];
  for (const s of shape.list) {
    if (s.type !== 'array') return ANY;
    if (!expand(shape.root, s.items, found, 0)) return ANY;
  }
  return found.length === 0 ? ANY : { any: false, list: found, root: shape.root };
}

function knownKeys(shape: Shape): string[] {
  if (shape.any) return [];
  const keys = new Set<string>();
  for (const s of shape.list) if (isObj(s.properties)) for (const k of Object.keys(s.properties)) keys.add(k);
  keys.delete('header');
  return [...keys].sort();
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

function suggestion(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? ` Did you mean "${best}"?` : '';
}

function fixedShape(fields: readonly string[]): Shape {
  const properties: Json = {};
  for (const f of fields) properties[f] = {};
  const s: Json = { type: 'object', properties, additionalProperties: false };
  return { any: false, list: [s], root: s };
}

const ROOT_SHAPES = (): Map<string, Shape> =>
  new Map<string, Shape>([
    ['evidence', shapeOf(evidenceSchema, evidenceSchema)],
    ['risk', shapeOf(riskSchema, riskSchema)],
  ]);

function children(node: ASTNode): ASTNode[] {
  switch (node.op) {
    case 'value':
    case 'id':
      return [];
    case '.':
    case '.?':
      return [node.args[0]];
    case 'call':
      return node.args[1];
    case 'rcall':
      return [node.args[1], ...node.args[2]];
    case 'list':
      return node.args;
    case 'map':
      return node.args.flat();
    case '!_':
    case '-_':
      return [node.args];
    default:
      return [...(node.args as readonly ASTNode[])];
  }
}

interface WalkState {
  problems: ExpressionProblem[];
  scope: ExpressionScope;
  variablesUsed: Set<string>;
}


function walk(node: ASTNode, bound: Map<string, Shape | 'shadow'>, depth: number, st: WalkState): Shape | undefined {
  const problem = (p: Omit<ExpressionProblem, 'offset'>, at = node.start) => st.problems.push({ ...p, offset: at });
  if (node.op === 'id') {
    const b = bound.get(node.args);
    return b === 'shadow' ? undefined : b;
  }
  if (node.op === 'call' || node.op === 'rcall') {
    const name = node.args[0];
    if (name === 'matches') {
      problem({
        message: '`matches` is not allowed: it runs a backtracking regular expression that a pattern or input can make take minutes',
        expected: 're2Matches(text, pattern), which runs in linear time',
        hint: 'Write re2Matches(x, "pattern") instead of x.matches("pattern") (RE2 syntax: no backreferences or lookaround).',
      });
    }
    if (node.op === 'rcall' && name === 'bind' && node.args[1].op === 'id' && node.args[1].args === 'cel') {
      problem({ message: '`cel.bind` is not allowed: chained binds can double a value at every step', expected: 'an expression without cel.bind', hint: 'Move the shared part into spec.variables and read it as variables.<name>.' });
    }
    if (name === 're2Matches') {
      const pat = node.op === 'call' ? node.args[1][1] : node.args[2][0];
      if (pat?.op === 'value' && typeof pat.args === 'string') {
        const bad = patternProblem(pat.args);
        if (bad !== undefined) problem({ message: `the re2Matches pattern does not compile: ${bad}`, expected: 'an RE2 regular expression', hint: 'Fix the pattern (RE2 has no backreferences or lookaround).' }, pat.start);
      }
    }
    if (node.op === 'rcall' && COMPREHENSIONS.has(name)) {
      const [, receiver, args] = node.args;
      const recvShape = walk(receiver, bound, depth, st);
      if (depth + 1 > MAX_COMPREHENSION_DEPTH) {
        problem({
          message: `comprehensions nest ${String(depth + 1)} deep here; at most ${String(MAX_COMPREHENSION_DEPTH)} are allowed`,
          expected: `at most ${String(MAX_COMPREHENSION_DEPTH)} nested all/exists/exists_one/map/filter`,
          hint: 'Compute the inner part once in spec.variables, or split the rule.',
        });
      }
      const iter = args[0];
      const inner = new Map(bound);
      if (iter?.op === 'id') inner.set(iter.args, recvShape === undefined ? 'shadow' : itemShape(recvShape));
      for (const a of args.slice(1)) walk(a, inner, depth + 1, st);
      return undefined;
    }
    for (const c of children(node)) walk(c, bound, depth, st);
    return undefined;
  }
  if (node.op === '.' || node.op === '.?') {
    const [obj, field] = node.args;
    const fieldAt = Math.max(node.start, node.end - field.length);
    if (obj.op === 'id' && !bound.has(obj.args)) {
      const root = obj.args;
      if (root === 'variables' && !st.scope.variables.includes(field)) {
        problem(
          {
            message: `variables.${field} is not defined before this expression`,
            expected: st.scope.variables.length === 0 ? 'no variables are defined yet' : `one of: ${st.scope.variables.join(', ')}`,
            hint: `Define ${field} in spec.variables above this use (variables are evaluated in order).${suggestion(field, st.scope.variables)}`,
          },
          fieldAt,
        );
        return undefined;
      }
      if (root === 'variables') {
        st.variablesUsed.add(field);
        return undefined;
      }
      if (root === 'params' && !st.scope.params.includes(field)) {
        problem(
          { message: `params.${field} is not in spec.params`, expected: st.scope.params.length === 0 ? 'spec.params has no keys' : `one of: ${st.scope.params.join(', ')}`, hint: `Add ${field} to spec.params, or fix the name.${suggestion(field, st.scope.params)}` },
          fieldAt,
        );
        return undefined;
      }
      if (root === 'context') {
        if (!(CONTEXT_FIELDS as readonly string[]).includes(field)) {
          problem({ message: `context has no field "${field}"`, expected: `one of: ${CONTEXT_FIELDS.join(', ')}`, hint: `Fix the field name.${suggestion(field, CONTEXT_FIELDS)}` }, fieldAt);
          return undefined;
        }
        return field === 'local' ? fixedShape(LOCAL_FIELDS) : ANY;
      }
    }
    const base = walk(obj, bound, depth, st);
    if (base === undefined) return undefined;
    const child = childShape(base, field);
    if (child === undefined) {
      const known = knownKeys(base);
      problem(
        {
          message: `no field "${field}" here (not in the schema of ${describeChain(obj)})`,
          expected: known.length === 0 ? 'a field the schema defines' : `one of: ${known.join(', ')}`,
          hint: `Fix the field name (see packages/core/schemas/evidence.schema.json and risk.schema.json).${suggestion(field, known)}`,
        },
        fieldAt,
      );
    }
    return child;
  }
  if (node.op === '[]' || node.op === '[?]') {
    const [obj, index] = node.args;
    const base = walk(obj, bound, depth, st);
    walk(index, bound, depth, st);
    if (base === undefined) return undefined;
    if (index.op === 'value' && typeof index.args === 'string') return childShape(base, index.args) ?? ANY;
    return itemShape(base);
  }
  for (const c of children(node)) walk(c, bound, depth, st);
  return undefined;
}

function describeChain(node: ASTNode): string {
  if (node.op === 'id') return node.args;
  if (node.op === '.') return `${describeChain(node.args[0])}.${node.args[1]}`;
  return 'this value';
}

function celErrorOffset(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const range = (e as { range?: { start?: unknown } }).range;
  return typeof range?.start === 'number' ? range.start : undefined;
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Parses, type-checks and guards one expression. Never throws. */
export function compileExpression(source: string, kind: ExpressionKind, scope: ExpressionScope): { compiled?: CompiledExpression; problems: ExpressionProblem[] } {
  if (source.length > MAX_EXPRESSION_CHARS) {
    return {
      problems: [
        {
          offset: MAX_EXPRESSION_CHARS,
          message: `the expression is ${String(source.length)} characters long`,
          expected: `at most ${String(MAX_EXPRESSION_CHARS)} characters`,
          hint: 'Split it into spec.variables and several rules.',
        },
      ],
    };
  }
  const env = policyEnvironment();
  let parsed;
  try {
    parsed = env.parse(source);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const offset = celErrorOffset(e);
    const limit = /Exceeded (maxAstNodes|maxDepth|maxListElements|maxMapEntries|maxCallArguments)/.exec(msg);
    return {
      problems: [
        {
          ...(offset === undefined ? {} : { offset }),
          message: limit === null ? `not valid CEL: ${firstLine(msg)}` : `the expression is too large or too deeply nested: ${firstLine(msg)}`,
          expected:
            limit === null
              ? 'a CEL expression (https://github.com/google/cel-spec)'
              : `at most ${String(CEL_LIMITS.maxAstNodes)} AST nodes, nesting depth ${String(CEL_LIMITS.maxDepth)}, ${String(CEL_LIMITS.maxListElements)} list elements`,
          hint: limit === null ? 'Fix the syntax at the position shown (strings need quotes; use && || ! for logic).' : 'Split it into spec.variables and several rules.',
        },
      ],
    };
  }
  const st: WalkState = { problems: [], scope, variablesUsed: new Set() };
  walk(parsed.ast, ROOT_SHAPES(), 0, st);
  if (st.problems.length > 0) return { problems: st.problems };
  const checked = parsed.check();
  if (!checked.valid) {
    const e = checked.error;
    const msg = e === undefined ? 'type check failed' : e.message;
    const offset = celErrorOffset(e);
    const code = (e as { code?: unknown } | undefined)?.code;
    const hint =
      code === 'unknown_variable'
        ? 'Expressions see evidence, risk, params, variables and context only.'
        : /overload/.test(msg) && /int/.test(msg)
          ? 'JSON numbers are doubles in CEL: write 1.0 instead of 1, or convert with double(x).'
          : code === 'no_matching_overload'
            ? 'Use a CEL standard function, re2Matches(text, pattern) or spdxAvoids(licenses, ids); no other function is defined.'
            : 'Fix the expression at the position shown.';
    return { problems: [{ ...(offset === undefined ? {} : { offset }), message: firstLine(msg), expected: 'an expression that type-checks', hint }] };
  }
  const type = checked.type ?? 'dyn';
  if (kind !== 'any' && type !== kind && type !== 'dyn') {
    return {
      problems: [
        {
          offset: 0,
          message: `the expression gives a ${type}`,
          expected: `a ${kind}`,
          hint: kind === 'bool' ? 'Compare the value (== != < > in) so the expression is true or false.' : 'Build a string, e.g. "found " + string(x).',
        },
      ],
    };
  }
  // cel-js is the reference; the fast path answers the plain cases exactly and hands it the rest.
  const program = withFastPath(compileFast(parsed.ast, POLICY_FUNCTIONS), parsed);
  return { compiled: { source, program, reference: parsed, variablesUsed: [...st.variablesUsed] }, problems: [] };
}

// ---------------------------------------------------------------------------------------------
// The time budget

/** The budget of one evaluation: checked between rules with the (injectable) timer. */
export class Budget {
  expired = false;
  constructor(
    readonly budgetMs: number,
    private readonly deadline: number,
    private readonly timer: () => number,
  ) {}

  /** Checks the clock now (between rules). */
  spent(): boolean {
    if (!this.expired && this.timer() > this.deadline) this.expired = true;
    return this.expired;
  }
}

const watchdogContext = vm.createContext({});
const watchdogScript = new vm.Script('__genopsRun()', { filename: 'genops-policy-budget.js' });

/**
 * Runs `fn` and stops it after `ms` milliseconds of wall time, wherever it is: V8 terminates the
 * execution (node:vm's watchdog), also inside cel-js, a long string concatenation or a regex, which
 * no check between reads could interrupt. Returns false when it was stopped. `fn` must be
 * synchronous and leave nothing half-done that outlives it: an interrupted rule is an error and
 * the rules after it are not run.
 */
export function runWithTimeLimit(fn: () => void, ms: number): boolean {
  const ctx = watchdogContext as { __genopsRun?: (() => void) | undefined };
  ctx.__genopsRun = fn;
  try {
    watchdogScript.runInContext(watchdogContext, { timeout: Math.max(1, Math.ceil(ms)) });
    return true;
  } catch (e) {
    if ((e as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return false;
    throw e;
  } finally {
    ctx.__genopsRun = undefined;
  }
}

/** Whether `value` is larger than `max` elements/characters in all (counting stops at max). */
export function exceedsSize(value: unknown, max: number): boolean {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') n += v.length;
    else n += 1;
    if (n > max) return true;
    if (Array.isArray(v)) for (const x of v as unknown[]) stack.push(x);
    else if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) for (const x of Object.values(v)) stack.push(x);
  }
  return false;
}

/** A short, single-line description of an evaluation error. */
export function describeEvaluationError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return firstLine(msg);
}
