/**
 * JUnit XML test reports, as written by jest-junit, Maven Surefire / Gradle, pytest, Go's
 * gotestsum, PHPUnit and most CI test runners: `<testsuites>` or a bare `<testsuite>` (suites may
 * nest), `<testcase>` elements with `<failure>`, `<error>` or `<skipped>` children.
 *
 * Totals are counted from the test cases; suite attributes (`tests`, `failures`, ...) are only
 * checked against them (a disagreement is a warning). Retries are counted once per test:
 * - Surefire writes `<flakyFailure>`/`<flakyError>` under a test that passed on a rerun, and
 *   `<rerunFailure>`/`<rerunError>` next to the `<failure>`/`<error>` of a test that failed
 *   every rerun;
 * - jest-junit (with transient failures reported) and pytest-rerunfailures repeat the
 *   `<testcase>` with the same classname and name in the same suite, one per attempt.
 * A test whose last attempt passed after a failed one is passed and flaky; otherwise its last
 * (non-skipped) attempt decides. Test cases repeated across different files are not paired.
 */
import { ConfigError } from '../../errors.js';
import type { Parsed, TestEvidence, TestFailure } from '../model.js';
import {
  asArray,
  asNumber,
  DEFAULT_LIMITS,
  formatError,
  isRecord,
  limitError,
  ownParser,
  parseXmlSource,
  Warnings,
  xmlAttr,
  type EvidenceLimits,
  type SourceFile,
  cutText,
} from '../source.js';

const EXPECTED = 'JUnit XML: a <testsuites> or <testsuite> root with <testcase> elements';
const FORMAT = 'junit-xml';
const MAX_FAILURES = 100;
const MAX_FLAKY_LISTED = 1000;
/** String bounds of the evidence schema (tests.failures, tests.flakyTests). */
const MAX_SUITE = 1024;
const MAX_NAME = 4096;
const MAX_PATH = 4096;
const MAX_MESSAGE = 1000;
/** How much of a failure's text is searched for a file:line location. */
const MAX_TRACE_SCAN = 64 * 1024;

const ARRAYS: ReadonlySet<string> = new Set([
  'testsuites',
  'testsuite',
  'testcase',
  'failure',
  'error',
  'skipped',
  'flakyFailure',
  'flakyError',
  'rerunFailure',
  'rerunError',
]);

type Outcome = 'passed' | 'failed' | 'errored' | 'skipped';

interface Attempt {
  outcome: Outcome;
  /** Attempts this one element stands for: 1 plus its Surefire flaky/rerun children. */
  runs: number;
  /** Surefire flaky/rerun children: failed runs recorded inside this element. */
  failedRuns: number;
  element: Record<string, unknown>;
  problem: unknown;
}

interface LogicalTest {
  suiteIndex: number;
  suiteName: string;
  classname: string | undefined;
  name: string;
  attempts: Attempt[];
}

interface SuiteInfo {
  element: Record<string, unknown>;
  name: string;
  parent: number;
  /** Logical results of the tests under this suite (nested suites included), and raw element counts. */
  counts: { tests: number; failed: number; errored: number; skipped: number; rawTests: number; rawFailed: number; rawErrored: number; rawSkipped: number };
  directCases: number;
}

