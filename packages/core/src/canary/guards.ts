/**
 * Hard SLO guards and GenAI guards of canary-promote: absolute limits on the canary, whatever the
 * baseline does (error rate, success rate, p99 and p50 latency, eval quality score, cost per request
 * increase over the baseline).
 *
 * A guard does two things:
 * - It blocks promotion: a stage promotes only when no configured guard is breached on the stage's
 *   pooled reading (the canary-request-weighted mean of its windows). A pooled reading needs enough
 *   data to block: rate guards about 10 bad events' worth of requests at the limit, other guards
 *   windows of at least `minWindowRequests` canary requests; with less the guard is `insufficient`.
 *   A guard marked `required` blocks when it is missing or insufficient. A blocked stage waits, and
 *   ends inconclusive at its deadline.
 * - It rolls back, without the false alarms of a per-window threshold at 1 % traffic (one error in
 *   20 requests is 5 %):
 *   - rate guards (error rate, success rate) by an anytime-valid test: a mixture over bet sizes of
 *     products of 1 + lambda (r_w - limit), where r_w is a window's canary error rate (or failure rate).
 *     Its expectation is <= 1 whenever the canary's true rate is within the limit, whatever the window
 *     sizes and however bursty the errors, so P(false rollback) <= guards.alpha (split over the rate
 *     guards) by Ville's inequality;
 *   - other guards (latency quantiles, quality, cost) by a disaster rule with no error guarantee:
 *     breached in `consecutiveBreaches` consecutive windows that each had at least `minWindowRequests`
 *     canary requests. 0 turns it off (those guards then only block promotion).
 * Guard state is plain JSON, saved with the rollout.
 */
import { logMeanExp } from './eprocess.js';
import type { GuardReadings, MetricCounts, CanaryMetric } from './model.js';

// Module-level copies: reading the global `Math` is slow in some sandboxes (Jest's vm context: ~20x),
// and these run millions of times in simulations.
const { ceil, exp, log, log1p, max, min } = Math;


export type GuardName = 'errorRate' | 'successRate' | 'p99Ms' | 'p50Ms' | 'qualityScore' | 'costSpike';
export const GUARD_NAMES: readonly GuardName[] = ['errorRate', 'successRate', 'p99Ms', 'p50Ms', 'qualityScore', 'costSpike'];

/** Which side of the limit is bad, and how the guard reads. */
export const GUARD_INFO: Record<GuardName, { bound: 'max' | 'min'; rate: boolean; describe: string }> = {
  errorRate: { bound: 'max', rate: true, describe: 'canary error rate' },
  successRate: { bound: 'min', rate: true, describe: 'canary success rate' },
  p99Ms: { bound: 'max', rate: false, describe: 'canary p99 latency (ms)' },
  p50Ms: { bound: 'max', rate: false, describe: 'canary p50 latency (ms)' },
  qualityScore: { bound: 'min', rate: false, describe: 'canary eval quality score' },
  costSpike: { bound: 'max', rate: false, describe: 'canary cost per request over the baseline, minus 1' },
};

export interface GuardSpec {
  /** The limit: a maximum for errorRate, p99Ms, p50Ms, costSpike; a minimum for successRate, qualityScore. */
  limit: number;
  /** No reading at all over a stage blocks its promotion (otherwise the guard is "not evaluated"). */
  required: boolean;
}

export interface GuardsConfig {
  /** Error budget of the rate guards' rollback tests, split between the enabled rate guards. */
  alpha: number;
  /** Non-rate guards roll back after this many consecutive breached windows (0: never, only block promotion). */
  consecutiveBreaches: number;
  /** ...counting only windows with at least this many canary requests. */
  minWindowRequests: number;
  /** null: guard off. */
  specs: Record<GuardName, GuardSpec | null>;
}

export const DEFAULT_GUARDS: GuardsConfig = {
  alpha: 0.01,
  consecutiveBreaches: 3,
  minWindowRequests: 100,
  specs: {
    errorRate: { limit: 0.01, required: false },
    successRate: { limit: 0.99, required: false },
    p99Ms: { limit: 500, required: false },
    p50Ms: { limit: 100, required: false },
    qualityScore: { limit: 0.85, required: false },
    costSpike: { limit: 0.5, required: false },
  },
};

/** Bet sizes of the rate-guard test, as fractions of the largest bet that keeps every factor >= 0. */
const RATE_BET_FRACTIONS: readonly number[] = Array.from({ length: 20 }, (_, i) => (i + 1) / 21);

/** `insufficient`: readings exist but too few canary requests for the pooled value to mean anything. */
export type GuardStatus = 'ok' | 'breach' | 'missing' | 'insufficient';

export interface GuardResult {
  name: GuardName;
  limit: number;
  bound: 'max' | 'min';
  /** Absent when there was no reading. */
  value?: number;
  status: GuardStatus;
}

