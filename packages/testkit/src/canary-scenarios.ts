/**
 * Canary rollout scenarios (fixtures/canary/*.json) turned into metric histories, deterministically
 * from the scenario's seed: the same counts as OpenMetrics text for `promtool tsdb
 * create-blocks-from openmetrics` (counters `http_requests_total{version,status}`, histogram
 * `http_request_duration_seconds{version,le}`) and as rows for the file metrics provider.
 *
 * Model, per window of the rollout: total requests ~ Poisson(rpm x minutes x traffic noise); each
 * request goes to the canary with the stage's weight; it fails with its arm's error rate (times the
 * window's common and per-arm noise) and takes a log-normal latency fitted to the arm's p50/p99
 * (drawn as binomial splits of counts: arm, scrape interval, error, histogram cell). Counters at
 * scrape times are exact cumulative sums, so `increase(x[window])` at a window's end gives back the
 * window's counts.
 * Gaps drop every sample strictly between `from` and `to`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { seededRandom } from './seeded-random.js';

export interface ArmSpec {
  /** Mean fraction of requests that fail (HTTP 500). */
  errorRate: number;
  /** Log-normal latency given by its median and 99th percentile. */
  latency: { p50Ms: number; p99Ms: number };
}

export interface StageSpec {
  /** Canary weight in percent; below 100 (the history ends at promotion). */
  weight: number;
  /** How many windows the history stays at this weight. */
  windows: number;
}

export interface CanaryScenario {
  name: string;
  description: string;
  seed: number;
  /** ISO time of the first window's start (a whole minute, in the past). */
  start: string;
  windowSeconds: number;
  /** Seconds between samples; must divide windowSeconds. */
  scrapeSeconds: number;
  /** Total requests per minute over both arms. */
  rpm: number;
  versions: { canary: string; baseline: string };
  /** Histogram bucket upper bounds in seconds (+Inf is added). */
  latencyBuckets: number[];
  /** The bucket bound of the latency SLO: slower requests are "slow"; one of latencyBuckets. */
  slowLe: number;
  canary: ArmSpec;
  baseline: ArmSpec;
  /** Log-normal sigmas of per-window multipliers; 0 = none. */
  noise: { traffic: number; commonErrors: number; armErrors: number };
  stages: StageSpec[];
  gaps: { from: string; to: string }[];
  expected: { outcome: 'promoted' | 'rolled-back' | 'inconclusive'; why: string };
}

export interface ArmWindow {
  requests: number;
  errors: number;
  /** Requests slower than slowLe. */
  slow: number;
  /** Cumulative bucket counts, one per latencyBuckets entry plus +Inf (= requests). */
  buckets: number[];
  /** Sum of latencies in seconds. */
  latencySum: number;
}

export interface GeneratedWindow {
  start: Date;
  end: Date;
  stage: number;
  weight: number;
  canary: ArmWindow;
  baseline: ArmWindow;
  /** True when a gap removed a sample at or inside this window's bounds: Prometheus can't answer it. */
  missing: boolean;
}

/** Counter values of one arm at one scrape time (cumulative since the history's start). */
interface ArmCounters {
  ok: number;
  errors: number;
  buckets: number[];
  sum: number;
}

export interface Scrape {
  time: Date;
  canary: ArmCounters;
  baseline: ArmCounters;
}

export interface CanaryHistory {
  scenario: CanaryScenario;
  windows: GeneratedWindow[];
  /** Every scrape, gaps included (see `dropped`). */
  scrapes: Scrape[];
  /** Scrape times (ms) removed by gaps. */
  dropped: Set<number>;
}

const FIXTURE_DIR = new URL('../../../fixtures/canary/', import.meta.url);

/** The names of the scenario fixtures (file names without .json). */
export function canaryScenarioNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Read and check fixtures/canary/<name>.json. */
export function loadCanaryScenario(name: string): CanaryScenario {
  const file = new URL(`${name}.json`, FIXTURE_DIR);
  return parseCanaryScenario(JSON.parse(readFileSync(file, 'utf8')) as unknown, `fixtures/canary/${name}.json`);
}

