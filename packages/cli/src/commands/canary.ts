/**
 * `genops canary simulate`: run canary-promote's engine on simulated traffic (seeded), with a
 * simulated clock, so the method can be tried without a cluster. One run prints the decision trace;
 * several print how often rollouts were promoted, rolled back or left to a human.
 *
 * `genops canary run`: what the canary-promote action does, from a terminal: verify the decision (and
 * the risk artifact whose plan is walked), walk the stages with the file, Prometheus or HTTP provider
 * and command hooks or a webhook, save the state after every window (--state; a re-run resumes), and
 * sign the canary artifact (--key, --out). Exit 0 promoted, 1 rolled back, inconclusive or refused.
 */
import { createPublicKey } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from '../cli.js';
import {
  abortOnTermination,
  authorizeCanary,
  buildMetricsProvider,
  buildTrafficControl,
  CANARY_METHODS,
  canaryOutcomeError,
  canaryTraceSvg,
  canaryTraceText,
  ConfigError,
  fileCanaryStateStore,
  keySigner,
  loadCanaryConfig,
  loadPrivateKey,
  loadPublicKey,
  METRICS_PROVIDERS,
  nodeFileSystem,
  parseDurationSeconds,
  parseStages,
  PredicateTypes,
  runCanaryRollout,
  signStatement,
  systemCanaryClock,
  verifyArtifactBytes,
  writeArtifact,
  type CanaryClock,
  type MetricsProviderKind,
  type MetricsSpec,
  type SourceReader,
  type TrafficSpec,
  type VerifiedArtifact,
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
import { collectList, readBundleFile, readInputFile, readInputText } from './files.js';

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

export interface CanaryRunOptions {
  decision: string;
  risk?: string;
  key: string;
  trustKey?: string[];
  out: string;
  state?: string;
  chart?: string;
  subject?: string;
  environment?: string;
  stages?: string;
  config?: string;
  maxDuration?: string;
  provider?: string;
  prometheusUrl?: string;
  prometheusConfig?: string;
  canaryVersion?: string;
  baselineVersion?: string;
  metricsFile?: string;
  metricsUrl?: string;
  metricsMethod?: string;
  setWeightCommand?: string;
  rollbackCommand?: string;
  confirmPromotionCommand?: string;
  webhookUrl?: string;
  webhookConfirm?: boolean;
  json?: boolean;
}

/** What `canary run --json` prints. */
export interface CanaryRunSummary {
  outcome: CanaryRun['outcome'];
  finalWeight: number;
  artifactPath: string;
  artifactDigest: string;
  statePath: string;
  resumed: boolean;
  run: CanaryRun;
}

/** What a test injects: the clock (simulated), cancellation, where hooks run, the environment (secrets). */
export interface CanaryRunDeps {
  clock?: CanaryClock;
  signal?: AbortSignal;
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

function metricsSpecOf(opts: CanaryRunOptions, env: Readonly<Record<string, string | undefined>>): MetricsSpec {
  const located: [string | undefined, MetricsProviderKind][] = [
    [opts.prometheusUrl, 'prometheus'],
    [opts.metricsFile, 'file'],
    [opts.metricsUrl, 'http'],
  ];
  const set = located.filter(([v]) => v !== undefined);
  const kind = opts.provider === undefined ? (set.length === 1 ? set[0]?.[1] : undefined) : choice(opts.provider, '--provider', METRICS_PROVIDERS, 'file');
  const token = env.GENOPS_METRICS_TOKEN;
  const need = (v: string | undefined, flag: string, expected: string): string => {
    if (v === undefined || v === '') throw new ConfigError('INPUT_MISSING', `${flag} is required with --provider ${String(kind)}`, { input: flag, expected });
    return v;
  };
  switch (kind) {
    case 'file':
      return { kind, path: need(opts.metricsFile, '--metrics-file', 'a JSON or CSV file of windows') };
    case 'http':
      return { kind, url: need(opts.metricsUrl, '--metrics-url', 'an http(s) URL answering one window'), method: choice(opts.metricsMethod, '--metrics-method', ['GET', 'POST'] as const, 'GET'), ...(token === undefined ? {} : { bearerToken: token }) };
    case 'prometheus':
      return {
        kind,
        url: need(opts.prometheusUrl, '--prometheus-url', 'the Prometheus base URL'),
        canaryVersion: opts.canaryVersion ?? 'canary',
        baselineVersion: opts.baselineVersion ?? 'stable',
        ...(token === undefined ? {} : { bearerToken: token }),
        ...(opts.prometheusConfig === undefined ? {} : { configPath: opts.prometheusConfig }),
      };
    case undefined:
      throw new ConfigError('INPUT_MISSING', set.length === 0 ? 'say where the metrics come from: --metrics-file, --prometheus-url or --metrics-url' : 'more than one metrics source given: pick one with --provider', {
        input: '--provider',
        expected: 'file (--metrics-file), prometheus (--prometheus-url) or http (--metrics-url)',
      });
  }
}

function trafficSpecOf(opts: CanaryRunOptions, env: Readonly<Record<string, string | undefined>>): TrafficSpec {
  if (opts.webhookUrl !== undefined && opts.setWeightCommand !== undefined) throw new ConfigError('INPUT_INVALID', '--webhook-url and --set-weight-command are exclusive', { input: '--webhook-url', expected: 'either command hooks or a webhook' });
  if (opts.webhookUrl !== undefined) {
    const secret = env.GENOPS_WEBHOOK_SECRET;
    return { kind: 'webhook', url: opts.webhookUrl, ...(secret === undefined ? {} : { secret }), confirm: opts.webhookConfirm === true };
  }
  if (opts.setWeightCommand === undefined) throw new ConfigError('INPUT_MISSING', 'say how to move traffic: --set-weight-command CMD (or --webhook-url URL)', { input: '--set-weight-command', expected: 'a bash command reading $GENOPS_CANARY_WEIGHT' });
  return {
    kind: 'command',
    setWeightCommand: opts.setWeightCommand,
    ...(opts.rollbackCommand === undefined ? {} : { rollbackCommand: opts.rollbackCommand }),
    ...(opts.confirmPromotionCommand === undefined ? {} : { confirmPromotionCommand: opts.confirmPromotionCommand }),
  };
}

/** `genops canary run`, testable without commander. Throws the outcome's BlockedError after signing. */
export async function canaryRun(opts: CanaryRunOptions, io: CliIO, deps: CanaryRunDeps = {}): Promise<CanaryRunSummary> {
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();
  const at = (p: string) => resolve(cwd, p);
  const clock = deps.clock ?? systemCanaryClock(deps.signal);
  const stages = opts.stages === undefined ? undefined : parseStages(opts.stages, '--stages');
  let maxDuration: number | undefined;
  if (opts.maxDuration !== undefined) {
    maxDuration = parseDurationSeconds(/^\d+(\.\d+)?$/.test(opts.maxDuration) ? Number(opts.maxDuration) : opts.maxDuration);
    if (maxDuration === undefined) throw new ConfigError('INPUT_INVALID', `--max-duration ${JSON.stringify(opts.maxDuration)} is not a duration`, { input: '--max-duration', expected: 'e.g. 90m, 4h or 3600 (seconds)' });
  }
  const metrics = metricsSpecOf(opts, env);
  const trafficSpec = trafficSpecOf(opts, env);
  const priv = loadPrivateKey(await readInputText(at(opts.key), '--key'), opts.key);
  const pub = createPublicKey(priv);
  const keys = opts.trustKey === undefined ? [pub] : await Promise.all(opts.trustKey.map(async (p) => loadPublicKey(await readInputText(at(p), '--trust-key'), p)));

  // Fail closed: verify the decision (and risk) before anything moves.
  const now = clock.now();
  const verified: VerifiedArtifact[] = [];
  for (const [flag, path, type] of [
    ['--decision', opts.decision, PredicateTypes.decision],
    ['--risk', opts.risk, PredicateTypes.risk],
  ] as const) {
    if (path === undefined) continue;
    verified.push(verifyArtifactBytes(await readBundleFile(at(path), flag), path, { trust: { mode: 'key', keys }, predicateType: type, now, ...(opts.subject === undefined ? {} : { subject: { gitCommit: opts.subject } }) }));
  }
  const auth = await authorizeCanary(verified, { ...(stages === undefined ? {} : { stages }), ...(opts.environment === undefined ? {} : { environment: opts.environment }), input: '--decision' });
  const read: SourceReader = async (path, input) => sourceFileOf(path, await readInputFile(at(path), input === 'metrics-file' ? '--metrics-file' : input === 'prometheus-config' ? '--prometheus-config' : '--config'));
  const config = await loadCanaryConfig(read, opts.config ?? '', auth.plan.stages, maxDuration, '--config');
  const provider = await buildMetricsProvider(metrics, read);
  const traffic = buildTrafficControl(trafficSpec, cwd);
  const statePath = at(opts.state ?? `${opts.out}.state.json`);
  const d = auth.decisionBody;
  const commit = auth.decision.statement.subject.find((s) => s.digest.gitCommit !== undefined)?.digest.gitCommit ?? d.change.sha;

  const { run, resumed, statement } = await runCanaryRollout({
    auth,
    config,
    provider,
    providerKind: metrics.kind,
    traffic,
    trafficKind: trafficSpec.kind,
    clock,
    store: fileCanaryStateStore(statePath),
    ...(deps.signal === undefined ? {} : { signal: deps.signal }),
    subject: { repository: d.change.repository, gitCommit: commit },
    header: { run: { repository: d.change.repository, runId: '0', runAttempt: 1, workflowRef: 'genops-cli', event: 'cli', ref: 'local', sha: commit }, ttlSeconds: 30 * 24 * 3600 },
  });
  const out = await writeArtifact(nodeFileSystem(cwd), at(opts.out), await signStatement(statement, keySigner(priv, pub)));
  if (opts.chart !== undefined) await nodeFileSystem(cwd).writeFileAtomic(at(opts.chart), canaryTraceSvg(run));
  const summary: CanaryRunSummary = { outcome: run.outcome, finalWeight: run.finalWeight, artifactPath: opts.out, artifactDigest: out['artifact-digest'], statePath, resumed, run };
  const signedLine = `signed ${opts.out} ${out['artifact-digest']}`;
  if (opts.json === true) {
    io.out(JSON.stringify(summary, null, 2));
    io.err(signedLine);
  } else {
    if (resumed) io.out(`resumed the rollout saved in ${statePath}`);
    for (const l of canaryTraceText(run)) io.out(l);
    io.out(signedLine);
  }
  const err = canaryOutcomeError(run, statePath, 'run the same command again (same --state)');
  if (err !== undefined) throw err;
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
  canary
    .command('run')
    .description('Verify the decision (and risk), walk the canary stages with real metrics and traffic hooks, sign the canary artifact (key mode). Exit 0 promoted, 1 rolled back or inconclusive.')
    .requiredOption('--decision <bundle>', 'the signed decision (policy-gate / genops policy evaluate); allow or warn, require-approval is refused here')
    .option('--risk <bundle>', 'the signed risk artifact the decision was made from: its canary plan is walked')
    .requiredOption('--key <private.pem>', 'PEM ECDSA P-256 private key to sign the canary artifact with')
    .requiredOption('--out <file>', 'where to write the signed canary bundle')
    .option('--trust-key <pub.pem>', 'trusted key of the decision and risk (repeatable); default: the public half of --key', collectList)
    .option('--state <file>', 'the rollout state, saved after every window; a re-run that finds it resumes (default: <out>.state.json)')
    .option('--chart <file.svg>', 'also write the SVG chart of e-values and error rates')
    .option('--subject <sha>', 'the commit the decision must be about')
    .option('--environment <name>', 'the environment rolled out to (must be the decision\'s)')
    .option('--stages <list>', 'canary weights in percent, overriding the risk plan, e.g. 1,5,25,50,100')
    .option('--config <file>', 'canary settings YAML (docs/canary.md#configuration)')
    .option('--max-duration <d>', 'longest the whole rollout may take, e.g. 4h (default 6h or the config\'s)')
    .option('--provider <kind>', 'prometheus | file | http (default: the one whose location is given)')
    .option('--metrics-file <file>', 'file provider: JSON or CSV windows to replay')
    .option('--prometheus-url <url>', 'Prometheus base URL (bearer token from $GENOPS_METRICS_TOKEN)')
    .option('--prometheus-config <file>', 'Prometheus settings and PromQL templates YAML')
    .option('--canary-version <v>', 'Prometheus: version label of the canary (default canary)')
    .option('--baseline-version <v>', 'Prometheus: version label of the baseline (default stable)')
    .option('--metrics-url <url>', 'HTTP provider URL (bearer token from $GENOPS_METRICS_TOKEN)')
    .option('--metrics-method <m>', 'HTTP provider: GET or POST (default GET)')
    .option('--set-weight-command <cmd>', 'bash command setting the weight from $GENOPS_CANARY_WEIGHT')
    .option('--rollback-command <cmd>', 'bash command run on rollback (default: set-weight with 0)')
    .option('--confirm-promotion-command <cmd>', 'bash command asked before 100 %: exit 0 = go')
    .option('--webhook-url <url>', 'traffic webhook instead of commands (HMAC secret from $GENOPS_WEBHOOK_SECRET)')
    .option('--webhook-confirm', 'ask the webhook to confirm before 100 %')
    .option('--json', 'print { outcome, finalWeight, artifactPath, artifactDigest, statePath, resumed, run } as JSON')
    .action(async (opts: CanaryRunOptions) => {
      await canaryRun(opts, io, { signal: abortOnTermination() });
    });
  return canary;
}
