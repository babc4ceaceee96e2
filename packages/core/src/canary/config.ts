/**
 * canary-promote's configuration: the test (alpha, method, metrics, tolerances R_max), the stage
 * timing (window, warm-up, dwell, deadline, maximum total duration), the minimum canary requests and
 * the guards. Defaults are the method's (docs/canary.md); a YAML-loaded value overrides them key by
 * key, and every problem is reported at once in one ConfigError.
 */
import { ConfigError, docUrl } from '../errors.js';
import { isRecord, parseYamlSource, sourceText, yamlKeyLines, type SourceFile } from '../evidence/source.js';
import { CANARY_METHODS, type CanaryMethod } from './eprocess.js';
import { DEFAULT_GUARDS, GUARD_INFO, GUARD_NAMES, type GuardName, type GuardSpec, type GuardsConfig } from './guards.js';
import { CANARY_METRICS, type CanaryMetric } from './model.js';

export interface CanaryConfig {
  /** Overall false-rollback budget of the comparison tests (split over the metrics), and the level of the promotion test. */
  alpha: number;
  method: CanaryMethod;
  /** The compared metrics; each must be present in every window for the window to count. */
  metrics: CanaryMetric[];
  windowSeconds: number;
  /** Windows at the start of each stage that are ignored (traffic shifting, caches warming). */
  warmupWindows: number;
  /** Minimum time in a stage, from the weight change. */
  dwellSeconds: number;
  /** A stage that has neither promoted nor rolled back by then ends the run inconclusive (a human decides). */
  stageDeadlineSeconds: number;
  /**
   * The deadline of the last compared stage, which promotes only on evidence that R < R_max: that
   * test needs more windows than the earlier stages' dwell rule (at R_max 1.25 at least 26 windows at
   * 50 % even without noise), so it gets its own, longer deadline. Validity does not depend on it.
   */
  lastStageDeadlineSeconds: number;
  /** Whole rollout, from its first start (kept across resumes). */
  maxTotalSeconds: number;
  /** Tolerance of the last compared stage: promote only when R >= R_max is rejected for every metric. */
  rMax: Record<CanaryMetric, number>;
  /** A stage at weight w % needs ceil(w * this) canary requests (after warm-up) to promote. */
  minCanaryRequestsPerPercent: number;
  /** When known, the minimum requests are checked to be reachable within each stage's deadline. */
  expectedRequestsPerMinute: number | null;
  guards: GuardsConfig;
}

export const DEFAULT_CANARY_CONFIG: CanaryConfig = {
  alpha: 0.05,
  method: 'share',
  metrics: ['errors', 'latency'],
  windowSeconds: 60,
  warmupWindows: 2,
  dwellSeconds: 300,
  stageDeadlineSeconds: 1800,
  lastStageDeadlineSeconds: 3600,
  maxTotalSeconds: 6 * 3600,
  rMax: { errors: 1.5, latency: 1.25 },
  minCanaryRequestsPerPercent: 100,
  expectedRequestsPerMinute: null,
  guards: DEFAULT_GUARDS,
};

/** The deadline (seconds) of a stage: the last compared stage has its own. */
export function stageDeadlineOf(config: CanaryConfig, lastCompared: boolean): number {
  return lastCompared ? config.lastStageDeadlineSeconds : config.stageDeadlineSeconds;
}

/** The canary requests a stage at `weight` % needs before it may promote. */
export function stageMinCanaryRequests(config: CanaryConfig, weight: number): number {
  return Math.ceil(config.minCanaryRequestsPerPercent * weight);
}

/** Problems with a stage ladder: increasing weights in (0, 100], ending at 100, at least one compared stage. */
export function stageProblems(stages: readonly number[]): string[] {
  const out: string[] = [];
  if (stages.length === 0) return ['no stages: expected weights in percent such as 1,5,25,50,100'];
  stages.forEach((w, i) => {
    if (!Number.isFinite(w) || w <= 0 || w > 100) out.push(`stage ${String(i + 1)} weight ${String(w)} is not in (0, 100]`);
    else if (i > 0 && w <= (stages[i - 1] ?? 0)) out.push(`stage weights must increase: ${String(stages[i - 1])} then ${String(w)}`);
  });
  if (stages.at(-1) !== 100) out.push(`the last stage must be 100 (full promotion), got ${String(stages.at(-1))}`);
  if (stages.filter((w) => w < 100).length === 0) out.push('at least one stage below 100 is needed to compare the canary with a baseline');
  return out;
}

/**
 * Is each compared stage's minimum of canary requests reachable within its deadline at this traffic?
 * (The minimum scales with the weight, so the 1 % stage does not stall on slow hours.)
 */
