/**
 * The two comparators of the canary benchmark, run on the same simulated traffic as genops' engine
 * (same simulator, same seeds). Both walk the stages on a fixed schedule: each stage lasts
 * `stageWindows` one-minute windows, of which the first `warmupWindows` are ignored (as in genops),
 * and they never end inconclusive: without a rollback they promote.
 *
 * - fixed threshold (Argo Rollouts AnalysisTemplate / Flagger metric check style): every analysed
 *   window, the canary's error rate is compared with an absolute limit (1 %); a window over it is a
 *   failure, and the rollout rolls back when the failures exceed `failureLimit` (2, counted over the
 *   whole rollout as a background analysis does). A window without canary requests is not a failure.
 * - Kayenta-style Mann-Whitney: at the end of each stage, the analysed windows' canary error rates
 *   are compared with the baseline's by a one-sided Mann-Whitney U test (normal approximation with
 *   tie correction, as Apache Commons Math computes it), at confidence 0.98; the metric fails ("High")
 *   when the test rejects and the canary's mean rate exceeds the baseline's by more than the
 *   tolerance (mean ratio > 1.1). A failed stage rolls back at its end.
 */
import type { MetricsProvider } from '@genops/core';

export type ComparatorOutcome = { outcome: 'promoted' | 'rolled-back'; minutes: number };

export interface ComparatorSchedule {
  stages: readonly number[];
  /** Windows per stage, warm-up included. */
  stageWindows: number;
  warmupWindows: number;
  windowMs: number;
}

async function readErrors(provider: MetricsProvider, t: number, windowMs: number, weight: number) {
  const r = await provider.read({ start: new Date(t), end: new Date(t + windowMs), weight });
  return r.ok ? r.sample.metrics.errors : undefined;
}

/** Fixed threshold on the canary error rate, with a failure limit. */
export async function fixedThreshold(provider: MetricsProvider, s: ComparatorSchedule, opts = { maxErrorRate: 0.01, failureLimit: 2 }): Promise<ComparatorOutcome> {
  let t = 0;
  let failures = 0;
  for (const weight of s.stages.filter((w) => w < 100)) {
    for (let i = 0; i < s.stageWindows; i++) {
      const c = await readErrors(provider, t, s.windowMs, weight);
      t += s.windowMs;
      if (i < s.warmupWindows || c === undefined || c.canary.requests === 0) continue;
      if (c.canary.bad / c.canary.requests > opts.maxErrorRate) failures++;
      if (failures > opts.failureLimit) return { outcome: 'rolled-back', minutes: t / 60_000 };
    }
  }
  return { outcome: 'promoted', minutes: t / 60_000 };
}

/** One-sided p-value that x tends to be larger than y (Mann-Whitney U, normal approximation, ties corrected). */
export function mannWhitneyGreaterP(x: readonly number[], y: readonly number[]): number {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return 1;
  const all = [...x.map((v) => ({ v, g: 0 })), ...y.map((v) => ({ v, g: 1 }))].sort((a, b) => a.v - b.v);
  const value = all.map((a) => a.v);
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < value.length && value[j + 1] === value[i]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[k] = rank;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  let r1 = 0;
  all.forEach((a, i) => {
    if (a.g === 0) r1 += ranks[i] ?? 0;
  });
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return 1;
  const z = (u1 - mean - 0.5) / Math.sqrt(variance); // continuity correction
  return 1 - normalCdf(z);
}

function normalCdf(z: number): number {
  // Abramowitz-Stegun 7.1.26 on erf; |error| < 1.5e-7.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Kayenta-style per-stage Mann-Whitney judgement with a tolerance on the mean ratio. */
export async function kayentaMannWhitney(provider: MetricsProvider, s: ComparatorSchedule, opts = { confidence: 0.98, tolerance: 1.1 }): Promise<ComparatorOutcome> {
  let t = 0;
  for (const weight of s.stages.filter((w) => w < 100)) {
    const canary: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < s.stageWindows; i++) {
      const c = await readErrors(provider, t, s.windowMs, weight);
      t += s.windowMs;
      if (i < s.warmupWindows || c === undefined || c.canary.requests === 0 || c.baseline.requests === 0) continue;
      canary.push(c.canary.bad / c.canary.requests);
      baseline.push(c.baseline.bad / c.baseline.requests);
    }
    const mean = (a: number[]) => (a.length === 0 ? 0 : a.reduce((x, y) => x + y, 0) / a.length);
    const p = mannWhitneyGreaterP(canary, baseline);
    const mb = mean(baseline);
    const ratio = mb > 0 ? mean(canary) / mb : mean(canary) > 0 ? Infinity : 1;
    if (p < 1 - opts.confidence && ratio > opts.tolerance) return { outcome: 'rolled-back', minutes: t / 60_000 };
  }
  return { outcome: 'promoted', minutes: t / 60_000 };
}
