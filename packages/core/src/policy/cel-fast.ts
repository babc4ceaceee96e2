/**
 * The fast path for policy expressions: the common subset of CEL compiled to JavaScript closures,
 * with cel-js as the reference and the fallback.
 *
 * Why: cel-js interprets the AST and resolves operator overloads at run time for `dyn` values
 * (every evidence value is `dyn` to it, see cel.ts), about 40 ns per node. A license or
 * vulnerability rule walks every SBOM component, so 70 rules over 5,000 components cost 100+ ms
 * there; the same rules as closures cost a few ms (bench/policy.ts prints both).
 *
 * How it stays exact: a fast program either returns the value cel-js would return, or throws
 * FAST_PATH_BAIL and the caller runs cel-js on the same activation. It bails on anything it does
 * not model exactly: a value of an unexpected type, a missing key, a comparison of mixed types,
 * int overflow, every error. So results, errors and error messages always come from cel-js
 * whenever anything is unusual, and the fast path only answers the plain cases. Expressions using
 * a construct outside the subset (map literals, uint, bytes, timestamps, conversions, string
 * ordering, `%`, optional access, ...) are not compiled at all. test/policy/cel-fast.test.ts
 * checks the two engines agree on every default-pack expression and on generated expressions.
 *
 * Side effects: none. The closures read the activation and build new lists only; a bail halfway
 * leaves nothing behind.
 */
import type { ASTNode } from '@marcbachmann/cel-js';

/** Thrown (one shared object, no stack) when the fast path cannot answer exactly. */
export const FAST_PATH_BAIL: unique symbol = Symbol('genops.celFastPathBail');

export type FastProgram = (activation: Record<string, unknown>) => unknown;

/** The functions the policy Environment registers, by name, with the same implementations. */
export type FastFunctions = Readonly<Record<string, (...args: never[]) => unknown>>;

interface Frame {
  root: Record<string, unknown>;
  locals: unknown[];
}
type Fn = (f: Frame) => unknown;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const ROOTS = new Set(['evidence', 'risk', 'params', 'variables', 'context']);

function bail(): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- a sentinel, caught by withFastPath only
  throw FAST_PATH_BAIL;
}

/**
 * A JSON-like object cel-js reads as a map: it dispatches on the constructor the same way
 * (operators.js fieldAccess), so a Map, a Date or an object with an own `constructor` key is left
 * to it.
 */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const ctor: unknown = (v as { constructor?: unknown }).constructor;
  return ctor === Object || ctor === undefined;
}

/** The kinds of value the fast path hands back: the JSON kinds and CEL ints. */
function checked(v: unknown): unknown {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return v;
    case 'object':
      if (v === null || Array.isArray(v) || isPlainObject(v)) return v;
      return bail();
    default:
      return bail();
  }
}

function bool(v: unknown): boolean {
  return typeof v === 'boolean' ? v : bail();
}

function int(v: bigint): bigint {
  return v < INT64_MIN || v > INT64_MAX ? bail() : v;
}

function hasSurrogates(s: string): boolean {
  return /[\uD800-\uDFFF]/.test(s);
}

/** CEL equality where both engines agree by construction: same primitive kind, or a null side. */
function equal(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (a === null || b === null) {
    const other = a === null ? b : a;
    if (other === null) return true;
    checked(other);
    return false;
  }
  const t = typeof a;
  if (t !== typeof b || (t !== 'string' && t !== 'number' && t !== 'boolean' && t !== 'bigint')) return bail();
  return a === b;
}

function compare(op: string, a: unknown, b: unknown): boolean {
  const t = typeof a;
  if (t !== typeof b || (t !== 'number' && t !== 'bigint')) return bail();
  const x = a as number;
  const y = b as number;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

function arithmetic(op: string, a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    if (op === '+') return a + b;
    if (op === '-') return a - b;
    if (op === '*') return a * b;
    return b === 0 ? bail() : a / b; // division by zero: cel-js's to answer
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (op === '+') return int(a + b);
    if (op === '-') return int(a - b);
    if (op === '*') return int(a * b);
    return bail(); // integer division: truncation and divide-by-zero are cel-js's to report
  }
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  return bail();
}