export function reachabilityProblems(config: CanaryConfig, stages: readonly number[], requestsPerMinute: number): string[] {
  const out: string[] = [];
  const compared = stages.filter((s) => s < 100);
  for (const [i, w] of compared.entries()) {
    const deadline = stageDeadlineOf(config, i === compared.length - 1);
    const usableMinutes = Math.max(0, deadline - config.warmupWindows * config.windowSeconds) / 60;
    const need = stageMinCanaryRequests(config, w);
    const expected = requestsPerMinute * (w / 100) * usableMinutes;
    if (expected < need) {
      out.push(
        `stage ${String(w)} %: needs ${String(need)} canary requests but expects about ${Math.floor(expected).toString()} at ${String(requestsPerMinute)} requests/min within its ${String(deadline / 60)} min deadline (after warm-up); lower minCanaryRequestsPerPercent to at most ${String(Math.floor((requestsPerMinute * usableMinutes) / 100))} or lengthen ${i === compared.length - 1 ? 'lastStageDeadline' : 'stageDeadline'}`,
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing a plain (YAML-loaded) value.

interface Problem {
  path: string[];
  message: string;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Seconds from a number (seconds) or a string such as `90s`, `5m`, `1.5h`. */
export function parseDurationSeconds(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = DURATION.exec(v.trim());
  if (m === null) return undefined;
  const seconds = Number(m[1]) * (UNIT_SECONDS[m[2] ?? 's'] ?? 1);
  return seconds > 0 ? seconds : undefined;
}

const TOP_KEYS = ['alpha', 'method', 'metrics', 'window', 'warmupWindows', 'dwell', 'stageDeadline', 'lastStageDeadline', 'maxTotalDuration', 'rMax', 'minCanaryRequestsPerPercent', 'expectedRequestsPerMinute', 'guards'];
const GUARD_KEYS = ['alpha', 'consecutiveBreaches', 'minWindowRequests', ...GUARD_NAMES];

function guardLimitProblem(name: GuardName, limit: number): string | undefined {
  if (!Number.isFinite(limit)) return 'must be a number';
  switch (name) {
    case 'errorRate':
    case 'successRate':
      return limit > 0 && limit < 1 ? undefined : 'must be a rate in (0, 1), e.g. 0.01 for 1 %';
    case 'qualityScore':
      return limit >= 0 && limit <= 1 ? undefined : 'must be a score in [0, 1]';
    case 'p99Ms':
    case 'p50Ms':
    case 'costSpike':
      return limit > 0 ? undefined : `must be > 0 (${GUARD_INFO[name].describe})`;
  }
}

function parseGuards(v: unknown, problems: Problem[]): GuardsConfig {
  const out: GuardsConfig = { ...DEFAULT_GUARDS, specs: { ...DEFAULT_GUARDS.specs } };
  if (v === undefined) return out;
  if (!isRecord(v)) {
    problems.push({ path: ['guards'], message: 'must be a mapping' });
    return out;
  }
  for (const k of Object.keys(v)) if (!GUARD_KEYS.includes(k)) problems.push({ path: ['guards', k], message: `unknown key (expected one of ${GUARD_KEYS.join(', ')})` });
  if (v.alpha !== undefined) {
    if (typeof v.alpha === 'number' && v.alpha > 0 && v.alpha < 1) out.alpha = v.alpha;
    else problems.push({ path: ['guards', 'alpha'], message: 'must be a number in (0, 1)' });
  }
  for (const key of ['consecutiveBreaches', 'minWindowRequests'] as const) {
    const x = v[key];
    if (x === undefined) continue;
    if (typeof x === 'number' && Number.isInteger(x) && x >= 0) out[key] = x;
    else problems.push({ path: ['guards', key], message: 'must be an integer >= 0' });
  }
  for (const name of GUARD_NAMES) {
    const g = v[name];
    if (g === undefined) continue;
    const base = DEFAULT_GUARDS.specs[name] ?? { limit: 0, required: false };
    if (g === null || g === false || g === 'off') {
      out.specs[name] = null;
      continue;
    }
    let spec: GuardSpec | undefined;
    if (typeof g === 'number') spec = { limit: g, required: base.required };
    else if (isRecord(g)) {
      for (const k of Object.keys(g)) if (k !== 'limit' && k !== 'required') problems.push({ path: ['guards', name, k], message: 'unknown key (expected limit, required)' });
      const limit = g.limit === undefined ? base.limit : g.limit;
      const required = g.required === undefined ? base.required : g.required;
      if (typeof required !== 'boolean') problems.push({ path: ['guards', name, 'required'], message: 'must be true or false' });
      if (typeof limit !== 'number') problems.push({ path: ['guards', name, 'limit'], message: 'must be a number' });
      else spec = { limit, required: required === true };
    } else {
      problems.push({ path: ['guards', name], message: 'must be a number (the limit), a mapping { limit, required }, or off' });
      continue;
    }
    if (spec === undefined) continue;
    const p = guardLimitProblem(name, spec.limit);
    if (p !== undefined) problems.push({ path: ['guards', name], message: p });
    else out.specs[name] = spec;
  }
  return out;
}

/** Builds the config from a plain value; problems are collected, not thrown. */
function readConfig(value: unknown, problems: Problem[]): CanaryConfig {
  const c: CanaryConfig = { ...DEFAULT_CANARY_CONFIG, rMax: { ...DEFAULT_CANARY_CONFIG.rMax }, metrics: [...DEFAULT_CANARY_CONFIG.metrics] };
  if (value === undefined || value === null) return c;
  if (!isRecord(value)) {
    problems.push({ path: [], message: 'must be a mapping of canary settings' });
    return c;
  }
  for (const k of Object.keys(value)) if (!TOP_KEYS.includes(k)) problems.push({ path: [k], message: `unknown key (expected one of ${TOP_KEYS.join(', ')})` });
  const v = value;
  if (v.alpha !== undefined) {
    if (typeof v.alpha === 'number' && v.alpha > 0 && v.alpha < 0.5) c.alpha = v.alpha;
    else problems.push({ path: ['alpha'], message: 'must be a number in (0, 0.5), e.g. 0.05' });
  }
  if (v.method !== undefined) {
    if (typeof v.method === 'string' && (CANARY_METHODS as readonly string[]).includes(v.method)) c.method = v.method as CanaryMethod;
    else problems.push({ path: ['method'], message: `must be one of ${CANARY_METHODS.join(', ')}` });
  }
  if (v.metrics !== undefined) {
    const ok = Array.isArray(v.metrics) && v.metrics.length > 0 && v.metrics.every((m) => typeof m === 'string' && (CANARY_METRICS as readonly string[]).includes(m)) && new Set(v.metrics).size === v.metrics.length;
    if (ok) c.metrics = v.metrics as CanaryMetric[];
    else problems.push({ path: ['metrics'], message: `must be a non-empty list of distinct metrics from ${CANARY_METRICS.join(', ')}` });
  }
  const durations = [
    ['window', 'windowSeconds'],
    ['dwell', 'dwellSeconds'],
    ['stageDeadline', 'stageDeadlineSeconds'],
    ['lastStageDeadline', 'lastStageDeadlineSeconds'],
    ['maxTotalDuration', 'maxTotalSeconds'],
  ] as const;
  for (const [key, field] of durations) {
    if (v[key] === undefined) continue;
    const s = parseDurationSeconds(v[key]);
    if (s === undefined) problems.push({ path: [key], message: 'must be a positive duration: seconds, or a string such as 60s, 5m, 1h' });
    else c[field] = s;
  }
  // A longer stageDeadline given alone also applies to the last compared stage.
  if (v.lastStageDeadline === undefined) c.lastStageDeadlineSeconds = Math.max(c.lastStageDeadlineSeconds, c.stageDeadlineSeconds);
  if (v.warmupWindows !== undefined) {
    if (typeof v.warmupWindows === 'number' && Number.isInteger(v.warmupWindows) && v.warmupWindows >= 0) c.warmupWindows = v.warmupWindows;
    else problems.push({ path: ['warmupWindows'], message: 'must be an integer >= 0' });
  }
  if (v.rMax !== undefined) {
    if (!isRecord(v.rMax)) problems.push({ path: ['rMax'], message: 'must be a mapping { errors: 1.5, latency: 1.25 }' });
    else {
      for (const [k, r] of Object.entries(v.rMax)) {
        if (!(CANARY_METRICS as readonly string[]).includes(k)) problems.push({ path: ['rMax', k], message: `unknown metric (expected ${CANARY_METRICS.join(', ')})` });
        else if (typeof r === 'number' && r > 1 && r <= 10) c.rMax[k as CanaryMetric] = r;
        else problems.push({ path: ['rMax', k], message: 'must be a ratio in (1, 10], e.g. 1.5 (canary at most 50 % worse)' });
      }
    }
  }
  if (v.minCanaryRequestsPerPercent !== undefined) {
    if (typeof v.minCanaryRequestsPerPercent === 'number' && Number.isFinite(v.minCanaryRequestsPerPercent) && v.minCanaryRequestsPerPercent >= 0) c.minCanaryRequestsPerPercent = v.minCanaryRequestsPerPercent;
    else problems.push({ path: ['minCanaryRequestsPerPercent'], message: 'must be a number >= 0' });
  }
  if (v.expectedRequestsPerMinute !== undefined && v.expectedRequestsPerMinute !== null) {
    if (typeof v.expectedRequestsPerMinute === 'number' && Number.isFinite(v.expectedRequestsPerMinute) && v.expectedRequestsPerMinute > 0) c.expectedRequestsPerMinute = v.expectedRequestsPerMinute;
    else problems.push({ path: ['expectedRequestsPerMinute'], message: 'must be a number > 0' });
  }
  c.guards = parseGuards(v.guards, problems);
  return c;
}

/** Rules across fields. */
export function configProblems(c: CanaryConfig): { path: string[]; message: string }[] {
  const out: Problem[] = [];
  if (c.dwellSeconds < c.windowSeconds) out.push({ path: ['dwell'], message: `${String(c.dwellSeconds)} s is shorter than one window (${String(c.windowSeconds)} s)` });
  if (c.dwellSeconds < (c.warmupWindows + 1) * c.windowSeconds) out.push({ path: ['dwell'], message: `${String(c.dwellSeconds)} s leaves no window after the ${String(c.warmupWindows)} warm-up window(s)` });
  if (c.stageDeadlineSeconds <= c.dwellSeconds) out.push({ path: ['stageDeadline'], message: `${String(c.stageDeadlineSeconds)} s must be longer than the dwell (${String(c.dwellSeconds)} s)` });
  if (c.lastStageDeadlineSeconds <= c.dwellSeconds) out.push({ path: ['lastStageDeadline'], message: `${String(c.lastStageDeadlineSeconds)} s must be longer than the dwell (${String(c.dwellSeconds)} s)` });
  const longest = Math.max(c.stageDeadlineSeconds, c.lastStageDeadlineSeconds);
  if (c.maxTotalSeconds < longest) out.push({ path: ['maxTotalDuration'], message: `${String(c.maxTotalSeconds)} s is shorter than one stage deadline (${String(longest)} s)` });
  return out;
}

function fail(problems: Problem[], origin: string, lineOf: (p: string[]) => number | undefined, file: string | undefined): never {
  const list = problems.map((p) => {
    const line = lineOf(p.path);
    return `- ${p.path.join('.') || '(root)'}${line === undefined ? '' : ` (line ${String(line)})`}: ${p.message}`;
  });
  const first = problems[0];
  const firstLine = first === undefined ? undefined : lineOf(first.path);
  throw new ConfigError(file === undefined ? 'INPUT_INVALID' : 'FILE_INVALID', `${origin}: ${String(problems.length)} problem(s) in the canary configuration:\n${list.join('\n')}`, {
    input: origin,
    ...(file === undefined ? {} : { file }),
    ...(firstLine === undefined ? {} : { line: firstLine }),
    expected: 'canary settings (see docs/canary.md#configuration); every key is optional',
    hint: 'Fix or remove these keys; the defaults are listed in docs/canary.md.',
    docUrl: docUrl('canary', 'configuration'),
  });
}

/**
 * A canary configuration from a plain (YAML- or JSON-loaded) value over the defaults. `stages`, when
 * given, are checked too, and so is the reachability of the minimum requests when the expected traffic is set.
 */
export function parseCanaryConfig(value: unknown, origin = 'canary configuration', stages?: readonly number[]): CanaryConfig {
  const { config, problems } = collectConfig(value, stages);
  if (problems.length > 0) fail(problems, origin, () => undefined, undefined);
  return config;
}

function collectConfig(value: unknown, stages: readonly number[] | undefined): { config: CanaryConfig; problems: Problem[] } {
  const problems: Problem[] = [];
  const config = readConfig(value, problems);
  if (problems.length === 0) problems.push(...configProblems(config));
  if (stages !== undefined) for (const m of stageProblems(stages)) problems.push({ path: ['stages'], message: m });
  if (problems.length === 0 && stages !== undefined && config.expectedRequestsPerMinute !== null) {
    for (const m of reachabilityProblems(config, stages, config.expectedRequestsPerMinute)) problems.push({ path: ['minCanaryRequestsPerPercent'], message: m });
  }
  return { config, problems };
}

/** The same from a YAML file, with line numbers in the error. */
export function parseCanaryConfigFile(file: SourceFile, stages?: readonly number[]): CanaryConfig {
  const expected = 'canary settings (YAML; see docs/canary.md#configuration)';
  const doc = parseYamlSource(file, expected);
  const { config, problems } = collectConfig(doc, stages);
  if (problems.length === 0) return config;
  const lines = yamlKeyLines(sourceText(file, expected), 0, problems.map((p) => p.path));
  const lineOf = (path: string[]) => {
    for (let n = path.length; n > 0; n--) {
      const line = lines.get(path.slice(0, n).join('\u0000'));
      if (line !== undefined) return line;
    }
    return undefined;
  };
  return fail(problems, file.path, lineOf, file.path);
}