/** Parse one JUnit XML report. */
export function parseJunitFile(file: SourceFile, limits: EvidenceLimits = DEFAULT_LIMITS): Parsed<TestEvidence> {
  const doc = readXml(file);
  const warnings = new Warnings(limits.maxWarnings);
  const root = findRoot(file, doc);

  // Depth-first over suites with an explicit stack (suites may nest arbitrarily deep).
  const suites: SuiteInfo[] = [];
  const tests = new Map<string, LogicalTest>();
  let caseCount = 0;
  const stack: { node: unknown; parent: number }[] = [];
  const rootCases: unknown[] = [];
  if (root.kind === 'testsuites') {
    for (const s of asArray(root.element.testsuite)) stack.push({ node: s, parent: -1 });
    // A few writers put test cases directly under <testsuites>.
    for (const c of asArray(root.element.testcase)) rootCases.push(c);
  } else {
    for (const s of root.suites) stack.push({ node: s, parent: -1 });
  }
  stack.reverse();

  const visit = (cases: unknown[], suiteIndex: number, suiteName: string): void => {
    for (const c of cases) {
      caseCount++;
      if (caseCount > limits.maxTestCases) throw limitError(file, 'test cases', limits.maxTestCases, 'max-test-cases');
      const element = isRecord(c) ? c : {};
      const name = xmlAttr(element, 'name');
      const classname = xmlAttr(element, 'classname');
      if (name === undefined) warnings.add(`a <testcase> in suite ${JSON.stringify(cutText(suiteName, 200))} has no name`);
      const key = `${String(suiteIndex)}\u0000${classname ?? ''}\u0000${name ?? ''}`;
      let test = tests.get(key);
      if (test === undefined) {
        test = { suiteIndex, suiteName, classname, name: name ?? '', attempts: [] };
        tests.set(key, test);
      }
      test.attempts.push(readAttempt(element));
    }
  };

  if (rootCases.length > 0) {
    // Their own pseudo-suite, without attributes (the <testsuites> totals are checked on their own).
    const pseudo = newSuite({}, xmlAttr(root.element, 'name') ?? '', -1);
    pseudo.directCases = rootCases.length;
    suites.push(pseudo);
    visit(rootCases, 0, pseudo.name);
  }
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { node, parent } = next;
    const element = isRecord(node) ? node : {};
    const index = suites.length;
    const suite = newSuite(element, xmlAttr(element, 'name') ?? '', parent);
    suites.push(suite);
    const cases = asArray(element.testcase);
    suite.directCases = cases.length;
    visit(cases, index, suite.name);
    const nested = asArray(element.testsuite);
    for (let i = nested.length - 1; i >= 0; i--) stack.push({ node: nested[i], parent: index });
  }

  const evidence: TestEvidence = { total: 0, passed: 0, failed: 0, errored: 0, skipped: 0, flaky: 0, suites: 0, failures: [], flakyTests: [] };
  for (const test of tests.values()) {
    const result = resolve(test);
    const suite = suites[test.suiteIndex];
    evidence.total++;
    evidence[result.outcome]++;
    if (suite !== undefined) {
      suite.counts.tests++;
      if (result.outcome !== 'passed') suite.counts[result.outcome]++;
      for (const a of test.attempts) {
        suite.counts.rawTests++;
        if (a.outcome === 'failed') suite.counts.rawFailed++;
        else if (a.outcome === 'errored') suite.counts.rawErrored++;
        else if (a.outcome === 'skipped') suite.counts.rawSkipped++;
      }
    }
    const label = { suite: cutText(suiteLabel(test), MAX_SUITE), name: cutText(test.name, MAX_NAME) };
    if (result.flaky) {
      evidence.flaky++;
      if (evidence.flakyTests.length < MAX_FLAKY_LISTED) evidence.flakyTests.push({ ...label, attempts: result.attempts });
    }
    if ((result.outcome === 'failed' || result.outcome === 'errored') && evidence.failures.length < MAX_FAILURES) {
      evidence.failures.push(describeFailure(label, test, result.last));
    }
  }
  evidence.suites = suites.filter((s) => s.directCases > 0).length;
  checkSuiteAttributes(suites, warnings);
  if (root.kind === 'testsuites') checkAttributes(root.element, '<testsuites>', { ...evidence, rawCases: caseCount }, warnings);

  const duration = durationOf(root);
  if (duration !== undefined) evidence.durationSeconds = duration;
  if (caseCount === 0) warnings.add('the report has no <testcase> elements');
  return { value: evidence, format: FORMAT, parser: ownParser('junit'), warnings: warnings.done() };
}

/** Put the results of several JUnit files (shards, modules) together. */
export function mergeTestEvidence(parts: TestEvidence[]): TestEvidence {
  const out: TestEvidence = { total: 0, passed: 0, failed: 0, errored: 0, skipped: 0, flaky: 0, suites: 0, failures: [], flakyTests: [] };
  let duration: number | undefined = 0;
  for (const p of parts) {
    out.total += p.total;
    out.passed += p.passed;
    out.failed += p.failed;
    out.errored += p.errored;
    out.skipped += p.skipped;
    out.flaky += p.flaky;
    out.suites += p.suites;
    for (const f of p.failures) if (out.failures.length < MAX_FAILURES) out.failures.push(f);
    for (const f of p.flakyTests) if (out.flakyTests.length < MAX_FLAKY_LISTED) out.flakyTests.push(f);
    // Summed test time when every file gives one; unknown otherwise (never a partial sum).
    duration = duration === undefined || p.durationSeconds === undefined ? undefined : duration + p.durationSeconds;
  }
  if (duration !== undefined && parts.length > 0) out.durationSeconds = roundSeconds(duration);
  return out;
}