/**
 * The guard's reading in one window. The error rate falls back to the errors metric's canary counts,
 * the cost spike is canary over baseline cost per request, minus 1.
 */
export function guardValue(name: GuardName, readings: GuardReadings, metrics: Partial<Record<CanaryMetric, MetricCounts>>): number | undefined {
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : undefined);
  switch (name) {
    case 'errorRate': {
      const direct = finite(readings.errorRate);
      if (direct !== undefined) return direct;
      const c = metrics.errors?.canary;
      return c !== undefined && c.requests > 0 ? c.bad / c.requests : undefined;
    }
    case 'successRate':
      return finite(readings.successRate);
    case 'p99Ms':
      return finite(readings.p99Ms);
    case 'p50Ms':
      return finite(readings.p50Ms);
    case 'qualityScore':
      return finite(readings.qualityScore);
    case 'costSpike': {
      const c = finite(readings.costPerRequest);
      const b = finite(readings.baselineCostPerRequest);
      return c !== undefined && b !== undefined && b > 0 ? c / b - 1 : undefined;
    }
  }
}

function judge(name: GuardName, spec: GuardSpec, value: number | undefined): GuardResult {
  const bound = GUARD_INFO[name].bound;
  const base = { name, limit: spec.limit, bound };
  if (value === undefined) return { ...base, status: 'missing' };
  const breach = bound === 'max' ? value > spec.limit : value < spec.limit;
  return { ...base, value, status: breach ? 'breach' : 'ok' };
}

/** Every enabled guard against one window's readings. */
export function evaluateGuards(config: GuardsConfig, readings: GuardReadings, metrics: Partial<Record<CanaryMetric, MetricCounts>>): GuardResult[] {
  const out: GuardResult[] = [];
  for (const name of GUARD_NAMES) {
    const spec = config.specs[name];
    if (spec !== null) out.push(judge(name, spec, guardValue(name, readings, metrics)));
  }
  return out;
}

/** Running guard state across windows (plain JSON). */
export interface GuardState {
  /** Rate guards: summed log-factors per bet size, over the whole rollout. */
  rateTests: Partial<Record<GuardName, number[]>>;
  /** Non-rate guards: current run of breached windows. */
  breachRuns: Partial<Record<GuardName, number>>;
  /** This stage's pooled readings: sum of weight * value and of weights. Reset at each stage. */
  stagePool: Partial<Record<GuardName, { weighted: number; weight: number; seen: number; sizeUnknown: boolean }>>;
}

export function newGuardState(config: GuardsConfig): GuardState {
  const rateTests: Partial<Record<GuardName, number[]>> = {};
  for (const name of GUARD_NAMES) if (config.specs[name] !== null && GUARD_INFO[name].rate) rateTests[name] = RATE_BET_FRACTIONS.map(() => 0);
  return { rateTests, breachRuns: {}, stagePool: {} };
}

/** The state at the start of a stage: the rate tests run on, the per-stage parts start again. */
export function guardStateForNewStage(state: GuardState): GuardState {
  return { rateTests: state.rateTests, breachRuns: {}, stagePool: {} };
}

/** The bad-event rate a rate guard bets on, with its limit, both in "bad" terms (failure = 1 - success). */
function badRate(name: GuardName, value: number, limit: number): { rate: number; limit: number } {
  return GUARD_INFO[name].bound === 'max' ? { rate: value, limit } : { rate: 1 - value, limit: 1 - limit };
}

export interface GuardWindowUpdate {
  state: GuardState;
  results: GuardResult[];
  /** log e-values of the rate tests after this window. */
  rateLogE: Partial<Record<GuardName, number>>;
  /** Set when a guard demands a rollback. */
  rollback?: { guard: GuardName; reason: string };
}

function clamp01(v: number): number {
  return min(1, max(0, v));
}

/**
 * One data window through the guards. `canaryRequests` weighs the pooled readings and gates the
 * disaster rule (the errors metric's canary requests, or 1 when unknown).
 */
