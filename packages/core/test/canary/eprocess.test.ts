/**
 * The canary e-processes: per-window factors and the mixtures against hand-computed values, a direct
 * (no logs) reference computation of the mixtures, and seeded Monte Carlo checks of Ville's bound
 * (validity) and of power, for both factors.
 */
import { describe, expect, it } from '@jest/globals';
import {
  BOUND_TOLERANCES,
  canaryShare,
  eProcessStateProblems,
  eValueOf,
  logMeanExp,
  logNoninferiorityEValue,
  logRollbackEValue,
  logWindowFactor,
  newEProcessState,
  NONINFERIORITY_RHOS,
  noninferiorityGrid,
  ratioBound,
  ROLLBACK_GRID,
  rollbackLogThreshold,
  updateEProcessState,
  updateMetricEProcess,
  type CanaryMethod,
  type MetricEProcess,
} from '../../src/canary/eprocess.js';
import { mulberry32, Sampler } from '../../src/canary/simulate.js';
import type { MetricCounts } from '../../src/canary/model.js';

const counts = (nc: number, xc: number, nb: number, xb: number): MetricCounts => ({ canary: { requests: nc, bad: xc }, baseline: { requests: nb, bad: xb } });

describe('per-window factors', () => {
  it('q(R) is the canary share of bad events at ratio R', () => {
    expect(canaryShare(0.5, 1)).toBe(0.5);
    expect(canaryShare(0.5, 1.5)).toBeCloseTo(0.6, 12);
    expect(canaryShare(0.01, 3)).toBeCloseTo(0.03 / 1.02, 12);
    expect(canaryShare(0.25, 2)).toBeCloseTo(0.4, 12);
  });

  it('share: 1 + (f - q0)(q1 - q0) / (q0 (1 - q0))', () => {
    // f = 1: q1 / q0; f = 0: (1 - q1) / (1 - q0); in between, linear.
    expect(logWindowFactor('share', 0.6, 0.5, 4, 4)).toBeCloseTo(Math.log(1.2), 12);
    expect(logWindowFactor('share', 0.6, 0.5, 0, 4)).toBeCloseTo(Math.log(0.8), 12);
    expect(logWindowFactor('share', 0.6, 0.5, 3, 4)).toBeCloseTo(Math.log(1 + (0.25 * 0.1) / 0.25), 12);
    expect(logWindowFactor('share', 0.03, 0.01, 1, 10)).toBeCloseTo(Math.log(1 + (0.09 * 0.02) / (0.01 * 0.99)), 12);
  });

  it('binomial: the likelihood ratio of q1 against q0', () => {
    expect(logWindowFactor('binomial', 0.6, 0.5, 3, 4)).toBeCloseTo(3 * Math.log(1.2) + Math.log(0.8), 12);
    expect(logWindowFactor('binomial', 0.2, 0.4, 0, 5)).toBeCloseTo(5 * Math.log(0.8 / 0.6), 12);
  });

  it('the two agree on a single bad event, and a window without bad events is neutral', () => {
    for (const [q1, q0] of [
      [0.6, 0.5],
      [0.02, 0.01],
      [0.3, 0.45],
    ] as const) {
      expect(logWindowFactor('share', q1, q0, 1, 1)).toBeCloseTo(logWindowFactor('binomial', q1, q0, 1, 1), 12);
      expect(logWindowFactor('share', q1, q0, 0, 1)).toBeCloseTo(logWindowFactor('binomial', q1, q0, 0, 1), 12);
      expect(logWindowFactor('share', q1, q0, 0, 0)).toBe(0);
      expect(logWindowFactor('binomial', q1, q0, 0, 0)).toBe(0);
    }
  });

  it('share has expectation exactly 1 when E[f] = q0, whatever the spread of f', () => {
    // f in {0, 1} with mean q0, or f = q0 always: the factor is linear in f.
    const q0 = 0.3;
    const q1 = 0.5;
    const e = q0 * Math.exp(logWindowFactor('share', q1, q0, 1, 1)) + (1 - q0) * Math.exp(logWindowFactor('share', q1, q0, 0, 1));
    expect(e).toBeCloseTo(1, 12);
    expect(Math.exp(logWindowFactor('share', q1, q0, 3, 10))).toBeCloseTo(1, 12);
  });
});

