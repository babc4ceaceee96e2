/**
 * canary-promote end to end on a real Prometheus: each scenario of fixtures/canary/ is generated
 * (testkit), backfilled with promtool into its own Prometheus, read window by window by the
 * Prometheus metrics provider, and driven through runCanary with a fake clock that starts at the
 * scenario's start, the scenario's ladder and a recording TrafficControl. Each run must reach the
 * scenario's expected outcome for the reason its `why` gives, and every window the engine saw must
 * be the history's window with the same start (counts equal, gaps exactly where the history lost
 * samples), so the engine, the provider and the generator agree on one timeline.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  describePrometheus,
  generateCanaryHistory,
  loadCanaryScenario,
  startPrometheus,
  toOpenMetrics,
  type CanaryHistory,
  type CanaryScenario,
  type GeneratedWindow,
  type RunningPrometheus,
} from '@genops/testkit';
import { DEFAULT_CANARY_CONFIG, type CanaryConfig } from '../../src/canary/config.js';
import { runCanary } from '../../src/canary/engine.js';
import type { TrafficControl } from '../../src/canary/model.js';
import { prometheusMetricsProvider } from '../../src/canary/prometheus.js';
import { simulatedClock } from '../../src/canary/simulate.js';
import { canaryTraceText, type CanaryRun, type DecisionRule } from '../../src/canary/trace.js';

/** Records what the engine asked of the traffic, in order. */
class RecordingTraffic implements TrafficControl {
  readonly weights: number[] = [];
  readonly rollbacks: string[] = [];
  async setWeight(weight: number): Promise<void> {
    await Promise.resolve();
    this.weights.push(weight);
  }
  async rollback(reason: string): Promise<void> {
    await Promise.resolve();
    this.rollbacks.push(reason);
  }
}

type ScenarioName = 'healthy' | 'errors-3x' | 'latency-regression' | 'sparse-traffic' | 'scrape-gap' | 'noisy-baseline';

/**
 * The rule that must decide each scenario (from its `expected.why`): the rule of the stage that
 * ended the run, and what its reason must name. errors-3x may be caught by the error e-process or
 * by the 1 % error-rate guard (its `why` names both); either way it is the errors, never latency.
 */
const DECIDING: Record<ScenarioName, { rule: DecisionRule; reason: RegExp }[]> = {
  healthy: [{ rule: 'promote-noninferiority', reason: /R >= R_max rejected at alpha 0\.05 for errors \(R_max 1\.5\), latency \(R_max 1\.25\)/ }],
  'errors-3x': [
    { rule: 'rollback-eprocess', reason: /^the canary is worse than the baseline \(errors: e-value [^;]*\)$/ },
    { rule: 'rollback-guard', reason: /^canary error rate is above its maximum 0\.01 / },
  ],
  'latency-regression': [{ rule: 'rollback-eprocess', reason: /^the canary is worse than the baseline \(latency: e-value [^;]*\)$/ }],
  'sparse-traffic': [{ rule: 'inconclusive-deadline', reason: /^stage 1 % reached its \d+ min deadline without promotion or rollback: \d+ canary requests of 100;/ }],
  'scrape-gap': [{ rule: 'inconclusive-deadline', reason: /^stage 5 % reached its \d+ min deadline without promotion or rollback: \d+ window\(s\) without data; 0 data window\(s\)/ }],
  'noisy-baseline': [{ rule: 'promote-noninferiority', reason: /R >= R_max rejected at alpha 0\.05/ }],
};
const NAMES = Object.keys(DECIDING) as ScenarioName[];

/**
 * The deployment configuration for a scenario: the defaults, with the timing matched to the
 * scenario's shape (legitimate settings, not tuned to an outcome):
 * - window = the scenario's window;
 * - dwell = the scenario's early-stage length (6 windows in every fixture), so the engine moves at the
 *   same minutes as the history and each stage reads windows of its own weight (the README asks for a
 *   dwell no longer than a stage);
 * - stage deadline = the last stage's length, so the engine reads up to the end of the history and no
 *   further (for healthy and the ladders of 6/6/6/30 windows that is the default 30 min).
 * With DEFAULT_CANARY_CONFIG unchanged every scenario ends with the same outcome (checked when this
 * file was written); errors-3x is then rolled back by the error e-process at 25 % instead of by the
 * error-rate guard at 5 %.
 */
function e2eConfig(s: CanaryScenario): CanaryConfig {
  const early = s.stages.slice(0, -1);
  const last = s.stages.at(-1);
  if (last === undefined) throw new Error(`${s.name}: no stages`);
  return {
    ...DEFAULT_CANARY_CONFIG,
    windowSeconds: s.windowSeconds,
    dwellSeconds: early.length > 0 ? Math.min(...early.map((st) => st.windows)) * s.windowSeconds : DEFAULT_CANARY_CONFIG.dwellSeconds,
    stageDeadlineSeconds: last.windows * s.windowSeconds,
    lastStageDeadlineSeconds: last.windows * s.windowSeconds,
  };
}

