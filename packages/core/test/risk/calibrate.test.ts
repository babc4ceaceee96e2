/**
 * Calibration: parsing a JSON Lines history, Brier score, ROC AUC, the reliability table and the
 * isotonic threshold fit; hand-computed values on tiny inputs, exact figures of the fixture
 * history, and properties of AUC and the fit.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError } from '../../src/errors.js';
import {
  brierScore,
  calibrationReport,
  fitThresholds,
  isotonicBlocks,
  parseHistory,
  reliabilityTable,
  rocAuc,
  THRESHOLD_GAP,
  tierStats,
  type ScoredOutcome,
} from '../../src/risk/calibrate.js';

const FIXTURE = new URL('../../../../fixtures/risk/history.jsonl', import.meta.url);
const CURRENT = { medium: 0.25, high: 0.45, critical: 0.65 };

const ok = (score: number): ScoredOutcome => ({ score, outcome: 'success' });
const bad = (score: number): ScoredOutcome => ({ score, outcome: 'failure' });
/** n records at one score, `failures` of them failures. */
const many = (score: number, n: number, failures: number): ScoredOutcome[] => Array.from({ length: n }, (_x, i) => (i < failures ? bad(score) : ok(score)));

function parseError(text: string): ConfigError {
  try {
    parseHistory(text, 'history.jsonl');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parseHistory', () => {
  it('reads records, skipping blank lines, with CRLF and a BOM', () => {
    const text = '\uFEFF{"id":"a#1","score":0.2,"outcome":"success","service":"api","date":"2026-01-05T10:00:00Z","extra":1}\r\n\r\n{"id":"a#2","score":1,"outcome":"failure"}\n';
    expect(parseHistory(text, 'h.jsonl')).toEqual([
      { id: 'a#1', score: 0.2, outcome: 'success', service: 'api', date: '2026-01-05T10:00:00Z' },
      { id: 'a#2', score: 1, outcome: 'failure' },
    ]);
  });

  it('names the file and line of the first bad record', () => {
    const good = '{"id":"a","score":0.1,"outcome":"success"}';
    const cases: [string, number, string][] = [
      [`${good}\n\n{"id":"b","score":0.1,"outcome":"success"`, 3, 'not JSON'],
      [`${good}\n[1,2]`, 2, 'not a JSON object'],
      [`${good}\n{"id":"","score":0.1,"outcome":"success"}`, 2, '"id" must be a non-empty string'],
      [`{"id":"b","score":1.2,"outcome":"success"}`, 1, '"score" must be a number from 0 to 1'],
      [`{"id":"b","score":"0.5","outcome":"success"}`, 1, '"score" must be a number from 0 to 1'],
      [`{"id":"b","score":0.5,"outcome":"rolled back"}`, 1, '"outcome" must be "success" or "failure"'],
      [`{"id":"b","score":0.5,"outcome":"failure","date":"last tuesday"}`, 1, '"date" must be an ISO 8601 date'],
      [`{"id":"b","score":0.5,"outcome":"failure","date":"1"}`, 1, '"date" must be an ISO 8601 date'],
      [`{"id":"b","score":0.5,"outcome":"failure","date":"2026-02-30T25:00Z"}`, 1, '"date" must be an ISO 8601 date'],
      [`{"id":"b","score":0.5,"outcome":"failure","service":7}`, 1, '"service" must be a string'],
      [`${good}\n${good}`, 2, '"id" "a" already appeared on line 1'],
    ];
    for (const [text, line, what] of cases) {
      const e = parseError(text);
      expect(e.code).toBe('FILE_INVALID');
      expect(e.details.file).toBe('history.jsonl');
      expect(e.details.line).toBe(line);
      expect(e.message).toBe(`history.jsonl:${String(line)}: ${what}`);
    }
  });

  it('refuses a history with no records', () => {
    const e = parseError('\n  \n');
    expect(e.code).toBe('FILE_INVALID');
    expect(e.message).toBe('history.jsonl holds no scored changes');
  });
});

