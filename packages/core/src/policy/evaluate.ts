/**
 * Evaluating a loaded policy bundle against evidence, risk and context. Pure apart from a
 * monotonic timer for the budget (injectable): `now` is input, nothing is read from outside.
 *
 * Per rule: `when` false -> skipped; `expression` true -> pass, false -> violated; an error (null
 * section read, type mismatch, budget spent) -> error. What a result yields (`effective`):
 * - violated: enforce -> the rule's decision; warn -> warn; audit -> allow (recorded only);
 * - error: failurePolicy Fail -> deny, capped by the mode like a violation (warn -> warn, audit ->
 *   allow); Ignore -> allow (the error is still recorded);
 * - a violation excused by an exception -> outcome `excepted`, allow. Errors are never excused.
 * The decision is the strictest effective value (allow < warn < require-approval < deny).
 *
 * The budget (default DEFAULT_BUDGET_MS for the whole call) is wall time enforced by node:vm's
 * watchdog around the whole evaluation (cel.ts runWithTimeLimit), and checked between rules with the
 * injectable timer; the rule in progress when it runs out, and every rule after it, is an error.
 */
import { DateTime } from 'luxon';
import type { Evidence } from '../evidence/model.js';
import type { RiskAssessment } from '../risk/model.js';
import { resolveTimezone } from '../risk/timing.js';
import { normalizeLogin } from './break-glass.js';
import { Budget, describeEvaluationError, exceedsSize, runWithTimeLimit, type CompiledExpression } from './cel.js';
import {
  stricter,
  type CompiledPolicySet,
  type Decision,
  type ExceptionReport,
  type LoadedException,
  type PolicyBundle,
  type PolicyContextInput,
  type PolicyDecision,
  type PolicyMode,
  type PolicyResult,
  type RuleDecision,
} from './model.js';

export const DEFAULT_BUDGET_MS = 2000;
/** Longest message kept (static messages are capped by the schema; computed ones are truncated). */
export const MAX_MESSAGE_CHARS = 4096;
/** Largest value a variable may hold (elements + characters), so chained variables cannot double without bound. */
export const MAX_VARIABLE_SIZE = 1_000_000;
/** Longest time an exception may run: 90 days after createdAt, or after `now` without one. */
export const MAX_EXCEPTION_DAYS = 90;

export interface PolicyInput {
  evidence: Evidence;
  risk: RiskAssessment | null;
  context: PolicyContextInput;
  budgetMs?: number;
  /** Monotonic milliseconds (default performance.now); injectable for tests. */
  timer?: () => number;
  /**
   * `fast` (default): each expression's fast path where it answers, cel-js for the rest
   * (cel-fast.ts). `reference`: cel-js alone, for comparing the two and for the benchmark's baseline.
   */
  engine?: CelEngine;
}

export type CelEngine = 'fast' | 'reference';

export function truncateMessage(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  return `${message.slice(0, MAX_MESSAGE_CHARS)}… (truncated: ${String(message.length)} characters in all)`;
}

/** The context an expression sees as `context`. */
export function policyContext(evidence: Evidence, context: PolicyContextInput): Record<string, unknown> {
  const zone = resolveTimezone(evidence.service?.timezone, 'UTC');
  const local = DateTime.fromJSDate(context.now, { zone: zone.timezone }).setLocale('en-US');
  return {
    now: context.now.toISOString(),
    environment: context.environment,
    repository: context.repository,
    author: context.author,
    local: { weekday: local.weekdayLong ?? '', hour: local.hour, minute: local.minute, date: local.toISODate() ?? '', timezone: zone.timezone },
  };
}

const DAY_MS = 24 * 3600 * 1000;

function sameLogin(a: string, b: string): boolean {
  return normalizeLogin(a) === normalizeLogin(b);
}

function report(e: LoadedException, extra: Partial<ExceptionReport> = {}): ExceptionReport {
  const s = e.doc.spec;
  return { name: e.doc.metadata.name, file: e.file, rules: [...s.rules], ticket: s.ticket, approvedBy: s.approvedBy, expiresAt: s.expiresAt, ...extra };
}

/**
 * Whether the exception's match narrows it away from this evidence. packages / vulnerabilities are
 * conservative: the exception applies only when every vulnerable package (unsuppressed dependency
 * finding) and every changed package in the SBOM diff is covered by a listed purl prefix, and every
 * unsuppressed finding is a listed vulnerability (by id or alias). Anything not covered could be
 * what the rule flagged, so the exception does not apply.
 */
