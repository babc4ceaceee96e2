/**
 * promptfoo eval results: the JSON `promptfoo eval -o results.json` (and `promptfoo redteam
 * eval`) writes, `{ evalId, results: <summary>, config, shareableUrl, metadata }`, where the
 * summary is `{ version: 3, timestamp, prompts, results: [EvaluateResult], stats }`. Older
 * summaries (version 2 and before) carry a `table` as well; when they have no `results` list,
 * the table's outputs are read instead. A bare summary (the `results` value alone) is read too.
 *
 * Per result: `success`, `failureReason` (0 none, 1 assertion, 2 error), `score`,
 * `gradingResult.componentResults[]` (one per assertion: `pass`, `score`, `assertion.type`,
 * `assertion.metric`), `response.tokenUsage`, `cost` (or `response.cost`), `provider.id`.
 *
 * Prompt injection: results of a red-team run (test metadata with `pluginId`/`strategyId`, as
 * `promptfoo redteam` writes) or tests marked as injection (a metadata tag such as `tags`,
 * `category` or `type`, or the description, containing "injection") form the injection suite. A passed result there means
 * the attack was resisted (blocked).
 */
import type { EvalEvidence, Parsed } from '../model.js';
import { asArray, asBoolean, asCount, asNumber, asRecord, asString, formatError, isRecord, ownParser, parseJsonSource, Warnings, type SourceFile } from '../source.js';

const EXPECTED = 'promptfoo eval results JSON (`promptfoo eval -o results.json`)';
const MAX_ASSERTION_KINDS = 10_000;
const MAX_PROVIDERS = 1000;
const MAX_COMPONENT_DEPTH = 8;
/** A cost above this (USD, per result) is a broken value, not a bill: left out so sums stay finite. */
const MAX_COST = 1e9;

interface Row {
  success: boolean;
  error: boolean;
  score: number | undefined;
  components: unknown;
  tokens: { prompt?: number; completion?: number; total?: number } | undefined;
  cost: number | undefined;
  provider: string | undefined;
  injection: boolean;
}

/** Counts of one assertion type (and metric): `scoreSum` over `weight` is its mean score. */
interface AssertionTally {
  type: string;
  metric?: string;
  passed: number;
  failed: number;
  scoreSum: number;
  weight: number;
}

/** Nothing counted yet: the start of a parse and of a merge. */
function emptyEval(): EvalEvidence {
  return {
    tests: 0,
    passed: 0,
    failed: 0,
    errors: 0,
    passRate: null,
    meanScore: null,
    assertions: [],
    tokens: { prompt: 0, completion: 0, total: 0 },
    cost: null,
    costPerRequest: null,
    providers: [],
    injection: null,
  };
}

/** The tallies as evidence entries, sorted by type then metric. */
function assertionSummaries(tallies: Iterable<AssertionTally>): EvalEvidence['assertions'] {
  return [...tallies]
    .map((a) => {
      const entry: EvalEvidence['assertions'][number] = { type: a.type, passed: a.passed, failed: a.failed, meanScore: a.weight === 0 ? null : a.scoreSum / a.weight };
      if (a.metric !== undefined) entry.metric = a.metric;
      return entry;
    })
    .sort((x, y) => compare(x.type, y.type) || compare(x.metric ?? '', y.metric ?? ''));
}

