/**
 * Canary analysis benchmark (figures, not a test): genops' e-process engine against two comparators
 * (bench/canary-comparators.ts), all on the same simulated traffic (same simulator and seeds):
 * Poisson and per-arm overdispersed (gamma-Poisson, CV 0.2 per window and arm), at 2,000 and
 * 20,000 requests/min, 0.5 % baseline errors, stages 1 -> 5 -> 25 -> 50 -> 100, a look every minute.
 *
 * Per cell: the false-rollback rate over healthy (A/A) rollouts, the share of healthy rollouts that
 * finish without a human (promoted), and for error ratios 1.5, 2 and 3 the detection rate (rolled
 * back) and the median minutes to rollback. All methods compare the errors metric (as the method's
 * reference simulation does); a last line per cell gives genops with its default metrics (errors and
 * slow requests, R_max 1.25 for the latter).
 *
 * Run: cd bench && ./node_modules/.bin/tsx canary.ts
 * Sizes: BENCH_CANARY_ROLLOUTS (healthy rollouts per cell, default 2000), BENCH_CANARY_AB_ROLLOUTS
 * (per regression ratio, default 1000), BENCH_CANARY_CELLS (e.g. "none:20000,per-arm:20000").
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_CANARY_CONFIG, runCanary, simulatedClock, simulatedProvider, type CanaryConfig, type CanaryMethod, type Overdispersion } from '@genops/core';
import { fixedThreshold, kayentaMannWhitney, type ComparatorOutcome, type ComparatorSchedule } from './canary-comparators.js';

const AA = Number(process.env.BENCH_CANARY_ROLLOUTS ?? 2000);
const AB = Number(process.env.BENCH_CANARY_AB_ROLLOUTS ?? 1000);
const CELLS: { overdispersion: Overdispersion; rpm: number }[] = (process.env.BENCH_CANARY_CELLS ?? 'none:2000,none:20000,per-arm:2000,per-arm:20000').split(',').map((c) => {
  const [od, rpm] = c.split(':');
  return { overdispersion: od as Overdispersion, rpm: Number(rpm) };
});
const RATIOS = [1.5, 2, 3];
const STAGES = [1, 5, 25, 50, 100];
const SEED0 = 1_000_000;
const traffic = { setWeight: () => Promise.resolve(), rollback: () => Promise.resolve() };
// Comparators: 7 one-minute windows per stage (2 warm-up + 5 analysed): about what genops' early stages take at 2,000 rpm.
const schedule: ComparatorSchedule = { stages: STAGES, stageWindows: 7, warmupWindows: 2, windowMs: 60_000 };

type Outcome = { outcome: 'promoted' | 'rolled-back' | 'inconclusive'; minutes: number };
type Method = { name: string; run: (seed: number, ratio: number, cell: (typeof CELLS)[number]) => Promise<Outcome> };

function sim(seed: number, ratio: number, cell: (typeof CELLS)[number]) {
  return simulatedProvider({ seed, requestsPerMinute: cell.rpm, errorRatio: ratio, overdispersion: cell.overdispersion });
}

function genops(method: CanaryMethod, config: Partial<CanaryConfig>): Method['run'] {
  const cfg: CanaryConfig = { ...DEFAULT_CANARY_CONFIG, method, ...config };
  return async (seed, ratio, cell) => {
    const r = await runCanary({ stages: STAGES, config: cfg, provider: sim(seed, ratio, cell), traffic, clock: simulatedClock() });
    return { outcome: r.outcome, minutes: (Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 60_000 };
  };
}

const comparator = (f: (p: ReturnType<typeof sim>, s: ComparatorSchedule) => Promise<ComparatorOutcome>): Method['run'] => (seed, ratio, cell) => f(sim(seed, ratio, cell), schedule);

const METHODS: Method[] = [
  { name: 'genops e-process, share (default)', run: genops('share', { metrics: ['errors'] }) },
  { name: 'genops e-process, binomial', run: genops('binomial', { metrics: ['errors'] }) },
  { name: 'fixed threshold 1 %, failure limit 2', run: comparator((p, s) => fixedThreshold(p, s)) },
  { name: 'Kayenta-style Mann-Whitney, 0.98, tol 1.1', run: comparator((p, s) => kayentaMannWhitney(p, s)) },
];
const DEFAULT_METRICS: Method = { name: 'genops share, errors + slow requests', run: genops('share', {}) };

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

async function rates(m: Method, cell: (typeof CELLS)[number], ratio: number, n: number) {
  let promoted = 0;
  let rolledBack = 0;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    // Same seeds for every method: the same traffic.
    const o = await m.run(SEED0 + Math.round(ratio * 100_000) + i, ratio, cell);
    if (o.outcome === 'promoted') promoted++;
    else if (o.outcome === 'rolled-back') {
      rolledBack++;
      times.push(o.minutes);
    }
  }
  return { promoted: promoted / n, rolledBack: rolledBack / n, medianMinutes: median(times) };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const mins = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(0));

async function main(): Promise<void> {
  console.log(`canary bench: ${String(AA)} healthy + ${String(AB)} per ratio rollouts per cell, stages ${STAGES.join('-')}, 0.5 % errors, look every 60 s (node ${process.version})`);
  const started = performance.now();
  for (const cell of CELLS) {
    console.log('');
    console.log(`== ${cell.overdispersion === 'none' ? 'Poisson' : `${cell.overdispersion} overdispersion (gamma CV 0.2)`}, ${String(cell.rpm)} requests/min`);
    const head = ['method', 'false rollback', 'healthy promoted', ...RATIOS.map((r) => `caught ${String(r)}x`), ...RATIOS.map((r) => `min to rb ${String(r)}x`)];
    const rows: string[][] = [];
    for (const m of METHODS) {
      const aa = await rates(m, cell, 1, AA);
      const ab = await Promise.all(RATIOS.map((r) => rates(m, cell, r, AB)));
      rows.push([m.name, pct(aa.rolledBack), pct(aa.promoted), ...ab.map((x) => pct(x.rolledBack)), ...ab.map((x) => mins(x.medianMinutes))]);
    }
    const d = await rates(DEFAULT_METRICS, cell, 1, AA);
    rows.push([DEFAULT_METRICS.name, pct(d.rolledBack), pct(d.promoted), '', '', '', '', '', '']);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
    console.log(line(head));
    for (const r of rows) console.log(line(r));
  }
  console.log('');
  console.log(`canary bench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