function size(v: unknown): bigint {
  if (Array.isArray(v)) return BigInt(v.length);
  if (typeof v === 'string') return hasSurrogates(v) ? bail() : BigInt(v.length);
  if (isPlainObject(v)) return BigInt(Object.keys(v).length);
  return bail();
}

/** `obj.name` on a map; like cel-js, the value must be of a kind CEL knows. */
function field(obj: unknown, name: string): unknown {
  if (!isPlainObject(obj) || !Object.hasOwn(obj, name)) return bail();
  const v = obj[name];
  return typeof v === 'object' ? checked(v) : v === undefined ? bail() : v;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : bail();
}

class Compiler {
  private readonly locals = new Map<string, number>();
  slots = 0;

  constructor(private readonly functions: FastFunctions) {}

  /** The closure for `node`, or undefined when it uses something outside the subset. */
  compile(node: ASTNode): Fn | undefined {
    switch (node.op) {
      case 'value':
        return this.literal(node.args);
      case 'id':
        return this.identifier(node.args);
      case '.': {
        const [objNode, name] = node.args;
        // `c.name` on a comprehension variable: one closure instead of two (the hot case).
        const slot = this.localSlot(objNode);
        if (slot !== undefined) return (f) => field(f.locals[slot], name);
        const obj = this.compile(objNode);
        if (obj === undefined) return undefined;
        return (f) => field(obj(f), name);
      }
      case '[]': {
        const [objNode, indexNode] = node.args;
        const obj = this.compile(objNode);
        const index = this.compile(indexNode);
        if (obj === undefined || index === undefined) return undefined;
        return (f) => {
          const o = obj(f);
          const i = index(f);
          if (Array.isArray(o) && typeof i === 'bigint' && i >= 0n && i < BigInt(o.length)) return checked(o[Number(i)]);
          if (typeof i === 'string') return field(o, i);
          return bail();
        };
      }
      case '!_': {
        const a = this.compile(node.args);
        return a === undefined ? undefined : (f) => !bool(a(f));
      }
      case '-_': {
        const a = this.compile(node.args);
        if (a === undefined) return undefined;
        return (f) => {
          const v = a(f);
          if (typeof v === 'number') return -v;
          if (typeof v === 'bigint') return int(-v);
          return bail();
        };
      }
      case '&&':
      case '||': {
        const [l, r] = this.pair(node.args);
        if (l === undefined || r === undefined) return undefined;
        // Short-circuit as cel-js does; a non-bool or an error on either side bails (cel-js then
        // applies CEL's commutative error rules).
        if (node.op === '&&') {
          return (f) => {
            const a = l(f);
            if (a === false) return false;
            if (a !== true) return bail();
            const b = r(f);
            return typeof b === 'boolean' ? b : bail();
          };
        }
        return (f) => {
          const a = l(f);
          if (a === true) return true;
          if (a !== false) return bail();
          const b = r(f);
          return typeof b === 'boolean' ? b : bail();
        };
      }
      case '?:': {
        const [c, a, b] = node.args.map((n) => this.compile(n));
        if (c === undefined || a === undefined || b === undefined) return undefined;
        return (f) => (bool(c(f)) ? a(f) : b(f));
      }
      case '==':
      case '!=': {
        // Against a string literal (the common rule shape): compare directly.
        const [ln, rn] = node.args;
        const literal = rn.op === 'value' && typeof rn.args === 'string' ? rn.args : ln.op === 'value' && typeof ln.args === 'string' ? ln.args : undefined;
        if (literal !== undefined) {
          const otherNode = rn.op === 'value' && typeof rn.args === 'string' ? ln : rn;
          const negate = node.op === '!=';
          const same = (v: unknown): boolean => (typeof v === 'string' ? v === literal : equal(v, literal)) !== negate;
          // A comprehension variable, or a field of one (`l == "MIT"`, `c.name == "x"`): read it
          // here rather than through another closure; this is the innermost loop of most rules.
          const slot = this.localSlot(otherNode);
          if (slot !== undefined) return (f) => same(f.locals[slot]);
          const fieldOf = otherNode.op === '.' ? this.localSlot(otherNode.args[0]) : undefined;
          if (fieldOf !== undefined && otherNode.op === '.') {
            const name = otherNode.args[1];
            return (f) => same(field(f.locals[fieldOf], name));
          }
          const other = this.compile(otherNode);
          if (other === undefined) return undefined;
          return (f) => same(other(f));
        }
        const [l, r] = this.pair(node.args);
        if (l === undefined || r === undefined) return undefined;
        return node.op === '==' ? (f) => equal(l(f), r(f)) : (f) => !equal(l(f), r(f));
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const op = node.op;
        const [l, r] = this.pair(node.args);
        if (l === undefined || r === undefined) return undefined;
        return (f) => compare(op, l(f), r(f));
      }
      case '+':
      case '-':
      case '*':
      case '/': {
        const op = node.op;
        const [l, r] = this.pair(node.args);
        if (l === undefined || r === undefined) return undefined;
        return (f) => arithmetic(op, l(f), r(f));
      }
      case 'in': {
        const [l, r] = this.pair(node.args);
        if (l === undefined || r === undefined) return undefined;
        return (f) => {
          const x = l(f);
          const c = r(f);
          if (Array.isArray(c)) {
            for (const e of c) if (equal(x, e)) return true;
            return false;
          }
          if (isPlainObject(c) && typeof x === 'string') return Object.hasOwn(c, x) && c[x] !== undefined;
          return bail();
        };
      }
      case 'list': {
        const items = node.args.map((n) => this.compile(n));
        if (items.some((i) => i === undefined)) return undefined;
        const fns = items as Fn[];
        return (f) => fns.map((i) => i(f));
      }
      case 'call':
        return this.call(node.args[0], node.args[1]);
      case 'rcall':
        return this.method(node.args[0], node.args[1], node.args[2]);
      default:
        return undefined;
    }
  }

