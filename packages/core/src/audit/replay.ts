/**
 * Replaying a ledger's decisions (`genops audit replay`, docs/audit.md#replay): each decision
 * entry is evaluated again from the evidence and risk artifacts it names (found in the same
 * ledger by digest), under the policy bundle whose digest it recorded, at the time it recorded
 * (the policies see that time as `context.now`). A decision that comes out different, or one that
 * cannot be replayed (an input or the policy bundle is not available), is reported with the rules
 * that differ. Plain functions over verified entries: verifying the ledger first is the caller's.
 */
import { PredicateTypes, type ArtifactRef, type GenopsPredicate, type Statement } from '../artifact/statement.js';
import type { Evidence } from '../evidence/model.js';
import type { DecisionPredicate } from '../policy/decision-model.js';
import { evaluateGate } from '../policy/gate.js';
import type { Decision, PolicyBundle, PolicyResult } from '../policy/model.js';
import type { RiskAssessment } from '../risk/model.js';
import type { LedgerEntry } from './model.js';

/** A policy bundle replay may use, and where it came from (for messages). */
export interface ReplayPolicyBundle {
  source: string;
  bundle: PolicyBundle;
}

/** One rule whose result differs: as recorded and as replayed (absent when the rule is not there). */
export interface ReplayRuleDifference {
  rule: string;
  recorded?: { outcome: string; effective: Decision };
  replayed?: { outcome: string; effective: Decision };
}

export type ReplayResult =
  | { seq: number; status: 'same'; decision: Decision; policySource: string }
  | { seq: number; status: 'different'; recorded: Decision; replayed: Decision; rules: ReplayRuleDifference[]; policySource: string; breakGlass: boolean }
  | { seq: number; status: 'unavailable'; reason: string };

export interface ReplayReport {
  /** Decision entries found (every other entry is an input, or a canary). */
  decisions: number;
  same: number;
  different: number;
  unavailable: number;
  results: ReplayResult[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The signed statement of an entry's recorded bundle (bound to artifact.digest by verifyLedger). */
export function recordedStatement(entry: LedgerEntry): Statement<GenopsPredicate> | undefined {
  const env = (entry.artifact.bundle as { dsseEnvelope?: { payload?: unknown } }).dsseEnvelope;
  if (env === undefined || typeof env.payload !== 'string') return undefined;
  try {
    const st: unknown = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));
    return isRecord(st) && isRecord(st['predicate']) ? (st as unknown as Statement<GenopsPredicate>) : undefined;
  } catch {
    return undefined;
  }
}

/** The predicate without its header: the model the policies read. */
function predicateBody(st: Statement<GenopsPredicate>): Record<string, unknown> {
  const { header: _h, ...rest } = st.predicate as unknown as Record<string, unknown>;
  return rest;
}

function ruleMap(results: readonly PolicyResult[]): Map<string, { outcome: string; effective: Decision }> {
  return new Map(results.map((r) => [`${r.set}/${r.rule}`, { outcome: r.outcome, effective: r.effective }]));
}

/** Rules whose outcome or contribution differ, in the recorded order then the replayed extras. */
export function ruleDifferences(recorded: readonly PolicyResult[], replayed: readonly PolicyResult[]): ReplayRuleDifference[] {
  const a = ruleMap(recorded);
  const b = ruleMap(replayed);
  const out: ReplayRuleDifference[] = [];
  for (const rule of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(rule);
    const y = b.get(rule);
    if (x !== undefined && y !== undefined && x.outcome === y.outcome && x.effective === y.effective) continue;
    out.push({ rule, ...(x === undefined ? {} : { recorded: x }), ...(y === undefined ? {} : { replayed: y }) });
  }
  return out;
}

function inputRef(p: DecisionPredicate, type: string): ArtifactRef | undefined {
  return p.header.inputs.find((i) => i.predicateType === type);
}

