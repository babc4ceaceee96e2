/**
 * From a policy evaluation to the signed decision: the predicate body (results, exceptions, risk
 * summary, break-glass), the statement naming the verified evidence and risk as its inputs, and
 * the outputs a workflow routes on. Pure: the evaluation, clock and GitHub facts come in.
 */
import { buildHeader, buildStatement, PredicateTypes, type ArtifactRef, type HeaderSpec, type Statement, type SubjectSpec } from '../artifact/statement.js';
import { clipText } from '../evidence/source.js';
import type { RiskAssessment } from '../risk/model.js';
import type { BreakGlass, DecisionBody, DecisionPredicate } from './decision-model.js';
import type { Decision, PolicyBundle, PolicyDecision, PolicyResult } from './model.js';

/** Longest message or error kept in the artifact (the evaluator already caps messages at 4 KB). */
const MAX_TEXT = 8192;

export interface DecisionFacts {
  key: string;
  environment: string;
  /** Protected environment named in the output when the decision is require-approval. */
  approvalEnvironment?: string;
  change: DecisionPredicate['change'];
  bundle: PolicyBundle;
  evaluation: PolicyDecision;
  risk: RiskAssessment | null;
  breakGlass?: BreakGlass;
}

function clipResult(r: PolicyResult): PolicyResult {
  const out: PolicyResult = { ...r, message: clipText(r.message, MAX_TEXT) };
  if (r.error !== undefined) out.error = clipText(r.error, MAX_TEXT);
  return out;
}

export function buildDecisionBody(facts: DecisionFacts): DecisionBody {
  const { evaluation: ev } = facts;
  const decision: Decision = facts.breakGlass === undefined ? ev.decision : 'allow';
  const count = (o: PolicyResult['outcome']) => ev.results.filter((r) => r.outcome === o).length;
  const body: DecisionBody = {
    key: facts.key,
    decision,
    environment: facts.environment,
    change: facts.change,
    policy: {
      bundleDigest: facts.bundle.digest,
      sets: facts.bundle.sets.map((s) => ({ name: s.name, file: s.file, mode: s.mode, rules: s.rules.length })),
    },
    results: ev.results.map(clipResult),
    exceptions: ev.exceptions,
    counts: { pass: count('pass'), violated: count('violated'), excepted: count('excepted'), error: count('error'), skipped: count('skipped') },
  };
  if (decision === 'require-approval' && facts.approvalEnvironment !== undefined) body.requiredEnvironment = facts.approvalEnvironment;
  if (facts.risk !== null) {
    body.risk = { score: facts.risk.score, tier: facts.risk.tier, recourse: facts.risk.recourse, canaryPlan: facts.risk.canaryPlan };
  }
  if (facts.breakGlass !== undefined) body.breakGlass = facts.breakGlass;
  return body;
}

export function buildDecisionStatement(
  subject: SubjectSpec,
  header: Omit<HeaderSpec, 'inputs' | 'component'>,
  inputs: { evidence: { name: string; digest: string }; risk?: { name: string; digest: string } },
  body: DecisionBody,
): Statement<DecisionPredicate> {
  const refs: ArtifactRef[] = [{ name: inputs.evidence.name, predicateType: PredicateTypes.evidence, digest: { sha256: inputs.evidence.digest } }];
  if (inputs.risk !== undefined) refs.push({ name: inputs.risk.name, predicateType: PredicateTypes.risk, digest: { sha256: inputs.risk.digest } });
  return buildStatement(subject, PredicateTypes.decision, { header: buildHeader({ ...header, component: 'policy-gate', inputs: refs }), ...body });
}

/** The rules that made the decision what it is (before break-glass): violated or errored, not allow. */
export function blockingResults(d: Pick<DecisionPredicate, 'results'>): PolicyResult[] {
  return d.results.filter((r) => (r.outcome === 'violated' || r.outcome === 'error') && r.effective !== 'allow');
}