  /** The slot of a comprehension variable `node` names, if it is one. */
  private localSlot(node: ASTNode): number | undefined {
    return node.op === 'id' ? this.locals.get(node.args) : undefined;
  }

  private pair(args: readonly [ASTNode, ASTNode]): [Fn | undefined, Fn | undefined] {
    return [this.compile(args[0]), this.compile(args[1])];
  }

  private literal(v: unknown): Fn | undefined {
    if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') return () => v;
    return undefined; // uint, bytes
  }

  private identifier(name: string): Fn | undefined {
    const slot = this.locals.get(name);
    if (slot !== undefined) return (f) => f.locals[slot];
    if (!ROOTS.has(name)) return undefined;
    return (f) => (Object.hasOwn(f.root, name) ? checked(f.root[name]) : bail());
  }

  private call(name: string, argNodes: readonly ASTNode[]): Fn | undefined {
    if (name === 'has') {
      const arg = argNodes[0];
      if (argNodes.length !== 1 || arg?.op !== '.') return undefined;
      const [objNode, key] = arg.args;
      const obj = this.compile(objNode);
      if (obj === undefined) return undefined;
      return (f) => {
        const o = obj(f);
        return isPlainObject(o) ? Object.hasOwn(o, key) && o[key] !== undefined : bail();
      };
    }
    const args = argNodes.map((n) => this.compile(n));
    if (args.some((a) => a === undefined)) return undefined;
    const fns = args as Fn[];
    if (name === 'size' && fns.length === 1) {
      const a = fns[0] as Fn;
      return (f) => size(a(f));
    }
    const impl = Object.hasOwn(this.functions, name) ? this.functions[name] : undefined;
    if (impl === undefined) return undefined;
    const fn = impl as (...a: unknown[]) => unknown;
    return (f) => {
      const values = fns.map((a) => a(f));
      try {
        return checked(fn(...values));
      } catch {
        return bail(); // the argument checks and the error message are cel-js's
      }
    };
  }

