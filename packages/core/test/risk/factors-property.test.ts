/**
 * Every factor function, on any Evidence-shaped input, returns a finite value in [0, 1], a
 * one-line reason and JSON pointers, and never throws. Inputs: the fixture changes with sections
 * dropped and values replaced by others of the same JSON type (numbers anywhere from -1e9 to 1e9,
 * NaN and infinities included; odd strings, including time zones and dates; arrays cut short),
 * and evidence built from scratch with fast-check records.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Evidence, Severity } from '../../src/evidence/model.js';
import { DEFAULT_RISK_CONFIG, type RiskConfig } from '../../src/risk/config.js';
import { FACTOR_FUNCTIONS, type FactorContext } from '../../src/risk/factors.js';
import { historyPosterior } from '../../src/risk/history.js';
import { FACTOR_NAMES } from '../../src/risk/model.js';
import { jsonPaths } from '../evidence/helpers.js';

const CHANGES = fileURLToPath(new URL('../../../../fixtures/risk/changes/', import.meta.url));
const FIXTURES = ['docs-only', 'friday-migration', 'ai-no-review', 'vulnerable-bump'].map((n) => JSON.parse(readFileSync(`${CHANGES}${n}.evidence.json`, 'utf8')) as Evidence);
const SECTIONS = ['sbom', 'sbomDiff', 'vulnerabilities', 'vex', 'tests', 'coverage', 'provenance', 'eval', 'telemetry', 'service', 'change', 'deployments'] as const;

/** Checks every factor on this evidence; throws (for fast-check to report) on a bad result. */
function checkAll(e: Evidence, ctx: FactorContext): boolean {
  for (const name of FACTOR_NAMES) {
    const v = FACTOR_FUNCTIONS[name](e, ctx);
    if (!(Number.isFinite(v.value) && v.value >= 0 && v.value <= 1)) throw new Error(`${name}: value ${String(v.value)}`);
    if (typeof v.reason !== 'string' || v.reason === '' || /[\r\n]/.test(v.reason)) throw new Error(`${name}: reason ${JSON.stringify(v.reason)}`);
    if (!v.evidence.every((p) => p.startsWith('/'))) throw new Error(`${name}: pointers ${JSON.stringify(v.evidence)}`);
  }
  return true;
}

