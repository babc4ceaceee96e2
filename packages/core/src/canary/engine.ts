/**
 * The stage walker of canary-promote: sets each stage's weight, reads one window at a time, feeds the
 * e-processes and guards, and decides per window: roll back (the canary is worse, or a guard says so),
 * promote to the next stage, or wait; at the stage deadline it pauses for a human (inconclusive).
 *
 * - Early stages promote on dwell + minimum canary requests + guards green + no rollback. The last
 *   compared stage also needs R >= R_max rejected for every metric (eprocess.ts).
 * - Missing data (a provider gap, a metric absent from a window) never counts toward promotion; it
 *   only lets time pass, so a stage that keeps missing data ends inconclusive.
 * - State (plain JSON) goes to `onState` after every window and stage; passing it back as `state`
 *   resumes: the stage in progress starts again (fresh dwell and warm-up), the evidence carries over
 *   (an e-process may be continued at any time without losing validity).
 * - Cancellation (`signal`) and a failing `setWeight` roll back. A failing rollback or state save
 *   ends the run inconclusive with the error recorded: the traffic state then needs a human.
 * Time comes only from `clock`, so tests and `canary simulate` run without waiting.
 */
import { ConfigError, docUrl } from '../errors.js';
import { configProblems, stageDeadlineOf, stageMinCanaryRequests, stageProblems, type CanaryConfig } from './config.js';
import {
  eProcessStateProblems,
  eValueOf,
  logNoninferiorityEValue,
  logRollbackEValue,
  newEProcessState,
  ratioBound,
  rollbackLogThreshold,
  updateEProcessState,
} from './eprocess.js';
import { guardStateForNewStage, newGuardState, stageGuardSummary, updateGuards } from './guards.js';
import type { CanaryClock, CanaryMetric, CanaryOutcome, MetricCounts, MetricsProvider, TrafficControl, WindowReading } from './model.js';
import type { CanaryRun, CanaryState, DecisionRule, StageDecision, StageTrace, WindowTrace } from './trace.js';

export interface RunCanaryOptions {
  /** Canary weights in percent, increasing, ending at 100. */
  stages: readonly number[];
  config: CanaryConfig;
  provider: MetricsProvider;
  traffic: TrafficControl;
  clock: CanaryClock;
  /** A state saved by an earlier run: resume it. */
  state?: CanaryState;
  /** Called with the state after every window and stage (persist it to resume). */
  onState?: (state: CanaryState) => Promise<void>;
  /** Aborting cancels the rollout, which rolls back. */
  signal?: AbortSignal;
}

/** A function, so flow analysis does not keep `aborted` narrowed across awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function rMaxOf(config: CanaryConfig): Partial<Record<CanaryMetric, number>> {
  return Object.fromEntries(config.metrics.map((m) => [m, config.rMax[m]]));
}

/** A fresh state for these stages and settings. */
export function newCanaryState(stages: readonly number[], config: CanaryConfig, startedAt: Date): CanaryState {
  return {
    version: 1,
    stages: [...stages],
    startedAt: startedAt.toISOString(),
    stageIndex: 0,
    status: 'running',
    eprocess: newEProcessState(config.method, rMaxOf(config)),
    guards: newGuardState(config.guards),
    trace: [],
  };
}

function checkInputs(stages: readonly number[], config: CanaryConfig, state: CanaryState | undefined): void {
  const problems = [...stageProblems(stages), ...configProblems(config).map((p) => `${p.path.join('.')}: ${p.message}`)];
  if (problems.length > 0) {
    throw new ConfigError('INPUT_INVALID', `canary rollout cannot start:\n${problems.map((p) => `- ${p}`).join('\n')}`, {
      input: 'stages/config',
      expected: 'increasing stage weights ending at 100 and consistent timing',
      docUrl: docUrl('canary', 'configuration'),
    });
  }
  if (state === undefined) return;
  const sp: string[] = [];
  if (state.version !== 1) sp.push(`state version ${String(state.version)} is not 1`);
  if (state.stages.join(',') !== stages.join(',')) sp.push(`state was saved for stages ${state.stages.join(',')}, this run has ${stages.join(',')}`);
  if (!(state.stageIndex >= 0 && state.stageIndex < stages.length)) sp.push(`state stage index ${String(state.stageIndex)} is out of range`);
  sp.push(...eProcessStateProblems(state.eprocess, config.method, rMaxOf(config)));
  if (sp.length > 0) {
    throw new ConfigError('INPUT_INVALID', `the saved canary state does not fit this rollout:\n${sp.map((p) => `- ${p}`).join('\n')}`, {
      input: 'canary state',
      expected: 'the state saved by a run with the same stages, method and metrics',
      hint: 'Resume with the same settings, or delete the state to start a new rollout at the first stage.',
      docUrl: docUrl('canary', 'resuming'),
    });
  }
}