/** Check a scenario document; throws naming the file and field. */
export function parseCanaryScenario(doc: unknown, source: string): CanaryScenario {
  const fail = (field: string, expected: string): never => {
    throw new Error(`${source}: ${field}: expected ${expected}`);
  };
  if (typeof doc !== 'object' || doc === null) return fail('(root)', 'an object');
  const s = doc as Record<string, unknown>;
  const num = (v: unknown, field: string, min: number, max = Number.POSITIVE_INFINITY): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : fail(field, `a number in [${min}, ${max}]`);
  const str = (v: unknown, field: string): string => (typeof v === 'string' && v !== '' ? v : fail(field, 'a non-empty string'));
  const time = (v: unknown, field: string): string => {
    const t = str(v, field);
    return Number.isNaN(Date.parse(t)) || !/Z$/.test(t) ? fail(field, 'an ISO time in UTC (ending in Z)') : t;
  };
  const arm = (v: unknown, field: string): ArmSpec => {
    if (typeof v !== 'object' || v === null) return fail(field, 'an object');
    const a = v as Record<string, unknown>;
    const lat = a.latency as Record<string, unknown> | undefined;
    if (typeof lat !== 'object' || lat === null) return fail(`${field}.latency`, 'an object {p50Ms, p99Ms}');
    const p50Ms = num(lat.p50Ms, `${field}.latency.p50Ms`, 0.001);
    const p99Ms = num(lat.p99Ms, `${field}.latency.p99Ms`, p50Ms);
    return { errorRate: num(a.errorRate, `${field}.errorRate`, 0, 1), latency: { p50Ms, p99Ms } };
  };
  const windowSeconds = num(s.windowSeconds, 'windowSeconds', 1);
  const scrapeSeconds = num(s.scrapeSeconds, 'scrapeSeconds', 1, windowSeconds);
  if (!Number.isInteger(windowSeconds / scrapeSeconds)) fail('scrapeSeconds', 'a divisor of windowSeconds');
  const buckets = Array.isArray(s.latencyBuckets) ? s.latencyBuckets.map((b, i) => num(b, `latencyBuckets[${i}]`, 0)) : fail('latencyBuckets', 'an array of seconds');
  if (buckets.some((b, i) => i > 0 && b <= (buckets[i - 1] ?? 0))) fail('latencyBuckets', 'increasing bounds');
  const slowLe = num(s.slowLe, 'slowLe', 0);
  if (!buckets.includes(slowLe)) fail('slowLe', `one of the latencyBuckets (${buckets.join(', ')})`);
  const noise = (s.noise ?? {}) as Record<string, unknown>;
  const stages = Array.isArray(s.stages) && s.stages.length > 0 ? s.stages : fail('stages', 'a non-empty array');
  const versions = s.versions as Record<string, unknown> | undefined;
  const expected = s.expected as Record<string, unknown> | undefined;
  const outcome = expected?.outcome;
  if (outcome !== 'promoted' && outcome !== 'rolled-back' && outcome !== 'inconclusive') fail('expected.outcome', 'promoted, rolled-back or inconclusive');
  const start = time(s.start, 'start');
  if (Date.parse(start) % (windowSeconds * 1000) !== 0) fail('start', 'a multiple of windowSeconds since the epoch');
  return {
    name: str(s.name, 'name'),
    description: str(s.description, 'description'),
    seed: num(s.seed, 'seed', 0, 2 ** 32 - 1),
    start,
    windowSeconds,
    scrapeSeconds,
    rpm: num(s.rpm, 'rpm', 0),
    versions: { canary: str(versions?.canary, 'versions.canary'), baseline: str(versions?.baseline, 'versions.baseline') },
    latencyBuckets: buckets,
    slowLe,
    canary: arm(s.canary, 'canary'),
    baseline: arm(s.baseline, 'baseline'),
    noise: {
      traffic: num(noise.traffic ?? 0, 'noise.traffic', 0, 3),
      commonErrors: num(noise.commonErrors ?? 0, 'noise.commonErrors', 0, 3),
      armErrors: num(noise.armErrors ?? 0, 'noise.armErrors', 0, 3),
    },
    stages: stages.map((st: unknown, i) => {
      const o = (st ?? {}) as Record<string, unknown>;
      const windows = num(o.windows, `stages[${i}].windows`, 1);
      if (!Number.isInteger(windows)) fail(`stages[${i}].windows`, 'an integer');
      return { weight: num(o.weight, `stages[${i}].weight`, 0, 99.999), windows };
    }),
    gaps: (Array.isArray(s.gaps) ? s.gaps : []).map((g: unknown, i) => {
      const o = (g ?? {}) as Record<string, unknown>;
      const from = time(o.from, `gaps[${i}].from`);
      const to = time(o.to, `gaps[${i}].to`);
      if (Date.parse(to) <= Date.parse(from)) fail(`gaps[${i}].to`, 'a time after from');
      return { from, to };
    }),
    expected: { outcome: outcome as CanaryScenario['expected']['outcome'], why: str(expected?.why, 'expected.why') },
  };
}

