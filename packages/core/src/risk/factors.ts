/**
 * One pure function per risk factor: a part of the evidence in, a value in [0, 1] out, with a
 * one-line reason that cites the numbers it used and JSON pointers to where they came from.
 *
 * Absent evidence: a factor whose section is null takes config.absentValue (what was not shown is
 * not safe) with `absent: true` and a reason that says what was missing. Decisions per factor:
 *
 * - service-tier: config.serviceTier[service.tier]. No metadata, or metadata without a tier: absent.
 * - service-health: error-budget burn of the worst SLO, 1 - errorBudgetRemaining clamped to
 *   [0, 1] (untouched budget 0, exhausted or overspent 1). SLOs without errorBudgetRemaining do
 *   not count; no SLO with one (or no metadata): absent.
 * - change-history: posterior mean / config.history.saturation, capped at 1 (history.ts). No
 *   deployment evidence: absent. Deployment evidence with no finished deployment scores the prior.
 * - blast-radius: weighted mean of four capped parts, each min(1, count / saturation):
 *   dependents (service.dependents / blastRadius.dependents) 0.4, shared state 0.3 (1 when the
 *   change touches a migration, 0.5 when it touches shared config only, else 0), CODEOWNERS owners
 *   touched (/ blastRadius.owners) 0.15 and top-level components touched (first path segment;
 *   root-level files are one component; / blastRadius.components) 0.15. Dependents and shared
 *   state reach beyond this repository, so they weigh most; owners and components both measure
 *   spread inside it and move together, so they share the rest. A mean rather than a max: one
 *   wide dimension (a migration in a service nobody depends on) should not alone make the blast
 *   radius total. Parts of a missing section (service or change) take absentValue; both missing:
 *   absent.
 * - change-complexity: 0.7 * size + 0.3 * structural. Size is score-math's changeSize (the mean of
 *   linear saturations of changed lines and files; shared with recourse, so a "split the PR"
 *   what-if uses the same formula); structural is 1 when a migration or infra file changes (hard
 *   to roll back or to test before deploy), else 0. No change evidence: absent.
 * - timing: config.timing.values[situation] from timing.ts, in the service's timezone. Not absent
 *   without service metadata: the time is known; the default timezone is used and the reason says so.
 * - vulnerabilities: findings not suppressed by VEX combine as 1 - Π(1 - s_i) (a noisy-or: any
 *   critical gives 1, findings add up without passing 1). s = critical 1, high 0.6, medium 0.25,
 *   unknown 0.25 (unknown is not safe; treated as medium), low 0.05, none 0; a finding below
 *   critical without a fix counts 0.8 of that: a fixable one is the avoidable, well-understood
 *   kind (published advisory and patch), and the recourse can fix it. No report: absent.
 * - licenses: the worst of: a head SBOM component (or, without an SBOM, an added component) whose
 *   license expression needs a denied license 1, needs a review license 0.5; any license change in
 *   the SBOM diff 0.2 (someone should look), or its new license's verdict when worse. Expressions
 *   are evaluated: `A OR B` is the better of the two (the choice is ours), `A AND B` (and several
 *   licenses on one component) the worse. Patterns: config.licenses, case-insensitive, trailing `*`
 *   is a prefix. No SBOM and no SBOM diff: absent.
 * - provenance: any unverified record 1 (a claim that did not verify is worse than none), all
 *   verified 0. No provenance evidence, or evidence with no records: absent.
 * - new-dependencies: the larger of log1p(added) / log1p(20) (20 new components saturate; the
 *   first few count most) and 0.5 per downgraded component (a downgrade can bring back fixed bugs).
 *   No SBOM diff: absent.
 * - changed-line-coverage: 1 - changedLines.ratio. Ratio null (no changed line is instrumented):
 *   1 when changed source files were never loaded by the tests (unmeasuredFiles), else 0: the
 *   change has no measurable code (docs, config), so nothing is left uncovered. Coverage without a
 *   diff (changedLines null) or no coverage: absent.
 * - tests: any failed or errored test 1; else the flaky share, min(0.5, 5 * flaky / total) (a 10 %
 *   flaky rate reaches 0.5: flakiness weakens a green run but never makes it red). A report with
 *   no tests, or none: absent.
 * - ai-review: gap * (0.3 + 0.7 * aiShare). Review gap: 1 with no human approval, 0.5 with human
 *   approval(s) but none from a code owner, 0.25 with a code owner's; at least 0.5 while a change
 *   request stands. aiShare is change.ai.share, or 1 when an agent authored the pull request and no
 *   commits were read. So an AI-authored change nobody approved is 1, one human 0.5, a code owner
 *   0.25; a human change with no approval 0.3. A change read from a diff knows no reviews or
 *   authors: absent, as is no change evidence.
 * - genai-eval: the worst of: pass rate below genai.minPassRate, (min - rate) / min (1 at 0 %); an
 *   injection suite that did not pass 1; an eval with no tests absentValue; and four "over a limit"
 *   signals, each 0.5 when crossed rising linearly to 1: eval cost per request over the observed
 *   cost per model call in the telemetry by more than genai.costSpike (the evidence has no
 *   baseline, so the traces stand in for one; 1 at twice costSpike), the longest tool-call run over
 *   genai.maxToolCallRun (1 at twice it), context window use over genai.maxContextWindowUse (1 at a
 *   full window), prompt:completion ratio over genai.maxPromptCompletionRatio (1 at twice it).
 *   No eval and no telemetry: absent (a service that is not GenAI shows neither; we cannot tell it
 *   from one that did not run its evals).
 *
 * Every value is clamped to [0, 1]; a value that is not a finite number (corrupt evidence) becomes
 * absentValue, so no input makes a factor throw or return NaN.
 */
