/**
 * Hard SLO and GenAI guards: readings and fallbacks, pooled stage readings that need enough data to
 * block, the anytime-valid rate test (fires on a real breach, not on healthy noise at 1 % traffic),
 * and the consecutive-breach rule of the other guards.
 */
import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_GUARDS,
  evaluateGuards,
  guardStateForNewStage,
  guardValue,
  minRateGuardRequests,
  newGuardState,
  stageGuardSummary,
  updateGuards,
  type GuardsConfig,
  type GuardState,
} from '../../src/canary/guards.js';
import type { MetricCounts } from '../../src/canary/model.js';
import { mulberry32, Sampler } from '../../src/canary/simulate.js';

const errors = (nc: number, xc: number): { errors: MetricCounts } => ({ errors: { canary: { requests: nc, bad: xc }, baseline: { requests: 1000, bad: 5 } } });

describe('readings', () => {
  it('reads each guard; the error rate falls back to the errors counts, the cost spike is a ratio', () => {
    expect(guardValue('errorRate', { errorRate: 0.02 }, errors(100, 1))).toBe(0.02);
    expect(guardValue('errorRate', {}, errors(200, 3))).toBe(0.015);
    expect(guardValue('errorRate', {}, errors(0, 0))).toBeUndefined();
    expect(guardValue('costSpike', { costPerRequest: 0.003, baselineCostPerRequest: 0.002 }, {})).toBeCloseTo(0.5, 12);
    expect(guardValue('costSpike', { costPerRequest: 0.003 }, {})).toBeUndefined();
    expect(guardValue('p99Ms', { p99Ms: Number.NaN }, {})).toBeUndefined();
  });

  it('judges every enabled guard against its limit, with the side that is bad', () => {
    const r = evaluateGuards(DEFAULT_GUARDS, { successRate: 0.98, p99Ms: 499, p50Ms: 120, qualityScore: 0.9, costPerRequest: 2, baselineCostPerRequest: 1 }, errors(100, 0));
    expect(r.map((g) => [g.name, g.status])).toEqual([
      ['errorRate', 'ok'],
      ['successRate', 'breach'],
      ['p99Ms', 'ok'],
      ['p50Ms', 'breach'],
      ['qualityScore', 'ok'],
      ['costSpike', 'breach'],
    ]);
    const off: GuardsConfig = { ...DEFAULT_GUARDS, specs: { ...DEFAULT_GUARDS.specs, p50Ms: null, costSpike: null } };
    expect(evaluateGuards(off, {}, {}).map((g) => `${g.name}:${g.status}`)).toEqual(['errorRate:missing', 'successRate:missing', 'p99Ms:missing', 'qualityScore:missing']);
  });
});

describe('stage summary (promotion gate)', () => {
  it('pools readings weighted by canary requests; too little data is insufficient, not a breach', () => {
    expect(minRateGuardRequests('errorRate', 0.01)).toBe(1000);
    expect(minRateGuardRequests('successRate', 0.99)).toBe(1000);
    let s = newGuardState(DEFAULT_GUARDS);
    // 1 % traffic: 20 canary requests a window, one error = 5 % in that window.
    s = updateGuards(DEFAULT_GUARDS, s, { p99Ms: 900 }, errors(20, 1), 20).state;
    s = updateGuards(DEFAULT_GUARDS, s, { p99Ms: 200 }, errors(20, 0), 20).state;
    let sum = stageGuardSummary(DEFAULT_GUARDS, s);
    expect(sum.blocking).toEqual([]);
    expect(sum.results.find((g) => g.name === 'errorRate')).toMatchObject({ value: 0.025, status: 'insufficient' });
    expect(sum.results.find((g) => g.name === 'p99Ms')).toMatchObject({ status: 'insufficient' });
    // Enough data: 1,200 canary requests at 2 % -> blocks.
    s = updateGuards(DEFAULT_GUARDS, guardStateForNewStage(s), { p99Ms: 300 }, errors(1200, 24), 1200).state;
    sum = stageGuardSummary(DEFAULT_GUARDS, s);
    expect(sum.results.find((g) => g.name === 'errorRate')).toMatchObject({ value: 0.02, status: 'breach' });
    expect(sum.blocking).toEqual(['canary error rate 2.00 % breaches its max 0.01']);
    expect(sum.results.find((g) => g.name === 'p99Ms')).toMatchObject({ value: 300, status: 'ok' });
  });

  it('a required guard without readings blocks promotion', () => {
    const cfg: GuardsConfig = { ...DEFAULT_GUARDS, specs: { ...DEFAULT_GUARDS.specs, qualityScore: { limit: 0.85, required: true } } };
    const s = updateGuards(cfg, newGuardState(cfg), {}, errors(500, 1), 500).state;
    expect(stageGuardSummary(cfg, s).blocking).toEqual(['required guard qualityScore has no reading']);
  });
});

describe('rollback', () => {
  function stream(rate: number, requests: number, windows: number, seed: number): { state: GuardState; rolledBackAt: number | undefined } {
    const rng = new Sampler(mulberry32(seed));
    let state = newGuardState(DEFAULT_GUARDS);
    for (let w = 1; w <= windows; w++) {
      const x = rng.binomial(requests, rate);
      const u = updateGuards(DEFAULT_GUARDS, state, { successRate: 1 - x / requests }, errors(requests, x), requests);
      state = u.state;
      if (u.rollback !== undefined) return { state, rolledBackAt: w };
    }
    return { state, rolledBackAt: undefined };
  }

  it('the rate test stays quiet on a healthy canary at 1 % traffic, window after window', () => {
    let fired = 0;
    for (let seed = 1; seed <= 200; seed++) if (stream(0.005, 20, 60, seed).rolledBackAt !== undefined) fired++;
    expect(fired).toBeLessThanOrEqual(2); // bound: guards.alpha = 1 %
  });

  it('the rate test rolls back a canary at 5 % errors within a few windows at 25 % traffic', () => {
    const r = stream(0.05, 500, 30, 3);
    expect(r.rolledBackAt).toBeDefined();
    expect(r.rolledBackAt!).toBeLessThanOrEqual(5);
  });

  it('other guards roll back after N consecutive breaches in large-enough windows', () => {
    let s = newGuardState(DEFAULT_GUARDS);
    const step = (p99Ms: number, n: number) => {
      const u = updateGuards(DEFAULT_GUARDS, s, { p99Ms }, errors(n, 0), n);
      s = u.state;
      return u.rollback;
    };
    expect(step(900, 200)).toBeUndefined();
    expect(step(900, 200)).toBeUndefined();
    expect(step(900, 20)).toBeUndefined(); // too small: neither counts nor resets
    expect(step(300, 200)).toBeUndefined(); // resets
    expect(step(900, 200)).toBeUndefined();
    expect(step(900, 200)).toBeUndefined();
    expect(step(900, 200)).toEqual({ guard: 'p99Ms', reason: 'canary p99 latency (ms) breached its max 500 in 3 consecutive windows' });
    const never: GuardsConfig = { ...DEFAULT_GUARDS, consecutiveBreaches: 0 };
    let t = newGuardState(never);
    for (let i = 0; i < 10; i++) {
      const u = updateGuards(never, t, { p99Ms: 5000 }, errors(500, 0), 500);
      t = u.state;
      expect(u.rollback).toBeUndefined();
    }
  });

  it('guard state is plain JSON', () => {
    const s = stream(0.005, 100, 5, 1).state;
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});