/** Standard normal draws (Box-Muller) from a uniform source. */
function normal(rand: () => number): number {
  const u = 1 - rand(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Poisson: Knuth's product method for small means, a rounded normal above 50 (plenty for fixtures). */
function poisson(mean: number, rand: () => number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rand)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rand();
  while (p > limit) {
    k++;
    p *= rand();
  }
  return k;
}

/**
 * Binomial(n, p): exact inversion (waiting times) while the expected count of the rarer outcome is
 * below 30, a rounded, clamped normal above (ample for fixtures, and deterministic either way).
 */
function binomial(n: number, p: number, rand: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(n, 1 - p, rand);
  const mean = n * p;
  if (mean >= 30) return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * normal(rand))));
  // Count successes by geometric jumps between them.
  const logQ = Math.log(1 - p);
  let k = 0;
  let i = Math.floor(Math.log(1 - rand()) / logQ);
  while (i < n) {
    k++;
    i += 1 + Math.floor(Math.log(1 - rand()) / logQ);
  }
  return k;
}

/** The standard normal CDF (Abramowitz & Stegun 7.1.26 for erf; error below 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** A log-normal multiplier with mean 1. */
function multiplier(sigma: number, rand: () => number): number {
  return sigma === 0 ? 1 : Math.exp(sigma * normal(rand) - (sigma * sigma) / 2);
}

const Z99 = 2.326347874040841;

