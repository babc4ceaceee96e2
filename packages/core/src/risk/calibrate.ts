/**
 * Calibration: how well past risk scores predicted what happened, and which tier thresholds the
 * history supports (`genops risk calibrate <history>`).
 *
 * Input: JSON Lines, one scored change a line: `{"id": "...", "score": 0.42, "outcome":
 * "success" | "failure"}` plus optional `service` and `date` (strings); other fields are ignored.
 * Blank lines are skipped; ids must be unique (a change counted twice biases every figure).
 *
 * Figures (a failure is the positive class, y = 1):
 * - Brier score: mean (score - y)^2; 0 is perfect, 0.25 is a constant 0.5. `brierBaseline` is the
 *   Brier score of always predicting the observed failure rate p, i.e. p(1 - p), for comparison.
 * - ROC AUC: the Mann-Whitney statistic over average ranks (ties count 1/2): the chance a random
 *   failure scored above a random success. Undefined (null) without both outcomes.
 * - Reliability table: `bins` equal-width bins over [0, 1], bin i = [i/bins, (i+1)/bins) and the
 *   last one closed at 1; per bin the count, mean score and observed failure rate. ECE is the
 *   count-weighted mean |mean score - failure rate| over the bins.
 *
 * Threshold fit (fitThresholds): isotonic regression of the outcome on the score (pool adjacent
 * violators over the distinct scores, so tied scores always share a tier) gives a failure rate
 * that never falls as the score rises. Each threshold is the first score at which that rate
 * reaches its target (defaults: medium 5 %, high 15 %, critical 30 % failures): the midpoint
 * between the last score below and the first score of the block that reaches it (that block's
 * first score when it is the lowest), rounded to 3 decimals. A threshold is accepted only if at
 * least `minTierCount` (10) records score at or above it; otherwise the current threshold is kept
 * and the result says so. Then the three are made strictly increasing with a gap of at least
 * 0.01 (medium < high < critical <= 1), raising the higher ones (lowering from the top when 1 is
 * reached). Because the isotonic rate rises with the score, the observed failure rate of the
 * fitted tiers rises from low to critical too (not always strictly: kept or pushed thresholds).
 */
import { ConfigError } from '../errors.js';
import { RISK_TIERS, type RiskTier } from './model.js';
import { tierOf, type Thresholds } from './score-math.js';

export type ChangeOutcome = 'success' | 'failure';

export interface HistoryRecord {
  id: string;
  /** The risk score the change got, in [0, 1]. */
  score: number;
  outcome: ChangeOutcome;
  service?: string;
  /** When the change was deployed (ISO 8601), as given. */
  date?: string;
}

/** What the figures need of a record. */
export interface ScoredOutcome {
  score: number;
  outcome: ChangeOutcome;
}

export interface ReliabilityBin {
  /** Lower and upper bound of the bin ([from, to), the last bin closed). */
  from: number;
  to: number;
  count: number;
  failures: number;
  /** Mean score in the bin; null when empty. */
  meanPredicted: number | null;
  /** failures / count; null when empty. */
  observedFailureRate: number | null;
}

export interface TierStats {
  tier: RiskTier;
  /** Score range of the tier: [from, to) (critical closed at 1). */
  from: number;
  to: number;
  count: number;
  failures: number;
  failureRate: number | null;
}

export interface FitOptions {
  /** The thresholds to keep where the history cannot place one. */
  current: Thresholds;
  /** Failure rate each tier starts at. Default medium 0.05, high 0.15, critical 0.3. */
  targets?: Thresholds;
  /** Records that must score at or above a fitted threshold for it to count. Default 10. */
  minTierCount?: number;
}

export interface ThresholdFit {
  thresholds: Thresholds;
  /** Where each threshold came from: the isotonic fit, or the current one kept. */
  source: Record<keyof Thresholds, 'fitted' | 'kept'>;
  targets: Thresholds;
  /** The isotonic failure rate: blocks of distinct scores [from, to] with their pooled rate. */
  isotonic: { from: number; to: number; count: number; failures: number; rate: number }[];
}