/** Sleeps on the injected clock; resolves early (false) when the signal aborts. */
async function sleepOrAbort(clock: CanaryClock, ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal === undefined) {
    await clock.sleep(ms);
    return true;
  }
  if (signal.aborted) return false;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<false>((resolve) => {
    onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([clock.sleep(ms).then(() => true as const), aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

export async function runCanary(options: RunCanaryOptions): Promise<CanaryRun> {
  const { stages, config, provider, traffic, clock, signal } = options;
  checkInputs(stages, config, options.state);
  if (options.state?.status === 'finished' && options.state.run !== undefined) return options.state.run;

  const state: CanaryState = options.state === undefined ? newCanaryState(stages, config, clock.now()) : (JSON.parse(JSON.stringify(options.state)) as CanaryState);
  const resuming = options.state !== undefined;
  const metrics = config.metrics;
  const windowMs = config.windowSeconds * 1000;
  const rollbackThreshold = rollbackLogThreshold(config.alpha, metrics.length);
  const promoteThreshold = Math.log(1 / config.alpha);
  const compared = stages.filter((w) => w < 100).length;
  const dwellDataWindows = Math.max(1, Math.ceil(config.dwellSeconds / config.windowSeconds) - config.warmupWindows);
  const startedAt = new Date(state.startedAt).getTime();

  let saveError: string | undefined;
  const save = async (): Promise<boolean> => {
    if (options.onState === undefined || saveError !== undefined) return saveError === undefined;
    try {
      await options.onState(state);
      return true;
    } catch (e) {
      saveError = `saving the canary state failed: ${message(e)}`;
      return false;
    }
  };

  // A stage left open by an interrupted run.
  const open = state.trace.at(-1);
  if (resuming && open !== undefined && open.decision === undefined) {
    const at = clock.now().toISOString();
    open.endedAt = at;
    open.decision = { rule: 'interrupted', outcome: 'interrupted', reason: 'the run stopped during this stage; a later run resumed it', at };
  }

  const finish = async (outcome: CanaryOutcome, rule: DecisionRule, reason: string, finalWeight: number, error?: string): Promise<CanaryRun> => {
    const run: CanaryRun = {
      outcome,
      finalWeight,
      rule,
      reason,
      ...(error === undefined ? {} : { error }),
      startedAt: state.startedAt,
      endedAt: clock.now().toISOString(),
      stages: state.trace,
      settings: { alpha: config.alpha, method: config.method, metrics: [...metrics], rMax: rMaxOf(config), stages: [...stages] },
    };
    state.status = outcome === 'inconclusive' ? 'paused' : 'finished';
    state.run = run;
    await save();
    return run;
  };

  const closeStage = (s: StageTrace | undefined, decision: Omit<StageDecision, 'at'>): void => {
    if (s === undefined || s.decision !== undefined) return;
    const at = clock.now().toISOString();
    s.endedAt = at;
    s.decision = { ...decision, at };
  };

  /** Roll back; a failing rollback leaves the run inconclusive (a human must look at the traffic). */
  const rollBack = async (rule: DecisionRule, reason: string, weight: number, error?: string): Promise<CanaryRun> => {
    closeStage(state.trace.at(-1), { rule, outcome: 'rollback', reason });
    try {
      await traffic.rollback(reason);
    } catch (e) {
      const err = `rollback failed: ${message(e)}${error === undefined ? '' : `; after: ${error}`}`;
      return finish('inconclusive', 'inconclusive-error', `${reason}; the rollback failed, the traffic state is unknown`, weight, err);
    }
    return finish('rolled-back', rule, reason, 0, error);
  };

  const pause = async (rule: DecisionRule, reason: string, weight: number, error?: string): Promise<CanaryRun> => {
    closeStage(state.trace.at(-1), { rule, outcome: 'inconclusive', reason });
    return finish('inconclusive', rule, reason, weight, error);
  };

  const cancelled = (weight: number) => rollBack('rollback-cancelled', 'the rollout was cancelled', weight);

  for (let i = state.stageIndex; i < compared; i++) {
    const weight = stages[i] ?? 0;
    const previousWeight = i === 0 ? 0 : (stages[i - 1] ?? 0);
    if (isAborted(signal)) return cancelled(previousWeight);
    const lastCompared = i === compared - 1;
    const stage: StageTrace = {
      stage: i + 1,
      weight,
      lastCompared,
      resumed: resuming && i === options.state?.stageIndex,
      startedAt: clock.now().toISOString(),
      windows: [],
      canaryRequests: 0,
      minCanaryRequests: stageMinCanaryRequests(config, weight),
    };
    state.trace.push(stage);
    state.stageIndex = i;
    state.status = 'running';
    state.guards = guardStateForNewStage(state.guards);
    try {
      await traffic.setWeight(weight);
    } catch (e) {
      return rollBack('rollback-traffic-error', `setting the canary weight to ${String(weight)} % failed`, weight, message(e));
    }
    if (!(await save())) return pause('inconclusive-error', 'the canary state could not be saved', weight, saveError);
    const stageStart = clock.now().getTime();
    let dataWindows = 0;

    for (;;) {
      if (clock.now().getTime() - startedAt >= config.maxTotalSeconds * 1000) {
        return pause('inconclusive-max-duration', `the rollout reached its maximum duration of ${String(config.maxTotalSeconds / 60)} min`, weight);
      }
      const windowStart = clock.now();
      if (!(await sleepOrAbort(clock, windowMs, signal))) return cancelled(weight);
      const windowEnd = clock.now();
      let reading: WindowReading;
      try {
        reading = await provider.read({ start: windowStart, end: windowEnd, weight });
      } catch (e) {
        reading = { ok: false, reason: `provider ${provider.kind} failed: ${message(e)}` };
      }
      if (isAborted(signal)) return cancelled(weight);
      const index = stage.windows.length + 1;
      const w: WindowTrace = { index, start: windowStart.toISOString(), end: windowEnd.toISOString(), status: 'gap' };
      stage.windows.push(w);
      let decided: { kind: 'rollback' | 'promote'; rule: DecisionRule; reason: string } | undefined;

      if (!reading.ok) w.gapReason = reading.reason;
      else {
        const sample = reading.sample;
        const counts: Partial<Record<CanaryMetric, MetricCounts>> = {};
        for (const m of metrics) {
          const c = sample.metrics[m];
          if (c !== undefined) counts[m] = c;
        }
        w.counts = counts;
        const missing = metrics.filter((m) => counts[m] === undefined);
        if (index <= config.warmupWindows) w.status = 'warm-up';
        else if (missing.length > 0) w.gapReason = `no ${missing.join(', ')} counts in this window`;
        else {
          w.status = 'data';
          dataWindows++;
          state.eprocess = updateEProcessState(state.eprocess, counts);
          const canaryRequests = Math.min(...metrics.map((m) => counts[m]?.canary.requests ?? 0));
          stage.canaryRequests += canaryRequests;
          const guardWeight = (counts.errors ?? counts[metrics[0] ?? 'errors'])?.canary.requests;
          const g = updateGuards(config.guards, state.guards, sample.guards, counts, guardWeight);
          state.guards = g.state;
          w.guards = g.results;
          w.eRollback = {};
          w.eNoninferiority = {};
          w.ratioBound = {};
          const rollbackHits: string[] = [];
          for (const m of metrics) {
            const mp = state.eprocess.metrics[m];
            if (mp === undefined) continue;
            const lr = logRollbackEValue(mp);
            w.eRollback[m] = eValueOf(lr);
            w.eNoninferiority[m] = eValueOf(logNoninferiorityEValue(mp, config.rMax[m]) ?? 0);
            w.ratioBound[m] = ratioBound(mp, state.eprocess.tolerances[m] ?? [], config.alpha);
            if (lr >= rollbackThreshold) rollbackHits.push(`${m}: e-value ${eValueOf(lr).toPrecision(3)} >= ${Math.exp(rollbackThreshold).toPrecision(3)}`);
          }
          if (rollbackHits.length > 0) decided = { kind: 'rollback', rule: 'rollback-eprocess', reason: `the canary is worse than the baseline (${rollbackHits.join('; ')})` };
          else if (g.rollback !== undefined) decided = { kind: 'rollback', rule: 'rollback-guard', reason: g.rollback.reason };
          else {
            const elapsed = windowEnd.getTime() - stageStart;
            const summary = stageGuardSummary(config.guards, state.guards);
            const waiting: string[] = [];
            if (elapsed < config.dwellSeconds * 1000 || dataWindows < dwellDataWindows) waiting.push('dwell');
            if (stage.canaryRequests < stage.minCanaryRequests) waiting.push('minimum canary requests');
            waiting.push(...summary.blocking);
            const notRejected = lastCompared
              ? metrics.filter((m) => {
                  const mp = state.eprocess.metrics[m];
                  const l = mp === undefined ? undefined : logNoninferiorityEValue(mp, config.rMax[m]);
                  return l === undefined || l < promoteThreshold;
                })
              : [];
            if (waiting.length === 0 && notRejected.length === 0) {
              stage.guards = summary.results;
              decided = lastCompared
                ? { kind: 'promote', rule: 'promote-noninferiority', reason: `no rollback, guards green, and R >= R_max rejected at alpha ${String(config.alpha)} for ${metrics.map((m) => `${m} (R_max ${String(config.rMax[m])})`).join(', ')}` }
                : { kind: 'promote', rule: 'promote-early-stage', reason: `dwell ${String(config.dwellSeconds / 60)} min, ${String(stage.canaryRequests)} canary requests (min ${String(stage.minCanaryRequests)}), guards green, no rollback` };
            }
          }
        }
      }

      if (decided?.kind === 'rollback') {
        stage.guards = stageGuardSummary(config.guards, state.guards).results;
        return rollBack(decided.rule, decided.reason, weight);
      }
      if (decided?.kind === 'promote') {
        closeStage(stage, { rule: decided.rule, outcome: 'promote', reason: decided.reason });
        state.stageIndex = i + 1;
        if (!(await save())) return pause('inconclusive-error', 'the canary state could not be saved', weight, saveError);
        break;
      }
      if (windowEnd.getTime() - stageStart >= stageDeadlineOf(config, lastCompared) * 1000) {
        stage.guards = stageGuardSummary(config.guards, state.guards).results;
        return pause('inconclusive-deadline', deadlineReason(stage, config, state, lastCompared, dataWindows, dwellDataWindows), weight);
      }
      if (!(await save())) return pause('inconclusive-error', 'the canary state could not be saved', weight, saveError);
    }
  }

  // Every compared stage promoted: the full step.
  const lastWeight = stages[compared - 1] ?? 0;
  if (isAborted(signal)) return cancelled(lastWeight);
  if (traffic.confirmPromotion !== undefined) {
    let confirmed: boolean;
    try {
      confirmed = await traffic.confirmPromotion();
    } catch (e) {
      return pause('inconclusive-not-confirmed', 'asking to confirm the promotion failed', lastWeight, message(e));
    }
    if (!confirmed) return finish('inconclusive', 'inconclusive-not-confirmed', 'the promotion to 100 % was not confirmed', lastWeight);
  }
  try {
    await traffic.setWeight(100);
  } catch (e) {
    return rollBack('rollback-traffic-error', 'setting the canary weight to 100 % failed', lastWeight, message(e));
  }
  state.stageIndex = stages.length - 1;
  return finish('promoted', 'promote-full', `all ${String(compared)} compared stage(s) passed; canary at 100 %`, 100);
}

function deadlineReason(stage: StageTrace, config: CanaryConfig, state: CanaryState, lastCompared: boolean, dataWindows: number, dwellDataWindows: number): string {
  const why: string[] = [];
  const gaps = stage.windows.filter((w) => w.status === 'gap').length;
  if (gaps > 0) why.push(`${String(gaps)} window(s) without data`);
  if (dataWindows < dwellDataWindows) why.push(`${String(dataWindows)} data window(s), ${String(dwellDataWindows)} needed`);
  if (stage.canaryRequests < stage.minCanaryRequests) why.push(`${String(stage.canaryRequests)} canary requests of ${String(stage.minCanaryRequests)}`);
  why.push(...stageGuardSummary(config.guards, state.guards).blocking);
  if (lastCompared) {
    for (const m of config.metrics) {
      const mp = state.eprocess.metrics[m];
      const l = mp === undefined ? undefined : logNoninferiorityEValue(mp, config.rMax[m]);
      if (l === undefined || l < Math.log(1 / config.alpha)) why.push(`${m}: not enough evidence that R < ${String(config.rMax[m])} (e-value ${eValueOf(l ?? 0).toPrecision(3)} < ${(1 / config.alpha).toPrecision(3)})`);
    }
  }
  return `stage ${String(stage.weight)} % reached its ${String(stageDeadlineOf(config, lastCompared) / 60)} min deadline without promotion or rollback: ${why.join('; ') || 'no decision'}; a human decides`;
}