function matches(e: LoadedException, evidence: Evidence, context: PolicyContextInput): boolean {
  const m = e.doc.spec.match ?? {};
  if (m.repository !== undefined && m.repository.toLowerCase() !== context.repository.toLowerCase()) return false;
  if (m.environment !== undefined && m.environment !== context.environment) return false;
  const findings = (evidence.vulnerabilities?.findings ?? []).filter((f) => !f.suppressed);
  if (m.vulnerabilities !== undefined) {
    const ids = new Set(m.vulnerabilities.map((v) => v.toUpperCase()));
    if (!findings.every((f) => [f.id, ...f.aliases].some((id) => ids.has(id.toUpperCase())))) return false;
  }
  if (m.packages !== undefined) {
    const prefixes = m.packages;
    const covered = (purl: string | undefined) => purl !== undefined && prefixes.some((p) => purl.startsWith(p));
    const d = evidence.sbomDiff;
    const changed = d === null ? [] : [...d.added, ...d.upgraded, ...d.downgraded, ...d.changed, ...d.licenseChanged];
    const named = [...findings.filter((f) => f.kind === 'dependency').map((f) => f.purl), ...changed.map((c) => c.purl)];
    if (named.length === 0 || !named.every(covered)) return false;
  }
  return true;
}

interface ExceptionState {
  byRule: Map<string, LoadedException[]>;
  expired: ExceptionReport[];
  invalid: ExceptionReport[];
}

function classifyExceptions(bundle: PolicyBundle, input: PolicyInput): ExceptionState {
  const now = input.context.now.getTime();
  const st: ExceptionState = { byRule: new Map(), expired: [], invalid: [] };
  for (const e of bundle.exceptions) {
    const s = e.doc.spec;
    const expires = Date.parse(s.expiresAt);
    const from = s.createdAt === undefined ? now : Date.parse(s.createdAt);
    if (sameLogin(s.approvedBy, input.context.author)) {
      st.invalid.push(report(e, { problem: `approved by ${s.approvedBy}, the change's author: an exception needs someone else's approval` }));
      continue;
    }
    if (Number.isNaN(expires) || Number.isNaN(from)) {
      st.invalid.push(report(e, { problem: 'expiresAt / createdAt is not an RFC 3339 date-time' }));
      continue;
    }
    if (expires <= now) {
      st.expired.push(report(e));
      continue;
    }
    if (expires - from > MAX_EXCEPTION_DAYS * DAY_MS) {
      const days = Math.ceil((expires - from) / DAY_MS);
      st.invalid.push(report(e, { problem: `expires ${String(days)} days after ${s.createdAt === undefined ? 'now' : 'createdAt'}; at most ${String(MAX_EXCEPTION_DAYS)} are allowed` }));
      continue;
    }
    if (!matches(e, input.evidence, input.context)) continue;
    for (const r of s.rules) st.byRule.set(r, [...(st.byRule.get(r) ?? []), e]);
  }
  return st;
}

type Run = { ok: true; value: unknown } | { ok: false; error: string };

function run(expr: CompiledExpression, ctx: Record<string, unknown>, engine: CelEngine): Run {
  try {
    return { ok: true, value: engine === 'reference' ? expr.reference(ctx) : expr.program(ctx) };
  } catch (e) {
    return { ok: false, error: describeEvaluationError(e) };
  }
}

function capByMode(d: Decision, mode: PolicyMode): Decision {
  if (mode === 'audit') return 'allow';
  if (mode === 'warn') return d === 'allow' ? 'allow' : 'warn';
  return d;
}

/** Results are pushed to `results` as each rule finishes, so an interrupted evaluation keeps them. */
function evaluateSet(set: CompiledPolicySet, budget: Budget, base: Record<string, unknown>, engine: CelEngine, exc: ExceptionState, applied: Map<LoadedException, string[]>, results: PolicyResult[]): void {
  const variables: Record<string, unknown> = {};
  const variableErrors = new Map<string, string>();
  const ctx: Record<string, unknown> = { ...base, params: set.params, variables };
  for (const v of set.variables) {
    const failedDep = v.expression.variablesUsed.find((u) => variableErrors.has(u));
    if (failedDep !== undefined) {
      variableErrors.set(v.name, `variable ${failedDep} failed`);
      continue;
    }
    const r = run(v.expression, ctx, engine);
    if (!r.ok) variableErrors.set(v.name, r.error);
    else if (exceedsSize(r.value, MAX_VARIABLE_SIZE)) variableErrors.set(v.name, `its value is larger than ${String(MAX_VARIABLE_SIZE)} elements and characters`);
    else variables[v.name] = r.value;
  }
  for (const rule of set.rules) {
    const d = rule.doc;
    const head = ruleHead(set, rule);
    const error = (message: string): PolicyResult => errorResult(set, rule, message);
    if (budget.spent()) {
      results.push(error(`not evaluated: the evaluation budget of ${String(budget.budgetMs)} ms was spent`));
      continue;
    }
    const used = [...(rule.when?.variablesUsed ?? []), ...rule.expression.variablesUsed, ...(rule.messageExpression?.variablesUsed ?? [])];
    const badVar = used.find((u) => variableErrors.has(u));
    if (badVar !== undefined) {
      results.push(error(`variable ${badVar} could not be evaluated: ${variableErrors.get(badVar) ?? ''}`));
      continue;
    }
    if (rule.when !== undefined) {
      const w = run(rule.when, ctx, engine);
      if (!w.ok) {
        results.push(error(`when: ${w.error}`));
        continue;
      }
      if (typeof w.value !== 'boolean') {
        results.push(error(`when gave ${typeof w.value}, not a bool`));
        continue;
      }
      if (!w.value) {
        results.push({ ...head, outcome: 'skipped', effective: 'allow', message: '' });
        continue;
      }
    }
    const r = run(rule.expression, ctx, engine);
    if (!r.ok) {
      results.push(error(r.error));
      continue;
    }
    if (typeof r.value !== 'boolean') {
      results.push(error(`the expression gave ${typeof r.value}, not a bool`));
      continue;
    }
    if (r.value) {
      results.push({ ...head, outcome: 'pass', effective: 'allow', message: '' });
      continue;
    }
    let message = d.message;
    if (rule.messageExpression !== undefined) {
      const m = run(rule.messageExpression, ctx, engine);
      if (m.ok && typeof m.value === 'string' && m.value.trim() !== '') message = m.value;
      else message = `${d.message} (messageExpression failed: ${m.ok ? 'not a non-empty string' : m.error})`;
    }
    message = truncateMessage(message);
    const excuse = exc.byRule.get(d.id)?.[0];
    if (excuse !== undefined) {
      applied.set(excuse, [...(applied.get(excuse) ?? []), `${set.name}/${d.id}`]);
      results.push({ ...head, outcome: 'excepted', effective: 'allow', message, exception: excuse.doc.metadata.name });
      continue;
    }
    results.push({ ...head, outcome: 'violated', effective: capByMode(d.decision satisfies RuleDecision, head.mode), message });
  }
}

