/**
 * One gate evaluation: the policies over the verified evidence and risk, then break-glass, into
 * the decision body policy-gate signs. Pure (the clock value and GitHub facts come in); the
 * action step and `genops policy evaluate` both call this.
 */
import { verifyChain } from '../artifact/chain.js';
import { PredicateTypes, type RunIdentity } from '../artifact/statement.js';
import type { VerifiedArtifact } from '../artifact/verify.js';
import { ConfigError } from '../errors.js';
import type { Evidence } from '../evidence/model.js';
import type { RiskAssessment } from '../risk/model.js';
import { resolveBreakGlass, type BreakGlassPolicy, type BreakGlassRequest } from './break-glass.js';
import { buildDecisionBody } from './decision.js';
import type { BreakGlass, DecisionBody } from './decision-model.js';
import { evaluatePolicies } from './evaluate.js';
import type { PolicyBundle, PolicyDecision } from './model.js';

export interface GateInput {
  bundle: PolicyBundle;
  evidence: Evidence;
  risk: RiskAssessment | null;
  key: string;
  environment: string;
  approvalEnvironment?: string;
  change: DecisionBody['change'] & { evaluatedAt: string };
  breakGlass?: { request: BreakGlassRequest; policy: BreakGlassPolicy };
  budgetMs?: number;
  timer?: () => number;
}

export interface GateOutcome {
  body: DecisionBody;
  evaluation: PolicyDecision;
  /** Why a break-glass request did not apply (shown on the PR); absent when none was made or it applied. */
  breakGlassRefused?: string;
}

export function evaluateGate(input: GateInput): GateOutcome {
  const now = new Date(input.change.evaluatedAt);
  const evaluation = evaluatePolicies(input.bundle, {
    evidence: input.evidence,
    risk: input.risk,
    context: { now, environment: input.environment, repository: input.change.repository, author: input.change.author },
    ...(input.budgetMs === undefined ? {} : { budgetMs: input.budgetMs }),
    ...(input.timer === undefined ? {} : { timer: input.timer }),
  });
  let breakGlass: BreakGlass | undefined;
  let breakGlassRefused: string | undefined;
  // Break-glass only matters when something blocks; an unneeded one is not recorded as used.
  if (input.breakGlass !== undefined && (evaluation.decision === 'deny' || evaluation.decision === 'require-approval')) {
    const r = resolveBreakGlass(input.breakGlass.request, input.breakGlass.policy, { author: input.change.author, decision: evaluation.decision, now });
    if ('granted' in r) breakGlass = r.granted;
    else breakGlassRefused = r.refused;
  }
  const body = buildDecisionBody({
    key: input.key,
    environment: input.environment,
    ...(input.approvalEnvironment === undefined ? {} : { approvalEnvironment: input.approvalEnvironment }),
    change: input.change,
    bundle: input.bundle,
    evaluation,
    risk: input.risk,
    ...(breakGlass === undefined ? {} : { breakGlass }),
  });
  return { body, evaluation, ...(breakGlassRefused === undefined ? {} : { breakGlassRefused }) };
}

export interface GateArtifacts {
  evidence: Evidence;
  evidenceArtifact: VerifiedArtifact;
  risk: RiskAssessment | null;
  riskArtifact?: VerifiedArtifact;
  /** The run that collected the evidence (repository, sha, actor). */
  run: RunIdentity;
}

/**
 * Sorts verified upstream artifacts into the gate's inputs: exactly one evidence statement, at
 * most one risk statement, and the risk must have been computed from that very evidence (chain).
 */
export function gateArtifacts(verified: readonly VerifiedArtifact[], input = 'artifacts'): GateArtifacts {
  const of = (t: string) => verified.filter((v) => v.statement.predicateType === t);
  const evidence = of(PredicateTypes.evidence);
  const risk = of(PredicateTypes.risk);
  if (evidence.length !== 1) {
    throw new ConfigError('INPUT_INVALID', `expected exactly one evidence artifact, got ${String(evidence.length)}`, {
      input,
      hint: "Hand over evidence-collect's artifact (and risk-score's, whose input it is).",
    });
  }
  if (risk.length > 1) throw new ConfigError('INPUT_INVALID', `expected at most one risk artifact, got ${String(risk.length)}`, { input, hint: 'Hand over the one risk artifact of this change.' });
  verifyChain(verified, { requireInputs: true });
  const [ev] = evidence;
  if (ev === undefined) throw new ConfigError('INPUT_INVALID', 'no evidence artifact', { input });
  const { header, ...body } = ev.statement.predicate as unknown as Evidence & { header: { run: RunIdentity } };
  const out: GateArtifacts = { evidence: body, evidenceArtifact: ev, risk: null, run: header.run };
  const r = risk[0];
  if (r !== undefined) {
    const { header: _h, ...assessment } = r.statement.predicate as unknown as RiskAssessment & { header: unknown };
    out.risk = assessment;
    out.riskArtifact = r;
  }
  return out;
}

/** The environment a decision is for: the input, else the service's, else production. */
export function gateEnvironment(input: string, evidence: Evidence): string {
  return input !== '' ? input : evidence.service?.environment ?? 'production';
}

/** The author the policies see (and whom exceptions and break-glass must not come from). */
export function changeAuthor(evidence: Evidence, run: RunIdentity): string {
  return evidence.change?.author?.login ?? run.actor ?? '';
}