export function updateGuards(config: GuardsConfig, state: GuardState, readings: GuardReadings, metrics: Partial<Record<CanaryMetric, MetricCounts>>, canaryRequests: number | undefined): GuardWindowUpdate {
  const results = evaluateGuards(config, readings, metrics);
  const rateTests = { ...state.rateTests };
  const breachRuns = { ...state.breachRuns };
  const stagePool = { ...state.stagePool };
  const rateLogE: Partial<Record<GuardName, number>> = {};
  const rateGuards = Object.keys(state.rateTests).length;
  const rateThreshold = log(max(1, rateGuards) / config.alpha);
  let rollback: GuardWindowUpdate['rollback'];
  const weight = canaryRequests ?? 1;
  for (const r of results) {
    const spec = config.specs[r.name];
    if (spec === null) continue;
    if (r.value !== undefined && weight > 0) {
      const pool = stagePool[r.name] ?? { weighted: 0, weight: 0, seen: 0, sizeUnknown: false };
      // A latency quantile or score of a handful of requests says little: pool only large-enough windows.
      const large = GUARD_INFO[r.name].rate || canaryRequests === undefined || canaryRequests >= config.minWindowRequests;
      stagePool[r.name] = large
        ? { weighted: pool.weighted + r.value * weight, weight: pool.weight + weight, seen: pool.seen + 1, sizeUnknown: pool.sizeUnknown || canaryRequests === undefined }
        : { ...pool, seen: pool.seen + 1 };
    }
    const logs = rateTests[r.name];
    if (logs !== undefined) {
      if (r.value !== undefined && weight > 0) {
        const { rate, limit } = badRate(r.name, clamp01(r.value), spec.limit);
        // Largest bet keeping 1 + lambda (rate - limit) >= 0 at rate 0 is 1 / limit.
        const next = limit > 0 && limit < 1 ? logs.map((l, i) => l + log1p(((RATE_BET_FRACTIONS[i] ?? 0) / limit) * (rate - limit))) : logs;
        rateTests[r.name] = next;
        rateLogE[r.name] = logMeanExp(next);
      } else rateLogE[r.name] = logMeanExp(logs);
      const logE = rateLogE[r.name] ?? 0;
      if (rollback === undefined && logE >= rateThreshold) {
        const side = GUARD_INFO[r.name].bound === 'max' ? 'above its maximum' : 'below its minimum';
        const e = logE >= 690 ? '>1e300' : exp(logE).toPrecision(3);
        rollback = { guard: r.name, reason: `${GUARD_INFO[r.name].describe} is ${side} ${String(spec.limit)} (anytime-valid test: e-value ${e} >= ${(max(1, rateGuards) / config.alpha).toPrecision(3)})` };
      }
      continue;
    }
    // Non-rate guard: disaster rule over consecutive, large-enough windows.
    if (canaryRequests !== undefined && canaryRequests < config.minWindowRequests) continue;
    if (r.status === 'breach') breachRuns[r.name] = (breachRuns[r.name] ?? 0) + 1;
    else if (r.status === 'ok') breachRuns[r.name] = 0;
    const run = breachRuns[r.name] ?? 0;
    if (rollback === undefined && config.consecutiveBreaches > 0 && run >= config.consecutiveBreaches) {
      rollback = { guard: r.name, reason: `${GUARD_INFO[r.name].describe} breached its ${GUARD_INFO[r.name].bound} ${String(spec.limit)} in ${String(run)} consecutive windows` };
    }
  }
  return { state: { rateTests, breachRuns, stagePool }, results, rateLogE, ...(rollback === undefined ? {} : { rollback }) };
}

/** The stage's pooled guard readings; `blocking` lists what stops promotion. */
export function stageGuardSummary(config: GuardsConfig, state: GuardState): { results: GuardResult[]; blocking: string[] } {
  const results: GuardResult[] = [];
  const blocking: string[] = [];
  for (const name of GUARD_NAMES) {
    const spec = config.specs[name];
    if (spec === null) continue;
    const pool = state.stagePool[name];
    const value = pool !== undefined && pool.weight > 0 ? pool.weighted / pool.weight : undefined;
    let r = judge(name, spec, value);
    if (pool !== undefined && pool.seen > 0 && (value === undefined || (GUARD_INFO[name].rate && !pool.sizeUnknown && pool.weight < minRateGuardRequests(name, spec.limit)))) {
      r = { name, limit: spec.limit, bound: r.bound, ...(value === undefined ? {} : { value }), status: 'insufficient' };
    }
    results.push(r);
    if (r.status === 'breach') blocking.push(`${GUARD_INFO[name].describe} ${formatGuardValue(name, r.value)} breaches its ${r.bound} ${String(spec.limit)}`);
    else if (r.status === 'missing' && spec.required) blocking.push(`required guard ${name} has no reading`);
    else if (r.status === 'insufficient' && spec.required) blocking.push(`required guard ${name} has too few canary requests`);
  }
  return { results, blocking };
}

/**
 * Canary requests a rate guard's pooled reading needs before it can block promotion: about 10 bad
 * events at the limit (1,000 requests for a 1 % error-rate limit). Below that, one error at 1 %
 * traffic would read as a breach; the rollback test still watches every window.
 */
export function minRateGuardRequests(name: GuardName, limit: number): number {
  const bad = GUARD_INFO[name].bound === 'max' ? limit : 1 - limit;
  return bad > 0 ? ceil(10 / bad) : 0;
}

export function formatGuardValue(name: GuardName, value: number | undefined): string {
  if (value === undefined) return 'n/a';
  if (name === 'p99Ms' || name === 'p50Ms') return `${value.toFixed(0)} ms`;
  if (name === 'qualityScore') return value.toFixed(3);
  return `${(value * 100).toFixed(2)} %`;
}