export interface CalibrationReport {
  count: number;
  failures: number;
  failureRate: number;
  brier: number;
  brierBaseline: number;
  auc: number | null;
  ece: number;
  reliability: ReliabilityBin[];
  thresholds: { current: Thresholds; fitted: Thresholds };
  fit: Pick<ThresholdFit, 'source' | 'targets'>;
  tiers: { current: TierStats[]; fitted: TierStats[] };
}

export const DEFAULT_TARGET_FAILURE_RATES: Thresholds = { medium: 0.05, high: 0.15, critical: 0.3 };
export const DEFAULT_MIN_TIER_COUNT = 10;
/** Smallest distance between fitted thresholds. */
export const THRESHOLD_GAP = 0.01;
export const MAX_RELIABILITY_BINS = 100;

// ---------------------------------------------------------------------------------------------
// Parsing

/** YYYY-MM-DD, optionally with a time and an offset (Date.parse alone accepts "1" or "May 5"). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const RECORD_SHAPE = 'one JSON object a line: {"id": "...", "score": 0..1, "outcome": "success" | "failure"} (optional "service", "date")';

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

/** Reads a JSON Lines history. ConfigError naming the file and line for the first bad line. */
export function parseHistory(text: string, path: string): HistoryRecord[] {
  const records: HistoryRecord[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const bad = (what: string, actual: string) =>
      new ConfigError('FILE_INVALID', `${path}:${String(line)}: ${what}`, { input: '<history>', file: path, line, expected: RECORD_SHAPE, actual, hint: 'Fix or remove that line; every line is one scored change with its outcome.' });
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      throw bad('not JSON', e instanceof Error ? e.message : String(e));
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('not a JSON object', show(v));
    const o = v as Record<string, unknown>;
    if (typeof o.id !== 'string' || o.id === '') throw bad('"id" must be a non-empty string', show(o.id));
    if (typeof o.score !== 'number' || !Number.isFinite(o.score) || o.score < 0 || o.score > 1) throw bad('"score" must be a number from 0 to 1', show(o.score));
    if (o.outcome !== 'success' && o.outcome !== 'failure') throw bad('"outcome" must be "success" or "failure"', show(o.outcome));
    if (o.service !== undefined && typeof o.service !== 'string') throw bad('"service" must be a string', show(o.service));
    if (o.date !== undefined && (typeof o.date !== 'string' || !ISO_DATE.test(o.date) || Number.isNaN(Date.parse(o.date)))) throw bad('"date" must be an ISO 8601 date', show(o.date));
    const first = seen.get(o.id);
    if (first !== undefined) throw bad(`"id" ${show(o.id)} already appeared on line ${String(first)}`, show(o.id));
    seen.set(o.id, line);
    const r: HistoryRecord = { id: o.id, score: o.score, outcome: o.outcome };
    if (typeof o.service === 'string') r.service = o.service;
    if (typeof o.date === 'string') r.date = o.date;
    records.push(r);
  });
  if (records.length === 0) {
    throw new ConfigError('FILE_INVALID', `${path} holds no scored changes`, { input: '<history>', file: path, expected: RECORD_SHAPE, hint: 'Calibration needs past changes with their scores and outcomes.' });
  }
  return records;
}

// ---------------------------------------------------------------------------------------------
// Figures

const isFailure = (r: ScoredOutcome) => (r.outcome === 'failure' ? 1 : 0);

/** Mean squared error of the score as a failure probability; null for no records. */
export function brierScore(records: readonly ScoredOutcome[]): number | null {
  if (records.length === 0) return null;
  let sum = 0;
  for (const r of records) sum += (r.score - isFailure(r)) ** 2;
  return sum / records.length;
}

/** ROC AUC by the rank-sum (Mann-Whitney) statistic, ties at half; null without both outcomes. Scores may be any finite numbers. */
export function rocAuc(records: readonly ScoredOutcome[]): number | null {
  const failures = records.reduce((n, r) => n + isFailure(r), 0);
  const successes = records.length - failures;
  if (failures === 0 || successes === 0) return null;
  const sorted = [...records].sort((a, b) => a.score - b.score);
  let failureRankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    let groupFailures = 0;
    while (j < sorted.length && sorted[j]?.score === sorted[i]?.score) {
      groupFailures += isFailure(sorted[j] as ScoredOutcome);
      j++;
    }
    // Positions i..j-1 (0-based) share the mean of the 1-based ranks i+1..j.
    failureRankSum += (groupFailures * (i + 1 + j)) / 2;
    i = j;
  }
  const u = failureRankSum - (failures * (failures + 1)) / 2;
  return u / (failures * successes);
}