// ---------------------------------------------------------------------------------------------

/** parseXmlSource, with what fast-xml-parser throws past its validator turned into FILE_INVALID. */
function readXml(file: SourceFile): Record<string, unknown> {
  try {
    return parseXmlSource(file, EXPECTED, { arrays: ARRAYS });
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw formatError(file, `is not well-formed XML: ${e instanceof Error ? e.message.slice(0, 200) : 'parse error'}`, { expected: EXPECTED });
  }
}

type Root = { kind: 'testsuites'; element: Record<string, unknown> } | { kind: 'testsuite'; element: Record<string, unknown>; suites: unknown[] };

function findRoot(file: SourceFile, doc: Record<string, unknown>): Root {
  if (doc.testsuites !== undefined) {
    const first = asArray(doc.testsuites)[0];
    return { kind: 'testsuites', element: isRecord(first) ? first : {} };
  }
  if (doc.testsuite !== undefined) {
    const suites = asArray(doc.testsuite);
    const first = suites[0];
    return { kind: 'testsuite', element: isRecord(first) ? first : {}, suites };
  }
  const found = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('#'));
  throw formatError(file, 'has no <testsuites> or <testsuite> root element', {
    expected: EXPECTED,
    ...(found === undefined ? {} : { actual: `<${found.slice(0, 80)}>` }),
    hint: 'Give the JUnit XML file your test runner writes (e.g. jest-junit, Surefire TEST-*.xml, pytest --junitxml).',
  });
}

function newSuite(element: Record<string, unknown>, name: string, parent: number): SuiteInfo {
  return {
    element,
    name,
    parent,
    counts: { tests: 0, failed: 0, errored: 0, skipped: 0, rawTests: 0, rawFailed: 0, rawErrored: 0, rawSkipped: 0 },
    directCases: 0,
  };
}

function readAttempt(element: Record<string, unknown>): Attempt {
  const failure = asArray(element.failure);
  const error = asArray(element.error);
  const skipped = asArray(element.skipped);
  const failedRuns = asArray(element.flakyFailure).length + asArray(element.flakyError).length + asArray(element.rerunFailure).length + asArray(element.rerunError).length;
  let outcome: Outcome = 'passed';
  let problem: unknown;
  if (failure.length > 0) {
    outcome = 'failed';
    problem = failure[0];
  } else if (error.length > 0) {
    outcome = 'errored';
    problem = error[0];
  } else if (skipped.length > 0) {
    outcome = 'skipped';
  }
  // A passing Surefire test keeps its failed reruns as flakyFailure; their text says what went wrong.
  return { outcome, runs: 1 + failedRuns, failedRuns, element, problem };
}

function resolve(test: LogicalTest): { outcome: Outcome; flaky: boolean; attempts: number; last: Attempt } {
  // The last attempt that ran decides; when every attempt was skipped, the last one.
  const attempts = test.attempts;
  const last = attempts.findLast((a) => a.outcome !== 'skipped') ?? attempts[attempts.length - 1] ?? readAttempt({});
  const runs = attempts.reduce((n, a) => n + a.runs, 0);
  const failedBefore = attempts.some((a) => a.outcome === 'failed' || a.outcome === 'errored') || last.failedRuns > 0;
  const flaky = last.outcome === 'passed' && failedBefore;
  return { outcome: last.outcome, flaky, attempts: runs, last };
}

/** The classname when it says more than the name (pytest, Surefire); else the suite's name (jest-junit). */
function suiteLabel(test: LogicalTest): string {
  if (test.classname !== undefined && test.classname !== test.name) return test.classname;
  return test.suiteName;
}

