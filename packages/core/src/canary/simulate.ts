/**
 * Simulated canary traffic: a seeded MetricsProvider and a clock that advances when slept on, for
 * `genops canary simulate`, the tests and the benchmark. Deterministic from the seed.
 *
 * Each window of d minutes at canary weight w: requests n_c ~ Poisson(rpm d w), n_b ~ Poisson(rpm d (1 - w))
 * (one Poisson stream split by weight), and per compared metric, bad events x ~ Binomial(n, p) with
 * p_b = rate * G_b and p_c = rate * ratio * G_c, where G is a per-window rate multiplier:
 * - `none`: G = 1 (Poisson traffic, independent requests);
 * - `shared`: G_c = G_b ~ Gamma(k, 1/k), one draw per window and metric for both arms (traffic-wide
 *   bursts: a bad minute for everyone);
 * - `per-arm`: G_c, G_b ~ Gamma(k, 1/k) independently (bursts from one pod or one client: the arms
 *   differ from minute to minute although their long-run rates are equal). Mean 1, coefficient of
 *   variation `dispersionCv` = 1 / sqrt(k); gamma-Poisson is the negative binomial model.
 * Guard readings: the success rate from the counts (the error rate falls back to the counts in the
 * guards), p50 about 45 ms and p99 about 300 ms scaled by sqrt(latencyRatio), with noise that
 * shrinks with the number of canary requests.
 * Samplers are exact: Marsaglia-Tsang gamma, and Knuth's gamma/beta recursions for Poisson and binomial.
 */
import type { CanaryClock, CanaryMetric, MetricCounts, MetricsProvider, WindowReading, WindowRequest } from './model.js';

// Module-level copies: reading the global `Math` is slow in some sandboxes (Jest's vm context: ~20x),
// and these run millions of times in simulations.
const { PI, cos, exp, floor, imul, log, max, min, pow, sin, sqrt } = Math;


export type Overdispersion = 'none' | 'shared' | 'per-arm';
export const OVERDISPERSION_KINDS: readonly Overdispersion[] = ['none', 'shared', 'per-arm'];

export interface TrafficSimulation {
  seed: number;
  /** Requests per minute over both arms. */
  requestsPerMinute: number;
  /** Baseline error rate (0.005 = 0.5 %). */
  errorRate: number;
  /** Canary error rate over the baseline's. */
  errorRatio: number;
  /** Baseline share of requests slower than the latency SLO threshold. */
  slowRate: number;
  /** Canary slow share over the baseline's. */
  latencyRatio: number;
  overdispersion: Overdispersion;
  /** Coefficient of variation of the per-window gamma rate multiplier (ignored for `none`). */
  dispersionCv: number;
  /** Probability that a window is missing (a scrape gap). */
  gapProbability: number;
}

export const DEFAULT_SIMULATION: TrafficSimulation = {
  seed: 1,
  requestsPerMinute: 2000,
  errorRate: 0.005,
  errorRatio: 1,
  slowRate: 0.01,
  latencyRatio: 1,
  overdispersion: 'none',
  dispersionCv: 0.2,
  gapProbability: 0,
};

// ---------------------------------------------------------------------------------------------
// Random numbers.

