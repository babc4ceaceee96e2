/**
 * Loading policy files: YAML (core schema, bounded aliases, depth and expanded size), the JSON
 * Schema (packages/core/schemas/policy.schema.json), then every CEL expression compiled and
 * guarded (cel.ts). Every problem of every file is listed, each with its file, line and column.
 * No clock: exception expiry is checked when evaluating.
 */
import { CORE_SCHEMA, loadAll, YAMLException } from 'js-yaml';
import { jsonDigest } from '../artifact/canonical.js';
import { ConfigError, docUrl } from '../errors.js';
import { sourceText, yamlKeyLines, type SourceFile } from '../evidence/source.js';
import { validateAgainst } from '../schemas/index.js';
import { compileExpression, type CompiledExpression, type ExpressionKind, type ExpressionProblem } from './cel.js';
import type {
  CompiledPolicySet,
  CompiledRule,
  LoadedException,
  LoadedPolicyTest,
  PolicyBundle,
  PolicyExceptionDoc,
  PolicyProblem,
  PolicySetDoc,
  PolicyTestDoc,
} from './model.js';

export const POLICY_LIMITS = {
  /** YAML aliases per file: policies need few, and each can multiply the document. */
  maxAliases: 50,
  maxDepth: 64,
  /** Values in one document once aliases are expanded. */
  maxNodes: 100_000,
  maxDocumentsPerFile: 100,
} as const;

const EXPECTED = 'genops policy YAML: PolicySet, PolicyException or PolicyTest documents (apiVersion genops.dev/v1; see docs/policies.md)';

type Path = (string | number)[];

interface RawProblem {
  docIndex: number;
  path: Path;
  message: string;
  expected?: string;
  hint?: string;
  /** Offset inside the expression at `path`, when the problem is in an expression. */
  exprOffset?: number;
  expression?: string;
  line?: number;
  column?: number;
}

function pathText(docIndex: number, path: Path): string {
  let s = docIndex > 0 ? `(document ${String(docIndex + 1)}) ` : '';
  let first = true;
  for (const p of path) {
    s += typeof p === 'number' ? `[${String(p)}]` : `${first ? '' : '.'}${p}`;
    first = false;
  }
  return s === '' ? '(root)' : s;
}

/** Counts values up to `max` (aliases are expanded: a shared node counts each time it is reached). */
function expandedSizeExceeds(value: unknown, max: number): boolean {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (++n > max) return true;
    if (Array.isArray(v)) for (const x of v as unknown[]) stack.push(x);
    else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) stack.push(x);
  }
  return false;
}

