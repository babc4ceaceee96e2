/**
 * The canary predicate (`https://genops.dev/attestations/canary/v1`): what canary-promote signs at
 * the end of a rollout. Top-level `outcome`, `environment` and `finishedAt` are what the audit
 * ledger records; the rest is the decision trace (every stage and window: counts, e-values, ratio
 * bounds, guards, the deciding rule), the settings it was decided with, the plan and the decision
 * that authorized it. header.inputs names the decision statement (and the risk statement whose
 * plan was walked), so chain verification goes canary -> decision -> risk -> evidence.
 * Schema: packages/core/schemas/canary.schema.json. Pure: the run, clock and run identity come in.
 */
import { buildHeader, buildStatement, PredicateTypes, type ArtifactRef, type GenopsPredicate, type HeaderSpec, type Statement, type SubjectSpec } from '../artifact/statement.js';
import { clipText } from '../evidence/source.js';
import type { RiskTier } from '../risk/model.js';
import type { CanaryConfig } from './config.js';
import type { GuardsConfig } from './guards.js';
import type { CanaryMetric, CanaryOutcome } from './model.js';
import type { CanaryRun, DecisionRule, StageTrace } from './trace.js';

/** Longest free text (a reason, a provider's gap reason, an error) kept in the artifact. */
const MAX_TEXT = 8192;

/** risk: the verified risk artifact's plan; decision: the decision's risk summary (no risk artifact handed over); stages-input: the `stages` input. */
export type CanaryPlanSource = 'risk' | 'decision' | 'stages-input';

export interface CanaryPredicateBody {
  outcome: CanaryOutcome;
  /** The environment rolled out to (the decision's environment unless an input says otherwise). */
  environment: string;
  startedAt: string;
  finishedAt: string;
  finalWeight: number;
  rule: DecisionRule;
  reason: string;
  error?: string;
  /** The verified decision that allowed the rollout. */
  decision: {
    digest: string;
    decision: 'allow' | 'warn' | 'require-approval';
    key: string;
    environment: string;
    approval?: { environment: string; approvedBy: string[] };
  };
  plan: { source: CanaryPlanSource; riskTier?: RiskTier; stages: number[] };
  provider: 'prometheus' | 'file' | 'http';
  traffic: 'command' | 'webhook';
  /** This run continued a rollout from a saved state. */
  resumed: boolean;
  settings: {
    alpha: number;
    method: string;
    metrics: CanaryMetric[];
    rMax: Partial<Record<CanaryMetric, number>>;
    stages: number[];
    windowSeconds: number;
    warmupWindows: number;
    dwellSeconds: number;
    stageDeadlineSeconds: number;
    lastStageDeadlineSeconds: number;
    maxTotalSeconds: number;
    minCanaryRequestsPerPercent: number;
    guards: GuardsConfig;
  };
  totals: { windows: number; dataWindows: number; gapWindows: number; canaryRequests: number };
  stages: StageTrace[];
}

export type CanaryPredicate = GenopsPredicate & CanaryPredicateBody;

export interface CanaryFacts {
  run: CanaryRun;
  config: CanaryConfig;
  environment: string;
  decision: CanaryPredicateBody['decision'];
  plan: CanaryPredicateBody['plan'];
  provider: CanaryPredicateBody['provider'];
  traffic: CanaryPredicateBody['traffic'];
  resumed: boolean;
}

function clipStage(s: StageTrace): StageTrace {
  const out: StageTrace = { ...s, windows: s.windows.map((w) => (w.gapReason === undefined ? w : { ...w, gapReason: clipText(w.gapReason, MAX_TEXT) })) };
  if (s.decision !== undefined) out.decision = { ...s.decision, reason: clipText(s.decision.reason, MAX_TEXT) };
  return out;
}

/** The predicate body from a finished (or paused) run. */
export function buildCanaryBody(facts: CanaryFacts): CanaryPredicateBody {
  const { run, config } = facts;
  const windows = run.stages.flatMap((s) => s.windows);
  const body: CanaryPredicateBody = {
    outcome: run.outcome,
    environment: facts.environment,
    startedAt: run.startedAt,
    finishedAt: run.endedAt,
    finalWeight: run.finalWeight,
    rule: run.rule,
    reason: clipText(run.reason, MAX_TEXT),
    decision: facts.decision,
    plan: facts.plan,
    provider: facts.provider,
    traffic: facts.traffic,
    resumed: facts.resumed,
    settings: {
      ...run.settings,
      windowSeconds: config.windowSeconds,
      warmupWindows: config.warmupWindows,
      dwellSeconds: config.dwellSeconds,
      stageDeadlineSeconds: config.stageDeadlineSeconds,
      lastStageDeadlineSeconds: config.lastStageDeadlineSeconds,
      maxTotalSeconds: config.maxTotalSeconds,
      minCanaryRequestsPerPercent: config.minCanaryRequestsPerPercent,
      guards: config.guards,
    },
    totals: {
      windows: windows.length,
      dataWindows: windows.filter((w) => w.status === 'data').length,
      gapWindows: windows.filter((w) => w.status === 'gap').length,
      canaryRequests: run.stages.reduce((acc, s) => acc + s.canaryRequests, 0),
    },
    stages: run.stages.map(clipStage),
  };
  if (run.error !== undefined) body.error = clipText(run.error, MAX_TEXT);
  return body;
}

/**
 * The canary statement. Its inputs: the decision statement, and the risk statement when its plan
 * was walked (the decision already names the risk, so the chain reaches it either way).
 */
export function buildCanaryStatement(
  subject: SubjectSpec,
  header: Omit<HeaderSpec, 'inputs' | 'component'>,
  inputs: { decision: { name: string; digest: string }; risk?: { name: string; digest: string } },
  body: CanaryPredicateBody,
): Statement<CanaryPredicate> {
  const refs: ArtifactRef[] = [{ name: inputs.decision.name, predicateType: PredicateTypes.decision, digest: { sha256: inputs.decision.digest } }];
  if (inputs.risk !== undefined) refs.push({ name: inputs.risk.name, predicateType: PredicateTypes.risk, digest: { sha256: inputs.risk.digest } });
  return buildStatement(subject, PredicateTypes.canary, { header: buildHeader({ ...header, component: 'canary-promote', inputs: refs }), ...body });
}
