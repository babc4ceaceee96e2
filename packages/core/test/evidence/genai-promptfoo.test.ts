import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError } from '../../src/errors.js';
import { mergeEval, parseEvalFile } from '../../src/evidence/genai/index.js';
import type { SourceFile } from '../../src/evidence/source.js';
import { fixture as evidenceFixture, mutatedFixtureText, returnsOrConfigError, sourceFile } from './helpers.js';

const fixture = (name: string): SourceFile => evidenceFixture(`genai/${name}`);
const json = (value: unknown, path = 'evals/results.json'): SourceFile => sourceFile(path, JSON.stringify(value));
/** A minimal version-3 result row as promptfoo writes it. */
function row(success: boolean, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { success, score: success ? 1 : 0, failureReason: success ? 0 : 1, provider: { id: 'openai:gpt-4.1-mini' }, testCase: { vars: {} }, ...extra };
}

describe('parseEvalFile: promptfoo eval -o results.json', () => {
  it('counts, pass rate, scores, assertions by type and metric, tokens, cost, providers', () => {
    const parsed = parseEvalFile(fixture('promptfoo-results.json'));
    expect(parsed.format).toBe('promptfoo-json@3');
    expect(parsed.parser.name).toBe('genops/promptfoo');
    expect(parsed.warnings).toEqual([]);
    const e = parsed.value;
    expect([e.tests, e.passed, e.failed, e.errors]).toEqual([6, 5, 1, 0]);
    expect(e.passRate).toBeCloseTo(5 / 6, 12);
    expect(e.meanScore).toBeCloseTo((0.95 + 1 + 1 + 0.9 + 0 + 1) / 6, 12);
    expect(e.assertions).toEqual([
      { type: 'icontains', passed: 4, failed: 0, meanScore: 1 },
      { type: 'javascript', passed: 2, failed: 0, meanScore: 1 },
      { type: 'llm-rubric', metric: 'tone', passed: 3, failed: 1, meanScore: expect.closeTo(0.675, 12) },
      { type: 'not-icontains', passed: 1, failed: 1, meanScore: 0.5 },
    ]);
    expect(e.tokens).toEqual({ prompt: 2487, completion: 177, total: 2664 });
    expect(e.cost).toBeCloseTo(0.0019764, 12);
    expect(e.costPerRequest).toBeCloseTo(0.0019764 / 6, 12);
    expect(e.providers).toEqual(['anthropic:messages:claude-3-5-haiku-20241022', 'openai:chat:gpt-4.1-mini']);
    expect(e.injection).toBeNull();
  });

  it('a red-team run is a prompt-injection suite: passed results are blocked attacks; errors are not', () => {
    const parsed = parseEvalFile(fixture('promptfoo-redteam.json'));
    expect(parsed.warnings).toEqual([]);
    const e = parsed.value;
    expect([e.tests, e.passed, e.failed, e.errors]).toEqual([6, 4, 1, 1]);
    expect(e.injection).toEqual({ total: 6, blocked: 4, passed: false });
    expect(e.cost).toBeNull();
    expect(e.costPerRequest).toBeNull();
    expect(e.tokens).toEqual({ prompt: 1320, completion: 200, total: 1520 });
    expect(e.providers).toEqual(['http://localhost:8080/chat']);
    expect(e.assertions.find((a) => a.metric === 'Hijacking/PromptInjection')).toEqual({
      type: 'promptfoo:redteam:hijacking',
      metric: 'Hijacking/PromptInjection',
      passed: 0,
      failed: 1,
      meanScore: 0,
    });
  });

  it('tests tagged as injection in an ordinary eval form the injection suite', () => {
    const e = parseEvalFile(
      json({
        evalId: 'e',
        results: {
          version: 3,
          results: [
            row(true, { testCase: { description: 'Ignores a prompt injection in the ticket', vars: {} } }),
            row(false, { testCase: { vars: {}, metadata: { tags: ['security', 'prompt-injection'] } } }),
            row(true, { testCase: { vars: {}, metadata: { notes: 'mentions injection but is no tag' } } }),
          ],
          stats: { successes: 2, failures: 1, errors: 0 },
        },
      }),
    ).value;
    expect(e.injection).toEqual({ total: 2, blocked: 1, passed: false });
  });

  it('reads old summaries that only have a table, and bare summaries', () => {
    const old = parseEvalFile(
      json({
        results: {
          version: 1,
          table: {
            head: { prompts: [], vars: ['q'] },
            body: [
              {
                description: 'capital',
                vars: ['France'],
                test: { vars: { q: 'France' } },
                outputs: [
                  { pass: true, score: 1, cost: 0.0004, tokenUsage: { total: 30, prompt: 22, completion: 8 }, provider: 'openai:gpt-3.5-turbo', text: 'Paris' },
                  { pass: false, score: 0, cost: 0.0002, tokenUsage: { total: 25, prompt: 22, completion: 3 }, provider: 'openai:gpt-4o-mini', text: 'Lyon' },
                ],
              },
            ],
          },
          stats: { successes: 1, failures: 1, tokenUsage: { total: 55, prompt: 44, completion: 11 } },
        },
      }),
    );
    expect(old.format).toBe('promptfoo-json@1');
    expect(old.value).toMatchObject({ tests: 2, passed: 1, failed: 1, tokens: { prompt: 44, completion: 11, total: 55 }, providers: ['openai:gpt-3.5-turbo', 'openai:gpt-4o-mini'] });
    expect(old.value.cost).toBeCloseTo(0.0006, 12);

    const bare = parseEvalFile(json({ version: 3, timestamp: 't', results: [row(true), row(false)], stats: { successes: 1, failures: 1, errors: 0 } }));
    expect(bare.value).toMatchObject({ tests: 2, passed: 1, failed: 1, passRate: 0.5 });
  });

  it('tells errors from assertion failures, also in files without failureReason', () => {
    const e = parseEvalFile(
      json({
        results: {
          version: 2,
          results: [
            { success: false, score: 0, error: 'Request timed out', response: { error: 'Request timed out' } },
            { success: false, score: 0, error: 'Expected output to contain "x"', gradingResult: { pass: false, score: 0, reason: 'no' } },
            { success: false, score: 0, error: 'API key missing' },
          ],
        },
      }),
    ).value;
    expect([e.tests, e.passed, e.failed, e.errors]).toEqual([3, 0, 1, 2]);
  });

  it('uses the stats token totals only when no result has usage; warns when stats disagree or scores are off-scale', () => {
    const parsed = parseEvalFile(
      json({
        results: { version: 3, results: [row(true, { score: 7 }), row(true, { score: 0.5 })], stats: { successes: 1, failures: 0, errors: 0, tokenUsage: { prompt: 10, completion: 5 } } },
      }),
    );
    expect(parsed.value.tokens).toEqual({ prompt: 10, completion: 5, total: 15 });
    expect(parsed.value.meanScore).toBe(0.5);
    expect(parsed.warnings).toEqual([
      '1 result scores outside [0, 1] are left out of meanScore',
      'stats disagree with the results (successes=1 but 2 counted); counts are taken from the results',
    ]);
  });

  it('refuses what is not a promptfoo results file', () => {
    for (const bad of [{ evalId: 'x' }, [row(true)], { results: { version: 3 } }, { config: {}, shareableUrl: null }]) {
      expect(() => parseEvalFile(json(bad))).toThrow(ConfigError);
    }
    try {
      parseEvalFile(sourceFile('evals/r.json', '{\n  "results": {\n    "version": 3,,\n'));
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect((e as ConfigError).details).toMatchObject({ file: 'evals/r.json', line: 3 });
    }
  });
});

