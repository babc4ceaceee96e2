/**
 * canary-promote's contract between the engine (statistics + stage walker, pure, clock injected)
 * and the outside world (metric providers, traffic control). See docs/canary.md and
 * ../shared/design/canary-method.md for the method.
 */

/** The compared metrics: bad events are errors, or requests slower than the latency SLO threshold. */
export type CanaryMetric = 'errors' | 'latency';
export const CANARY_METRICS: readonly CanaryMetric[] = ['errors', 'latency'];

/** Integer counts of one arm in one window. `bad` <= `requests`. */
export interface ArmCounts {
  requests: number;
  bad: number;
}

export interface MetricCounts {
  canary: ArmCounts;
  baseline: ArmCounts;
}

/**
 * Absolute readings for the hard guards, canary arm, over the window. Each is optional: a guard
 * whose reading is absent is not evaluated (and says so in the trace), it never passes silently
 * when it was configured as required.
 */
export interface GuardReadings {
  /** Fraction of canary requests that failed, [0, 1]. */
  errorRate?: number;
  /** Canary latency quantiles in milliseconds. */
  p99Ms?: number;
  p50Ms?: number;
  /** Fraction of canary requests that succeeded, [0, 1]. */
  successRate?: number;
  /** GenAI: canary eval quality score in [0, 1]. */
  qualityScore?: number;
  /** GenAI: cost per request of canary and baseline (any currency, same for both). */
  costPerRequest?: number;
  baselineCostPerRequest?: number;
}

/** One window's data as a provider read it. */
export interface WindowSample {
  /** ISO timestamps; end exclusive. */
  start: string;
  end: string;
  /** Counts per compared metric; a metric missing here is a gap for that metric. */
  metrics: Partial<Record<CanaryMetric, MetricCounts>>;
  guards: GuardReadings;
}

export interface WindowRequest {
  start: Date;
  end: Date;
  /** The canary weight in percent that was set for this window. */
  weight: number;
}

/** A provider never throws for missing data: a gap or an error is `ok: false` (inconclusive). */
export type WindowReading = { ok: true; sample: WindowSample } | { ok: false; reason: string };

export interface MetricsProvider {
  /** `prometheus`, `file`, `http`. */
  readonly kind: string;
  read(window: WindowRequest): Promise<WindowReading>;
}

/**
 * How the canary's traffic share is changed. `setWeight` throwing aborts the rollout (the engine
 * then calls `rollback`). `confirmPromotion` (optional) is asked before the final 100 % step.
 */
export interface TrafficControl {
  setWeight(weight: number): Promise<void>;
  rollback(reason: string): Promise<void>;
  confirmPromotion?(): Promise<boolean>;
}

/** Time enters through here only, so tests and `canary simulate` run without waiting. */
export interface CanaryClock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export type CanaryOutcome = 'promoted' | 'rolled-back' | 'inconclusive';
