/**
 * PolicyTest runner (in the spirit of `kyverno test` / `conftest verify`): each case evaluates the
 * listed PolicySets (plus the case's exceptions) against an Evidence JSON file and compares the
 * decision and the exact set of violated rules. Paths in a PolicyTest are relative to its file.
 *
 * Evidence files hold the predicate body without its header; sections left out are null (absent),
 * so a fixture only needs the sections a case is about. Context defaults: now
 * DEFAULT_TEST_NOW (a Wednesday, noon UTC), environment `production`, repository
 * `example/repo`, author `author`.
 */
import { ConfigError } from '../errors.js';
import { emptyEvidence, type Evidence } from '../evidence/model.js';
import { isRecord, parseJsonSource, type SourceFile } from '../evidence/source.js';
import type { RiskAssessment } from '../risk/model.js';
import { evaluatePolicies, type PolicyInput } from './evaluate.js';
import { loadPolicyDocuments } from './load.js';
import type { Decision, PolicyBundle, PolicyTestCaseDoc } from './model.js';

export const DEFAULT_TEST_NOW = '2026-01-07T12:00:00Z';

export interface PolicyTestCaseResult {
  file: string;
  name: string;
  passed: boolean;
  expected: { decision: Decision; violated?: string[] };
  actual: { decision: Decision; violated: string[]; errors: string[] };
  /** Why it failed (empty when it passed). */
  message: string;
}

/** Joins a path relative to the directory of `from` (posix separators; `..` resolved). */
export function relativeTo(from: string, path: string): string {
  if (path.startsWith('/')) return path;
  const parts = from.split('/').slice(0, -1);
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

function readEvidence(file: SourceFile): Evidence {
  const body = parseJsonSource(file, 'an Evidence predicate body (JSON; see packages/core/schemas/evidence.schema.json)');
  if (!isRecord(body)) throw new ConfigError('FILE_INVALID', `${file.path}: is not a JSON object`, { file: file.path, expected: 'an Evidence predicate body (JSON object)' });
  const { header: _header, ...rest } = body;
  return { ...emptyEvidence(), ...rest };
}

function readRisk(file: SourceFile): RiskAssessment {
  const body = parseJsonSource(file, 'a RiskAssessment (JSON; see packages/core/schemas/risk.schema.json)');
  if (!isRecord(body)) throw new ConfigError('FILE_INVALID', `${file.path}: is not a JSON object`, { file: file.path, expected: 'a RiskAssessment (JSON object)' });
  const { header: _header, ...rest } = body;
  return rest as unknown as RiskAssessment;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function list(ids: readonly string[]): string {
  return `[${[...ids].sort().join(', ')}]`;
}

/** One PolicyTest case, loaded: what it evaluates and what it expects. */
export interface LoadedPolicyTestCase {
  file: string;
  doc: PolicyTestCaseDoc;
  bundle: PolicyBundle;
  input: PolicyInput;
}

/**
 * Loads every case of every PolicyTest document in `testFiles`: its policies and exceptions, its
 * evidence and risk, its context. A file that cannot be read or loaded throws a ConfigError.
 */
export function loadPolicyTestCases(testFiles: readonly SourceFile[], readFile: (path: string) => SourceFile): LoadedPolicyTestCase[] {
  const testBundle = loadPolicyDocuments(testFiles);
  const cache = new Map<string, SourceFile>();
  const read = (path: string): SourceFile => {
    let f = cache.get(path);
    if (f === undefined) {
      f = readFile(path);
      cache.set(path, f);
    }
    return f;
  };
  return testBundle.tests.flatMap((test) => {
    const policyPaths = test.doc.spec.policies.map((p) => relativeTo(test.file, p));
    return test.doc.spec.cases.map((c) => loadCase(test.file, policyPaths, c, read));
  });
}

/**
 * Runs every case of every PolicyTest document in `testFiles`. A file that cannot be read or
 * loaded (test, policy, evidence) throws a ConfigError; a case whose outcome differs fails.
 */
export function runPolicyTests(testFiles: readonly SourceFile[], readFile: (path: string) => SourceFile): { cases: PolicyTestCaseResult[] } {
  return { cases: loadPolicyTestCases(testFiles, readFile).map(runCase) };
}

function loadCase(file: string, policyPaths: string[], c: PolicyTestCaseDoc, read: (path: string) => SourceFile): LoadedPolicyTestCase {
  const exceptionPaths = (c.exceptions ?? []).map((p) => relativeTo(file, p));
  const bundle = loadPolicyDocuments([...policyPaths, ...exceptionPaths].map(read));
  const evidence = readEvidence(read(relativeTo(file, c.evidence)));
  const risk = c.risk === undefined ? null : readRisk(read(relativeTo(file, c.risk)));
  const ctx = c.context ?? {};
  const context = {
    now: new Date(ctx.now ?? DEFAULT_TEST_NOW),
    environment: ctx.environment ?? 'production',
    repository: ctx.repository ?? 'example/repo',
    author: ctx.author ?? 'author',
  };
  return { file, doc: c, bundle, input: { evidence, risk, context } };
}

function runCase({ file, doc: c, bundle, input }: LoadedPolicyTestCase): PolicyTestCaseResult {
  const decision = evaluatePolicies(bundle, input);
  const violated = decision.results.filter((r) => r.outcome === 'violated').map((r) => r.rule);
  const errors = decision.results.filter((r) => r.outcome === 'error').map((r) => `${r.rule}: ${r.error ?? ''}`);
  const decisionOk = decision.decision === c.expect.decision;
  const violatedOk = c.expect.violated === undefined || sameSet(c.expect.violated, violated);
  const passed = decisionOk && violatedOk;
  let message = '';
  if (!passed) {
    const want = `${c.expect.decision}${c.expect.violated === undefined ? '' : ` ${list(c.expect.violated)}`}`;
    message = `expected ${want}, got ${decision.decision} ${list(violated)}`;
    if (errors.length > 0) message += `; errors: ${errors.join('; ')}`;
  }
  return {
    file,
    name: c.name,
    passed,
    expected: { decision: c.expect.decision, ...(c.expect.violated === undefined ? {} : { violated: [...c.expect.violated] }) },
    actual: { decision: decision.decision, violated, errors },
    message,
  };
}