interface E2eRun {
  scenario: CanaryScenario;
  history: CanaryHistory;
  stages: number[];
  run: CanaryRun;
  traffic: RecordingTraffic;
}

/** The run's trace as text, for failure messages. */
function explain(r: E2eRun): string {
  return `${r.scenario.name}: ${r.run.outcome} at ${String(r.run.finalWeight)} % (${r.run.rule}): ${r.run.reason}\nweights set: ${r.traffic.weights.join(', ')}\n${canaryTraceText(r.run).join('\n')}`;
}

describePrometheus('canary rollouts end to end: fixture history -> Prometheus -> provider -> runCanary', (binaries) => {
  const servers = new Map<ScenarioName, { scenario: CanaryScenario; history: CanaryHistory; prom: RunningPrometheus }>();
  const runs = new Map<ScenarioName, Promise<E2eRun>>();

  // One Prometheus per scenario: the fixtures share series names, labels and times. Started in parallel.
  beforeAll(async () => {
    const started = await Promise.allSettled(
      NAMES.map(async (name) => {
        const scenario = loadCanaryScenario(name);
        const history = generateCanaryHistory(scenario);
        servers.set(name, { scenario, history, prom: await startPrometheus({ openMetrics: toOpenMetrics(history), binaries }) });
      }),
    );
    const failed = started.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }, 120_000);
  afterAll(async () => {
    await Promise.all([...servers.values()].map((s) => s.prom.stop()));
  });

  /** The scenario's rollout, run once and shared by its tests. */
  function rollout(name: ScenarioName): Promise<E2eRun> {
    let p = runs.get(name);
    if (p === undefined) {
      p = (async () => {
        const server = servers.get(name);
        if (server === undefined) throw new Error(`no Prometheus for ${name}`);
        const { scenario, history, prom } = server;
        const provider = prometheusMetricsProvider({
          url: prom.url,
          canaryVersion: scenario.versions.canary,
          baselineVersion: scenario.versions.baseline,
          slowLe: String(scenario.slowLe),
          scrapeIntervalSeconds: scenario.scrapeSeconds,
        });
        const stages = [...scenario.stages.map((st) => st.weight), 100];
        const traffic = new RecordingTraffic();
        const run = await runCanary({ stages, config: e2eConfig(scenario), provider, traffic, clock: simulatedClock(new Date(scenario.start)) });
        return { scenario, history, stages, run, traffic };
      })();
      runs.set(name, p);
    }
    return p;
  }

  /** Every window the engine saw is the history's window with the same start, at the stage's weight. */
  function expectWindowsFromHistory(r: E2eRun): void {
    const byStart = new Map<string, GeneratedWindow>(r.history.windows.map((w) => [w.start.toISOString(), w]));
    const seen: unknown[] = [];
    const expected: unknown[] = [];
    for (const stage of r.run.stages) {
      for (const w of stage.windows) {
        const h = byStart.get(w.start);
        if (h === undefined) throw new Error(`${r.scenario.name}: stage ${String(stage.weight)} % read window ${w.start}, which is outside the history\n${explain(r)}`);
        const counts = (bad: 'errors' | 'slow') => ({ canary: { requests: h.canary.requests, bad: h.canary[bad] }, baseline: { requests: h.baseline.requests, bad: h.baseline[bad] } });
        seen.push({ start: w.start, end: w.end, weight: stage.weight, gap: w.status === 'gap', counts: w.counts });
        expected.push({
          start: h.start.toISOString(),
          end: h.end.toISOString(),
          weight: h.weight,
          gap: h.missing,
          counts: h.missing ? undefined : { errors: counts('errors'), latency: counts('slow') },
        });
        // A gap says why, naming the window; for a missing window that is the scrape gap.
        if (w.status === 'gap') expect(w.gapReason).toMatch(new RegExp(`^window ${w.start.replace(/[.]/g, '\\.')}\\.\\.${w.end.replace(/[.]/g, '\\.')}: .*(a scrape gap|no data in this window)`));
      }
    }
    expect(seen).toEqual(expected);
  }

  function expectOutcome(r: E2eRun): void {
    const { run, traffic, stages, scenario } = r;
    if (run.outcome !== scenario.expected.outcome) throw new Error(`expected ${scenario.expected.outcome} (${scenario.expected.why}), got ${explain(r)}`);
    const compared = stages.slice(0, -1);
    if (run.outcome === 'promoted') {
      expect(traffic.weights).toEqual(stages);
      expect(traffic.weights.at(-1)).toBe(100);
      expect(traffic.rollbacks).toEqual([]);
      expect(run.finalWeight).toBe(100);
      expect(run.rule).toBe('promote-full');
      expect(run.stages.map((s) => s.decision?.rule)).toEqual([...compared.slice(0, -1).map(() => 'promote-early-stage'), 'promote-noninferiority']);
    } else {
      // The ladder in order, cut where the run stopped; 100 % never reached.
      expect(traffic.weights).toEqual(stages.slice(0, traffic.weights.length));
      expect(Math.max(...traffic.weights)).toBeLessThan(100);
      expect(run.stages.map((s) => s.weight)).toEqual(traffic.weights);
      if (run.outcome === 'rolled-back') {
        expect(traffic.rollbacks).toEqual([run.reason]);
        expect(run.finalWeight).toBe(0);
      } else {
        expect(traffic.rollbacks).toEqual([]);
        expect(run.finalWeight).toBe(traffic.weights.at(-1));
      }
    }
    // The trace names the deciding rule: the last stage's decision, and the run's rule for a stop.
    const decision = run.stages.at(-1)?.decision;
    const allowed = DECIDING[scenario.name as ScenarioName];
    const match = allowed.find((a) => a.rule === decision?.rule && a.reason.test(decision.reason));
    if (match === undefined) throw new Error(`${scenario.name}: deciding rule ${String(decision?.rule)} (${String(decision?.reason)}) is not one of ${allowed.map((a) => `${a.rule} ${String(a.reason)}`).join(' | ')}\n${explain(r)}`);
    if (run.outcome !== 'promoted') {
      expect(run.rule).toBe(decision?.rule);
      expect(run.reason).toBe(decision?.reason);
    }
  }

  describe('healthy', () => {
    it('reads every window from Prometheus as generated, walks 1 -> 5 -> 25 -> 50 % and never rolls back', async () => {
      const r = await rollout('healthy');
      expectWindowsFromHistory(r);
      expect(r.traffic.weights.slice(0, 4)).toEqual([1, 5, 25, 50]);
      expect(r.traffic.rollbacks).toEqual([]);
      expect(r.run.stages.slice(0, 3).map((s) => s.decision?.rule)).toEqual(['promote-early-stage', 'promote-early-stage', 'promote-early-stage']);
    });

    // The 50 % stage is 40 windows: the slow-request test at R_max 1.25 needs about 30 data windows at
    // this traffic (with 30-window stages a third of seeds ended inconclusive at 50 %).
    it('promotes to 100 % through promote-noninferiority at 50 % (scenario outcome)', async () => {
      expectOutcome(await rollout('healthy'));
    });
  });

  for (const name of NAMES.filter((n) => n !== 'healthy')) {
    describe(name, () => {
      it(`ends ${loadCanaryScenario(name).expected.outcome}, decided by ${DECIDING[name].map((d) => d.rule).join(' or ')}, reading every window from Prometheus as generated`, async () => {
        const r = await rollout(name);
        expectWindowsFromHistory(r);
        expectOutcome(r);
        const { run } = r;
        const windows = run.stages.flatMap((s) => s.windows);
        switch (name) {
          case 'errors-3x':
            // Caught before the last compared stage could promote: 100 % is never reached.
            expect(run.stages.at(-1)?.decision?.outcome).toBe('rollback');
            break;
          case 'latency-regression':
            // The slow-request metric decided, not a latency guard: p99 and p50 never breached in a window.
            expect(windows.flatMap((w) => w.guards ?? []).filter((g) => (g.name === 'p99Ms' || g.name === 'p50Ms') && g.status === 'breach')).toEqual([]);
            expect(windows.flatMap((w) => w.guards ?? []).filter((g) => g.name === 'p99Ms' && g.status === 'ok').length).toBeGreaterThan(0);
            break;
          case 'sparse-traffic': {
            const stage = run.stages[0];
            expect(run.stages).toHaveLength(1);
            expect(stage?.canaryRequests).toBeLessThan(stage?.minCanaryRequests ?? 0);
            expect(run.reason).toContain(`${String(stage?.canaryRequests)} canary requests of ${String(stage?.minCanaryRequests)}`);
            break;
          }
          case 'scrape-gap': {
            // The 5 % stage saw no data after warm-up: every later window is a gap, and a gap never passes.
            const stage = run.stages.at(-1);
            expect(stage?.windows.filter((w) => w.status === 'data')).toEqual([]);
            expect(stage?.windows.slice(DEFAULT_CANARY_CONFIG.warmupWindows).every((w) => w.status === 'gap')).toBe(true);
            expect(run.reason).toContain(`${String(stage?.windows.filter((w) => w.status === 'gap').length)} window(s) without data`);
            break;
          }
          case 'noisy-baseline':
            break;
        }
      });
    });
  }
});