function describeFailure(label: { suite: string; name: string }, test: LogicalTest, attempt: Attempt): TestFailure {
  const failure: TestFailure = { ...label };
  const problem = attempt.problem;
  const text = problemText(problem);
  const message = xmlAttr(problem, 'message') ?? firstLine(text);
  if (message !== undefined) failure.message = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
  const fileAttr = xmlAttr(attempt.element, 'file');
  const lineAttr = positiveInt(xmlAttr(attempt.element, 'line'));
  const fromText = text === undefined ? undefined : locationInText(text.slice(0, MAX_TRACE_SCAN), test.classname);
  // The text's location is where it failed; the attributes (pytest's are 0-based) where the test is.
  if (fileAttr !== undefined && fromText !== undefined && samePath(fileAttr, fromText.file)) {
    failure.file = cutText(fromText.file, MAX_PATH);
    failure.line = fromText.line;
  } else if (fileAttr !== undefined) {
    failure.file = cutText(fileAttr, MAX_PATH);
    if (lineAttr !== undefined) failure.line = lineAttr;
  } else if (fromText !== undefined) {
    failure.file = cutText(fromText.file, MAX_PATH);
    failure.line = fromText.line;
  }
  return failure;
}

/** Text content of a failure/error element, or of Surefire's <stackTrace> child. */
function problemText(problem: unknown): string | undefined {
  if (typeof problem === 'string') return problem === '' ? undefined : problem;
  if (!isRecord(problem)) return undefined;
  const own = joinText(problem['#text']);
  if (own !== undefined) return own;
  return joinText(isRecord(problem.stackTrace) ? problem.stackTrace['#text'] : problem.stackTrace);
}

function joinText(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (Array.isArray(v)) {
    const parts = v.filter((x): x is string => typeof x === 'string');
    return parts.length === 0 ? undefined : parts.join('\n');
  }
  return undefined;
}

function firstLine(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  for (const line of text.slice(0, MAX_TRACE_SCAN).split('\n')) {
    const t = line.trim();
    if (t !== '') return t;
  }
  return undefined;
}

/** A line number as written (≥ 1; pytest's xunit1 `line` is 0-based and a 0 is dropped). */
function positiveInt(v: string | undefined): number | undefined {
  const n = asNumber(v);
  return n !== undefined && Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

// Constant, anchored patterns with bounded repetition, run on single lines.
/** `path.ext:line: message` (or `:line:col:`) at the start of a line: pytest, Go's testing, compilers. */
const LINE_START_LOCATION = /^(\S{1,1024}?\.[A-Za-z0-9]{1,16}):(\d{1,9}):(?:\d{1,9}:)? /;
const PYTHON_FRAME = /^\s*File "([^"\n]{1,1024})", line (\d{1,9})/;

/**
 * The first file:line in a failure's text that clearly names a file: a JavaScript stack frame
 * with a path (`at fn (/x/y.ts:12:5)`), a Java frame of the test's own class
 * (`at com.x.FooTest.test(FooTest.java:42)`), a location starting a line (pytest's
 * `tests/x.py:27: AssertionError`, Go's `foo_test.go:12: got 2`), a Python traceback frame, or a
 * `dir/file.ext:12` token anywhere.
 */
export function locationInText(text: string, classname?: string): { file: string; line: number } | undefined {
  const classPrefix = classname === undefined ? undefined : `${classname}.`;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('at ')) {
      const frame = stackFrame(line.slice(3), classPrefix);
      if (frame !== undefined) return frame;
      continue;
    }
    const at = LINE_START_LOCATION.exec(line) ?? PYTHON_FRAME.exec(raw);
    if (at !== null) {
      const n = Number(at[2]);
      if (n > 0 && at[1] !== undefined && !at[1].includes('://')) return { file: at[1], line: n };
    }
    for (const token of line.split(/[\s()'"`,;[\]]+/)) {
      const loc = pathToken(token, true);
      if (loc !== undefined) return loc;
    }
  }
  return undefined;
}

function stackFrame(frame: string, classPrefix: string | undefined): { file: string; line: number } | undefined {
  const open = frame.lastIndexOf('(');
  const inParens = open !== -1 && frame.endsWith(')');
  const where = inParens ? frame.slice(open + 1, -1) : frame;
  const method = inParens ? frame.slice(0, open).trim() : '';
  const loc = pathToken(where, false);
  if (loc === undefined) return undefined;
  if (loc.file.includes('/') || loc.file.includes('\\')) {
    if (loc.file.includes('node_modules/') || loc.file.startsWith('node:') || loc.file.startsWith('internal/')) return undefined;
    return loc;
  }
  // A bare file name (Java, Kotlin, C#): only the test class's own frames say where the test failed.
  return classPrefix !== undefined && method.startsWith(classPrefix) ? loc : undefined;
}