type CompiledRule = CompiledPolicySet['rules'][number];

/** What every result of a rule carries. */
function ruleHead(set: CompiledPolicySet, rule: CompiledRule) {
  const d = rule.doc;
  return { set: set.name, rule: d.id, title: d.title, mode: d.mode ?? set.mode, decision: d.decision, ...(d.recourse === undefined ? {} : { recourse: d.recourse }) };
}

/** The result of a rule that could not be evaluated, under its set's failurePolicy. */
function errorResult(set: CompiledPolicySet, rule: CompiledRule, message: string, effective?: Decision): PolicyResult {
  const head = ruleHead(set, rule);
  return {
    ...head,
    outcome: 'error',
    effective: effective ?? (set.failurePolicy === 'Fail' ? capByMode('deny', head.mode) : 'allow'),
    message: `rule could not be evaluated (failurePolicy ${set.failurePolicy}): ${message}`,
    error: message,
  };
}

/** Evaluates every rule of every set. Never throws for anything a policy or the evidence holds. */
export function evaluatePolicies(bundle: PolicyBundle, input: PolicyInput): PolicyDecision {
  const timer = input.timer ?? (() => performance.now());
  const budgetMs = input.budgetMs ?? DEFAULT_BUDGET_MS;
  const budget = new Budget(budgetMs, timer() + budgetMs, timer);
  const exc = classifyExceptions(bundle, input);
  const applied = new Map<LoadedException, string[]>();
  const base: Record<string, unknown> = {
    evidence: input.evidence,
    risk: input.risk,
    context: policyContext(input.evidence, input.context),
  };
  // One result per rule, in bundle order; `bySet[i]` collects set i's as they finish.
  const bySet: PolicyResult[][] = bundle.sets.map(() => []);
  const finished = runWithTimeLimit(() => {
    bundle.sets.forEach((set, i) => {
      const out = bySet[i] ?? [];
      try {
        evaluateSet(set, budget, base, input.engine ?? 'fast', exc, applied, out);
      } catch (e) {
        // Not expected (run() catches evaluation errors); fail closed for the rest of the set.
        const message = `internal error evaluating the set: ${describeEvaluationError(e)}`;
        for (const rule of set.rules.slice(out.length)) out.push(errorResult(set, rule, message, 'deny'));
      }
    });
  }, budgetMs);
  const results: PolicyResult[] = [];
  let interrupted = !finished;
  bundle.sets.forEach((set, i) => {
    const done = bySet[i] ?? [];
    results.push(...done);
    for (const rule of set.rules.slice(done.length)) {
      // The first rule without a result was running when the watchdog stopped the evaluation.
      results.push(errorResult(set, rule, interrupted ? `the evaluation budget of ${String(budgetMs)} ms was spent` : `not evaluated: the evaluation budget of ${String(budgetMs)} ms was spent`));
      interrupted = false;
    }
  });
  const decision = results.reduce<Decision>((acc, r) => stricter(acc, r.effective), 'allow');
  return {
    decision,
    results,
    exceptions: { applied: [...applied].map(([e, excused]) => report(e, { excused })), expired: exc.expired, invalid: exc.invalid },
    bundleDigest: bundle.digest,
  };
}