  private method(name: string, receiverNode: ASTNode, argNodes: readonly ASTNode[]): Fn | undefined {
    if (name === 'all' || name === 'exists' || name === 'exists_one' || name === 'filter' || name === 'map') return this.comprehension(name, receiverNode, argNodes);
    const receiver = this.compile(receiverNode);
    const args = argNodes.map((n) => this.compile(n));
    if (receiver === undefined || args.some((a) => a === undefined)) return undefined;
    const arg = args[0];
    if (name === 'size' && args.length === 0) return (f) => size(receiver(f));
    if ((name === 'startsWith' || name === 'endsWith' || name === 'contains') && args.length === 1 && arg !== undefined) {
      const argNode = argNodes[0];
      if (argNode?.op === 'value' && typeof argNode.args === 'string') {
        const t = argNode.args;
        if (name === 'startsWith') return (f) => { const v = receiver(f); return typeof v === 'string' ? v.startsWith(t) : bail(); };
        if (name === 'endsWith') return (f) => { const v = receiver(f); return typeof v === 'string' ? v.endsWith(t) : bail(); };
        return (f) => { const v = receiver(f); return typeof v === 'string' ? v.includes(t) : bail(); };
      }
      return (f) => {
        const s = receiver(f);
        const t = arg(f);
        if (typeof s !== 'string' || typeof t !== 'string') return bail();
        return name === 'startsWith' ? s.startsWith(t) : name === 'endsWith' ? s.endsWith(t) : s.includes(t);
      };
    }
    return undefined;
  }

  private comprehension(name: string, receiverNode: ASTNode, argNodes: readonly ASTNode[]): Fn | undefined {
    const [varNode, bodyNode] = argNodes;
    if (argNodes.length !== 2 || varNode?.op !== 'id' || bodyNode === undefined) return undefined;
    const receiver = this.compile(receiverNode);
    if (receiver === undefined) return undefined;
    const varName = varNode.args;
    const slot = this.slots++;
    const outer = this.locals.get(varName);
    this.locals.set(varName, slot);
    const body = this.compile(bodyNode);
    if (outer === undefined) this.locals.delete(varName);
    else this.locals.set(varName, outer);
    if (body === undefined) return undefined;
    // One loop per macro, written out: a shared loop taking a callback would cost a call per element
    // in the innermost loop of most rules.
    switch (name) {
      case 'exists':
        return (f) => {
          const items = list(receiver(f));
          for (let i = 0; i < items.length; i++) {
            f.locals[slot] = items[i];
            const v = body(f);
            if (v === true) return true;
            if (v !== false) bail();
          }
          return false;
        };
      case 'all':
        return (f) => {
          const items = list(receiver(f));
          for (let i = 0; i < items.length; i++) {
            f.locals[slot] = items[i];
            const v = body(f);
            if (v === false) return false;
            if (v !== true) bail();
          }
          return true;
        };
      case 'exists_one':
        return (f) => {
          let n = 0;
          for (const item of list(receiver(f))) {
            f.locals[slot] = item;
            if (bool(body(f))) n++;
          }
          return n === 1;
        };
      case 'filter':
        return (f) => {
          const out: unknown[] = [];
          for (const item of list(receiver(f))) {
            f.locals[slot] = item;
            if (bool(body(f))) out.push(item);
          }
          return out;
        };
      default:
        return (f) => {
          const out: unknown[] = [];
          for (const item of list(receiver(f))) {
            f.locals[slot] = item;
            out.push(body(f));
          }
          return out;
        };
    }
  }
}

/**
 * Compiles a parsed and type-checked expression to a fast program, or returns undefined when it
 * uses something outside the subset (then cel-js alone evaluates it). The program throws
 * FAST_PATH_BAIL where it cannot answer exactly.
 */
export function compileFast(ast: ASTNode, functions: FastFunctions): FastProgram | undefined {
  const compiler = new Compiler(functions);
  const fn = compiler.compile(ast);
  if (fn === undefined) return undefined;
  const slots = compiler.slots;
  return (activation) => checked(fn({ root: activation, locals: new Array<unknown>(slots) }));
}

/** The expression's value: the fast program's when it answers, else cel-js's (`reference`). */
export function withFastPath(fast: FastProgram | undefined, reference: FastProgram): FastProgram {
  if (fast === undefined) return reference;
  return (activation) => {
    try {
      return fast(activation);
    } catch {
      // FAST_PATH_BAIL, or anything unforeseen: cel-js answers, with its own result or error.
      return reference(activation);
    }
  };
}