function checkBins(bins: number): void {
  if (!Number.isInteger(bins) || bins < 1 || bins > MAX_RELIABILITY_BINS) {
    throw new ConfigError('INPUT_INVALID', `bins ${String(bins)} is not a whole number from 1 to ${String(MAX_RELIABILITY_BINS)}`, { input: '--bins', expected: `1..${String(MAX_RELIABILITY_BINS)}` });
  }
}

/** Equal-width bins over [0, 1]: count, mean score and observed failure rate in each. */
export function reliabilityTable(records: readonly ScoredOutcome[], bins = 10): ReliabilityBin[] {
  checkBins(bins);
  const count = new Array<number>(bins).fill(0);
  const failures = new Array<number>(bins).fill(0);
  const scoreSum = new Array<number>(bins).fill(0);
  for (const r of records) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(r.score * bins)));
    count[b] = (count[b] ?? 0) + 1;
    failures[b] = (failures[b] ?? 0) + isFailure(r);
    scoreSum[b] = (scoreSum[b] ?? 0) + r.score;
  }
  return count.map((n, b) => ({
    from: b / bins,
    to: (b + 1) / bins,
    count: n,
    failures: failures[b] ?? 0,
    meanPredicted: n === 0 ? null : (scoreSum[b] ?? 0) / n,
    observedFailureRate: n === 0 ? null : (failures[b] ?? 0) / n,
  }));
}

/** Expected calibration error: count-weighted mean |mean score - failure rate| over the bins. */
export function expectedCalibrationError(table: readonly ReliabilityBin[]): number {
  const total = table.reduce((n, b) => n + b.count, 0);
  if (total === 0) return 0;
  return table.reduce((s, b) => s + (b.meanPredicted === null || b.observedFailureRate === null ? 0 : (b.count / total) * Math.abs(b.meanPredicted - b.observedFailureRate)), 0);
}

/** Count and failure rate of the records in each tier. */
export function tierStats(records: readonly ScoredOutcome[], thresholds: Thresholds): TierStats[] {
  const bounds: Record<RiskTier, [number, number]> = {
    low: [0, thresholds.medium],
    medium: [thresholds.medium, thresholds.high],
    high: [thresholds.high, thresholds.critical],
    critical: [thresholds.critical, 1],
  };
  const stats = RISK_TIERS.map((tier) => ({ tier, from: bounds[tier][0], to: bounds[tier][1], count: 0, failures: 0, failureRate: null as number | null }));
  for (const r of records) {
    const s = stats.find((t) => t.tier === tierOf(r.score, thresholds));
    if (s === undefined) continue;
    s.count += 1;
    s.failures += isFailure(r);
  }
  for (const s of stats) s.failureRate = s.count === 0 ? null : s.failures / s.count;
  return stats;
}

// ---------------------------------------------------------------------------------------------
// Threshold fit

interface Block {
  from: number;
  to: number;
  count: number;
  failures: number;
}

