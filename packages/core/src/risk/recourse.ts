/**
 * Recourse: the cheapest sets of concrete changes to the pull request or the deploy that would
 * bring the risk tier down, each with the score and tier it would land on.
 *
 * Candidates (recourseCandidates): one per kind of action the evidence supports, each setting one
 * factor to a new value. The new value is what the engine's own factor function (factors.ts)
 * gives for the evidence as it would be after the action (the counterfactual), taken as a drop
 * off the reported value, so what the engine adds on top (the incident boost) stays:
 *   newValue = value - (f(evidence) - f(counterfactual)), clamped to [0, 1].
 * (Near the cap at 1 a boosted factor may fall less than that; the drop is then overstated.)
 * - split-pr -> change-complexity: a change of half the lines and files (rounded up) with every
 *   category kept (a migration stays in one of the two halves). The size part is score-math's
 *   changeSize, linear saturations, so a change at twice the saturation or more gains nothing.
 * - cover-changed-lines -> changed-line-coverage: every instrumented changed line covered and the
 *   changed files no test loads loaded; labelled with the uncovered count from coverage.changedLines.
 * - deploy-in-window -> timing: timing.values.normal (not evidence: time is the engine's
 *   parameter); the label names the working hours, the Friday cut-off and the service's timezone.
 * - add-human-reviewer -> ai-review: one more approving code-owner review of the head commit (what
 *   that is worth is the engine's: a standing change request still counts). Not offered when a
 *   code owner already approved, or the change shows no AI involvement.
 * - upgrade-vulnerable -> vulnerabilities: the findings VEX does not suppress and that have a fix,
 *   gone (0 when every open finding has a fix; less when some have none, offered too). The label
 *   names up to 3 components with the highest first-listed fixed version over their findings.
 * - verify-provenance -> provenance: every bundle verified; with no bundle at all, attaching a
 *   verified one (value 0). fix-tests -> tests: every failing, errored and flaky test passing.
 * A candidate is offered only when its factor's current value is above the new value. Costs come
 * from config.recourseCosts (the default cost, then 1, for an id the configuration leaves out).
 * The factor functions recourse revalues read neither the time nor the deployment history, so
 * they run with a fixed context; `revalue` replaces them (tests, or an engine with its own).
 *
 * Search (findRecourse): a set of actions rescored with the engine's weighted mean (score-math.ts),
 * overriding each chosen factor with the lowest new value among the chosen candidates for it.
 * Applying an action never raises the score, so the score falls as a set grows, and a set is
 * minimal when dropping any one action loses the lower tier. Up to EXHAUSTIVE_LIMIT (12)
 * candidates every subset (4,096) is scored. Beyond that, uniform-cost search: sets grow by
 * candidates in cost order, a set that lowers the tier is not grown further (its supersets are not
 * minimal), a set whose every extension cannot lower the tier is dropped, and the search stops
 * once `limit` minimal sets are found and no cheaper set is left, or after MAX_SEARCH_EVALUATIONS
 * scored sets (then it returns the minimal sets found so far, which may miss cheaper ones; with one
 * candidate per action kind, recourseCandidates gives at most 7, so this path is for other callers).
 * Results: the cheapest minimal sets, by cost, then score, then action ids. When no set lowers the tier, the result is one set: every action that lowers the
 * score (one per factor, the lowest new value), with its score and the unchanged tier, which
 * marks it as the fallback. Tier already low, or no candidates: [].
 */
import { IANAZone } from 'luxon';
import semver from 'semver';
import type { Evidence, Finding } from '../evidence/model.js';
import { DEFAULT_RISK_CONFIG, type RiskConfig } from './config.js';
import type { Factor, FactorName, Recourse, RecourseAction, RiskTier } from './model.js';
import { FACTOR_FUNCTIONS, type FactorContext } from './factors.js';
import { tierOf, tierRank, weightedMean, weightedScore, type WeightedValue } from './score-math.js';