import parseSpdxExpression from 'spdx-expression-parse';
import type { Evidence, Finding, Severity } from '../evidence/model.js';
import type { RiskConfig } from './config.js';
import type { FactorName, FactorValue, HistoryPosterior } from './model.js';
import { changeSize } from './score-math.js';
import { timingSituation, type TimingSituation } from './timing.js';

export interface FactorContext {
  config: RiskConfig;
  /** The instant the change would deploy (timing). */
  now: Date;
  /** Posterior of the deployment failure rate (history.ts), null without deployment evidence. */
  history: HistoryPosterior | null;
}

export type FactorFunction = (e: Evidence, ctx: FactorContext) => FactorValue;

// ---------------------------------------------------------------------------------------------
// Modelling constants (see the module comment)

const BLAST_WEIGHTS = { dependents: 0.4, shared: 0.3, owners: 0.15, components: 0.15 } as const;
const SHARED_MIGRATION = 1;
const SHARED_CONFIG = 0.5;

const COMPLEXITY_SIZE_WEIGHT = 0.7;
const COMPLEXITY_STRUCTURAL_WEIGHT = 0.3;

const SEVERITY_VALUE: Readonly<Record<Severity, number>> = { critical: 1, high: 0.6, medium: 0.25, unknown: 0.25, low: 0.05, none: 0 };
const NO_FIX_MULTIPLIER = 0.8;
const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'unknown', 'low', 'none'];

const LICENSE_DENY_VALUE = 1;
const LICENSE_REVIEW_VALUE = 0.5;
const LICENSE_CHANGE_VALUE = 0.2;
/** spdx-expression-parse re-slices its input per token: longer expressions are taken as one id. */
const MAX_LICENSE_EXPRESSION = 2000;

const NEW_DEPENDENCY_SATURATION = 20;
const DOWNGRADE_VALUE = 0.5;

const FLAKY_CAP = 0.5;
const FLAKY_SLOPE = 5;

const AI_BASELINE = 0.3;
const REVIEW_GAP = { none: 1, human: 0.5, codeOwner: 0.25, changesRequested: 0.5 } as const;

// ---------------------------------------------------------------------------------------------
// Small helpers

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** min(1, count / at), and for a saturation point of 0 (or less): 1 as soon as there is any. */
function saturate(count: number, at: number): number {
  if (!(at > 0)) return count > 0 ? 1 : 0;
  return clamp01(count / at);
}

/** 0 up to `limit`; 0.5 just over it, rising linearly to 1 at `limit + span`. */
function overLimit(x: number, limit: number, span: number): number {
  if (!(x > limit)) return 0;
  return span > 0 ? Math.min(1, 0.5 + (0.5 * (x - limit)) / span) : 1;
}

/** A number for a reason: at most 3 decimals, no trailing zeros. */
function num(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : String(x);
}