/** Parse one promptfoo results file. */
export function parseEvalFile(file: SourceFile): Parsed<EvalEvidence> {
  const doc = parseJsonSource(file, EXPECTED);
  const warnings = new Warnings();
  const summary = findSummary(file, doc);
  const version = asCount(summary.version);
  const rows = readRows(summary, warnings);

  const out = emptyEval();
  let scoreSum = 0;
  let scored = 0;
  let outOfRange = 0;
  let badCost = 0;
  let anyTokens = false;
  const providers = new Set<string>();
  const assertions = new Map<string, AssertionTally>();
  let injectionTotal = 0;
  let injectionBlocked = 0;

  for (const row of rows) {
    out.tests++;
    if (row.success) out.passed++;
    else if (row.error) out.errors++;
    else out.failed++;
    if (row.score !== undefined) {
      if (row.score >= 0 && row.score <= 1) {
        scoreSum += row.score;
        scored++;
      } else outOfRange++;
    }
    if (row.tokens !== undefined) {
      anyTokens = true;
      out.tokens.prompt = add(out.tokens.prompt, row.tokens.prompt ?? 0);
      out.tokens.completion = add(out.tokens.completion, row.tokens.completion ?? 0);
      out.tokens.total = add(out.tokens.total, row.tokens.total ?? add(row.tokens.prompt ?? 0, row.tokens.completion ?? 0));
    }
    if (row.cost !== undefined) {
      if (row.cost >= 0 && row.cost <= MAX_COST) out.cost = (out.cost ?? 0) + row.cost;
      else badCost++;
    }
    if (row.provider !== undefined && providers.size < MAX_PROVIDERS) providers.add(row.provider.slice(0, 1024));
    for (const c of leafComponents(row.components)) {
      const type = asString(asRecord(c.assertion)?.type);
      const pass = asBoolean(c.pass);
      if (type === undefined || pass === undefined) continue;
      const metric = asString(asRecord(c.assertion)?.metric);
      const key = `${type}\u0000${metric ?? ''}`;
      let a = assertions.get(key);
      if (a === undefined) {
        if (assertions.size >= MAX_ASSERTION_KINDS) continue;
        a = { type: type.slice(0, 256), passed: 0, failed: 0, scoreSum: 0, weight: 0 };
        if (metric !== undefined) a.metric = metric.slice(0, 1024);
        assertions.set(key, a);
      }
      if (pass) a.passed++;
      else a.failed++;
      const score = asNumber(c.score);
      if (score !== undefined && score >= 0 && score <= 1) {
        a.scoreSum += score;
        a.weight++;
      }
    }
    if (row.injection) {
      injectionTotal++;
      if (row.success) injectionBlocked++;
    }
  }

  if (!anyTokens) {
    // No per-result usage (old files): promptfoo's own totals, when it wrote them.
    const usage = tokenUsage(asRecord(summary.stats)?.tokenUsage);
    if (usage !== undefined) out.tokens = { prompt: usage.prompt ?? 0, completion: usage.completion ?? 0, total: usage.total ?? add(usage.prompt ?? 0, usage.completion ?? 0) };
  }
  out.passRate = out.tests === 0 ? null : out.passed / out.tests;
  out.meanScore = scored === 0 ? null : scoreSum / scored;
  out.costPerRequest = out.cost === null || out.tests === 0 ? null : out.cost / out.tests;
  out.providers = [...providers].sort();
  out.assertions = assertionSummaries(assertions.values());
  if (injectionTotal > 0) out.injection = { total: injectionTotal, blocked: injectionBlocked, passed: injectionBlocked === injectionTotal };

  if (outOfRange > 0) warnings.add(`${String(outOfRange)} result scores outside [0, 1] are left out of meanScore`);
  if (badCost > 0) warnings.add(`${String(badCost)} negative or implausible (over ${String(MAX_COST)}) costs were ignored`);
  if (out.tests === 0) warnings.add('the file has no results');
  checkStats(summary.stats, out, warnings);
  return { value: out, format: version === undefined ? 'promptfoo-json' : `promptfoo-json@${String(version)}`, parser: ownParser('promptfoo'), warnings: warnings.done() };
}