/** Generate the history of a scenario. Pure: the same scenario gives the same history. */
export function generateCanaryHistory(scenario: CanaryScenario): CanaryHistory {
  const rand = seededRandom(scenario.seed);
  const windowMs = scenario.windowSeconds * 1000;
  const perWindow = scenario.windowSeconds / scenario.scrapeSeconds;
  const nb = scenario.latencyBuckets.length;
  const slowIndex = scenario.latencyBuckets.indexOf(scenario.slowLe);
  const logNormal = (a: ArmSpec) => ({ mu: Math.log(a.latency.p50Ms / 1000), sigma: Math.log(a.latency.p99Ms / a.latency.p50Ms) / Z99 });
  const dist = { canary: logNormal(scenario.canary), baseline: logNormal(scenario.baseline) };
  // Histogram cells (0, b0], (b0, b1], ..., (b_last, +Inf): probability and mean latency of each.
  const cells = (d: { mu: number; sigma: number }) => {
    const cdf = [...scenario.latencyBuckets.map((b) => normalCdf((Math.log(b) - d.mu) / d.sigma)), 1];
    const probabilities = cdf.map((c, i) => c - (i === 0 ? 0 : (cdf[i - 1] ?? 0)));
    // Partial means of the log-normal: E[X; X <= b] = e^(mu + s^2/2) Phi((ln b - mu - s^2) / s).
    const partial = [...scenario.latencyBuckets.map((b) => Math.exp(d.mu + (d.sigma * d.sigma) / 2) * normalCdf((Math.log(b) - d.mu - d.sigma * d.sigma) / d.sigma)), Math.exp(d.mu + (d.sigma * d.sigma) / 2)];
    const means = partial.map((m, i) => {
      const p = probabilities[i] ?? 0;
      return p <= 0 ? 0 : (m - (i === 0 ? 0 : (partial[i - 1] ?? 0))) / p;
    });
    return { probabilities, means };
  };
  const cellsOf = { canary: cells(dist.canary), baseline: cells(dist.baseline) };
  const cellProbabilities = { canary: cellsOf.canary.probabilities, baseline: cellsOf.baseline.probabilities };
  const cellMeans = { canary: cellsOf.canary.means, baseline: cellsOf.baseline.means };
  const t0 = Date.parse(scenario.start);
  const gaps = scenario.gaps.map((g) => ({ from: Date.parse(g.from), to: Date.parse(g.to) }));

  const zero = (): ArmCounters => ({ ok: 0, errors: 0, buckets: new Array<number>(nb).fill(0), sum: 0 });
  const copy = (c: ArmCounters): ArmCounters => ({ ok: c.ok, errors: c.errors, buckets: [...c.buckets], sum: c.sum });
  const counters = { canary: zero(), baseline: zero() };
  const scrapes: Scrape[] = [{ time: new Date(t0), canary: copy(counters.canary), baseline: copy(counters.baseline) }];
  const windows: GeneratedWindow[] = [];

  let w = 0;
  for (const [stageIndex, stage] of scenario.stages.entries()) {
    for (let k = 0; k < stage.windows; k++, w++) {
      const start = t0 + w * windowMs;
      const total = poisson((scenario.rpm * scenario.windowSeconds * multiplier(scenario.noise.traffic, rand)) / 60, rand);
      const common = multiplier(scenario.noise.commonErrors, rand);
      const rate = {
        canary: Math.min(1, scenario.canary.errorRate * common * multiplier(scenario.noise.armErrors, rand)),
        baseline: Math.min(1, scenario.baseline.errorRate * common * multiplier(scenario.noise.armErrors, rand)),
      };
      // Per scrape interval: what each arm's counters gain. Drawn as counts (binomial splits), not
      // request by request: Jest runs Math-heavy loops ~10x slower than plain Node.
      const delta = Array.from({ length: perWindow }, () => ({ canary: zero(), baseline: zero() }));
      const win = { canary: emptyArmWindow(nb), baseline: emptyArmWindow(nb) };
      const nCanary = binomial(total, stage.weight / 100, rand);
      for (const [arm, n] of [
        ['canary', nCanary],
        ['baseline', total - nCanary],
      ] as const) {
        const aw = win[arm];
        let left = n;
        for (let slot = 0; slot < perWindow; slot++) {
          const d = delta[slot]?.[arm];
          if (d === undefined) throw new Error('unreachable: scrape slot');
          const inSlot = slot === perWindow - 1 ? left : binomial(left, 1 / (perWindow - slot), rand);
          left -= inSlot;
          const errors = binomial(inSlot, rate[arm], rand);
          d.errors += errors;
          d.ok += inSlot - errors;
          // Latency: a multinomial over the histogram's cells, each cell's requests at its mean.
          let rest = inSlot;
          let restP = 1;
          let below = 0;
          for (let b = 0; b <= nb; b++) {
            const p = cellProbabilities[arm][b] ?? 0;
            const inCell = b === nb || restP <= 0 ? rest : binomial(rest, Math.min(1, p / restP), rand);
            rest -= inCell;
            restP -= p;
            below += inCell;
            if (b < nb) d.buckets[b] = (d.buckets[b] ?? 0) + below;
            d.sum += inCell * (cellMeans[arm][b] ?? 0);
          }
          aw.requests += inSlot;
          aw.errors += errors;
        }
      }
      for (const d of delta) {
        for (const arm of ['canary', 'baseline'] as const) {
          const aw = win[arm];
          d[arm].buckets.forEach((c, b) => (aw.buckets[b] = (aw.buckets[b] ?? 0) + c));
          aw.latencySum += d[arm].sum;
        }
      }
      for (const [i, d] of delta.entries()) {
        for (const arm of ['canary', 'baseline'] as const) add(counters[arm], d[arm]);
        scrapes.push({ time: new Date(start + ((i + 1) * windowMs) / perWindow), canary: copy(counters.canary), baseline: copy(counters.baseline) });
      }
      for (const arm of ['canary', 'baseline'] as const) {
        const aw = win[arm];
        aw.buckets[nb] = aw.requests;
        aw.slow = aw.requests - (aw.buckets[slowIndex] ?? 0);
      }
      windows.push({ start: new Date(start), end: new Date(start + windowMs), stage: stageIndex, weight: stage.weight, canary: win.canary, baseline: win.baseline, missing: false });
    }
  }

  const dropped = new Set<number>();
  for (const s of scrapes) {
    const t = s.time.getTime();
    if (gaps.some((g) => t > g.from && t < g.to)) dropped.add(t);
  }
  for (const win of windows) {
    // Every scrape time in [start, end] must be there for an exact answer.
    for (let t = win.start.getTime(); t <= win.end.getTime(); t += scenario.scrapeSeconds * 1000) if (dropped.has(t)) win.missing = true;
  }
  return { scenario, windows, scrapes, dropped };
}