export interface RecourseCandidate extends RecourseAction {
  /** The value the candidate's factor takes once the action is done. */
  newValue: number;
}

export type RecourseActionId =
  | 'split-pr'
  | 'cover-changed-lines'
  | 'deploy-in-window'
  | 'add-human-reviewer'
  | 'upgrade-vulnerable'
  | 'verify-provenance'
  | 'fix-tests';

/** A factor function: the value of `factor` for this evidence (before any incident boost). */
export type Revalue = (factor: FactorName, evidence: Evidence) => number;

/** Candidates up to which findRecourse scores every subset. */
export const EXHAUSTIVE_LIMIT = 12;
/** Sets the best-first search scores before it settles for what it found (about 0.1 s). */
export const MAX_SEARCH_EVALUATIONS = 200_000;
/** Items a label lists before "and N more". */
const LABEL_ITEMS = 3;
/** Untrusted names in labels are cut to this length. */
const LABEL_NAME_MAX = 120;

// ---------------------------------------------------------------------------------------------
// Rescoring

/** The score with some factors' values replaced (the engine's weighted mean). */
export function rescore(factors: readonly WeightedValue[], overrides: Partial<Record<string, number>>): number {
  return weightedScore(factors.map((f) => ({ name: f.name, weight: f.weight, value: overrides[f.name] ?? f.value })));
}

// ---------------------------------------------------------------------------------------------
// Candidates

interface Proposal {
  label: string;
  /** The evidence as it would be after the action, for the engine's factor function to value. */
  counterfactual?: Evidence;
  /** The new value, where the action's effect is not stated as evidence (time, bundles not given). */
  value?: number;
}

type Propose = (e: Evidence, config: RiskConfig) => Proposal | undefined;

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const cut = (s: string) => (s.length > LABEL_NAME_MAX ? `${s.slice(0, LABEL_NAME_MAX - 1)}…` : s);
function listed(items: readonly string[]): string {
  const shown = items.slice(0, LABEL_ITEMS).map(cut).join(', ');
  return items.length > LABEL_ITEMS ? `${shown} and ${String(items.length - LABEL_ITEMS)} more` : shown;
}
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

const splitPr: Propose = (e) => {
  const change = e.change;
  if (change === null) return undefined;
  const { additions, deletions, files } = change.totals;
  const lines = additions + deletions;
  if (lines + files === 0) return undefined;
  return {
    label: `Split the PR in two of about ${plural(Math.ceil(lines / 2), 'changed line')} in ${plural(Math.ceil(files / 2), 'file')} each (now ${plural(lines, 'line')} in ${plural(files, 'file')})`,
    // The larger half: half the lines and files, and every category (a migration stays in one of the two).
    counterfactual: { ...e, change: { ...change, totals: { files: Math.ceil(files / 2), additions: Math.ceil(additions / 2), deletions: Math.ceil(deletions / 2) } } },
  };
};

const coverChangedLines: Propose = (e) => {
  const coverage = e.coverage;
  const changed = coverage?.changedLines;
  if (coverage === null || changed === null || changed === undefined) return undefined;
  const uncovered = changed.total - changed.covered;
  const unmeasured = changed.unmeasuredFiles?.length ?? 0;
  if (uncovered <= 0 && unmeasured === 0) return undefined;
  const parts: string[] = [];
  if (uncovered > 0) parts.push(`Cover the ${plural(uncovered, 'uncovered changed line')} in ${plural(changed.uncovered.length, 'file')}`);
  if (unmeasured > 0) parts.push(`${parts.length === 0 ? 'Test' : 'test'} the ${plural(unmeasured, 'changed source file')} no test loads (${listed(changed.unmeasuredFiles ?? [])})`);
  const { unmeasuredFiles: _unmeasured, ...rest } = changed;
  // Every instrumented changed line covered; the files no test loaded are loaded (their lines are
  // unknown, so the ratio stays as null as it was when nothing was instrumented).
  const after = { ...rest, covered: changed.total, ratio: changed.total > 0 ? 1 : null, uncovered: [] };
  return { label: parts.join(' and '), counterfactual: { ...e, coverage: { ...coverage, changedLines: after } } };
};