const weirdNumber = fc.oneof(
  fc.double({ min: -1e9, max: 1e9 }),
  fc.integer({ min: -5, max: 1000 }),
  fc.constantFrom(0, -1, 1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e308),
);
const weirdString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', 'Europe/Berlin', 'Mars/Base', 'America/New_York', '2026-03-13T16:30:00Z', 'not a date', 'MIT OR AGPL-3.0-only', '((', 'migration', 'config', 'a/b/c', '/', 'success', 'failure', 'inactive'),
);

interface Mutation {
  path: number;
  num: number;
  str: string;
  cut: number;
}

/** Replaces the value at a path with one of the same JSON type (null stays null: sections are dropped separately). */
function mutate(doc: Evidence, m: Mutation): void {
  const paths = jsonPaths(doc, 4000);
  const path = paths[m.path % paths.length];
  if (path === undefined) return;
  let parent: unknown = doc;
  for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[k];
  const key = path[path.length - 1] as string | number;
  const holder = parent as Record<string | number, unknown>;
  const value = holder[key];
  if (typeof value === 'number') holder[key] = m.num;
  else if (typeof value === 'string') holder[key] = m.str;
  else if (typeof value === 'boolean') holder[key] = !value;
  else if (Array.isArray(value)) holder[key] = value.slice(0, m.cut % (value.length + 1));
}

const contextArb = fc.record({
  now: fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z') }),
  absentValue: fc.double({ min: 0, max: 1, noNaN: true }),
  holidays: fc.array(fc.constantFrom('2026-03-13', '2026-12-25', '2027-01-01'), { maxLength: 2 }),
});

function contextFor(e: Evidence, c: { now: Date; absentValue: number; holidays: string[] }): FactorContext {
  const config: RiskConfig = { ...DEFAULT_RISK_CONFIG, absentValue: c.absentValue, timing: { ...DEFAULT_RISK_CONFIG.timing, holidays: c.holidays } };
  return { config, now: c.now, history: historyPosterior(e.deployments, config) };
}

describe('factor functions on any evidence', () => {
  it('mutated fixtures: finite values in [0, 1], one-line reasons, no throw', () => {
    const mutation = fc.record({ path: fc.nat(), num: weirdNumber, str: weirdString, cut: fc.nat() });
    fc.assert(
      fc.property(fc.nat({ max: FIXTURES.length - 1 }), fc.subarray([...SECTIONS]), fc.array(mutation, { maxLength: 12 }), contextArb, (which, dropped, mutations, c) => {
        const e = structuredClone(FIXTURES[which]) as Evidence;
        for (const s of dropped) (e as unknown as Record<string, unknown>)[s] = null;
        for (const m of mutations) mutate(e, m);
        return checkAll(e, contextFor(e, c));
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('evidence built from fast-check records: finite values in [0, 1], no throw', () => {
    const severity = fc.constantFrom<Severity>('critical', 'high', 'medium', 'low', 'none', 'unknown');
    const count = fc.oneof(fc.nat({ max: 50 }), weirdNumber);
    const ratio = fc.option(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), weirdNumber));
    const change = fc.record({
      source: fc.constantFrom<'github' | 'diff'>('github', 'diff'),
      labels: fc.constant([]),
      files: fc.array(fc.record({ path: weirdString, status: fc.constant('modified'), additions: count, deletions: count, owners: fc.array(weirdString, { maxLength: 3 }), categories: fc.constant([]) }), { maxLength: 8 }),
      totals: fc.record({ files: count, additions: count, deletions: count }),
      categories: fc.dictionary(fc.constantFrom('migration', 'infra', 'config', 'constructor', '__proto__', 'toString'), count),
      reviews: fc.constant([]),
      approvals: fc.record({ human: count, bot: count, codeOwner: count, changesRequested: count }),
      codeowners: fc.record({ file: fc.option(weirdString), ownedFiles: count, unownedFiles: fc.constant([]), owners: fc.array(weirdString, { maxLength: 8 }) }),
      ai: fc.record({ agentAuthor: fc.option(weirdString), coAuthors: fc.constant([]), aiCommits: count, commits: count, share: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), weirdNumber) }),
    });
    const service = fc.record(
      {
        source: fc.constantFrom<'genops' | 'backstage'>('genops', 'backstage'),
        app: weirdString,
        owner: weirdString,
        tier: fc.constantFrom<'critical' | 'high' | 'medium' | 'low'>('critical', 'high', 'medium', 'low'),
        timezone: weirdString,
        slos: fc.array(fc.record({ name: weirdString, objective: weirdNumber, errorBudgetRemaining: weirdNumber }, { requiredKeys: ['name', 'objective'] }), { maxLength: 4 }),
        dependents: fc.array(weirdString, { maxLength: 15 }),
        freezeWindows: fc.array(fc.record({ start: weirdString, end: weirdString }), { maxLength: 3 }),
      },
      { requiredKeys: ['source', 'app', 'owner', 'slos', 'dependents', 'freezeWindows'] },
    );
    const finding = fc.record({
      id: weirdString,
      aliases: fc.constant([]),
      kind: fc.constant<'dependency'>('dependency'),
      tools: fc.constant(['grype']),
      severity,
      fixedIn: fc.constant([]),
      fixAvailable: fc.boolean(),
      locations: fc.constant([]),
      suppressed: fc.boolean(),
    });
    const vulnerabilities = fc.record({
      findings: fc.array(finding, { maxLength: 30 }),
      totals: fc.constant({ critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 }),
      suppressed: count,
    });
    const tests = fc.record({ total: count, passed: count, failed: count, errored: count, skipped: count, flaky: count, suites: count, failures: fc.constant([]), flakyTests: fc.constant([]) });
    const coverage = fc.record({
      lines: fc.record({ covered: count, total: count, ratio }),
      files: count,
      changedLines: fc.option(fc.record({ covered: count, total: count, ratio, notInstrumented: count, uncovered: fc.constant([]), unmeasuredFiles: fc.array(weirdString, { maxLength: 2 }) })),
    });
    const tokens = fc.record({ prompt: count, completion: count, total: count });
    const evalEvidence = fc.record({
      tests: count,
      passed: count,
      failed: count,
      errors: count,
      passRate: ratio,
      meanScore: ratio,
      assertions: fc.constant([]),
      tokens,
      cost: fc.option(weirdNumber),
      costPerRequest: fc.option(weirdNumber),
      providers: fc.constant([]),
      injection: fc.option(fc.record({ total: count, blocked: count, passed: fc.boolean() })),
    });
    const telemetry = fc.record({
      spans: count,
      llmCalls: count,
      toolCalls: count,
      models: fc.constant([]),
      tokens,
      cost: fc.option(weirdNumber),
      maxConsecutiveToolCalls: count,
      contextWindowUse: fc.option(weirdNumber),
      promptCompletionRatio: fc.option(weirdNumber),
    });
    const provenance = fc.record({
      artifacts: fc.array(fc.record({ bundle: weirdString, subjects: fc.constant([]), verified: fc.boolean() }), { maxLength: 3 }),
      verified: count,
      unverified: count,
    });
    const component = fc.record({ key: weirdString, name: weirdString, scope: fc.constant<'direct'>('direct'), licensesTo: fc.array(weirdString, { maxLength: 2 }) });
    const sbomDiff = fc.record({
      added: fc.array(component, { maxLength: 25 }),
      removed: fc.constant([]),
      upgraded: fc.constant([]),
      downgraded: fc.array(component, { maxLength: 3 }),
      changed: fc.constant([]),
      licenseChanged: fc.array(component, { maxLength: 3 }),
    });
    const deployments = fc.record({
      environment: weirdString,
      deployments: fc.array(
        fc.record({ id: fc.nat(), sha: fc.constant('a'.repeat(40)), ref: fc.constant('main'), environment: fc.constant('production'), createdAt: weirdString, state: fc.constantFrom('success', 'inactive', 'failure', 'error', 'pending', 'weird') }),
        { maxLength: 40 },
      ),
      counts: fc.constant({}),
    });
    const evidence = fc.record({
      sources: fc.constant([]),
      absent: fc.constant([]),
      sbom: fc.constant(null),
      sbomDiff: fc.option(sbomDiff),
      vulnerabilities: fc.option(vulnerabilities),
      vex: fc.constant(null),
      tests: fc.option(tests),
      coverage: fc.option(coverage),
      provenance: fc.option(provenance),
      eval: fc.option(evalEvidence),
      telemetry: fc.option(telemetry),
      service: fc.option(service),
      change: fc.option(change),
      deployments: fc.option(deployments),
    });
    fc.assert(
      fc.property(evidence, contextArb, (e, c) => checkAll(e as unknown as Evidence, contextFor(e as unknown as Evidence, c))),
      { numRuns: 200, seed: 42 },
    );
  });

  it('an absentValue outside [0, 1] (a config the schema would reject) is still clamped', () => {
    const e = structuredClone(FIXTURES[0]) as Evidence;
    const ctx: FactorContext = { config: { ...DEFAULT_RISK_CONFIG, absentValue: 7 }, now: new Date('2026-03-10T10:00:00Z'), history: null };
    expect(FACTOR_FUNCTIONS['change-history'](e, ctx).value).toBe(1);
    expect(FACTOR_FUNCTIONS['genai-eval'](e, { ...ctx, config: { ...ctx.config, absentValue: Number.NaN } }).value).toBe(1);
  });
});