function pct(x: number): string {
  return `${num(x * 100)}%`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${String(n)} ${n === 1 ? one : many}`;
}

/** Untrusted text (names, paths) for a reason: quoted, one line, at most 80 characters. */
function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

function count(record: Readonly<Record<string, number>>, key: string): number {
  const n = Object.hasOwn(record, key) ? record[key] : undefined;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

function absent(ctx: FactorContext, what: string, why: string, evidence: string[]): FactorValue {
  return { value: ctx.config.absentValue, absent: true, reason: `${what} absent: ${why}; scored ${num(ctx.config.absentValue)} (not shown is not safe)`, evidence };
}

// ---------------------------------------------------------------------------------------------
// The six factors of the reference design

function serviceTier(e: Evidence, ctx: FactorContext): FactorValue {
  const s = e.service;
  if (s === null) return absent(ctx, 'service metadata', 'no genops.yaml or catalog-info.yaml was given', ['/service']);
  if (s.tier === undefined) return absent(ctx, 'service tier', `the metadata of ${quote(s.app)} names no tier`, ['/service/tier']);
  if (!Object.hasOwn(ctx.config.serviceTier, s.tier)) return absent(ctx, 'service tier', `tier ${quote(s.tier)} is none of critical, high, medium, low`, ['/service/tier']);
  const value = ctx.config.serviceTier[s.tier];
  return { value, reason: `service ${quote(s.app)} is tier ${s.tier} (${num(value)})`, evidence: ['/service/tier'] };
}

function serviceHealth(e: Evidence, ctx: FactorContext): FactorValue {
  const s = e.service;
  if (s === null) return absent(ctx, 'SLO data', 'no service metadata was given', ['/service']);
  let worst: { index: number; name: string; remaining: number } | undefined;
  let withBudget = 0;
  s.slos.forEach((slo, index) => {
    const remaining = slo.errorBudgetRemaining;
    if (typeof remaining !== 'number' || !Number.isFinite(remaining)) return;
    withBudget++;
    if (worst === undefined || remaining < worst.remaining) worst = { index, name: slo.name, remaining };
  });
  if (worst === undefined) {
    return absent(ctx, 'error budgets', `${plural(s.slos.length, 'SLO')} of ${quote(s.app)}, none with errorBudgetRemaining`, ['/service/slos']);
  }
  const w: { index: number; name: string; remaining: number } = worst;
  const burn = clamp01(1 - w.remaining);
  const left = w.remaining <= 0 ? `has exhausted its error budget (${pct(w.remaining)} left)` : `has ${pct(w.remaining)} of its error budget left`;
  return {
    value: burn,
    reason: `SLO ${quote(w.name)} ${left}: burn ${num(burn)}, worst of ${plural(withBudget, 'SLO')} with a budget`,
    evidence: [`/service/slos/${String(w.index)}/errorBudgetRemaining`],
  };
}

function changeHistory(e: Evidence, ctx: FactorContext): FactorValue {
  const h = ctx.history;
  if (h === null) return absent(ctx, 'deployment history', 'no deployment statuses were read', ['/deployments']);
  const value = saturate(h.mean, ctx.config.history.saturation);
  const env = e.deployments === null ? '' : ` to ${quote(e.deployments.environment)}`;
  const [lo, hi] = h.interval;
  return {
    value,
    reason:
      `posterior failure rate ${num(h.mean)} (${pct(h.level)} interval ${num(lo)}-${num(hi)}) from ${String(h.failures)} failed of ` +
      `${plural(h.failures + h.successes, 'finished deployment')}${env}, prior Beta(${num(h.prior.alpha)}, ${num(h.prior.beta)}); ` +
      `${num(value)} of the ${pct(ctx.config.history.saturation)} saturation`,
    evidence: ['/deployments/deployments'],
  };
}

/** Distinct first path segments of the changed files (root-level files are one component, ''). */
function topLevelComponents(paths: readonly string[]): Set<string> {
  const components = new Set<string>();
  for (const p of paths) {
    const slash = p.indexOf('/');
    components.add(slash < 0 ? '' : p.slice(0, slash));
  }
  return components;
}

function blastRadius(e: Evidence, ctx: FactorContext): FactorValue {
  const { service, change } = e;
  const cfg = ctx.config.blastRadius;
  if (service === null && change === null) return absent(ctx, 'service metadata and change', 'neither was given', ['/service', '/change']);
  const na = ctx.config.absentValue;
  const words: string[] = [];
  const evidence: string[] = [];

  let dependents = na;
  if (service === null) words.push(`dependents unknown (${num(na)})`);
  else {
    dependents = saturate(service.dependents.length, cfg.dependents);
    words.push(`${plural(service.dependents.length, 'dependent')} (${num(dependents)})`);
    evidence.push('/service/dependents');
  }

  let owners = na;
  let components = na;
  let shared = na;
  if (change === null) words.push(`owners, components and shared state unknown (${num(na)})`);
  else {
    const ownerCount = change.codeowners.owners.length;
    owners = saturate(ownerCount, cfg.owners);
    const componentCount = topLevelComponents(change.files.map((f) => f.path)).size;
    components = saturate(componentCount, cfg.components);
    const migrations = count(change.categories, 'migration');
    const configs = count(change.categories, 'config');
    shared = migrations > 0 ? SHARED_MIGRATION : configs > 0 ? SHARED_CONFIG : 0;
    words.push(
      `${plural(ownerCount, 'CODEOWNERS owner')} (${num(owners)})`,
      `${plural(componentCount, 'top-level component')} (${num(components)})`,
      migrations > 0 ? `${plural(migrations, 'migration file')} (${num(shared)})` : configs > 0 ? `${plural(configs, 'shared config file')} (${num(shared)})` : 'no migration or shared config (0)',
    );
    evidence.push('/change/codeowners/owners', '/change/files', '/change/categories');
  }

  const value =
    BLAST_WEIGHTS.dependents * dependents + BLAST_WEIGHTS.shared * shared + BLAST_WEIGHTS.owners * owners + BLAST_WEIGHTS.components * components;
  return { value, reason: `${words.join(', ')}: weighted ${num(value)}`, evidence };
}

function changeComplexity(e: Evidence, ctx: FactorContext): FactorValue {
  const c = e.change;
  if (c === null) return absent(ctx, 'change', 'no pull request or diff was read', ['/change']);
  const lines = c.totals.additions + c.totals.deletions;
  const files = c.totals.files;
  const size = changeSize(lines, files, ctx.config.complexity);
  const migrations = count(c.categories, 'migration');
  const infra = count(c.categories, 'infra');
  const structural = migrations > 0 || infra > 0 ? 1 : 0;
  const value = COMPLEXITY_SIZE_WEIGHT * size + COMPLEXITY_STRUCTURAL_WEIGHT * structural;
  const kinds = [migrations > 0 ? plural(migrations, 'migration file') : '', infra > 0 ? plural(infra, 'infra file') : ''].filter((w) => w !== '');
  return {
    value,
    reason: `${plural(lines, 'changed line')} in ${plural(files, 'file')} (size ${num(size)})${kinds.length > 0 ? `, ${kinds.join(' and ')}` : ''}: ${num(value)}`,
    evidence: ['/change/totals', '/change/categories'],
  };
}

const SITUATION_WORDS: Readonly<Record<TimingSituation, string>> = {
  freeze: 'freeze',
  fridayAfternoon: 'Friday afternoon',
  weekend: 'weekend',
  outOfHours: 'out of hours',
  normal: 'working hours',
};

function hours(h: number): string {
  const whole = Math.floor(h);
  const minutes = Math.round((h - whole) * 60);
  return `${String(whole).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

function timing(e: Evidence, ctx: FactorContext): FactorValue {
  const t = ctx.config.timing;
  if (Number.isNaN(ctx.now.getTime())) return absent(ctx, 'deploy time', 'the time to judge is not a valid date', []);
  const s = e.service;
  const r = timingSituation(ctx.now, s?.timezone, ctx.config, s?.freezeWindows ?? []);
  const value = t.values[r.situation];
  let why: string;
  if (r.situation === 'freeze' && r.freezeWindow !== undefined) {
    const w = r.freezeWindow;
    why = `in freeze window ${quote(w.start)} to ${quote(w.end)}${w.reason === undefined ? '' : ` (${quote(w.reason)})`}`;
  } else if (r.situation === 'freeze' && r.holiday !== undefined) why = `on holiday ${r.holiday}`;
  else if (r.situation === 'fridayAfternoon') why = `Friday afternoon (from ${hours(t.fridayAfternoonFrom)})`;
  else if (r.situation === 'outOfHours') why = `out of hours (working hours ${hours(t.workingHours[0])}-${hours(t.workingHours[1])})`;
  else why = SITUATION_WORDS[r.situation];
  const also = r.applies.filter((a) => a !== r.situation && a !== 'normal').map((a) => SITUATION_WORDS[a]);
  const notes: string[] = [];
  if (s === null) notes.push('no service metadata: default timezone, no freeze windows');
  else if (s.timezone === undefined) notes.push('service names no timezone: default used');
  if (r.invalidTimezone !== undefined) notes.push(`timezone ${quote(r.invalidTimezone)} is not an IANA zone: ${r.timezone} used`);
  if (r.unparsableWindows > 0) notes.push(`${plural(r.unparsableWindows, 'freeze window')} with an unreadable date skipped`);
  const evidence = s === null ? [] : [...(s.timezone === undefined ? [] : ['/service/timezone']), '/service/freezeWindows'];
  return {
    value,
    reason: `${r.local} in ${r.timezone}: ${why}${also.length > 0 ? `, also ${also.join(', ')}` : ''} (${num(value)})${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`,
    evidence,
  };
}

// ---------------------------------------------------------------------------------------------
// Factors from the rest of the evidence

function findingValue(f: Finding): number {
  const base = SEVERITY_VALUE[f.severity] ?? SEVERITY_VALUE.unknown;
  return f.severity === 'critical' || f.fixAvailable ? base : base * NO_FIX_MULTIPLIER;
}

function vulnerabilities(e: Evidence, ctx: FactorContext): FactorValue {
  const v = e.vulnerabilities;
  if (v === null) return absent(ctx, 'vulnerability report', 'no scanner report was given', ['/vulnerabilities']);
  let safe = 1;
  let worst: { index: number; value: number } | undefined;
  const bySeverity = new Map<Severity, { total: number; fixable: number }>();
  let open = 0;
  const introducedPurls = new Set<string>();
  if (e.sbomDiff !== null) {
    for (const c of [...e.sbomDiff.added, ...e.sbomDiff.upgraded, ...e.sbomDiff.downgraded, ...e.sbomDiff.changed]) if (c.purl !== undefined) introducedPurls.add(c.purl);
  }
  let introduced = 0;
  v.findings.forEach((f, index) => {
    if (f.suppressed) return;
    open++;
    const s = clamp01(findingValue(f));
    safe *= 1 - s;
    if (worst === undefined || s > worst.value) worst = { index, value: s };
    const entry = bySeverity.get(f.severity) ?? { total: 0, fixable: 0 };
    entry.total++;
    if (f.fixAvailable) entry.fixable++;
    bySeverity.set(f.severity, entry);
    if (f.purl !== undefined && introducedPurls.has(f.purl)) introduced++;
  });
  const value = 1 - safe;
  const parts = SEVERITY_ORDER.flatMap((sev) => {
    const entry = bySeverity.get(sev);
    return entry === undefined ? [] : [`${String(entry.total)} ${sev} (${String(entry.fixable)} with a fix)`];
  });
  const suppressed = v.findings.length - open;
  const evidence = ['/vulnerabilities/totals'];
  const top: { index: number; value: number } | undefined = worst;
  let worstWords = '';
  if (top !== undefined) {
    evidence.push(`/vulnerabilities/findings/${String(top.index)}`);
    const f = v.findings[top.index];
    if (f !== undefined) worstWords = `; worst ${quote(f.id)}${f.package === undefined ? '' : ` in ${quote(f.package.version === undefined ? f.package.name : `${f.package.name}@${f.package.version}`)}`}`;
  }
  const summary = open === 0 ? 'no open findings' : `${plural(open, 'open finding')}: ${parts.join(', ')}`;
  return {
    value,
    reason:
      `${summary}${suppressed > 0 ? `, ${String(suppressed)} suppressed by VEX` : ''}` +
      `${introduced > 0 ? `, ${String(introduced)} in components this change adds or moves` : ''}${worstWords}: ${num(value)}`,
    evidence,
  };
}

type LicenseVerdict = 0 | 1 | 2; // ok, review, deny

function matchesPattern(id: string, pattern: string): boolean {
  const i = id.toLowerCase();
  const p = pattern.toLowerCase();
  return p.endsWith('*') ? i.startsWith(p.slice(0, -1)) : i === p;
}

/** The verdict on a license expression, memoized per call (SBOMs repeat a few values thousands of times). */
function licenseJudge(config: RiskConfig['licenses']): (expression: string) => LicenseVerdict {
  const memo = new Map<string, LicenseVerdict>();
  const idVerdict = (id: string): LicenseVerdict =>
    config.deny.some((p) => matchesPattern(id, p)) ? 2 : config.review.some((p) => matchesPattern(id, p)) ? 1 : 0;
  const walk = (node: parseSpdxExpression.Info): LicenseVerdict => {
    if ('conjunction' in node) {
      const l = walk(node.left);
      const r = walk(node.right);
      return (node.conjunction === 'or' ? Math.min(l, r) : Math.max(l, r)) as LicenseVerdict;
    }
    // `GPL-2.0+` parses as GPL-2.0 with plus: the id without the plus is what patterns name.
    return idVerdict(node.license);
  };
  return (expression) => {
    const trimmed = expression.trim();
    let verdict = memo.get(trimmed);
    if (verdict === undefined) {
      try {
        verdict = trimmed.length > MAX_LICENSE_EXPRESSION ? idVerdict(trimmed) : walk(parseSpdxExpression(trimmed));
      } catch {
        verdict = idVerdict(trimmed); // not SPDX (a license name): matched as written
      }
      memo.set(trimmed, verdict);
    }
    return verdict;
  };
}

function licenses(e: Evidence, ctx: FactorContext): FactorValue {
  const { sbom, sbomDiff } = e;
  if (sbom === null && sbomDiff === null) return absent(ctx, 'SBOM', 'no SBOM was given', ['/sbom', '/sbomDiff']);
  const judge = licenseJudge(ctx.config.licenses);
  // Several licenses on one component all apply (CycloneDX lists them side by side): the worst counts.
  const componentVerdict = (list: readonly string[] | undefined): LicenseVerdict => (list ?? []).reduce<LicenseVerdict>((w, l) => Math.max(w, judge(l)) as LicenseVerdict, 0);

  const flagged: { denied: number; review: number; first?: string; firstVerdict: LicenseVerdict } = { denied: 0, review: 0, firstVerdict: 0 };
  const note = (name: string, list: readonly string[] | undefined, verdict: LicenseVerdict): void => {
    if (verdict === 2) flagged.denied++;
    else if (verdict === 1) flagged.review++;
    if (verdict > flagged.firstVerdict) {
      flagged.firstVerdict = verdict;
      flagged.first = `${quote(name)} (${(list ?? []).map(quote).join(', ')})`;
    }
  };
  const evidence: string[] = [];
  if (sbom !== null) {
    evidence.push('/sbom/components');
    for (const c of sbom.components) note(c.name, c.licenses, componentVerdict(c.licenses));
  } else if (sbomDiff !== null) {
    evidence.push('/sbomDiff/added');
    for (const c of sbomDiff.added) note(c.name, c.licensesTo, componentVerdict(c.licensesTo));
  }
  let changes = 0;
  let changeVerdict: LicenseVerdict = 0;
  if (sbomDiff !== null) {
    evidence.push('/sbomDiff/licenseChanged');
    changes = sbomDiff.licenseChanged.length;
    for (const c of sbomDiff.licenseChanged) changeVerdict = Math.max(changeVerdict, componentVerdict(c.licensesTo)) as LicenseVerdict;
    // A changed license whose component is in the SBOM was judged above; without an SBOM judge it here.
    if (sbom === null) for (const c of sbomDiff.licenseChanged) note(c.name, c.licensesTo, componentVerdict(c.licensesTo));
  }
  const worst = Math.max(flagged.firstVerdict, changeVerdict);
  const value = Math.max(worst === 2 ? LICENSE_DENY_VALUE : worst === 1 ? LICENSE_REVIEW_VALUE : 0, changes > 0 ? LICENSE_CHANGE_VALUE : 0);
  const words = [
    `${plural(flagged.denied, 'component')} under a denied license`,
    `${String(flagged.review)} under a license to review`,
    plural(changes, 'license change'),
  ];
  return { value, reason: `${words.join(', ')}${flagged.first === undefined ? '' : `; worst ${flagged.first}`}: ${num(value)}`, evidence };
}

function provenance(e: Evidence, ctx: FactorContext): FactorValue {
  const p = e.provenance;
  if (p === null) return absent(ctx, 'provenance', 'no provenance bundle was given', ['/provenance']);
  if (p.verified + p.unverified <= 0) return absent(ctx, 'provenance records', 'the provenance evidence lists no artifacts', ['/provenance/artifacts']);
  if (p.unverified > 0) {
    const index = p.artifacts.findIndex((a) => !a.verified);
    const first = index < 0 ? undefined : p.artifacts[index];
    const why = first === undefined ? '' : `; first ${quote(first.bundle)}${first.reason === undefined ? '' : `: ${quote(first.reason)}`}`;
    return {
      value: 1,
      reason: `${String(p.unverified)} of ${plural(p.verified + p.unverified, 'provenance record')} not verified${why}: 1`,
      evidence: ['/provenance/unverified', ...(index < 0 ? [] : [`/provenance/artifacts/${String(index)}`])],
    };
  }
  return { value: 0, reason: `all ${plural(p.verified, 'provenance record')} verified: 0`, evidence: ['/provenance/verified'] };
}

function newDependencies(e: Evidence, ctx: FactorContext): FactorValue {
  const d = e.sbomDiff;
  if (d === null) return absent(ctx, 'SBOM diff', 'no base SBOM was given to compare with', ['/sbomDiff']);
  const added = d.added.length;
  const direct = d.added.filter((c) => c.scope === 'direct').length;
  const downgraded = d.downgraded.length;
  const addedPart = clamp01(Math.log1p(added) / Math.log1p(NEW_DEPENDENCY_SATURATION));
  const downgradedPart = clamp01(DOWNGRADE_VALUE * downgraded);
  const value = Math.max(addedPart, downgradedPart);
  const first = d.downgraded[0];
  const down = first === undefined ? '' : ` (first ${quote(first.name)} ${quote(first.from ?? '?')} -> ${quote(first.to ?? '?')})`;
  return {
    value,
    reason: `${plural(added, 'component')} added (${String(direct)} direct) (${num(addedPart)}), ${String(downgraded)} downgraded${down} (${num(downgradedPart)}): ${num(value)}`,
    evidence: ['/sbomDiff/added', '/sbomDiff/downgraded'],
  };
}

function changedLineCoverage(e: Evidence, ctx: FactorContext): FactorValue {
  const c = e.coverage;
  if (c === null) return absent(ctx, 'coverage', 'no coverage report was given', ['/coverage']);
  const cl = c.changedLines;
  if (cl === null) return absent(ctx, 'changed-line coverage', 'coverage was given without a diff to say which lines changed', ['/coverage/changedLines']);
  const unmeasured = cl.unmeasuredFiles?.length ?? 0;
  const unmeasuredWords = unmeasured > 0 ? `, ${plural(unmeasured, 'changed source file')} never loaded by the tests` : '';
  if (cl.ratio === null) {
    const value = unmeasured > 0 ? 1 : 0;
    return {
      value,
      reason: `no changed line is instrumented (${String(cl.notInstrumented)} not instrumented)${unmeasuredWords}: ${num(value)}`,
      evidence: ['/coverage/changedLines'],
    };
  }
  const value = clamp01(1 - cl.ratio);
  return {
    value,
    reason: `${String(cl.covered)} of ${plural(cl.total, 'changed line')} covered (${pct(cl.ratio)})${unmeasuredWords}: ${num(value)}`,
    evidence: ['/coverage/changedLines'],
  };
}

function tests(e: Evidence, ctx: FactorContext): FactorValue {
  const t = e.tests;
  if (t === null) return absent(ctx, 'test report', 'no test report was given', ['/tests']);
  if (!(t.total > 0)) return absent(ctx, 'test results', 'the test report lists no tests', ['/tests/total']);
  const failing = t.failed + t.errored;
  if (failing > 0) {
    const first = t.failures[0];
    return {
      value: 1,
      reason: `${String(t.failed)} failed and ${String(t.errored)} errored of ${plural(t.total, 'test')}${first === undefined ? '' : `; first ${quote(`${first.suite} > ${first.name}`)}`}: 1`,
      evidence: ['/tests/failed', '/tests/errored', ...(first === undefined ? [] : ['/tests/failures/0'])],
    };
  }
  const value = Math.min(FLAKY_CAP, (FLAKY_SLOPE * Math.max(0, t.flaky)) / t.total);
  return {
    value,
    reason: `${String(t.passed)} of ${plural(t.total, 'test')} passed, none failed; ${String(t.flaky)} flaky (${pct(Math.max(0, t.flaky) / t.total)}): ${num(value)}`,
    evidence: ['/tests/total', '/tests/flaky'],
  };
}

function aiReview(e: Evidence, ctx: FactorContext): FactorValue {
  const c = e.change;
  if (c === null) return absent(ctx, 'change', 'no pull request or diff was read', ['/change']);
  if (c.source === 'diff') return absent(ctx, 'reviews and authorship', 'the change was read from a diff, which records neither', ['/change/source']);
  const agent = c.ai.agentAuthor;
  const share = agent !== null && c.ai.commits === 0 ? 1 : clamp01(c.ai.share);
  const a = c.approvals;
  let gap: number = a.human <= 0 ? REVIEW_GAP.none : a.codeOwner > 0 ? REVIEW_GAP.codeOwner : REVIEW_GAP.human;
  if (a.changesRequested > 0) gap = Math.max(gap, REVIEW_GAP.changesRequested);
  const value = gap * (AI_BASELINE + (1 - AI_BASELINE) * share);
  const who = agent === null ? '' : ` (agent ${quote(agent)})`;
  const review =
    a.human <= 0
      ? 'no human approval'
      : `${plural(a.human, 'human approval')}${a.codeOwner > 0 ? `, ${String(a.codeOwner)} from a code owner` : ', none from a code owner'}`;
  return {
    value,
    reason: `AI share ${pct(share)}${who}, ${review}${a.changesRequested > 0 ? `, ${plural(a.changesRequested, 'change request')} open` : ''}: ${num(value)}`,
    evidence: ['/change/ai', '/change/approvals'],
  };
}

function genaiEval(e: Evidence, ctx: FactorContext): FactorValue {
  const ev = e.eval;
  const tel = e.telemetry;
  if (ev === null && tel === null) return absent(ctx, 'GenAI eval and telemetry', 'no eval results or traces were given', ['/eval', '/telemetry']);
  const g = ctx.config.genai;
  const signals: { value: number; words: string; pointer: string }[] = [];
  const fine: string[] = [];
  if (ev !== null) {
    if (ev.passRate === null) signals.push({ value: ctx.config.absentValue, words: 'no eval test ran', pointer: '/eval/passRate' });
    else if (ev.passRate < g.minPassRate) {
      signals.push({ value: g.minPassRate > 0 ? clamp01((g.minPassRate - ev.passRate) / g.minPassRate) : 0, words: `eval pass rate ${pct(ev.passRate)} below ${pct(g.minPassRate)}`, pointer: '/eval/passRate' });
    } else fine.push(`eval pass rate ${pct(ev.passRate)}`);
    if (ev.injection !== null) {
      if (!ev.injection.passed) signals.push({ value: 1, words: `injection suite failed (${String(ev.injection.blocked)} of ${String(ev.injection.total)} blocked)`, pointer: '/eval/injection' });
      else fine.push('injection suite passed');
    }
  }
  if (ev !== null && tel !== null && ev.costPerRequest !== null && tel.cost !== null && tel.llmCalls > 0 && tel.cost > 0) {
    const observed = tel.cost / tel.llmCalls;
    const increase = ev.costPerRequest / observed - 1;
    const value = overLimit(increase, g.costSpike, g.costSpike);
    const words = `eval cost per request ${num(ev.costPerRequest)} vs ${num(observed)} per traced model call (${increase >= 0 ? '+' : ''}${pct(increase)})`;
    if (value > 0) signals.push({ value, words: `${words} over +${pct(g.costSpike)}`, pointer: '/eval/costPerRequest' });
    else fine.push(words);
  }
  if (tel !== null) {
    const limits: { x: number | null; limit: number; span: number; words: string; pointer: string }[] = [
      { x: tel.maxConsecutiveToolCalls, limit: g.maxToolCallRun, span: g.maxToolCallRun, words: 'longest tool-call run', pointer: '/telemetry/maxConsecutiveToolCalls' },
      { x: tel.contextWindowUse, limit: g.maxContextWindowUse, span: 1 - g.maxContextWindowUse, words: 'context window use', pointer: '/telemetry/contextWindowUse' },
      { x: tel.promptCompletionRatio, limit: g.maxPromptCompletionRatio, span: g.maxPromptCompletionRatio, words: 'prompt:completion ratio', pointer: '/telemetry/promptCompletionRatio' },
    ];
    for (const l of limits) {
      if (l.x === null) continue;
      const value = overLimit(l.x, l.limit, l.span);
      if (value > 0) signals.push({ value, words: `${l.words} ${num(l.x)} over ${num(l.limit)}`, pointer: l.pointer });
      else fine.push(`${l.words} ${num(l.x)}`);
    }
  }
  if (signals.length === 0) {
    const evidence = [...(ev === null ? [] : ['/eval']), ...(tel === null ? [] : ['/telemetry'])];
    return { value: 0, reason: `${fine.length > 0 ? fine.join(', ') : 'nothing to flag'}: no regression (0)`, evidence };
  }
  signals.sort((a, b) => b.value - a.value);
  const value = signals[0]?.value ?? 0;
  return { value, reason: `${signals.map((s) => `${s.words} (${num(s.value)})`).join(', ')}: ${num(value)}`, evidence: signals.map((s) => s.pointer) };
}

// ---------------------------------------------------------------------------------------------

/** Clamps to [0, 1]; a value that is not a finite number (corrupt evidence) becomes absentValue. */
function bounded(fn: FactorFunction): FactorFunction {
  return (e, ctx) => {
    const v = fn(e, ctx);
    const fallback = Number.isFinite(ctx.config.absentValue) ? clamp01(ctx.config.absentValue) : 1;
    return { ...v, value: Number.isFinite(v.value) ? clamp01(v.value) : fallback };
  };
}

export const FACTOR_FUNCTIONS: Readonly<Record<FactorName, FactorFunction>> = Object.freeze({
  'service-tier': bounded(serviceTier),
  'service-health': bounded(serviceHealth),
  'change-history': bounded(changeHistory),
  'blast-radius': bounded(blastRadius),
  'change-complexity': bounded(changeComplexity),
  timing: bounded(timing),
  vulnerabilities: bounded(vulnerabilities),
  licenses: bounded(licenses),
  provenance: bounded(provenance),
  'new-dependencies': bounded(newDependencies),
  'changed-line-coverage': bounded(changedLineCoverage),
  tests: bounded(tests),
  'ai-review': bounded(aiReview),
  'genai-eval': bounded(genaiEval),
});
