/**
 * The decision trace of a canary rollout (what the engine saw and why it decided), its saved state,
 * and renderers for people: a text table per stage and a small SVG chart of the rollback e-values
 * and the canary/baseline error rates over time, for the job summary. Everything rendered here is
 * numbers, timestamps and fixed words; the one free text (a provider's gap reason or an error
 * message) goes through report/escape.ts.
 */
import { htmlEscape, mdTableCell } from '../report/escape.js';
import type { EProcessState } from './eprocess.js';
import type { GuardResult, GuardState } from './guards.js';
import type { CanaryMetric, CanaryOutcome, MetricCounts } from './model.js';

/** Which rule ended a stage (or the run). */
export type DecisionRule =
  | 'promote-early-stage' // dwell + minimum requests + guards green, no rollback
  | 'promote-noninferiority' // last compared stage: the above, and R >= R_max rejected for every metric
  | 'promote-full' // the final 100 % step was taken
  | 'rollback-eprocess' // the canary is worse than the baseline (R > 1)
  | 'rollback-guard' // a hard guard
  | 'rollback-cancelled' // the run was cancelled
  | 'rollback-traffic-error' // setting the weight failed
  | 'inconclusive-deadline' // the stage deadline passed
  | 'inconclusive-max-duration' // the whole rollout took too long
  | 'inconclusive-not-confirmed' // confirmPromotion said no
  | 'inconclusive-error' // rollback or saving state failed: traffic state needs a human
  | 'interrupted'; // the run stopped mid-stage (a later run resumed it)

export interface WindowTrace {
  /** Window number within the stage, from 1. */
  index: number;
  start: string;
  end: string;
  status: 'warm-up' | 'data' | 'gap';
  /** Why a gap (from the provider, or the missing metric). Untrusted text. */
  gapReason?: string;
  counts?: Partial<Record<CanaryMetric, MetricCounts>>;
  /** Rollback e-values after this window (evidence that R > 1). */
  eRollback?: Partial<Record<CanaryMetric, number>>;
  /** e-values against R >= R_max after this window (evidence that the canary is within tolerance). */
  eNoninferiority?: Partial<Record<CanaryMetric, number>>;
  /** Smallest tested tolerance c with R >= c rejected at level alpha; null: none yet. */
  ratioBound?: Partial<Record<CanaryMetric, number | null>>;
  guards?: GuardResult[];
}

export interface StageDecision {
  rule: DecisionRule;
  outcome: 'promote' | 'rollback' | 'inconclusive' | 'interrupted';
  reason: string;
  at: string;
}

export interface StageTrace {
  /** Position in the ladder, from 1. */
  stage: number;
  weight: number;
  /** The last stage with a baseline: it needs the non-inferiority evidence to promote. */
  lastCompared: boolean;
  /** Started by a resumed run. */
  resumed: boolean;
  startedAt: string;
  endedAt?: string;
  windows: WindowTrace[];
  /** Canary requests counted toward the minimum (data windows after warm-up) and the minimum. */
  canaryRequests: number;
  minCanaryRequests: number;
  /** Pooled guard readings at the end of the stage. */
  guards?: GuardResult[];
  decision?: StageDecision;
}

export interface CanaryRun {
  outcome: CanaryOutcome;
  /** The canary weight left in place: 100 promoted, 0 rolled back, the paused stage's when inconclusive. */
  finalWeight: number;
  rule: DecisionRule;
  reason: string;
  /** Set when something failed (traffic control, rollback, saving state); the message, untrusted. */
  error?: string;
  startedAt: string;
  endedAt: string;
  stages: StageTrace[];
  /** The test settings the decision was made with. */
  settings: { alpha: number; method: string; metrics: CanaryMetric[]; rMax: Partial<Record<CanaryMetric, number>>; stages: number[] };
}