describe('log-sum-exp', () => {
  it('averages in logs without overflow', () => {
    expect(logMeanExp([0, Math.log(3)])).toBeCloseTo(Math.log(2), 12);
    expect(logMeanExp([1000, 1000])).toBeCloseTo(1000, 9);
    expect(logMeanExp([-Infinity, Math.log(4)])).toBeCloseTo(Math.log(2), 12);
    expect(logMeanExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(logMeanExp([-1000, -1001])).toBeCloseTo(-1000 + Math.log((1 + Math.exp(-1)) / 2), 9);
  });

  it('keeps e-values finite for JSON', () => {
    expect(eValueOf(Math.log(20))).toBeCloseTo(20, 9);
    expect(eValueOf(5000)).toBe(1e300);
    expect(eValueOf(-5000)).toBe(0);
    expect(rollbackLogThreshold(0.05, 2)).toBeCloseTo(Math.log(40), 12);
  });
});

describe('the mixtures', () => {
  const windows = [counts(50, 1, 950, 4), counts(250, 3, 750, 2), counts(500, 6, 500, 3), counts(500, 0, 500, 0), counts(0, 0, 1000, 5)];

  /** Direct products and means, no logs: the definition. */
  function reference(method: CanaryMethod): { rollback: number; noninferiority: number } {
    const rollback = ROLLBACK_GRID.map((r) => {
      let w = 1;
      for (const c of windows) {
        const x = c.canary.bad + c.baseline.bad;
        if (x === 0 || c.canary.requests === 0 || c.baseline.requests === 0) continue;
        const pi0 = c.canary.requests / (c.canary.requests + c.baseline.requests);
        const q = canaryShare(pi0, r);
        const f = c.canary.bad / x;
        w *= method === 'share' ? 1 + ((f - pi0) * (q - pi0)) / (pi0 * (1 - pi0)) : (q / pi0) ** c.canary.bad * ((1 - q) / (1 - pi0)) ** (x - c.canary.bad);
      }
      return w;
    });
    const components = method === 'share' ? NONINFERIORITY_RHOS.length : noninferiorityGrid(1.5).length;
    const ni = Array.from({ length: components }, (_, i) => {
      let w = 1;
      for (const c of windows) {
        const x = c.canary.bad + c.baseline.bad;
        if (x === 0 || c.canary.requests === 0 || c.baseline.requests === 0) continue;
        const pi0 = c.canary.requests / (c.canary.requests + c.baseline.requests);
        const q0 = canaryShare(pi0, 1.5);
        const f = c.canary.bad / x;
        if (method === 'share') w *= 1 + (f - q0) * ((q0 * (NONINFERIORITY_RHOS[i] ?? 1) - q0) / (q0 * (1 - q0)));
        else {
          const q1 = canaryShare(pi0, noninferiorityGrid(1.5)[i] ?? 1);
          w *= (q1 / q0) ** c.canary.bad * ((1 - q1) / (1 - q0)) ** (x - c.canary.bad);
        }
      }
      return w;
    });
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    return { rollback: mean(rollback), noninferiority: mean(ni) };
  }

  for (const method of ['share', 'binomial'] as const) {
    it(`${method}: equal the direct computation, skipping windows without evidence`, () => {
      let state = newEProcessState(method, { errors: 1.5 });
      for (const c of windows) state = updateEProcessState(state, { errors: c });
      const m = state.metrics.errors!;
      const ref = reference(method);
      expect(m.windows).toBe(3);
      expect(m.totals).toEqual({ canary: { requests: 800, bad: 10 }, baseline: { requests: 2200, bad: 9 } });
      expect(Math.exp(logRollbackEValue(m))).toBeCloseTo(ref.rollback, 9);
      expect(Math.exp(logNoninferiorityEValue(m, 1.5)!)).toBeCloseTo(ref.noninferiority, 9);
    });
  }

  it('the state is plain JSON and round-trips', () => {
    let state = newEProcessState('share', { errors: 1.5, latency: 1.25 });
    state = updateEProcessState(state, { errors: counts(500, 9, 500, 1), latency: counts(500, 5, 500, 5) });
    const copy = JSON.parse(JSON.stringify(state)) as typeof state;
    expect(copy).toEqual(state);
    expect(eProcessStateProblems(copy, 'share', { errors: 1.5, latency: 1.25 })).toEqual([]);
    expect(eProcessStateProblems(copy, 'binomial', { errors: 1.5, latency: 1.25 })).toEqual(['e-process state uses method share, the configuration binomial']);
    expect(eProcessStateProblems(copy, 'share', { errors: 1.4, latency: 1.25 })).toEqual([`errors: no non-inferiority test for R >= 1.4 with ${String(NONINFERIORITY_RHOS.length)} points`]);
    expect(state.tolerances.errors).toEqual([...new Set([...BOUND_TOLERANCES, 1.5])].sort((a, b) => a - b));
  });

  it('a canary with far fewer bad events rules out small ratios; the bound is the smallest rejected tolerance', () => {
    let m: MetricEProcess = newEProcessState('share', { errors: 1.5 }).metrics.errors!;
    const tolerances = newEProcessState('share', { errors: 1.5 }).tolerances.errors!;
    expect(ratioBound(m, tolerances, 0.05)).toBeNull();
    // 30 windows at 50 % with the canary's share of bad events at 0.2 (R = 0.25).
    for (let i = 0; i < 30; i++) m = updateMetricEProcess('share', m, tolerances, counts(1000, 2, 1000, 8));
    const bound = ratioBound(m, tolerances, 0.05);
    expect(bound).not.toBeNull();
    expect(logNoninferiorityEValue(m, bound!)!).toBeGreaterThanOrEqual(Math.log(20));
    const smaller = tolerances.filter((c) => c < bound!);
    for (const c of smaller) expect(logNoninferiorityEValue(m, c)!).toBeLessThan(Math.log(20));
    expect(logRollbackEValue(m)).toBeLessThan(0);
  });
});

describe('validity and power (seeded Monte Carlo)', () => {
  /** Fraction of `runs` sequences of `windows` windows at `pi0` whose e-process ever reaches 1/alpha. */
  function crossing(method: CanaryMethod, test: 'rollback' | 'noninferiority', ratio: number, opts: { runs: number; windows: number; pi0: number; events: number; seed: number }): number {
    const s = new Sampler(mulberry32(opts.seed));
    const threshold = Math.log(20);
    let crossed = 0;
    for (let r = 0; r < opts.runs; r++) {
      const fresh = newEProcessState(method, { errors: 1.5 });
      let m = fresh.metrics.errors!;
      const tol = fresh.tolerances.errors!;
      const q = canaryShare(opts.pi0, ratio);
      for (let w = 0; w < opts.windows; w++) {
        const x = s.poisson(opts.events);
        const xc = s.binomial(x, q);
        const n = 10_000;
        m = updateMetricEProcess(method, m, tol, counts(Math.round(n * opts.pi0), xc, n - Math.round(n * opts.pi0), x - xc));
        const l = test === 'rollback' ? logRollbackEValue(m) : logNoninferiorityEValue(m, 1.5)!;
        if (l >= threshold) {
          crossed++;
          break;
        }
      }
    }
    return crossed / opts.runs;
  }

  for (const method of ['share', 'binomial'] as const) {
    it(`${method}: rollback rarely fires at R = 1 (Ville: at most 5 %) and almost always at R = 3`, () => {
      expect(crossing(method, 'rollback', 1, { runs: 600, windows: 40, pi0: 0.25, events: 10, seed: 11 })).toBeLessThan(0.05);
      expect(crossing(method, 'rollback', 3, { runs: 100, windows: 40, pi0: 0.25, events: 10, seed: 12 })).toBeGreaterThan(0.95);
    });

    it(`${method}: R >= 1.5 is rejected rarely at R = 1.5 (at most 5 %) and mostly at R = 1`, () => {
      expect(crossing(method, 'noninferiority', 1.5, { runs: 600, windows: 40, pi0: 0.5, events: 20, seed: 13 })).toBeLessThan(0.05);
      expect(crossing(method, 'noninferiority', 1, { runs: 100, windows: 40, pi0: 0.5, events: 20, seed: 14 })).toBeGreaterThan(0.8);
    });
  }
});
