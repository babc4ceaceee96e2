/**
 * The four DORA figures computed from a verified ledger, for one environment and time window
 * (definitions in docs/audit.md#dora):
 * - a deployment is a change (commit) let out to the environment: an `allow` or `warn` decision
 *   for it (or `require-approval` with a recorded approver); it starts at the last such decision
 *   before its canary result, and its time is the end of its canary when one ran, else the start;
 * - a failed deployment is one whose canary rolled back;
 * - lead time runs from the commit (change.committedAt when the appender gave it, else the first
 *   artifact of that commit in the ledger) to the deployment;
 * - time to restore runs from the failed deployment's start to the end of its rollback.
 * Medians, as DORA reports them. Targets are compared side by side, never silently passed: a
 * figure without data is "no data", not met.
 */
import type { LedgerEntry } from './model.js';

export interface DoraTargets {
  leadTimeSeconds: number;
  timeToRestoreSeconds: number;
  changeFailureRate: number;
  successRate: number;
}

export const DEFAULT_DORA_TARGETS: DoraTargets = { leadTimeSeconds: 2 * 3600, timeToRestoreSeconds: 15 * 60, changeFailureRate: 0.05, successRate: 0.95 };

export interface DoraDeployment {
  gitSha: string;
  environment: string;
  startedAt: string;
  deployedAt: string;
  outcome: 'success' | 'failed' | 'inconclusive';
  leadTimeSeconds: number;
  restoreSeconds?: number;
  breakGlass: boolean;
}

export interface DoraFigure {
  name: string;
  value: number | undefined;
  /** Human-readable value and target. */
  shown: string;
  target: string;
  met: boolean | undefined;
}

export interface DoraReport {
  environment: string;
  from: string | undefined;
  to: string | undefined;
  days: number;
  deployments: DoraDeployment[];
  deploymentsPerDay: number | undefined;
  leadTimeMedianSeconds: number | undefined;
  changeFailureRate: number | undefined;
  timeToRestoreMedianSeconds: number | undefined;
  successRate: number | undefined;
  figures: DoraFigure[];
}

export interface DoraOptions {
  environment: string;
  /** Window; default: from the first to the last deployment. */
  from?: Date;
  to?: Date;
  targets?: DoraTargets;
}

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const hi = s[mid] ?? 0;
  return s.length % 2 === 1 ? hi : ((s[mid - 1] ?? 0) + hi) / 2;
}

const ms = (iso: string): number => Date.parse(iso);

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return 'no data';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

const pct = (x: number | undefined): string => (x === undefined ? 'no data' : `${(x * 100).toFixed(1)}%`);