/** Everything a run needs to resume; plain JSON, saved after every window and stage. */
export interface CanaryState {
  version: 1;
  stages: number[];
  startedAt: string;
  /** Index into `stages` of the stage in progress (or the one that ended the run). */
  stageIndex: number;
  /** `paused`: inconclusive, a re-run continues the paused stage. `finished`: promoted or rolled back. */
  status: 'running' | 'paused' | 'finished';
  eprocess: EProcessState;
  guards: GuardState;
  trace: StageTrace[];
  run?: CanaryRun;
}

// ---------------------------------------------------------------------------------------------
// Rendering.

function fmtE(e: number | undefined): string {
  if (e === undefined) return '-';
  if (e >= 1e5 || (e > 0 && e < 1e-3)) return e.toExponential(1);
  return e.toFixed(e >= 100 ? 0 : 2);
}

function fmtCounts(c: MetricCounts | undefined): string {
  if (c === undefined) return '-';
  return `${String(c.canary.bad)}/${String(c.canary.requests)} vs ${String(c.baseline.bad)}/${String(c.baseline.requests)}`;
}

function fmtTime(iso: string): string {
  return iso.length >= 19 ? iso.slice(11, 19) : iso;
}

/** A fixed-width text table of every stage and window (for logs and `canary simulate`). */
export function canaryTraceText(run: CanaryRun): string[] {
  const metrics = run.settings.metrics;
  const lines: string[] = [];
  lines.push(`canary ${run.outcome} at ${String(run.finalWeight)} % (${run.rule}): ${run.reason}`);
  if (run.error !== undefined) lines.push(`error: ${run.error}`);
  lines.push(`method ${run.settings.method}, alpha ${String(run.settings.alpha)}, stages ${run.settings.stages.join(' -> ')}, R_max ${metrics.map((m) => `${m} ${String(run.settings.rMax[m])}`).join(', ')}`);
  for (const s of run.stages) {
    lines.push('');
    lines.push(`stage ${String(s.stage)}: ${String(s.weight)} %${s.lastCompared ? ' (last compared stage)' : ''}${s.resumed ? ' (resumed)' : ''}, ${fmtTime(s.startedAt)}-${s.endedAt === undefined ? '' : fmtTime(s.endedAt)}, canary requests ${String(s.canaryRequests)}/${String(s.minCanaryRequests)}`);
    const head = ['win', 'end', 'status', ...metrics.flatMap((m) => [`${m} bad/req canary vs baseline`, `e(R>1)`, `e(R>=Rmax)`, 'R<'])];
    const rows = s.windows.map((w) => [
      String(w.index),
      fmtTime(w.end),
      w.status === 'gap' ? `gap: ${(w.gapReason ?? '').slice(0, 60)}` : w.status,
      ...metrics.flatMap((m) => {
        const b = w.ratioBound?.[m];
        return [fmtCounts(w.counts?.[m]), fmtE(w.eRollback?.[m]), fmtE(w.eNoninferiority?.[m]), b === undefined ? '-' : b === null ? '?' : String(b)];
      }),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const fmt = (r: string[]) => '  ' + r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
    lines.push(fmt(head));
    for (const r of rows) lines.push(fmt(r));
    if (s.guards !== undefined && s.guards.length > 0) {
      lines.push(`  guards (stage): ${s.guards.map((g) => `${g.name} ${g.value === undefined ? 'n/a' : g.value.toPrecision(3)} ${g.status}`).join(', ')}`);
    }
    if (s.decision !== undefined) lines.push(`  -> ${s.decision.outcome} (${s.decision.rule}) at ${fmtTime(s.decision.at)}: ${s.decision.reason}`);
  }
  return lines;
}

/** Markdown for the job summary: one row per stage, then the chart. Free text is escaped. */
export function canaryTraceMarkdown(run: CanaryRun): string {
  const metrics = run.settings.metrics;
  const out: string[] = [];
  out.push(`**Canary ${run.outcome}** at ${String(run.finalWeight)} % (\`${run.rule}\`): ${mdTableCell(run.reason)}`);
  if (run.error !== undefined) out.push('', `Error: ${mdTableCell(run.error)}`);
  out.push('', `| stage | weight | windows (data/gap) | canary requests | ${metrics.map((m) => `${m}: e(R>1) / e(R≥${String(run.settings.rMax[m])}) / R <`).join(' | ')} | decision |`);
  out.push(`|---|---|---|---|${metrics.map(() => '---|').join('')}---|`);
  for (const s of run.stages) {
    const last = [...s.windows].reverse().find((w) => w.status === 'data');
    const data = s.windows.filter((w) => w.status === 'data').length;
    const gaps = s.windows.filter((w) => w.status === 'gap').length;
    const cells = metrics.map((m) => {
      const b = last?.ratioBound?.[m];
      return `${fmtE(last?.eRollback?.[m])} / ${fmtE(last?.eNoninferiority?.[m])} / ${b === undefined || b === null ? '–' : String(b)}`;
    });
    out.push(`| ${String(s.stage)} | ${String(s.weight)} % | ${String(data)}/${String(gaps)} | ${String(s.canaryRequests)} of ${String(s.minCanaryRequests)} | ${cells.join(' | ')} | ${s.decision === undefined ? 'running' : `${s.decision.outcome}: ${mdTableCell(s.decision.reason)}`} |`);
  }
  out.push('', '```text', ...canaryTraceChartText(run), '```');
  return out.join('\n');
}

const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * A text chart, one line per metric: each data window's rollback e-value as a bar from e <= 1 (lowest)
 * to the rollback threshold (highest), `|` at stage changes; then the same for the e-value against
 * R >= R_max (the promotion evidence).
 */
export function canaryTraceChartText(run: CanaryRun): string[] {
  const metrics = run.settings.metrics;
  const rollbackAt = Math.log10(metrics.length / run.settings.alpha);
  const promoteAt = Math.log10(1 / run.settings.alpha);
  const bar = (e: number | undefined, top: number) => {
    const l = Math.log10(Math.max(1, e ?? 1));
    return SPARKS[Math.min(SPARKS.length - 1, Math.floor((l / top) * (SPARKS.length - 1)))] ?? ' ';
  };
  const line = (pick: (w: WindowTrace) => number | undefined, top: number) =>
    run.stages.map((s) => s.windows.filter((w) => w.status === 'data').map((w) => bar(pick(w), top)).join('')).join('|');
  const out: string[] = [];
  for (const m of metrics) {
    out.push(`${m.padEnd(8)} ${'e(R>1)'.padEnd(12)} ${line((w) => w.eRollback?.[m], rollbackAt)}  (full bar = rollback at ${fmtE(10 ** rollbackAt)})`);
    out.push(`${m.padEnd(8)} ${`e(R>=${String(run.settings.rMax[m])})`.padEnd(12)} ${line((w) => w.eNoninferiority?.[m], promoteAt)}  (full bar = promotion evidence at ${fmtE(10 ** promoteAt)})`);
  }
  out.push(`${'stages'.padEnd(21)} ${run.stages.map((s) => `${String(s.weight)}%`).join(' | ')}`);
  return out;
}

/**
 * A small SVG: log10 of each metric's rollback e-value (solid) against its threshold, and the
 * canary and baseline error rates (dashed, right-hand scale), over the rollout's data windows.
 */
export function canaryTraceSvg(run: CanaryRun, width = 640, height = 200): string {
  const points = run.stages.flatMap((s) => s.windows.filter((w) => w.status === 'data').map((w) => ({ w, weight: s.weight })));
  const pad = 30;
  const plotW = width - 2 * pad;
  const plotH = height - 2 * pad;
  const n = Math.max(1, points.length - 1);
  const x = (i: number) => pad + (plotW * i) / n;
  const threshold = Math.log10(run.settings.metrics.length / run.settings.alpha);
  const logs = points.flatMap((p) => run.settings.metrics.map((m) => Math.log10(Math.max(1e-6, p.w.eRollback?.[m] ?? 1))));
  const top = Math.max(threshold + 0.5, ...logs.map((l) => Math.min(l, 10)));
  const bottom = Math.min(-1, ...logs.map((l) => Math.max(l, -6)));
  const y = (l: number) => pad + plotH * (1 - (Math.min(top, Math.max(bottom, l)) - bottom) / (top - bottom));
  const rates = points.flatMap((p) => {
    const c = p.w.counts?.errors;
    return c === undefined ? [] : [c.canary.requests > 0 ? c.canary.bad / c.canary.requests : 0, c.baseline.requests > 0 ? c.baseline.bad / c.baseline.requests : 0];
  });
  const rateTop = Math.max(0.01, ...rates);
  const yr = (r: number) => pad + plotH * (1 - r / rateTop);
  const colors: Record<CanaryMetric, string> = { errors: '#d73a49', latency: '#6f42c1' };
  const path = (ys: (number | undefined)[]) =>
    ys
      .map((v, i) => (v === undefined ? '' : `${i === 0 || ys[i - 1] === undefined ? 'M' : 'L'}${x(i).toFixed(1)},${v.toFixed(1)}`))
      .filter((s) => s !== '')
      .join(' ');
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" viewBox="0 0 ${String(width)} ${String(height)}" font-family="sans-serif" font-size="10">`);
  parts.push(`<rect x="${String(pad)}" y="${String(pad)}" width="${String(plotW)}" height="${String(plotH)}" fill="none" stroke="#ccc"/>`);
  parts.push(`<line x1="${String(pad)}" x2="${String(width - pad)}" y1="${y(threshold).toFixed(1)}" y2="${y(threshold).toFixed(1)}" stroke="#000" stroke-dasharray="2,2"/>`);
  parts.push(`<text x="${String(pad + 2)}" y="${(y(threshold) - 2).toFixed(1)}">rollback threshold e=${fmtE(10 ** threshold)}</text>`);
  for (const m of run.settings.metrics) {
    parts.push(`<path d="${path(points.map((p) => y(Math.log10(Math.max(1e-6, p.w.eRollback?.[m] ?? 1)))))}" fill="none" stroke="${colors[m]}" stroke-width="1.5"><title>${htmlEscape(`log10 e-value (R > 1), ${m}`)}</title></path>`);
  }
  const rateOf = (c: MetricCounts | undefined, arm: 'canary' | 'baseline') => (c === undefined || c[arm].requests === 0 ? undefined : yr(c[arm].bad / c[arm].requests));
  parts.push(`<path d="${path(points.map((p) => rateOf(p.w.counts?.errors, 'canary')))}" fill="none" stroke="#e36209" stroke-dasharray="4,2"><title>canary error rate</title></path>`);
  parts.push(`<path d="${path(points.map((p) => rateOf(p.w.counts?.errors, 'baseline')))}" fill="none" stroke="#0366d6" stroke-dasharray="4,2"><title>baseline error rate</title></path>`);
  // Stage boundaries.
  points.forEach((p, i) => {
    if (i === 0 || points[i - 1]?.weight !== p.weight) parts.push(`<line x1="${x(i).toFixed(1)}" x2="${x(i).toFixed(1)}" y1="${String(pad)}" y2="${String(height - pad)}" stroke="#eee"/><text x="${(x(i) + 2).toFixed(1)}" y="${String(height - pad + 12)}">${String(p.weight)} %</text>`);
  });
  parts.push(`<text x="${String(pad)}" y="${String(pad - 8)}">log10 e-value (solid: ${run.settings.metrics.join(', ')}); error rate canary/baseline (dashed, top ${(rateTop * 100).toFixed(2)} %)</text>`);
  parts.push('</svg>');
  return parts.join('');
}