/** mulberry32 (the same as testkit's seededRandom): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class Sampler {
  private spare: number | undefined;
  constructor(readonly uniform: () => number) {}

  /** (0, 1): never 0, so logs are finite. */
  private u(): number {
    let x = this.uniform();
    while (x === 0) x = this.uniform();
    return x;
  }

  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const r = sqrt(-2 * log(this.u()));
    const t = 2 * PI * this.uniform();
    this.spare = r * sin(t);
    return r * cos(t);
  }

  /** Gamma(shape, 1), Marsaglia-Tsang. */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * pow(this.u(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.u();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (log(u) < 0.5 * x * x + d * (1 - v + log(v))) return d * v;
    }
  }

  /** Binomial(n, p), exact: Knuth's beta recursion down to small n, then Bernoulli trials. */
  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - this.binomial(n, 1 - p);
    let k = 0;
    let m = n;
    let q = p;
    while (m > 40) {
      const a = 1 + floor(m / 2);
      const b = m + 1 - a;
      const ga = this.gamma(a);
      const x = ga / (ga + this.gamma(b));
      if (x >= q) {
        m = a - 1;
        q = q / x;
      } else {
        k += a;
        m = b - 1;
        q = (q - x) / (1 - x);
      }
    }
    for (let i = 0; i < m; i++) if (this.uniform() < q) k++;
    return k;
  }

  /** Poisson(mean), exact: Knuth's gamma recursion for large means, multiplication below 30. */
  poisson(mean: number): number {
    let k = 0;
    let lambda = mean;
    while (lambda > 30) {
      const m = floor((7 * lambda) / 8);
      const x = this.gamma(m);
      if (x < lambda) {
        k += m;
        lambda -= x;
      } else return k + this.binomial(m - 1, lambda / x);
    }
    if (lambda <= 0) return k;
    const limit = exp(-lambda);
    let prod = this.uniform();
    while (prod > limit) {
      k++;
      prod *= this.uniform();
    }
    return k;
  }
}

// ---------------------------------------------------------------------------------------------
// Provider and clock.

/** A clock whose sleep advances simulated time at once. */
export function simulatedClock(start: Date = new Date('2026-01-05T10:00:00Z')): CanaryClock & { advance(ms: number): void } {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    sleep: async (ms) => {
      t += ms;
      await Promise.resolve();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export interface SimulatedProvider extends MetricsProvider {
  /** Windows read so far (for tests: which weights were observed). */
  readonly reads: WindowRequest[];
}

/** A seeded provider of simulated windows. */
export function simulatedProvider(spec: Partial<TrafficSimulation> = {}): SimulatedProvider {
  const s: TrafficSimulation = { ...DEFAULT_SIMULATION, ...spec };
  const rng = new Sampler(mulberry32(s.seed));
  const shape = s.dispersionCv > 0 ? 1 / (s.dispersionCv * s.dispersionCv) : Infinity;
  const multiplier = () => (shape === Infinity ? 1 : rng.gamma(shape) / shape);
  const reads: WindowRequest[] = [];

  const metric = (nc: number, nb: number, rate: number, ratio: number): MetricCounts => {
    let gc = 1;
    let gb = 1;
    if (s.overdispersion === 'shared') gc = gb = multiplier();
    else if (s.overdispersion === 'per-arm') {
      gc = multiplier();
      gb = multiplier();
    }
    return {
      canary: { requests: nc, bad: rng.binomial(nc, min(1, rate * ratio * gc)) },
      baseline: { requests: nb, bad: rng.binomial(nb, min(1, rate * gb)) },
    };
  };

  return {
    kind: 'simulated',
    reads,
    read: async (window: WindowRequest): Promise<WindowReading> => {
      await Promise.resolve();
      reads.push(window);
      const minutes = (window.end.getTime() - window.start.getTime()) / 60_000;
      const share = min(1, max(0, window.weight / 100));
      const nc = rng.poisson(s.requestsPerMinute * minutes * share);
      const nb = rng.poisson(s.requestsPerMinute * minutes * (1 - share));
      const metrics: Record<CanaryMetric, MetricCounts> = {
        errors: metric(nc, nb, s.errorRate, s.errorRatio),
        latency: metric(nc, nb, s.slowRate, s.latencyRatio),
      };
      // Drawn after the counts so a gap does not shift the random stream of later windows.
      const gap = s.gapProbability > 0 && rng.uniform() < s.gapProbability;
      const noise = 1 / sqrt(nc + 1);
      const latencyScale = sqrt(s.latencyRatio);
      const p50Ms = 45 * latencyScale * exp(0.5 * noise * rng.normal());
      const p99Ms = 300 * latencyScale * exp(noise * rng.normal());
      if (gap) return { ok: false, reason: 'simulated scrape gap' };
      return {
        ok: true,
        sample: {
          start: window.start.toISOString(),
          end: window.end.toISOString(),
          metrics,
          guards: nc > 0 ? { successRate: 1 - metrics.errors.canary.bad / nc, p50Ms, p99Ms } : {},
        },
      };
    },
  };
}