/** Pool adjacent violators over the distinct scores: a failure rate that never falls as the score rises. */
export function isotonicBlocks(records: readonly ScoredOutcome[]): Block[] {
  const byScore = new Map<number, Block>();
  for (const r of records) {
    const b = byScore.get(r.score) ?? { from: r.score, to: r.score, count: 0, failures: 0 };
    b.count += 1;
    b.failures += isFailure(r);
    byScore.set(r.score, b);
  }
  const stack: Block[] = [];
  for (const b of [...byScore.values()].sort((x, y) => x.from - y.from)) {
    let cur = { ...b };
    for (;;) {
      const prev = stack[stack.length - 1];
      // prev rate > cur rate, compared exactly on the integer counts.
      if (prev === undefined || prev.failures * cur.count <= cur.failures * prev.count) break;
      stack.pop();
      cur = { from: prev.from, to: cur.to, count: prev.count + cur.count, failures: prev.failures + cur.failures };
    }
    stack.push(cur);
  }
  return stack;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const LEVELS = ['medium', 'high', 'critical'] as const;

function checkTargets(t: Thresholds): void {
  if (!(t.medium > 0 && t.medium < t.high && t.high < t.critical && t.critical < 1)) {
    throw new ConfigError('INPUT_INVALID', `target failure rates ${show(t)} are not increasing inside (0, 1)`, { input: '--targets', expected: '0 < medium < high < critical < 1, e.g. 0.05,0.15,0.3' });
  }
}

/** Tier thresholds from the history (see the module comment for the method). */
export function fitThresholds(records: readonly ScoredOutcome[], options: FitOptions): ThresholdFit {
  const targets = options.targets ?? DEFAULT_TARGET_FAILURE_RATES;
  checkTargets(targets);
  const minTierCount = options.minTierCount ?? DEFAULT_MIN_TIER_COUNT;
  const blocks = isotonicBlocks(records);
  // Records scoring at or above each block's first score.
  const atOrAbove: number[] = [];
  let tail = 0;
  for (let k = blocks.length - 1; k >= 0; k--) {
    tail += blocks[k]?.count ?? 0;
    atOrAbove[k] = tail;
  }
  const raw = { ...options.current };
  const source: ThresholdFit['source'] = { medium: 'kept', high: 'kept', critical: 'kept' };
  for (const level of LEVELS) {
    const k = blocks.findIndex((b) => b.failures >= targets[level] * b.count);
    const b = blocks[k];
    if (b === undefined || (atOrAbove[k] ?? 0) < minTierCount) continue;
    const prev = blocks[k - 1];
    raw[level] = round3(prev === undefined ? b.from : (prev.to + b.from) / 2);
    source[level] = 'fitted';
  }
  return {
    thresholds: monotone(raw),
    source,
    targets: { ...targets },
    isotonic: blocks.map((b) => ({ ...b, rate: b.failures / b.count })),
  };
}

/** medium < high < critical <= 1, at least THRESHOLD_GAP apart: raise the higher ones, then lower from the top. */
function monotone(t: Thresholds): Thresholds {
  const gap = THRESHOLD_GAP;
  const medium = Math.max(0, t.medium);
  let high = Math.max(t.high, round3(medium + gap));
  let critical = Math.max(t.critical, round3(high + gap));
  if (critical <= 1) return { medium, high, critical };
  critical = 1;
  high = Math.min(high, round3(1 - gap));
  return { medium: Math.min(medium, round3(1 - 2 * gap)), high, critical };
}

// ---------------------------------------------------------------------------------------------
// Report

export interface ReportOptions {
  bins?: number;
  targets?: Thresholds;
  minTierCount?: number;
}

/** Every figure `genops risk calibrate` prints. Needs at least one record. */
export function calibrationReport(records: readonly HistoryRecord[], currentThresholds: Thresholds, options: ReportOptions = {}): CalibrationReport {
  const brier = brierScore(records);
  if (brier === null) throw new ConfigError('INPUT_INVALID', 'calibration needs at least one scored change', { input: '<history>' });
  const failures = records.reduce((n, r) => n + isFailure(r), 0);
  const failureRate = failures / records.length;
  const reliability = reliabilityTable(records, options.bins ?? 10);
  const fitOptions: FitOptions = { current: currentThresholds };
  if (options.targets !== undefined) fitOptions.targets = options.targets;
  if (options.minTierCount !== undefined) fitOptions.minTierCount = options.minTierCount;
  const fit = fitThresholds(records, fitOptions);
  return {
    count: records.length,
    failures,
    failureRate,
    brier,
    brierBaseline: failureRate * (1 - failureRate),
    auc: rocAuc(records),
    ece: expectedCalibrationError(reliability),
    reliability,
    thresholds: { current: { ...currentThresholds }, fitted: fit.thresholds },
    fit: { source: fit.source, targets: fit.targets },
    tiers: { current: tierStats(records, currentThresholds), fitted: tierStats(records, fit.thresholds) },
  };
}