function emptyArmWindow(nb: number): ArmWindow {
  return { requests: 0, errors: 0, slow: 0, buckets: new Array<number>(nb + 1).fill(0), latencySum: 0 };
}

function add(into: ArmCounters, d: ArmCounters): void {
  into.ok += d.ok;
  into.errors += d.errors;
  into.sum += d.sum;
  for (let b = 0; b < into.buckets.length; b++) into.buckets[b] = (into.buckets[b] ?? 0) + (d.buckets[b] ?? 0);
}

/** An OpenMetrics label value: backslash, quote and newline escaped. */
function omLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A float as OpenMetrics writes it: JS's shortest round-trip form, which Go's ParseFloat reads back exactly. */
function omNumber(n: number): string {
  return n.toString();
}

/**
 * The history as OpenMetrics text: one family after the other, each series' samples in time order,
 * timestamps in seconds, `# EOF` last (what promtool's backfill expects).
 */
export function toOpenMetrics(history: CanaryHistory): string {
  const { scenario, scrapes, dropped } = history;
  const kept = scrapes.filter((s) => !dropped.has(s.time.getTime()));
  const ts = (s: Scrape) => (s.time.getTime() / 1000).toString();
  const lines: string[] = [];
  const arms = ['canary', 'baseline'] as const;
  lines.push('# HELP http_requests Requests served, by version and status.', '# TYPE http_requests counter');
  for (const arm of arms) {
    const v = omLabel(scenario.versions[arm]);
    for (const [status, pick] of [
      ['200', (c: ArmCounters) => c.ok],
      ['500', (c: ArmCounters) => c.errors],
    ] as const) {
      for (const s of kept) lines.push(`http_requests_total{version="${v}",status="${status}"} ${pick(s[arm])} ${ts(s)}`);
    }
  }
  lines.push('# HELP http_request_duration_seconds Request latency, by version.', '# TYPE http_request_duration_seconds histogram', '# UNIT http_request_duration_seconds seconds');
  for (const arm of arms) {
    const v = omLabel(scenario.versions[arm]);
    for (const s of kept) {
      const c = s[arm];
      const n = c.ok + c.errors;
      scenario.latencyBuckets.forEach((le, b) => lines.push(`http_request_duration_seconds_bucket{version="${v}",le="${omNumber(le)}"} ${c.buckets[b] ?? 0} ${ts(s)}`));
      lines.push(`http_request_duration_seconds_bucket{version="${v}",le="+Inf"} ${n} ${ts(s)}`);
      lines.push(`http_request_duration_seconds_count{version="${v}"} ${n} ${ts(s)}`);
      lines.push(`http_request_duration_seconds_sum{version="${v}"} ${omNumber(c.sum)} ${ts(s)}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/**
 * Prometheus' histogram_quantile (promql/quantile.go, bucketQuantile) over cumulative counts:
 * linear interpolation inside the bucket holding the rank, the first bucket starting at 0, and
 * the largest finite bound when the rank falls in +Inf. NaN without observations.
 */
export function histogramQuantile(q: number, bounds: readonly number[], cumulative: readonly number[]): number {
  const total = cumulative[bounds.length] ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let b = 0;
  while (b < bounds.length && (cumulative[b] ?? 0) < rank) b++;
  if (b === bounds.length) return bounds[bounds.length - 1] ?? Number.NaN;
  const end = bounds[b] ?? 0;
  if (b === 0 && end <= 0) return end;
  const start = b === 0 ? 0 : (bounds[b - 1] ?? 0);
  const below = b === 0 ? 0 : (cumulative[b - 1] ?? 0);
  return start + (end - start) * ((rank - below) / ((cumulative[b] ?? 0) - below));
}

/** One window in the file provider's JSON format (see core/src/canary/file-provider.ts). */
export interface CanaryWindowRow {
  start: string;
  end: string;
  weight: number;
  canary: { requests: number; errors: number; slow: number };
  baseline: { requests: number; errors: number; slow: number };
  guards: { p50Ms?: number; p99Ms?: number };
}

const ms = (seconds: number) => Math.round(seconds * 1e6) / 1e3;

/** The canary's p50/p99 as Prometheus computes them from the window's histogram, in ms. */
export function windowQuantilesMs(history: CanaryHistory, win: GeneratedWindow): { p50Ms?: number; p99Ms?: number } {
  const bounds = history.scenario.latencyBuckets;
  const p50 = histogramQuantile(0.5, bounds, win.canary.buckets);
  const p99 = histogramQuantile(0.99, bounds, win.canary.buckets);
  return { ...(Number.isNaN(p50) ? {} : { p50Ms: ms(p50) }), ...(Number.isNaN(p99) ? {} : { p99Ms: ms(p99) }) };
}

/** The history as file-provider rows; windows a gap made unanswerable are left out (a gap there too). */
export function toWindowRows(history: CanaryHistory): CanaryWindowRow[] {
  return history.windows
    .filter((w) => !w.missing)
    .map((w) => ({
      start: w.start.toISOString(),
      end: w.end.toISOString(),
      weight: w.weight,
      canary: { requests: w.canary.requests, errors: w.canary.errors, slow: w.canary.slow },
      baseline: { requests: w.baseline.requests, errors: w.baseline.errors, slow: w.baseline.slow },
      guards: windowQuantilesMs(history, w),
    }));
}

/** The same rows as CSV, with the file provider's column names. */
export function toWindowCsv(history: CanaryHistory): string {
  const header = 'start,end,weight,canary_requests,canary_errors,canary_slow,baseline_requests,baseline_errors,baseline_slow,p50_ms,p99_ms';
  const rows = toWindowRows(history).map((r) =>
    [r.start, r.end, r.weight, r.canary.requests, r.canary.errors, r.canary.slow, r.baseline.requests, r.baseline.errors, r.baseline.slow, r.guards.p50Ms ?? '', r.guards.p99Ms ?? ''].join(','),
  );
  return `${[header, ...rows].join('\n')}\n`;
}

/** Totals per arm over the whole history (for fixture tables and sanity checks). */
export function historyTotals(history: CanaryHistory): Record<'canary' | 'baseline', { requests: number; errors: number; slow: number }> {
  const sum = (arm: 'canary' | 'baseline') =>
    history.windows.reduce((acc, w) => ({ requests: acc.requests + w[arm].requests, errors: acc.errors + w[arm].errors, slow: acc.slow + w[arm].slow }), { requests: 0, errors: 0, slow: 0 });
  return { canary: sum('canary'), baseline: sum('baseline') };
}