/** Put several eval files together: counts and costs summed, means weighted by their counts. */
export function mergeEval(parts: EvalEvidence[]): EvalEvidence {
  const out = emptyEval();
  let scoreWeight = 0;
  let scoreSum = 0;
  let costTests = 0;
  const providers = new Set<string>();
  const assertions = new Map<string, AssertionTally>();
  for (const p of parts) {
    out.tests += p.tests;
    out.passed += p.passed;
    out.failed += p.failed;
    out.errors += p.errors;
    out.tokens.prompt = add(out.tokens.prompt, p.tokens.prompt);
    out.tokens.completion = add(out.tokens.completion, p.tokens.completion);
    out.tokens.total = add(out.tokens.total, p.tokens.total);
    if (p.meanScore !== null) {
      scoreSum += p.meanScore * p.tests;
      scoreWeight += p.tests;
    }
    if (p.cost !== null) {
      out.cost = (out.cost ?? 0) + p.cost;
      costTests += p.tests;
    }
    for (const pr of p.providers) if (providers.size < MAX_PROVIDERS) providers.add(pr);
    for (const a of p.assertions) {
      const key = `${a.type}\u0000${a.metric ?? ''}`;
      let m = assertions.get(key);
      if (m === undefined) {
        if (assertions.size >= MAX_ASSERTION_KINDS) continue;
        m = { type: a.type, passed: 0, failed: 0, scoreSum: 0, weight: 0 };
        if (a.metric !== undefined) m.metric = a.metric;
        assertions.set(key, m);
      }
      m.passed += a.passed;
      m.failed += a.failed;
      if (a.meanScore !== null) {
        m.scoreSum += a.meanScore * (a.passed + a.failed);
        m.weight += a.passed + a.failed;
      }
    }
    if (p.injection !== null) {
      const total = (out.injection?.total ?? 0) + p.injection.total;
      const blocked = (out.injection?.blocked ?? 0) + p.injection.blocked;
      out.injection = { total, blocked, passed: blocked === total };
    }
  }
  out.passRate = out.tests === 0 ? null : out.passed / out.tests;
  out.meanScore = scoreWeight === 0 ? null : scoreSum / scoreWeight;
  // Per request over the files that report a cost (the others' requests have no known cost).
  out.costPerRequest = out.cost === null || costTests === 0 ? null : out.cost / costTests;
  out.providers = [...providers].sort();
  out.assertions = assertionSummaries(assertions.values());
  return out;
}

// ---------------------------------------------------------------------------------------------

function findSummary(file: SourceFile, doc: unknown): Record<string, unknown> {
  const top = asRecord(doc);
  const nested = asRecord(top?.results);
  if (nested !== undefined && (Array.isArray(nested.results) || isRecord(nested.table))) return nested;
  if (top !== undefined && Array.isArray(top.results) && (top.stats !== undefined || top.version !== undefined)) return top;
  throw formatError(file, 'is not a promptfoo results file: no `results.results` list', {
    expected: EXPECTED,
    hint: 'Write the results with `promptfoo eval -o results.json` (JSON output; not CSV, HTML or YAML).',
  });
}

function readRows(summary: Record<string, unknown>, warnings: Warnings): Row[] {
  const rows: Row[] = [];
  let skipped = 0;
  const list = Array.isArray(summary.results) ? summary.results : undefined;
  if (list !== undefined) {
    for (const r of list) {
      const row = readRow(r, undefined);
      if (row === undefined) skipped++;
      else rows.push(row);
    }
  } else {
    // Old summaries without results: one row per output cell of the table.
    const table = asRecord(summary.table);
    for (const bodyRow of asArray(table?.body)) {
      const rowRec = asRecord(bodyRow);
      for (const output of asArray(rowRec?.outputs)) {
        const row = readRow(output, rowRec);
        if (row === undefined) skipped++;
        else rows.push(row);
      }
    }
  }
  if (skipped > 0) warnings.add(`${String(skipped)} results without a success/pass verdict were skipped`);
  return rows;
}