describe('mergeEval', () => {
  it('sums counts and costs; weights means; cost per request over the files that report cost', () => {
    const a = parseEvalFile(fixture('promptfoo-results.json')).value;
    const b = parseEvalFile(fixture('promptfoo-redteam.json')).value;
    const m = mergeEval([a, b]);
    expect([m.tests, m.passed, m.failed, m.errors]).toEqual([12, 9, 2, 1]);
    expect(m.passRate).toBe(0.75);
    expect(m.meanScore).toBeCloseTo(((a.meanScore ?? 0) * 6 + (b.meanScore ?? 0) * 6) / 12, 12);
    expect(m.tokens).toEqual({ prompt: 3807, completion: 377, total: 4184 });
    expect(m.cost).toBeCloseTo(0.0019764, 12);
    expect(m.costPerRequest).toBeCloseTo(0.0019764 / 6, 12);
    expect(m.injection).toEqual({ total: 6, blocked: 4, passed: false });
    expect(m.providers).toEqual(['anthropic:messages:claude-3-5-haiku-20241022', 'http://localhost:8080/chat', 'openai:chat:gpt-4.1-mini']);
    expect(m.assertions.map((x) => x.type)).toEqual([...m.assertions.map((x) => x.type)].sort());
    expect(mergeEval([a])).toEqual(a);
  });
});