function replayOne(entry: LedgerEntry, byDigest: ReadonlyMap<string, LedgerEntry>, bundles: ReadonlyMap<string, ReplayPolicyBundle>): ReplayResult {
  const seq = entry.seq;
  const unavailable = (reason: string): ReplayResult => ({ seq, status: 'unavailable', reason });
  const st = recordedStatement(entry);
  if (st?.predicateType !== PredicateTypes.decision) return unavailable('its recorded bundle holds no decision statement');
  const p = st.predicate as unknown as DecisionPredicate;
  const inputs: { evidence?: Evidence; risk: RiskAssessment | null } = { risk: null };
  for (const [kind, type] of [['evidence', PredicateTypes.evidence], ['risk', PredicateTypes.risk]] as const) {
    const ref = inputRef(p, type);
    if (ref === undefined) {
      if (kind === 'evidence') return unavailable('the decision names no evidence artifact among its inputs');
      continue;
    }
    const digest: string = ref.digest['sha256'] ?? '';
    const found = byDigest.get(digest);
    const input = found === undefined ? undefined : recordedStatement(found);
    if (found === undefined || input === undefined) return unavailable(`its ${kind} artifact sha256:${digest}${ref.name === undefined ? '' : ` (${ref.name})`} is not in the ledger`);
    if (input.predicateType !== type) return unavailable(`entry ${String(found.seq)}, named as its ${kind}, is a ${found.artifact.kind} artifact`);
    if (kind === 'evidence') inputs.evidence = predicateBody(input) as unknown as Evidence;
    else inputs.risk = predicateBody(input) as unknown as RiskAssessment;
  }
  if (inputs.evidence === undefined) return unavailable('its evidence is not in the ledger');
  const policy = bundles.get(p.policy.bundleDigest);
  if (policy === undefined) {
    return unavailable(`the policy bundle sha256:${p.policy.bundleDigest} (sets ${p.policy.sets.map((s) => s.name).join(', ') || 'none'}) is not among the bundles given`);
  }
  const { evaluation } = evaluateGate({
    bundle: policy.bundle,
    evidence: inputs.evidence,
    risk: inputs.risk,
    key: p.key,
    environment: p.environment,
    change: { repository: p.change.repository, sha: p.change.sha, author: p.change.author, ...(p.change.pullRequest === undefined ? {} : { pullRequest: p.change.pullRequest }), evaluatedAt: p.change.evaluatedAt },
  });
  // A break-glass override is a recorded fact (who, why, when), not a policy result: what is
  // replayed is the decision the policies gave before it.
  const recorded = p.breakGlass?.overridden ?? p.decision;
  const rules = ruleDifferences(p.results, evaluation.results);
  if (evaluation.decision === recorded && rules.length === 0) return { seq, status: 'same', decision: recorded, policySource: policy.source };
  return { seq, status: 'different', recorded, replayed: evaluation.decision, rules, policySource: policy.source, breakGlass: p.breakGlass !== undefined };
}

/** Replays every decision entry of a verified ledger; bundles are matched by their digest. */
export function replayLedger(entries: readonly LedgerEntry[], policyBundles: readonly ReplayPolicyBundle[]): ReplayReport {
  const byDigest = new Map<string, LedgerEntry>();
  for (const e of entries) if (!byDigest.has(e.artifact.digest)) byDigest.set(e.artifact.digest, e);
  const bundles = new Map<string, ReplayPolicyBundle>();
  for (const b of policyBundles) if (!bundles.has(b.bundle.digest)) bundles.set(b.bundle.digest, b);
  const results = entries.filter((e) => e.artifact.kind === 'decision').map((e) => replayOne(e, byDigest, bundles));
  const count = (s: ReplayResult['status']) => results.filter((r) => r.status === s).length;
  return { decisions: results.length, same: count('same'), different: count('different'), unavailable: count('unavailable'), results };
}

/** Plain-text lines of a replay report (the CLI prints them). */
export function replayText(report: ReplayReport): string[] {
  const lines: string[] = [];
  for (const r of report.results) {
    if (r.status === 'same') lines.push(`same         entry ${String(r.seq)}: ${r.decision} (policies: ${r.policySource})`);
    else if (r.status === 'unavailable') lines.push(`UNAVAILABLE  entry ${String(r.seq)}: cannot be replayed: ${r.reason}`);
    else {
      lines.push(`DIFFERENT    entry ${String(r.seq)}: recorded ${r.recorded}${r.breakGlass ? ' (before break-glass)' : ''}, replayed ${r.replayed} (policies: ${r.policySource})`);
      for (const d of r.rules) {
        const side = (x: ReplayRuleDifference['recorded']) => (x === undefined ? 'absent' : `${x.outcome} -> ${x.effective}`);
        lines.push(`  - ${d.rule}: recorded ${side(d.recorded)}, replayed ${side(d.replayed)}`);
      }
    }
  }
  lines.push(`${String(report.decisions)} decision(s): ${String(report.same)} same, ${String(report.different)} different, ${String(report.unavailable)} not replayable`);
  return lines;
}
