/**
 * `genops canary simulate`: run canary-promote's engine on simulated traffic (seeded), with a
 * simulated clock, so the method can be tried without a cluster. One run prints the decision trace;
 * several print how often rollouts were promoted, rolled back or left to a human.
 * (`genops canary run` against real providers comes separately.)
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from '../cli.js';
import {
  CANARY_METHODS,
  canaryTraceText,
  ConfigError,
  DEFAULT_CANARY_CONFIG,
  OVERDISPERSION_KINDS,
  parseCanaryConfigFile,
  reachabilityProblems,
  runCanary,
  simulatedClock,
  simulatedProvider,
  sourceFileOf,
  stageProblems,
  type CanaryConfig,
  type CanaryMethod,
  type CanaryRun,
  type Overdispersion,
} from '@genops/core';
import { readInputFile } from './files.js';

export interface CanarySimulateOptions {
  errorRatio: string;
  latencyRatio?: string;
  rpm?: string;
  errorRate?: string;
  slowRate?: string;
  overdispersion?: string;
  dispersionCv?: string;
  method?: string;
  runs?: string;
  seed?: string;
  stages?: string;
  config?: string;
  json?: boolean;
}

/** The --json output: outcome counts, plus the trace when there was one run. */
export interface CanarySimulateSummary {
  runs: number;
  promoted: number;
  rolledBack: number;
  inconclusive: number;
  /** Median minutes from start to the end of rolled-back runs (null when none). */
  medianMinutesToRollback: number | null;
  /** Median minutes to promotion (null when none). */
  medianMinutesToPromotion: number | null;
  settings: { method: CanaryMethod; stages: number[]; requestsPerMinute: number; errorRate: number; errorRatio: number; latencyRatio: number; overdispersion: Overdispersion; seed: number };
  run?: CanaryRun;
}

function numberOption(text: string | undefined, flag: string, fallback: number, check: (n: number) => boolean, expected: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !check(n)) throw new ConfigError('INPUT_INVALID', `${flag} ${JSON.stringify(text)} is not ${expected}`, { input: flag, expected });
  return n;
}

function choice<T extends string>(text: string | undefined, flag: string, allowed: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(text)) throw new ConfigError('INPUT_INVALID', `${flag} ${JSON.stringify(text)} is not one of ${allowed.join(', ')}`, { input: flag, expected: allowed.join(' | ') });
  return text as T;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