describe('figures on tiny inputs', () => {
  it('Brier score', () => {
    expect(brierScore([ok(0.5), bad(0.5), ok(0.5)])).toBe(0.25);
    expect(brierScore([ok(0), bad(1)])).toBe(0);
    expect(brierScore([bad(0.2), ok(0.6)])).toBeCloseTo((0.64 + 0.36) / 2, 15);
    expect(brierScore([])).toBeNull();
  });

  it('ROC AUC: separated 1, reversed 0, all tied 0.5, ties count half', () => {
    expect(rocAuc([ok(0.1), ok(0.2), bad(0.3), bad(0.9)])).toBe(1);
    expect(rocAuc([bad(0.1), bad(0.2), ok(0.3), ok(0.9)])).toBe(0);
    expect(rocAuc([bad(0.4), ok(0.4), bad(0.4), ok(0.4)])).toBe(0.5);
    // Failures 0.8, 0.5; successes 0.5, 0.2: pairs 1 + 1 + 0.5 + 1 of 4.
    expect(rocAuc([bad(0.8), bad(0.5), ok(0.5), ok(0.2)])).toBe(0.875);
    expect(rocAuc([ok(0.1), ok(0.9)])).toBeNull();
    expect(rocAuc([bad(0.1)])).toBeNull();
  });

  it('reliability table: equal-width bins, the last closed at 1', () => {
    const table = reliabilityTable([ok(0), bad(0.25), ok(0.3), bad(0.99), bad(1)], 4);
    expect(table).toEqual([
      { from: 0, to: 0.25, count: 1, failures: 0, meanPredicted: 0, observedFailureRate: 0 },
      { from: 0.25, to: 0.5, count: 2, failures: 1, meanPredicted: 0.275, observedFailureRate: 0.5 },
      { from: 0.5, to: 0.75, count: 0, failures: 0, meanPredicted: null, observedFailureRate: null },
      { from: 0.75, to: 1, count: 2, failures: 2, meanPredicted: 0.995, observedFailureRate: 1 },
    ]);
    for (const bins of [0, 1.5, 101]) expect(() => reliabilityTable([ok(0.1)], bins)).toThrow(ConfigError);
  });

  it('tier stats count each record in the tier its score falls in', () => {
    expect(tierStats([ok(0.1), bad(0.25), ok(0.3), bad(0.5), bad(0.7), ok(0.7)], CURRENT).map((t) => [t.tier, t.count, t.failures, t.failureRate])).toEqual([
      ['low', 1, 0, 0],
      ['medium', 2, 1, 0.5],
      ['high', 1, 1, 1],
      ['critical', 2, 1, 0.5],
    ]);
  });
});