function clock(hours: number): string {
  const minutes = Math.round(hours * 60);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

const deployInWindow: Propose = (e, config) => {
  const t = config.timing;
  // The zone the timing factor judges in: the service's when it is a valid IANA zone (timing.ts).
  const own = e.service?.timezone;
  const tz = own !== undefined && IANAZone.isValidZone(own) ? own : t.defaultTimezone;
  const [start, end] = t.workingHours;
  let label = `Deploy on a weekday between ${clock(start)} and ${clock(end)} ${tz}`;
  if (t.fridayAfternoonFrom < end) label += `, before ${clock(Math.max(start, t.fridayAfternoonFrom))} on Fridays`;
  if ((e.service?.freezeWindows.length ?? 0) > 0 || t.holidays.length > 0) label += ', outside freeze windows and holidays';
  return { label, value: t.values.normal };
};

const addHumanReviewer: Propose = (e) => {
  const change = e.change;
  if (change === null) return undefined;
  if (change.ai.share <= 0 && change.ai.agentAuthor === null && change.ai.aiCommits === 0) return undefined;
  if (change.approvals.codeOwner > 0) return undefined;
  const owners = change.codeowners.owners;
  const label = owners.length === 0 ? 'Get an approving human review of the head commit from someone who owns this code' : `Get an approving review of the head commit from a code owner (${listed(owners)})`;
  return {
    label,
    counterfactual: {
      ...e,
      change: {
        ...change,
        reviews: [...change.reviews, { reviewer: owners[0] ?? 'code-owner', state: 'APPROVED', isBot: false, isCodeOwner: true, onHead: true }],
        approvals: { ...change.approvals, human: change.approvals.human + 1, codeOwner: change.approvals.codeOwner + 1 },
      },
    },
  };
};

/** The component a finding is about, as shown in the label. */
function componentOf(f: Finding): string {
  if (f.purl !== undefined) return f.purl;
  if (f.package !== undefined) return f.package.version === undefined ? f.package.name : `${f.package.name}@${f.package.version}`;
  return f.id;
}

/** The highest of the versions, by semver when every one parses, else the last in text order. */
function highestVersion(versions: readonly string[]): string | undefined {
  const unique = [...new Set(versions)];
  if (unique.length === 0) return undefined;
  if (unique.every((v) => semver.coerce(v) !== null)) {
    return unique.reduce((a, b) => (semver.gt(semver.coerce(b) ?? '0.0.0', semver.coerce(a) ?? '0.0.0') ? b : a));
  }
  return [...unique].sort()[unique.length - 1];
}

const upgradeVulnerable: Propose = (e) => {
  const vulns = e.vulnerabilities;
  if (vulns === null) return undefined;
  const open = vulns.findings.filter((f) => !f.suppressed);
  const fixable = open.filter((f) => f.fixAvailable);
  if (fixable.length === 0) return undefined;
  // One entry per component: the highest first-listed fixed version over its findings.
  const fixes = new Map<string, string[]>();
  for (const f of fixable) fixes.set(componentOf(f), [...(fixes.get(componentOf(f)) ?? []), ...f.fixedIn.slice(0, 1)]);
  const items = [...fixes].map(([component, versions]) => {
    const to = highestVersion(versions);
    return to === undefined ? component : `${component} to ${to}`;
  });
  const remaining = vulns.findings.filter((f) => f.suppressed || !f.fixAvailable);
  const totals = { critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 };
  for (const f of remaining) if (!f.suppressed) totals[f.severity] += 1;
  return {
    label: `Upgrade ${listed(items)} (fixes ${plural(fixable.length, 'finding')}${fixable.length < open.length ? ` of ${String(open.length)}` : ''})`,
    counterfactual: { ...e, vulnerabilities: { ...vulns, findings: remaining, totals } },
  };
};

const verifyProvenance: Propose = (e) => {
  const prov = e.provenance;
  if (prov === null) return undefined;
  const unverified = prov.artifacts.filter((a) => !a.verified);
  if (prov.artifacts.length === 0) return { label: 'Attach a verified build provenance bundle for the built artifacts', value: 0 };
  if (unverified.length === 0) return undefined;
  return {
    label: `Verify the build provenance of ${plural(unverified.length, 'bundle')} (${listed(unverified.map((a) => (a.reason === undefined ? a.bundle : `${a.bundle}: ${a.reason}`)))})`,
    counterfactual: { ...e, provenance: { artifacts: prov.artifacts.map(({ reason: _reason, ...a }) => ({ ...a, verified: true })), verified: prov.artifacts.length, unverified: 0 } },
  };
};

const fixTests: Propose = (e) => {
  const tests = e.tests;
  if (tests === null) return undefined;
  const failing = tests.failed + tests.errored;
  if (failing === 0 && tests.flaky === 0) return undefined;
  const parts: string[] = [];
  if (failing > 0) parts.push(`the ${plural(failing, 'failing test')}${tests.failures.length > 0 ? ` (${listed(tests.failures.map((f) => `${f.suite} › ${f.name}`))})` : ''}`);
  if (tests.flaky > 0) parts.push(`the ${plural(tests.flaky, 'flaky test')}${tests.flakyTests.length > 0 ? ` (${listed(tests.flakyTests.map((f) => `${f.suite} › ${f.name}`))})` : ''}`);
  return {
    label: `Fix ${parts.join(' and ')}`,
    counterfactual: { ...e, tests: { ...tests, passed: tests.passed + failing, failed: 0, errored: 0, flaky: 0, failures: [], flakyTests: [] } },
  };
};

/** In the order candidates are listed. */
const ACTIONS: readonly { id: RecourseActionId; factor: FactorName; propose: Propose }[] = [
  { id: 'fix-tests', factor: 'tests', propose: fixTests },
  { id: 'cover-changed-lines', factor: 'changed-line-coverage', propose: coverChangedLines },
  { id: 'upgrade-vulnerable', factor: 'vulnerabilities', propose: upgradeVulnerable },
  { id: 'verify-provenance', factor: 'provenance', propose: verifyProvenance },
  { id: 'add-human-reviewer', factor: 'ai-review', propose: addHumanReviewer },
  { id: 'deploy-in-window', factor: 'timing', propose: deployInWindow },
  { id: 'split-pr', factor: 'change-complexity', propose: splitPr },
];

function costOf(id: string, config: RiskConfig): number {
  return config.recourseCosts[id] ?? DEFAULT_RISK_CONFIG.recourseCosts[id] ?? 1;
}

/** The engine's factor functions; the factors recourse revalues read neither the time nor the history. */
function engineRevalue(config: RiskConfig): Revalue {
  const ctx: FactorContext = { config, now: new Date(0), history: null };
  return (factor, evidence) => FACTOR_FUNCTIONS[factor](evidence, ctx).value;
}

/**
 * The actions the evidence supports, each with the value its factor would take; only actions that
 * lower their factor. `revalue` defaults to the engine's factor functions (factors.ts).
 */
export function recourseCandidates(e: Evidence, factors: readonly Factor[], config: RiskConfig, revalue: Revalue = engineRevalue(config)): RecourseCandidate[] {
  const out: RecourseCandidate[] = [];
  for (const action of ACTIONS) {
    const factor = factors.find((f) => f.name === action.factor);
    if (factor === undefined) continue;
    const proposal = action.propose(e, config);
    if (proposal === undefined) continue;
    let newValue = proposal.value;
    if (proposal.counterfactual !== undefined) {
      // The drop the engine's function sees, taken off the reported value: what the engine adds on top stays.
      const drop = revalue(action.factor, e) - revalue(action.factor, proposal.counterfactual);
      newValue = Number.isFinite(drop) ? clamp01(factor.value - Math.max(0, drop)) : undefined;
    }
    if (newValue === undefined || !(factor.value > newValue)) continue;
    out.push({ id: action.id, label: proposal.label, factor: action.factor, cost: costOf(action.id, config), newValue });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Search

interface Scored {
  members: number[];
  cost: number;
  score: number;
  tier: RiskTier;
}

function idsOf(candidates: readonly RecourseCandidate[], members: readonly number[]): string {
  return members.map((i) => candidates[i]?.id ?? '').join(',');
}

function toRecourse(candidates: readonly RecourseCandidate[], s: Scored): Recourse {
  const actions: RecourseAction[] = s.members.map((i) => {
    const c = candidates[i];
    if (c === undefined) throw new RangeError(`recourse candidate ${String(i)} out of range`);
    return { id: c.id, label: c.label, factor: c.factor, cost: c.cost };
  });
  return { actions, cost: s.cost, score: s.score, tier: s.tier };
}

function byCostThenScore(candidates: readonly RecourseCandidate[]) {
  return (a: Scored, b: Scored) => {
    if (a.cost !== b.cost) return a.cost - b.cost;
    if (a.score !== b.score) return a.score - b.score;
    const x = idsOf(candidates, a.members);
    const y = idsOf(candidates, b.members);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/** A binary min-heap of sets by cost (then fewer members), for the best-first search. */
class SetHeap {
  private readonly items: Scored[] = [];
  get size(): number {
    return this.items.length;
  }
  private less(i: number, j: number): boolean {
    const a = this.items[i];
    const b = this.items[j];
    if (a === undefined || b === undefined) return false;
    return a.cost < b.cost || (a.cost === b.cost && a.members.length < b.members.length);
  }
  private swap(i: number, j: number): void {
    const h = this.items;
    const a = h[i];
    const b = h[j];
    if (a === undefined || b === undefined) return;
    h[i] = b;
    h[j] = a;
  }
  push(x: Scored): void {
    this.items.push(x);
    for (let i = this.items.length - 1; i > 0 && this.less(i, (i - 1) >> 1); i = (i - 1) >> 1) this.swap(i, (i - 1) >> 1);
  }
  pop(): Scored | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(l, m)) m = l;
      if (r < h.length && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

/** Scores sets of candidates against one factor list, with the engine's arithmetic. */
function scorer(factors: readonly WeightedValue[], sorted: readonly RecourseCandidate[], thresholds: RiskConfig['thresholds']) {
  const weights = factors.map((f) => f.weight);
  const values = factors.map((f) => f.value);
  // Where each candidate's factor sits in the factor list (-1: not scored, no effect).
  const slot = sorted.map((c) => factors.findIndex((f) => f.name === c.factor));
  let evaluations = 0;
  const evaluate = (members: number[]): Scored => {
    evaluations += 1;
    const v = values.slice();
    let cost = 0;
    for (const i of members) {
      const c = sorted[i];
      const k = slot[i] ?? -1;
      if (c === undefined) continue;
      cost += c.cost;
      // Several chosen candidates for one factor: the lowest new value counts.
      if (k >= 0 && c.newValue < (v[k] ?? 0)) v[k] = c.newValue;
    }
    const score = weightedMean(weights, v);
    return { members, cost, score, tier: tierOf(score, thresholds) };
  };
  return { evaluate, evaluations: () => evaluations };
}

/**
 * The cheapest minimal sets of candidates whose rescored tier is below the current one (at most
 * `limit`), or the documented fallback (one set, tier unchanged) when no set lowers the tier.
 */
export function findRecourse(factors: readonly Factor[], candidates: readonly RecourseCandidate[], config: RiskConfig, limit = 3): Recourse[] {
  const current = tierRank(tierOf(weightedScore(factors), config.thresholds));
  if (current === 0 || candidates.length === 0 || limit < 1) return [];
  // Cost order: the best-first search grows sets by cheaper candidates first; ties keep input order.
  const sorted = candidates
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.cost - b.c.cost || a.i - b.i)
    .map((x) => x.c);
  const { evaluate, evaluations } = scorer(factors, sorted, config.thresholds);
  const lowers = (s: Scored) => tierRank(s.tier) < current;
  if (!lowers(evaluate(sorted.map((_c, i) => i)))) return fallback(factors, sorted, evaluate);

  const found = sorted.length <= EXHAUSTIVE_LIMIT ? exhaustive(sorted.length, evaluate, lowers) : bestFirst(sorted.length, evaluate, evaluations, lowers, limit);
  return found.sort(byCostThenScore(sorted)).slice(0, limit).map((s) => toRecourse(sorted, s));
}

function exhaustive(n: number, evaluate: (m: number[]) => Scored, lowers: (s: Scored) => boolean): Scored[] {
  const scored: Scored[] = [];
  for (let mask = 0; mask < 1 << n; mask++) {
    const members: number[] = [];
    for (let i = 0; i < n; i++) if ((mask >> i) & 1) members.push(i);
    scored.push(evaluate(members));
  }
  const lowering = scored.map(lowers);
  const out: Scored[] = [];
  scored.forEach((s, mask) => {
    // Minimal: dropping any one member loses the lower tier (the score only rises as a set shrinks).
    if (lowering[mask] === true && s.members.every((i) => lowering[mask & ~(1 << i)] !== true)) out.push(s);
  });
  return out;
}

function bestFirst(n: number, evaluate: (m: number[]) => Scored, evaluations: () => number, lowers: (s: Scored) => boolean, limit: number): Scored[] {
  const heap = new SetHeap();
  const out: Scored[] = [];
  heap.push(evaluate([]));
  while (heap.size > 0 && evaluations() < MAX_SEARCH_EVALUATIONS) {
    const s = heap.pop();
    if (s === undefined) break;
    // Sets come out in cost order: once `limit` are found, only equal-cost ties can still rank.
    const kth = out.length >= limit ? out[limit - 1] : undefined;
    if (kth !== undefined && s.cost > kth.cost) break;
    if (lowers(s)) {
      if (s.members.every((_m, k) => !lowers(evaluate(s.members.filter((_x, j) => j !== k))))) out.push(s);
      continue; // supersets of a lowering set are not minimal
    }
    const last = s.members[s.members.length - 1] ?? -1;
    const rest: number[] = [];
    for (let j = last + 1; j < n; j++) rest.push(j);
    // Bound: if every remaining candidate together cannot lower the tier, no extension can.
    if (rest.length === 0 || !lowers(evaluate([...s.members, ...rest]))) continue;
    for (const j of rest) heap.push(evaluate([...s.members, j]));
  }
  return out;
}

/** No set lowers the tier: every candidate that lowers the score, one per factor (lowest new value, then cheapest). */
function fallback(factors: readonly Factor[], sorted: readonly RecourseCandidate[], evaluate: (m: number[]) => Scored): Recourse[] {
  const best = new Map<FactorName, number>();
  sorted.forEach((c, i) => {
    const factor = factors.find((f) => f.name === c.factor);
    if (factor === undefined || !(factor.weight > 0) || !(c.newValue < factor.value)) return;
    const prev = best.get(c.factor);
    const p = prev === undefined ? undefined : sorted[prev];
    if (p === undefined || c.newValue < p.newValue || (c.newValue === p.newValue && c.cost < p.cost)) best.set(c.factor, i);
  });
  if (best.size === 0) return [];
  return [toRecourse(sorted, evaluate([...best.values()].sort((a, b) => a - b)))];
}