/** Where in the YAML text an offset inside an expression falls (line of the key, then the value). */
function locateInExpression(lines: readonly string[], keyLine: number, expression: string, offset: number): { line: number; column?: number } {
  const exprLines = expression.split('\n');
  const before = expression.slice(0, offset);
  const targetIdx = before.split('\n').length - 1;
  const colInLine = offset - (before.lastIndexOf('\n') + 1);
  const first = exprLines[0] ?? '';
  if (first.trim() === '') return { line: keyLine };
  if (exprLines.length === 1) {
    // A quoted scalar on the key's line: map the offset through the quoting.
    const text = lines[keyLine - 1] ?? '';
    const quoted: [string, (s: string) => string][] = [
      ['"', (s) => JSON.stringify(s).slice(1, -1)],
      ["'", (s) => s.replace(/'/g, "''")],
    ];
    for (const [q, esc] of quoted) {
      const idx = text.indexOf(`${q}${esc(expression)}${q}`, text.indexOf(':') + 1);
      if (idx >= 0 && esc(expression) !== expression) return { line: keyLine, column: idx + 2 + esc(expression.slice(0, offset)).length };
    }
  }
  for (let l = keyLine - 1; l < Math.min(lines.length, keyLine + 3); l++) {
    const text = lines[l] ?? '';
    const from = l === keyLine - 1 ? text.indexOf(':') + 1 : 0;
    const idx = text.indexOf(first, Math.max(0, from));
    if (idx < 0) continue;
    if (targetIdx === 0) return { line: l + 1, column: idx + colInLine + 1 };
    const targetText = exprLines[targetIdx] ?? '';
    const yamlLine = lines[l + targetIdx] ?? '';
    const at = yamlLine.indexOf(targetText);
    return at < 0 ? { line: l + 1 + targetIdx } : { line: l + 1 + targetIdx, column: at + colInLine + 1 };
  }
  return { line: keyLine };
}

function resolveLocations(file: SourceFile, text: string, raws: RawProblem[]): PolicyProblem[] {
  const lines = text.split(/\r?\n/);
  const byDoc = new Map<number, RawProblem[]>();
  for (const r of raws) if (r.line === undefined) byDoc.set(r.docIndex, [...(byDoc.get(r.docIndex) ?? []), r]);
  const found = new Map<RawProblem, { line?: number; column?: number }>();
  for (const [doc, list] of byDoc) {
    const prefixes: Path[] = [];
    for (const r of list) for (let n = r.path.length; n > 0; n--) prefixes.push(r.path.slice(0, n));
    const keyLines = yamlKeyLines(text, doc, prefixes);
    for (const r of list) {
      let keyLine: number | undefined;
      let exact = false;
      for (let n = r.path.length; n > 0 && keyLine === undefined; n--) {
        keyLine = keyLines.get(r.path.slice(0, n).join('\u0000'));
        exact = n === r.path.length;
      }
      if (keyLine === undefined) continue;
      if (exact && r.expression !== undefined && r.exprOffset !== undefined) found.set(r, locateInExpression(lines, keyLine, r.expression, r.exprOffset));
      else found.set(r, { line: keyLine });
    }
  }
  return raws.map((r) => {
    const at = r.line !== undefined ? { line: r.line, column: r.column } : (found.get(r) ?? {});
    const offsetNote = r.exprOffset !== undefined && at.column === undefined ? ` (at character ${String(r.exprOffset + 1)} of the expression)` : '';
    return {
      file: file.path,
      ...(at.line === undefined ? {} : { line: at.line }),
      ...(at.column === undefined ? {} : { column: at.column }),
      where: pathText(r.docIndex, r.path),
      message: r.message + offsetNote,
      ...(r.expected === undefined ? {} : { expected: r.expected }),
      ...(r.hint === undefined ? {} : { hint: r.hint }),
    };
  });
}

interface FileResult {
  sets: CompiledPolicySet[];
  exceptions: LoadedException[];
  tests: LoadedPolicyTest[];
  /** The PolicySet/PolicyException documents (for the digest). */
  documents: unknown[];
  problems: PolicyProblem[];
}

function compileSet(doc: PolicySetDoc, docIndex: number, file: string, problems: RawProblem[]): CompiledPolicySet | undefined {
  const spec = doc.spec;
  const params = spec.params ?? {};
  const paramKeys = Object.keys(params);
  const before = problems.length;
  const compile = (source: string, kind: ExpressionKind, path: Path, variables: readonly string[]): CompiledExpression | undefined => {
    const r = compileExpression(source, kind, { variables, params: paramKeys });
    for (const p of r.problems) problems.push(exprProblem(docIndex, path, source, p));
    return r.compiled;
  };
  const variables: { name: string; expression: CompiledExpression }[] = [];
  const names: string[] = [];
  (spec.variables ?? []).forEach((v, i) => {
    if (names.includes(v.name)) {
      problems.push({ docIndex, path: ['spec', 'variables', i, 'name'], message: `variable "${v.name}" is defined twice`, expected: 'unique variable names', hint: 'Rename or remove one of them.' });
    }
    const c = compile(v.expression, 'any', ['spec', 'variables', i, 'expression'], names);
    if (c !== undefined) variables.push({ name: v.name, expression: c });
    names.push(v.name);
  });
  const seen = new Map<string, number>();
  const rules: CompiledRule[] = [];
  spec.rules.forEach((rule, i) => {
    const first = seen.get(rule.id);
    if (first !== undefined) {
      problems.push({
        docIndex,
        path: ['spec', 'rules', i, 'id'],
        message: `rule id "${rule.id}" is already used by rule ${String(first + 1)} of this set`,
        expected: 'rule ids unique within a PolicySet',
        hint: 'Give each rule its own id: exceptions and reports refer to rules by id.',
      });
    } else seen.set(rule.id, i);
    const base: Path = ['spec', 'rules', i];
    const when = rule.when === undefined ? undefined : compile(rule.when, 'bool', [...base, 'when'], names);
    const expression = compile(rule.expression, 'bool', [...base, 'expression'], names);
    const messageExpression = rule.messageExpression === undefined ? undefined : compile(rule.messageExpression, 'string', [...base, 'messageExpression'], names);
    if (expression !== undefined) {
      rules.push({ doc: rule, expression, ...(when === undefined ? {} : { when }), ...(messageExpression === undefined ? {} : { messageExpression }) });
    }
  });
  if (problems.length > before) return undefined;
  return { file, docIndex, name: doc.metadata.name, mode: spec.mode ?? 'enforce', failurePolicy: spec.failurePolicy ?? 'Fail', params, variables, rules };
}

function exprProblem(docIndex: number, path: Path, expression: string, p: ExpressionProblem): RawProblem {
  return { docIndex, path, message: p.message, expected: p.expected, hint: p.hint, expression, ...(p.offset === undefined ? {} : { exprOffset: p.offset }) };
}

function loadFile(file: SourceFile): FileResult {
  const out: FileResult = { sets: [], exceptions: [], tests: [], documents: [], problems: [] };
  let text: string;
  try {
    text = sourceText(file, EXPECTED);
  } catch (e) {
    out.problems.push({ file: file.path, where: '(file)', message: e instanceof Error ? e.message : String(e), expected: EXPECTED });
    return out;
  }
  let docs: unknown[];
  try {
    docs = loadAll(text, { schema: CORE_SCHEMA, filename: file.path, maxAliases: POLICY_LIMITS.maxAliases, maxDepth: POLICY_LIMITS.maxDepth });
  } catch (e) {
    if (!(e instanceof YAMLException)) throw e;
    out.problems.push({
      file: file.path,
      ...(e.mark === undefined ? {} : { line: e.mark.line + 1, column: e.mark.column + 1 }),
      where: '(file)',
      message: `is not valid YAML: ${e.reason}`,
      expected: `${EXPECTED}; at most ${String(POLICY_LIMITS.maxAliases)} aliases and nesting depth ${String(POLICY_LIMITS.maxDepth)}`,
      hint: /alias/i.test(e.reason) ? 'Write the values out instead of using many YAML aliases (&anchor / *alias).' : 'Fix the YAML syntax at the position shown.',
    });
    return out;
  }
  if (docs.length > POLICY_LIMITS.maxDocumentsPerFile) {
    out.problems.push({ file: file.path, where: '(file)', message: `has ${String(docs.length)} YAML documents`, expected: `at most ${String(POLICY_LIMITS.maxDocumentsPerFile)}`, hint: 'Split the file.' });
    return out;
  }
  const raws: RawProblem[] = [];
  docs.forEach((doc, docIndex) => {
    if (doc === null || doc === undefined) return; // an empty document (`---` at the end)
    if (expandedSizeExceeds(doc, POLICY_LIMITS.maxNodes)) {
      raws.push({
        docIndex,
        path: [],
        line: 1,
        message: `expands to more than ${String(POLICY_LIMITS.maxNodes)} values (YAML aliases nested into each other?)`,
        expected: `a document of at most ${String(POLICY_LIMITS.maxNodes)} values once aliases are expanded`,
        hint: 'Write the document out without nested aliases.',
      });
      return;
    }
    // if/then adds a generic 'must match "then" schema' next to the real problem: drop it.
    const schemaProblems = validateAgainst('policy', doc).filter((p) => p.message !== 'must match "then" schema');
    if (schemaProblems.length > 0) {
      for (const p of schemaProblems) {
        const path: Path = p.pointer
          .split('/')
          .slice(1)
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
          .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
        raws.push({ docIndex, path, message: p.message, expected: 'a document that matches packages/core/schemas/policy.schema.json', hint: 'Fix this key (see docs/policies.md for the document shapes).' });
      }
      return;
    }
    const kind = (doc as { kind: string }).kind;
    if (kind === 'PolicySet') {
      const set = compileSet(doc as PolicySetDoc, docIndex, file.path, raws);
      if (set !== undefined) out.sets.push(set);
      out.documents.push(doc);
    } else if (kind === 'PolicyException') {
      const ex = doc as PolicyExceptionDoc;
      const created = ex.spec.createdAt === undefined ? undefined : Date.parse(ex.spec.createdAt);
      if (created !== undefined && !(created < Date.parse(ex.spec.expiresAt))) {
        raws.push({ docIndex, path: ['spec', 'expiresAt'], message: 'expiresAt is not after createdAt', expected: 'expiresAt after createdAt, at most 90 days', hint: 'Set expiresAt to when the exception should end.' });
      }
      out.exceptions.push({ file: file.path, docIndex, doc: ex });
      out.documents.push(doc);
    } else {
      out.tests.push({ file: file.path, docIndex, doc: doc as PolicyTestDoc });
    }
  });
  out.problems.push(...resolveLocations(file, text, raws));
  return out;
}

/** Loads every file; returns what loaded and every problem (the bundle is only usable without problems). */
export function checkPolicyDocuments(files: readonly SourceFile[]): { bundle: PolicyBundle; problems: PolicyProblem[] } {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const sets: CompiledPolicySet[] = [];
  const exceptions: LoadedException[] = [];
  const tests: LoadedPolicyTest[] = [];
  const problems: PolicyProblem[] = [];
  const digestInput: { path: string; documents: unknown[] }[] = [];
  for (const f of sorted) {
    const r = loadFile(f);
    sets.push(...r.sets);
    exceptions.push(...r.exceptions);
    tests.push(...r.tests);
    problems.push(...r.problems);
    if (r.documents.length > 0) digestInput.push({ path: f.path, documents: r.documents });
  }
  const names = new Map<string, string>();
  for (const s of sets) {
    const other = names.get(s.name);
    if (other !== undefined) {
      problems.push({ file: s.file, where: 'metadata.name', message: `PolicySet name "${s.name}" is also used in ${other}`, expected: 'unique PolicySet names', hint: 'Rename one: results name the set.' });
    } else names.set(s.name, s.file);
  }
  return { bundle: { sets, exceptions, tests, digest: jsonDigest(digestInput) }, problems };
}

/** One line per problem: `file:line:col: where: message (expected ...; fix: ...)`. */
export function formatPolicyProblem(p: PolicyProblem): string {
  const at = `${p.file}${p.line === undefined ? '' : `:${String(p.line)}${p.column === undefined ? '' : `:${String(p.column)}`}`}`;
  const tail = [p.expected === undefined ? undefined : `expected ${p.expected}`, p.hint === undefined ? undefined : `fix: ${p.hint}`].filter((x) => x !== undefined);
  return `${at}: ${p.where}: ${p.message}${tail.length === 0 ? '' : ` (${tail.join('; ')})`}`;
}

/** Loads and checks policy files; throws one FILE_INVALID ConfigError listing every problem. */
export function loadPolicyDocuments(files: readonly SourceFile[]): PolicyBundle {
  const { bundle, problems } = checkPolicyDocuments(files);
  if (problems.length === 0) return bundle;
  const first = problems[0];
  const shown = problems.slice(0, 50).map((p) => `- ${formatPolicyProblem(p)}`);
  if (problems.length > 50) shown.push(`- ... and ${String(problems.length - 50)} more`);
  throw new PolicyLoadError(`${String(problems.length)} problem(s) in policy files:\n${shown.join('\n')}`, problems, first);
}

/** FILE_INVALID with the structured problems attached (file/line/column of the first in details). */
export class PolicyLoadError extends ConfigError {
  constructor(
    message: string,
    readonly problems: readonly PolicyProblem[],
    first: PolicyProblem | undefined,
  ) {
    super('FILE_INVALID', message, {
      ...(first === undefined ? {} : { file: first.file }),
      ...(first?.line === undefined ? {} : { line: first.line }),
      ...(first?.column === undefined ? {} : { column: first.column }),
      expected: EXPECTED,
      hint: 'Fix each problem listed; `genops policy lint DIR` lists them all.',
      docUrl: docUrl('policies'),
    });
    this.name = 'PolicyLoadError';
  }
}