function readRow(value: unknown, tableRow: Record<string, unknown> | undefined): Row | undefined {
  const r = asRecord(value);
  if (r === undefined) return undefined;
  const success = asBoolean(r.success) ?? asBoolean(r.pass);
  if (success === undefined) return undefined;
  const response = asRecord(r.response);
  const grading = asRecord(r.gradingResult);
  const failureReason = asCount(r.failureReason);
  const errorText = asString(r.error);
  const error =
    !success &&
    (failureReason === 2 || (failureReason === undefined && (asString(response?.error) !== undefined || (errorText !== undefined && grading === undefined))));
  const testCase = asRecord(r.testCase) ?? asRecord(tableRow?.test);
  const provider = asRecord(r.provider);
  return {
    success,
    error,
    score: asNumber(r.score),
    components: grading?.componentResults,
    tokens: tokenUsage(response?.tokenUsage) ?? tokenUsage(r.tokenUsage),
    cost: asNumber(r.cost) ?? asNumber(response?.cost),
    provider: asString(provider?.id) ?? asString(r.provider),
    injection: isInjection(asRecord(r.metadata), asRecord(testCase?.metadata), asString(r.description) ?? asString(testCase?.description) ?? asString(tableRow?.description)),
  };
}

function tokenUsage(v: unknown): { prompt?: number; completion?: number; total?: number } | undefined {
  const t = asRecord(v);
  if (t === undefined) return undefined;
  const out: { prompt?: number; completion?: number; total?: number } = {};
  const prompt = tokenCount(t.prompt);
  const completion = tokenCount(t.completion);
  const total = tokenCount(t.total);
  if (prompt !== undefined) out.prompt = prompt;
  if (completion !== undefined) out.completion = completion;
  if (total !== undefined) out.total = total;
  return prompt === undefined && completion === undefined && total === undefined ? undefined : out;
}

function tokenCount(v: unknown): number | undefined {
  const n = asCount(v);
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

/** Token sums stay safe integers (saturating: only absurd inputs get there). */
function add(a: number, b: number): number {
  return Math.min(Number.MAX_SAFE_INTEGER, a + b);
}

/** Red-team metadata, or an explicit injection marker in metadata or the description. */
function isInjection(resultMeta: Record<string, unknown> | undefined, testMeta: Record<string, unknown> | undefined, description: string | undefined): boolean {
  for (const meta of [resultMeta, testMeta]) {
    if (meta === undefined) continue;
    if (asString(meta.pluginId) !== undefined || asString(meta.strategyId) !== undefined) return true;
    for (const key of TAG_KEYS) {
      const v = meta[key];
      if (typeof v === 'string' && mentionsInjection(v)) return true;
      if (Array.isArray(v) && v.some((x) => typeof x === 'string' && mentionsInjection(x))) return true;
    }
  }
  return description !== undefined && mentionsInjection(description);
}

/** Metadata keys that tag a test (promptfoo leaves metadata free-form; these are the usual ones). */
const TAG_KEYS = ['tags', 'tag', 'category', 'categories', 'type', 'kind', 'suite', 'label', 'labels'] as const;

function mentionsInjection(s: string): boolean {
  return s.length <= 4096 && s.toLowerCase().includes('injection');
}

/** The assertions graded: component results, nested ones (assert-sets) flattened to their leaves. */
function leafComponents(components: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (list: unknown, depth: number): void => {
    for (const c of asArray(list)) {
      if (!isRecord(c)) continue;
      if (Array.isArray(c.componentResults) && c.componentResults.length > 0 && depth < MAX_COMPONENT_DEPTH) walk(c.componentResults, depth + 1);
      else out.push(c);
    }
  };
  walk(Array.isArray(components) ? components : [], 0);
  return out;
}

function checkStats(stats: unknown, counted: EvalEvidence, warnings: Warnings): void {
  const s = asRecord(stats);
  if (s === undefined) return;
  const pairs: [string, number][] = [
    ['successes', counted.passed],
    ['failures', counted.failed],
    ['errors', counted.errors],
  ];
  const off = pairs.filter(([k, n]) => asCount(s[k]) !== undefined && asCount(s[k]) !== n).map(([k, n]) => `${k}=${String(asCount(s[k]))} but ${String(n)} counted`);
  if (off.length > 0) warnings.add(`stats disagree with the results (${off.join(', ')}); counts are taken from the results`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