describe('threshold fit', () => {
  it('pools adjacent violators over distinct scores', () => {
    // 0.2: 1 of 2 fail (50 %), 0.25: 0 of 10, 0.3: 1 of 4 -> 0.2 and 0.25 pool to 1/12, then 0.3 (25 %) stays.
    const blocks = isotonicBlocks([...many(0.3, 4, 1), ...many(0.2, 2, 1), ...many(0.25, 10, 0)]);
    expect(blocks).toEqual([
      { from: 0.2, to: 0.25, count: 12, failures: 1 },
      { from: 0.3, to: 0.3, count: 4, failures: 1 },
    ]);
  });

  it('places each threshold where the isotonic failure rate first reaches its target', () => {
    // Rates 0 %, 10 %, 20 %, 40 % at 0.1, 0.3, 0.5, 0.7: 5 % is first reached at 0.3, 15 % at 0.5, 30 % at 0.7.
    const records = [...many(0.1, 20, 0), ...many(0.3, 20, 2), ...many(0.5, 20, 4), ...many(0.7, 20, 8)];
    const fit = fitThresholds(records, { current: CURRENT });
    expect(fit.thresholds).toEqual({ medium: 0.2, high: 0.4, critical: 0.6 });
    expect(fit.source).toEqual({ medium: 'fitted', high: 'fitted', critical: 'fitted' });
    expect(tierStats(records, fit.thresholds).map((t) => t.failureRate)).toEqual([0, 0.1, 0.2, 0.4]);
    // Other targets move the thresholds: 10 % is reached at 0.3, 20 % at 0.5, 35 % at 0.7.
    expect(fitThresholds(records, { current: CURRENT, targets: { medium: 0.1, high: 0.2, critical: 0.35 } }).thresholds).toEqual({ medium: 0.2, high: 0.4, critical: 0.6 });
    expect(fitThresholds(records, { current: CURRENT, targets: { medium: 0.01, high: 0.02, critical: 0.5 } }).thresholds).toEqual({ medium: 0.2, high: 0.21, critical: 0.65 });
  });

  it('keeps the current threshold where the history does not reach a target, and stays increasing', () => {
    const records = [...many(0.1, 50, 0), ...many(0.6, 50, 5)]; // 10 % at most: critical (30 %) and high (15 %) never reached
    const fit = fitThresholds(records, { current: { medium: 0.5, high: 0.52, critical: 0.9 } });
    expect(fit.source).toEqual({ medium: 'fitted', high: 'kept', critical: 'kept' });
    expect(fit.thresholds).toEqual({ medium: 0.35, high: 0.52, critical: 0.9 });
    // A fitted medium above the kept high pushes high and critical up by the gap.
    const pushed = fitThresholds(records, { current: { medium: 0.1, high: 0.2, critical: 0.3 } });
    expect(pushed.thresholds).toEqual({ medium: 0.35, high: 0.36, critical: 0.37 });
  });

  it('needs enough records at or above a threshold to accept it', () => {
    const records = [...many(0.1, 50, 0), ...many(0.9, 3, 3)];
    expect(fitThresholds(records, { current: CURRENT }).source).toEqual({ medium: 'kept', high: 'kept', critical: 'kept' });
    expect(fitThresholds(records, { current: CURRENT, minTierCount: 3 }).thresholds).toEqual({ medium: 0.5, high: 0.51, critical: 0.52 });
  });

  it('lowers from the top when the thresholds would pass 1', () => {
    const records = [...many(0.1, 50, 0), ...many(1, 20, 20)];
    expect(fitThresholds(records, { current: CURRENT, minTierCount: 1 }).thresholds).toEqual({ medium: 0.55, high: 0.56, critical: 0.57 });
    const top = [...many(0.995, 50, 0), ...many(1, 20, 20)];
    expect(fitThresholds(top, { current: CURRENT }).thresholds).toEqual({ medium: 0.98, high: 0.99, critical: 1 });
  });

  it('refuses targets that are not increasing inside (0, 1)', () => {
    expect(() => fitThresholds([ok(0.1)], { current: CURRENT, targets: { medium: 0.2, high: 0.1, critical: 0.3 } })).toThrow(ConfigError);
    expect(() => fitThresholds([ok(0.1)], { current: CURRENT, targets: { medium: 0, high: 0.1, critical: 0.3 } })).toThrow(ConfigError);
  });
});

describe('the fixture history (fixtures/risk/history.jsonl)', () => {
  const records = parseHistory(readFileSync(FIXTURE, 'utf8'), 'fixtures/risk/history.jsonl');
  const report = calibrationReport(records, CURRENT);

  it('has its computed figures', () => {
    expect(report.count).toBe(400);
    expect(report.failures).toBe(57);
    expect(Math.abs(report.brier - 0.1485767975500001)).toBeLessThan(1e-9);
    expect(Math.abs((report.auc ?? NaN) - 0.7900874635568513)).toBeLessThan(1e-9);
    expect(Math.abs(report.brierBaseline - 0.1425 * 0.8575)).toBeLessThan(1e-12);
    expect(new Set(records.map((r) => r.service)).size).toBe(8);
    const dates = records.map((r) => r.date ?? '').sort();
    expect([dates[0]?.slice(0, 10), dates[dates.length - 1]?.slice(0, 10)]).toEqual(['2025-09-01', '2026-02-28']);
  });

  it('has a reliability table and fitted thresholds whose tiers fail more often as they rise', () => {
    expect(report.reliability.map((b) => b.count)).toEqual([20, 44, 91, 100, 83, 44, 15, 3, 0, 0]);
    expect(report.thresholds).toEqual({ current: CURRENT, fitted: { medium: 0.254, high: 0.394, critical: 0.508 } });
    expect(report.tiers.fitted.map((t) => [t.tier, t.count, t.failures])).toEqual([
      ['low', 114, 2],
      ['medium', 137, 9],
      ['high', 89, 22],
      ['critical', 60, 24],
    ]);
  });
});

