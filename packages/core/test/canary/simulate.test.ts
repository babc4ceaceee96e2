/**
 * The traffic simulator: exact samplers (moments of Poisson, binomial, gamma), seeded determinism,
 * weights splitting requests, the regression ratio, and what overdispersion does to the arms.
 */
import { describe, expect, it } from '@jest/globals';
import { mulberry32, Sampler, simulatedClock, simulatedProvider } from '../../src/canary/simulate.js';
import type { MetricCounts, WindowSample } from '../../src/canary/model.js';

function moments(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe('samplers', () => {
  const s = new Sampler(mulberry32(42));
  const draw = (n: number, f: () => number) => Array.from({ length: n }, f);

  it('Poisson: mean = variance, small and large means', () => {
    for (const lambda of [0.3, 4, 50, 5000]) {
      const m = moments(draw(20_000, () => s.poisson(lambda)));
      expect(Math.abs(m.mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / 20_000));
      expect(m.variance / lambda).toBeGreaterThan(0.95);
      expect(m.variance / lambda).toBeLessThan(1.05);
    }
    expect(s.poisson(0)).toBe(0);
  });

  it('binomial: mean np and variance np(1-p), small and large n', () => {
    for (const [n, p] of [
      [20, 0.3],
      [10_000, 0.005],
      [100_000, 0.6],
    ] as const) {
      const xs = draw(20_000, () => s.binomial(n, p));
      const m = moments(xs);
      const v = n * p * (1 - p);
      expect(Math.abs(m.mean - n * p)).toBeLessThan(4 * Math.sqrt(v / 20_000));
      expect(m.variance / v).toBeGreaterThan(0.95);
      expect(m.variance / v).toBeLessThan(1.05);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...xs)).toBeLessThanOrEqual(n);
    }
    expect(s.binomial(10, 0)).toBe(0);
    expect(s.binomial(10, 1)).toBe(10);
  });

  it('gamma: mean k and variance k', () => {
    for (const k of [0.5, 25]) {
      const m = moments(draw(20_000, () => s.gamma(k)));
      expect(m.mean / k).toBeGreaterThan(0.97);
      expect(m.mean / k).toBeLessThan(1.03);
      expect(m.variance / k).toBeGreaterThan(0.93);
      expect(m.variance / k).toBeLessThan(1.07);
    }
  });
});

describe('simulated provider', () => {
  async function windows(spec: Parameters<typeof simulatedProvider>[0], weight: number, n: number): Promise<WindowSample[]> {
    const p = simulatedProvider(spec);
    const clock = simulatedClock();
    const out: WindowSample[] = [];
    for (let i = 0; i < n; i++) {
      const start = clock.now();
      await clock.sleep(60_000);
      const r = await p.read({ start, end: clock.now(), weight });
      if (r.ok) out.push(r.sample);
    }
    return out;
  }
  const sum = (ws: WindowSample[], f: (c: MetricCounts) => number) => ws.reduce((a, w) => a + f(w.metrics.errors!), 0);

  it('is deterministic by seed, and splits requests by weight', async () => {
    const a = await windows({ seed: 5, requestsPerMinute: 2000 }, 25, 50);
    const b = await windows({ seed: 5, requestsPerMinute: 2000 }, 25, 50);
    const c = await windows({ seed: 6, requestsPerMinute: 2000 }, 25, 50);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const canary = sum(a, (m) => m.canary.requests);
    const all = canary + sum(a, (m) => m.baseline.requests);
    expect(all / 50).toBeGreaterThan(1950);
    expect(all / 50).toBeLessThan(2050);
    expect(canary / all).toBeGreaterThan(0.24);
    expect(canary / all).toBeLessThan(0.26);
    expect(a[0]!.end).toBe('2026-01-05T10:01:00.000Z');
    expect(a[0]!.guards.p99Ms).toBeGreaterThan(200);
  });

  it('applies the error ratio to the canary only', async () => {
    const ws = await windows({ seed: 1, requestsPerMinute: 20_000, errorRatio: 3 }, 50, 100);
    const canaryRate = sum(ws, (m) => m.canary.bad) / sum(ws, (m) => m.canary.requests);
    const baselineRate = sum(ws, (m) => m.baseline.bad) / sum(ws, (m) => m.baseline.requests);
    expect(baselineRate).toBeGreaterThan(0.0045);
    expect(baselineRate).toBeLessThan(0.0055);
    expect(canaryRate / baselineRate).toBeGreaterThan(2.8);
    expect(canaryRate / baselineRate).toBeLessThan(3.2);
  });

  it('per-arm overdispersion spreads the canary share of errors beyond binomial; shared does not', async () => {
    const share = (ws: WindowSample[]) => ws.map((w) => w.metrics.errors!.canary.bad / (w.metrics.errors!.canary.bad + w.metrics.errors!.baseline.bad));
    const none = moments(share(await windows({ seed: 2, requestsPerMinute: 20_000 }, 50, 400)));
    const shared = moments(share(await windows({ seed: 2, requestsPerMinute: 20_000, overdispersion: 'shared' }, 50, 400)));
    const perArm = moments(share(await windows({ seed: 2, requestsPerMinute: 20_000, overdispersion: 'per-arm' }, 50, 400)));
    // About 100 errors a window: binomial variance of the share is 0.25 / 100.
    expect(none.variance).toBeLessThan(0.0035);
    expect(shared.variance).toBeLessThan(0.0035);
    expect(perArm.variance).toBeGreaterThan(2 * none.variance);
    for (const m of [none, shared, perArm]) expect(Math.abs(m.mean - 0.5)).toBeLessThan(0.01);
  });

  it('reports scrape gaps as ok: false', async () => {
    const p = simulatedProvider({ seed: 3, gapProbability: 1 });
    const r = await p.read({ start: new Date(0), end: new Date(60_000), weight: 1 });
    expect(r).toEqual({ ok: false, reason: 'simulated scrape gap' });
    expect(p.reads).toHaveLength(1);
  });
});