const minutes = (r: CanaryRun) => (Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 60_000;

/** The command itself, testable without commander. */
export async function canarySimulate(opts: CanarySimulateOptions, io: CliIO): Promise<CanarySimulateSummary> {
  const errorRatio = numberOption(opts.errorRatio, '--error-ratio', 1, (n) => n > 0 && n <= 1000, 'a ratio > 0 (1 = healthy, 3 = three times the errors)');
  const latencyRatio = numberOption(opts.latencyRatio, '--latency-ratio', 1, (n) => n > 0 && n <= 1000, 'a ratio > 0');
  const rpm = numberOption(opts.rpm, '--rpm', 2000, (n) => n > 0 && n <= 10_000_000, 'requests per minute > 0');
  const errorRate = numberOption(opts.errorRate, '--error-rate', 0.005, (n) => n > 0 && n < 1, 'a rate in (0, 1), e.g. 0.005 for 0.5 %');
  const slowRate = numberOption(opts.slowRate, '--slow-rate', 0.01, (n) => n > 0 && n < 1, 'a rate in (0, 1)');
  const dispersionCv = numberOption(opts.dispersionCv, '--dispersion-cv', 0.2, (n) => n > 0 && n <= 5, 'a coefficient of variation in (0, 5]');
  const runs = numberOption(opts.runs, '--runs', 1, (n) => Number.isInteger(n) && n >= 1 && n <= 100_000, 'a whole number from 1 to 100000');
  const seed = numberOption(opts.seed, '--seed', 1, (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32, 'a whole number from 0 to 2^32 - 1');
  const overdispersion = choice(opts.overdispersion, '--overdispersion', OVERDISPERSION_KINDS, 'none');
  const stages = opts.stages === undefined ? [1, 5, 25, 50, 100] : opts.stages.split(',').map((s) => Number(s.trim()));
  const sp = stageProblems(stages);
  if (sp.length > 0) throw new ConfigError('INPUT_INVALID', `--stages ${JSON.stringify(opts.stages)}: ${sp.join('; ')}`, { input: '--stages', expected: 'increasing percentages ending at 100, e.g. 1,5,25,50,100' });
  let config: CanaryConfig = DEFAULT_CANARY_CONFIG;
  if (opts.config !== undefined) config = parseCanaryConfigFile(sourceFileOf(opts.config, await readInputFile(resolve(opts.config), '--config')), stages);
  const method = choice(opts.method, '--method', CANARY_METHODS, config.method);
  config = { ...config, method };
  for (const p of reachabilityProblems(config, stages, rpm)) io.err(`warning: ${p}`);

  const summary: CanarySimulateSummary = {
    runs,
    promoted: 0,
    rolledBack: 0,
    inconclusive: 0,
    medianMinutesToRollback: null,
    medianMinutesToPromotion: null,
    settings: { method, stages, requestsPerMinute: rpm, errorRate, errorRatio, latencyRatio, overdispersion, seed },
  };
  const toRollback: number[] = [];
  const toPromotion: number[] = [];
  // Traffic control that only records: a simulation moves no real traffic.
  const traffic = { setWeight: () => Promise.resolve(), rollback: () => Promise.resolve() };
  let last: CanaryRun | undefined;
  for (let i = 0; i < runs; i++) {
    const provider = simulatedProvider({ seed: seed + i, requestsPerMinute: rpm, errorRate, errorRatio, slowRate, latencyRatio, overdispersion, dispersionCv });
    last = await runCanary({ stages, config, provider, traffic, clock: simulatedClock() });
    if (last.outcome === 'promoted') {
      summary.promoted++;
      toPromotion.push(minutes(last));
    } else if (last.outcome === 'rolled-back') {
      summary.rolledBack++;
      toRollback.push(minutes(last));
    } else summary.inconclusive++;
  }
  summary.medianMinutesToRollback = median(toRollback);
  summary.medianMinutesToPromotion = median(toPromotion);
  if (runs === 1 && last !== undefined) summary.run = last;

  if (opts.json === true) io.out(JSON.stringify(summary, null, 2));
  else if (runs === 1 && last !== undefined) for (const l of canaryTraceText(last)) io.out(l);
  else {
    const pct = (n: number) => `${((100 * n) / runs).toFixed(1)} %`;
    const med = (m: number | null) => (m === null ? 'n/a' : `${m.toFixed(0)} min`);
    io.out(`${String(runs)} simulated rollouts (${method}, stages ${stages.join(' -> ')}, ${String(rpm)} requests/min, ${String(errorRate * 100)} % errors x ${String(errorRatio)}, slow requests x ${String(latencyRatio)}, overdispersion ${overdispersion}, seeds ${String(seed)}..${String(seed + runs - 1)})`);
    io.out(`promoted      ${String(summary.promoted).padStart(6)}  ${pct(summary.promoted).padStart(8)}  median ${med(summary.medianMinutesToPromotion)}`);
    io.out(`rolled back   ${String(summary.rolledBack).padStart(6)}  ${pct(summary.rolledBack).padStart(8)}  median ${med(summary.medianMinutesToRollback)}`);
    io.out(`inconclusive  ${String(summary.inconclusive).padStart(6)}  ${pct(summary.inconclusive).padStart(8)}  (a human decides)`);
  }
  return summary;
}

export function registerCanary(program: Command, io: CliIO): Command {
  const canary = program.command('canary').description('Canary analysis: anytime-valid comparison of canary and baseline, stage by stage.');
  canary
    .command('simulate')
    .description('Run the canary engine on simulated traffic (seeded, simulated clock): one run prints the trace, several print outcome rates.')
    .requiredOption('--error-ratio <R>', 'canary error rate over the baseline (1 = healthy)')
    .option('--latency-ratio <R>', 'canary share of slow requests over the baseline (default 1)')
    .option('--rpm <N>', 'requests per minute over both arms (default 2000)')
    .option('--error-rate <P>', 'baseline error rate (default 0.005)')
    .option('--slow-rate <P>', 'baseline share of requests slower than the latency SLO (default 0.01)')
    .option('--overdispersion <kind>', 'none | shared | per-arm (gamma-Poisson bursts per window; default none)')
    .option('--dispersion-cv <cv>', 'coefficient of variation of the burst multiplier (default 0.2)')
    .option('--method <method>', 'share | binomial (default share, or the config file\'s)')
    .option('--runs <N>', 'number of rollouts (default 1)')
    .option('--seed <S>', 'seed of the first rollout; rollout i uses S + i (default 1)')
    .option('--stages <list>', 'canary weights in percent (default 1,5,25,50,100)')
    .option('--config <file>', 'canary settings YAML (docs/canary.md#configuration)')
    .option('--json', 'print { runs, promoted, rolledBack, inconclusive, ... } as JSON (with the trace for one run)')
    .action(async (opts: CanarySimulateOptions) => {
      await canarySimulate(opts, io);
    });
  return canary;
}