describe('parseEvalFile: property tests', () => {
  const anyScalar = fc.oneof(fc.boolean(), fc.double(), fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null));
  const component = fc.record(
    { pass: fc.oneof(fc.boolean(), anyScalar), score: anyScalar, assertion: fc.oneof(fc.record({ type: anyScalar, metric: anyScalar }, { requiredKeys: [] }), anyScalar) },
    { requiredKeys: [] },
  );
  const result = fc.record(
    {
      success: fc.oneof(fc.boolean(), anyScalar),
      score: anyScalar,
      failureReason: fc.oneof(fc.constantFrom(0, 1, 2), anyScalar),
      error: anyScalar,
      cost: anyScalar,
      provider: fc.oneof(fc.record({ id: anyScalar }), anyScalar),
      response: fc.oneof(fc.record({ tokenUsage: fc.record({ prompt: anyScalar, completion: anyScalar, total: anyScalar }, { requiredKeys: [] }), cost: anyScalar, error: anyScalar }, { requiredKeys: [] }), anyScalar),
      gradingResult: fc.oneof(fc.record({ componentResults: fc.oneof(fc.array(component, { maxLength: 4 }), anyScalar) }, { requiredKeys: [] }), anyScalar),
      metadata: fc.oneof(fc.record({ pluginId: anyScalar, tags: fc.array(anyScalar, { maxLength: 3 }) }, { requiredKeys: [] }), anyScalar),
    },
    { requiredKeys: [] },
  );

  it('random bytes and random JSON: a value or a ConfigError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (bytes) => returnsOrConfigError(() => parseEvalFile(sourceFile('r.json', bytes)))),
      { numRuns: 200, seed: 42 },
    );
    fc.assert(
      fc.property(fc.json(), (text) => returnsOrConfigError(() => parseEvalFile(sourceFile('r.json', text)))),
      { numRuns: 200, seed: 42 },
    );
  });

  it('random result rows: counts add up and ratios stay in range', () => {
    fc.assert(
      fc.property(fc.array(result, { maxLength: 12 }), fc.oneof(fc.record({ successes: anyScalar }), anyScalar), (results, stats) => {
        const e = parseEvalFile(json({ evalId: 'x', results: { version: 3, results, stats } })).value;
        expect(e.passed + e.failed + e.errors).toBe(e.tests);
        if (e.passRate !== null) expect(e.passRate >= 0 && e.passRate <= 1).toBe(true);
        if (e.meanScore !== null) expect(e.meanScore >= 0 && e.meanScore <= 1).toBe(true);
        if (e.cost !== null) expect(e.cost).toBeGreaterThanOrEqual(0);
        for (const n of [e.tokens.prompt, e.tokens.completion, e.tokens.total]) expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
        if (e.injection !== null) expect(e.injection.blocked).toBeLessThanOrEqual(e.injection.total);
        for (const a of e.assertions) if (a.meanScore !== null) expect(a.meanScore >= 0 && a.meanScore <= 1).toBe(true);
        const m = mergeEval([e, e]);
        expect(m.tests).toBe(2 * e.tests);
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('mutated fixtures: a value or a ConfigError', () => {
    fc.assert(
      fc.property(mutatedFixtureText('genai/promptfoo-results.json', 'genai/promptfoo-redteam.json'), (t) => returnsOrConfigError(() => parseEvalFile(sourceFile('r.json', t)))),
      { numRuns: 200, seed: 42 },
    );
  });
});