export function computeDora(entries: readonly LedgerEntry[], options: DoraOptions): DoraReport {
  const targets = options.targets ?? DEFAULT_DORA_TARGETS;
  const env = options.environment;
  // The earliest trace of each commit: when it was committed, or first seen by the gates.
  const firstSeen = new Map<string, number>();
  for (const e of entries) {
    const key = `${e.change.repository}@${e.change.gitSha}`;
    const t = e.change.committedAt !== undefined ? ms(e.change.committedAt) : ms(e.artifact.createdAt);
    if (!Number.isNaN(t)) firstSeen.set(key, Math.min(firstSeen.get(key) ?? t, t));
  }
  const deployments: DoraDeployment[] = [];
  const byChange = new Map<string, { decision?: LedgerEntry; canary?: LedgerEntry }>();
  for (const e of entries) {
    if ((e.environment ?? e.decision?.environment ?? e.canary?.environment) !== env) continue;
    const key = `${e.change.repository}@${e.change.gitSha}`;
    const slot = byChange.get(key) ?? {};
    if (e.decision !== undefined) {
      const d = e.decision.decision;
      const lets = d === 'allow' || d === 'warn' || (d === 'require-approval' && e.approver !== undefined);
      // The last gate that let it out before its canary ended is when the deployment started.
      if (lets && slot.canary === undefined) slot.decision = e;
    }
    if (e.canary !== undefined) slot.canary = e;
    byChange.set(key, slot);
  }
  for (const [key, slot] of byChange) {
    // A canary with no decision letting the change out is not a gated deployment.
    if (slot.decision === undefined) continue;
    const startedAt = slot.decision.recordedAt;
    const canaryEnd = slot.canary === undefined ? undefined : (slot.canary.canary?.finishedAt ?? slot.canary.recordedAt);
    const deployedAt = canaryEnd ?? startedAt;
    const outcome = slot.canary === undefined ? 'success' : slot.canary.canary?.outcome === 'rolled-back' ? 'failed' : slot.canary.canary?.outcome === 'promoted' ? 'success' : 'inconclusive';
    const origin = firstSeen.get(key) ?? ms(startedAt);
    const d: DoraDeployment = {
      gitSha: slot.decision.change.gitSha,
      environment: env,
      startedAt,
      deployedAt,
      outcome,
      leadTimeSeconds: Math.max(0, (ms(deployedAt) - origin) / 1000),
      breakGlass: slot.decision.breakGlass,
    };
    if (outcome === 'failed') d.restoreSeconds = Math.max(0, (ms(deployedAt) - ms(startedAt)) / 1000);
    deployments.push(d);
  }
  deployments.sort((a, b) => ms(a.deployedAt) - ms(b.deployedAt));
  const inWindow = deployments.filter((d) => (options.from === undefined || ms(d.deployedAt) >= options.from.getTime()) && (options.to === undefined || ms(d.deployedAt) <= options.to.getTime()));
  const fromMs = options.from?.getTime() ?? (inWindow[0] === undefined ? undefined : ms(inWindow[0].deployedAt));
  const toMs = options.to?.getTime() ?? (inWindow.at(-1) === undefined ? undefined : ms((inWindow.at(-1) as DoraDeployment).deployedAt));
  // A window shorter than a day counts as one day, so one deployment is 1/day, not infinite.
  const days = fromMs === undefined || toMs === undefined ? 0 : Math.max(1, (toMs - fromMs) / 86_400_000);
  const successful = inWindow.filter((d) => d.outcome === 'success');
  const failed = inWindow.filter((d) => d.outcome === 'failed');
  const n = inWindow.length;
  const leadTime = median(successful.map((d) => d.leadTimeSeconds));
  const cfr = n === 0 ? undefined : failed.length / n;
  const ttr = median(failed.map((d) => d.restoreSeconds ?? 0));
  const success = n === 0 ? undefined : successful.length / n;
  const perDay = n === 0 ? undefined : n / days;
  const figures: DoraFigure[] = [
    { name: 'deployment frequency', value: perDay, shown: perDay === undefined ? 'no data' : `${perDay.toFixed(2)}/day (${n} in ${days.toFixed(1)} d)`, target: 'on demand (reported, no threshold)', met: undefined },
    { name: 'lead time for changes (median)', value: leadTime, shown: formatDuration(leadTime), target: `< ${formatDuration(targets.leadTimeSeconds)}`, met: leadTime === undefined ? undefined : leadTime < targets.leadTimeSeconds },
    { name: 'change failure rate', value: cfr, shown: cfr === undefined ? 'no data' : `${pct(cfr)} (${failed.length} of ${n})`, target: `< ${pct(targets.changeFailureRate)}`, met: cfr === undefined ? undefined : cfr < targets.changeFailureRate },
    { name: 'time to restore (median)', value: ttr, shown: failed.length === 0 ? 'no failures' : formatDuration(ttr), target: `< ${formatDuration(targets.timeToRestoreSeconds)}`, met: failed.length === 0 ? (n === 0 ? undefined : true) : ttr === undefined ? undefined : ttr < targets.timeToRestoreSeconds },
    { name: 'deployment success rate', value: success, shown: success === undefined ? 'no data' : `${pct(success)} (${successful.length} of ${n})`, target: `> ${pct(targets.successRate)}`, met: success === undefined ? undefined : success > targets.successRate },
  ];
  return {
    environment: env,
    from: fromMs === undefined ? undefined : new Date(fromMs).toISOString(),
    to: toMs === undefined ? undefined : new Date(toMs).toISOString(),
    days,
    deployments: inWindow,
    deploymentsPerDay: perDay,
    leadTimeMedianSeconds: leadTime,
    changeFailureRate: cfr,
    timeToRestoreMedianSeconds: ttr,
    successRate: success,
    figures,
  };
}

/** The figures beside their targets, as aligned text lines. */
export function doraText(r: DoraReport): string[] {
  const rows = r.figures.map((f) => [f.name, f.shown, f.target, f.met === undefined ? '-' : f.met ? 'met' : 'NOT MET']);
  const head = ['figure', 'value', 'target', 'status'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const fmt = (row: string[]) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [`DORA for ${r.environment}${r.from === undefined ? '' : `, ${r.from} .. ${r.to ?? ''}`}`, fmt(head), ...rows.map(fmt)];
}