describe('properties', () => {
  const outcome = fc.constantFrom<'success' | 'failure'>('success', 'failure');
  const scored = fc.array(fc.record({ score: fc.double({ min: 0, max: 1, noNaN: true }), outcome }), { minLength: 1, maxLength: 60 });

  it('AUC is in [0, 1]; negating distinct scores gives 1 - AUC', () => {
    const distinct = fc
      .uniqueArray(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), { minLength: 2, maxLength: 60, comparator: (a, b) => a === b || (a === 0 && b === 0) })
      .chain((scores) => fc.tuple(fc.constant(scores), fc.array(outcome, { minLength: scores.length, maxLength: scores.length })));
    fc.assert(
      fc.property(distinct, ([scores, outcomes]) => {
        const records = scores.map((score, i) => ({ score, outcome: outcomes[i] ?? 'success' }));
        const auc = rocAuc(records);
        if (auc === null) return;
        expect(auc).toBeGreaterThanOrEqual(0);
        expect(auc).toBeLessThanOrEqual(1);
        const reversed = rocAuc(records.map((r) => ({ ...r, score: -r.score })));
        expect(Math.abs(auc + (reversed ?? NaN) - 1)).toBeLessThan(1e-12);
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('Brier is in [0, 1], the reliability table counts every record once', () => {
    fc.assert(
      fc.property(scored, fc.integer({ min: 1, max: 20 }), (records, bins) => {
        const b = brierScore(records) ?? NaN;
        expect(b).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThanOrEqual(1);
        const table = reliabilityTable(records, bins);
        expect(table.reduce((n, bin) => n + bin.count, 0)).toBe(records.length);
        const auc = rocAuc(records);
        if (auc !== null) expect(auc >= 0 && auc <= 1).toBe(true);
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('fitted thresholds increase by at least the gap; unpushed fitted tiers fail more often as they rise', () => {
    // Scores on a 0.01 grid, so the 3-decimal rounding never moves a threshold across a score; failures
    // (mostly) more likely at higher scores, as in a history worth fitting.
    const grid = fc.array(
      fc.record({ score: fc.integer({ min: 0, max: 100 }).map((n) => n / 100), u: fc.integer({ min: 0, max: 9999 }).map((n) => n / 10000) }).map(({ score, u }): ScoredOutcome => ({ score, outcome: u < score * score ? 'failure' : 'success' })),
      { minLength: 1, maxLength: 200, size: 'max' },
    );
    let monotoneChecked = 0;
    fc.assert(
      fc.property(grid, (records) => {
        const fit = fitThresholds(records, { current: CURRENT, minTierCount: 1 });
        const t = fit.thresholds;
        expect(t.high - t.medium).toBeGreaterThanOrEqual(THRESHOLD_GAP - 1e-12);
        expect(t.critical - t.high).toBeGreaterThanOrEqual(THRESHOLD_GAP - 1e-12);
        expect(t.medium >= 0 && t.critical <= 1).toBe(true);
        const rates = isotonicBlocks(records).map((b) => b.failures / b.count);
        for (let i = 1; i < rates.length; i++) expect((rates[i] ?? 0) >= (rates[i - 1] ?? 0)).toBe(true);
        const allFitted = Object.values(fit.source).every((s) => s === 'fitted');
        const unpushed = t.high - t.medium > THRESHOLD_GAP + 1e-9 && t.critical - t.high > THRESHOLD_GAP + 1e-9 && t.critical < 1;
        if (allFitted && unpushed) {
          const tierRates = tierStats(records, t).flatMap((s) => (s.failureRate === null ? [] : [s.failureRate]));
          for (let i = 1; i < tierRates.length; i++) expect((tierRates[i] ?? 0) >= (tierRates[i - 1] ?? 0)).toBe(true);
          monotoneChecked++;
        }
      }),
      { numRuns: 200, seed: 42 },
    );
    expect(monotoneChecked).toBeGreaterThan(50);
  });
});