/** `path:line` or `path:line:column` (a `file://` URL's path too). */
function pathToken(token: string, needsDirectory: boolean): { file: string; line: number } | undefined {
  let end = token.length;
  while (end > 0 && ':.,'.includes(token.charAt(end - 1))) end--;
  let t = token.slice(0, end);
  if (t.startsWith('file://')) t = t.slice(7);
  const colon = t.lastIndexOf(':');
  if (colon <= 0) return undefined;
  let lineText = t.slice(colon + 1);
  let path = t.slice(0, colon);
  const before = path.lastIndexOf(':');
  // path:line:column
  if (before > 0 && isDigits(path.slice(before + 1))) {
    lineText = path.slice(before + 1);
    path = path.slice(0, before);
  }
  if (!isDigits(lineText) || lineText.length > 9) return undefined;
  const line = Number(lineText);
  if (line <= 0) return undefined;
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || dot === base.length - 1) return undefined; // needs a name and an extension
  if (needsDirectory && !path.includes('/') && !path.includes('\\')) return undefined;
  if (path.includes('://')) return undefined; // a URL, not a file
  return { file: path, line };
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Same file when one path ends with the other on whole segments (absolute vs relative). */
function samePath(a: string, b: string): boolean {
  const x = a.replace(/\\/g, '/');
  const y = b.replace(/\\/g, '/');
  return x === y || x.endsWith(`/${y}`) || y.endsWith(`/${x}`);
}

function durationOf(root: Root): number | undefined {
  const own = nonNegative(xmlAttr(root.element, 'time'));
  if (own !== undefined || root.kind === 'testsuite') return own === undefined ? undefined : roundSeconds(own);
  let sum = 0;
  const suites = asArray(root.element.testsuite);
  if (suites.length === 0) return undefined;
  for (const s of suites) {
    const t = nonNegative(xmlAttr(s, 'time'));
    if (t === undefined) return undefined;
    sum += t;
  }
  return roundSeconds(sum);
}

function nonNegative(v: string | undefined): number | undefined {
  const n = asNumber(v === undefined ? undefined : v.replace(/,/g, '')); // some writers group thousands: time="1,234.5"
  return n !== undefined && n >= 0 ? n : undefined;
}

function roundSeconds(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function checkSuiteAttributes(suites: SuiteInfo[], warnings: Warnings): void {
  // Children come after their parent: add counts upwards from the last suite.
  for (let i = suites.length - 1; i >= 0; i--) {
    const s = suites[i];
    const parent = s !== undefined && s.parent >= 0 ? suites[s.parent] : undefined;
    if (s !== undefined && parent !== undefined) {
      for (const k of Object.keys(s.counts) as (keyof SuiteInfo['counts'])[]) parent.counts[k] += s.counts[k];
    }
  }
  for (const s of suites) {
    const c = s.counts;
    checkAttributes(
      s.element,
      `suite ${JSON.stringify(cutText(s.name, 200))}`,
      { total: c.tests, failed: c.failed, errored: c.errored, skipped: c.skipped, rawCases: c.rawTests, rawFailed: c.rawFailed, rawErrored: c.rawErrored, rawSkipped: c.rawSkipped },
      warnings,
    );
  }
}

/** Warn when a suite's own totals disagree with its test cases (counted once, or per element). */
function checkAttributes(
  element: Record<string, unknown>,
  what: string,
  counted: { total: number; failed: number; errored: number; skipped: number; rawCases: number; rawFailed?: number; rawErrored?: number; rawSkipped?: number },
  warnings: Warnings,
): void {
  const pairs: [string, number, number | undefined][] = [
    ['tests', counted.total, counted.rawCases],
    ['failures', counted.failed, counted.rawFailed],
    ['errors', counted.errored, counted.rawErrored],
    ['skipped', counted.skipped, counted.rawSkipped],
  ];
  const off: string[] = [];
  for (const [attr, logical, raw] of pairs) {
    const said = asNumber(xmlAttr(element, attr));
    if (said === undefined || said === logical || said === raw) continue;
    off.push(`${attr}="${String(said)}" but ${String(logical)} counted`);
  }
  if (off.length > 0) warnings.add(`${what}: ${off.join(', ')}; totals are counted from the test cases`);
}
