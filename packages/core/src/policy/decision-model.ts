/**
 * The decision predicate (`https://genops.dev/attestations/decision/v1`): what policy-gate signs
 * and hands to deploy jobs, canary-promote and audit-publish. Schema:
 * packages/core/schemas/decision.schema.json. Everything a reader needs to explain the decision
 * (the PR comment, the check run, the audit export, `audit replay`) is in here, so no receiver has
 * to re-run the policies to say why.
 */
import type { GenopsPredicate } from '../artifact/statement.js';
import type { RiskTier, Recourse } from '../risk/model.js';
import type { Decision, ExceptionReport, PolicyMode, PolicyResult } from './model.js';

/** An emergency override, granted by a listed approver who is not the author. */
export interface BreakGlass {
  /** Login of the approver who applied the label or dispatched the run. */
  by: string;
  source: 'label' | 'dispatch';
  reason: string;
  grantedAt: string;
  expiresAt: string;
  /** The decision the policies gave before the override. */
  overridden: Decision;
  /** The post-incident follow-up issue opened for it (absent when it could not be opened: see warnings). */
  followUp?: { number: number; url: string };
}

/** The decision predicate without its header (what buildDecisionBody computes). */
export interface DecisionBody {
  /** The gate key: one sticky comment and one check run per key (e.g. `pr`, `deploy-production`). */
  key: string;
  /** The final decision (after break-glass). */
  decision: Decision;
  /** The environment the decision is for (`context.environment` in the policies). */
  environment: string;
  /** The protected environment a deploy job should use when the decision is require-approval. */
  requiredEnvironment?: string;
  change: {
    repository: string;
    sha: string;
    author: string;
    pullRequest?: number;
    /** The time the policies saw as `context.now`. */
    evaluatedAt: string;
  };
  policy: {
    /** sha256 hex of the policy bundle (PolicySet + PolicyException documents). */
    bundleDigest: string;
    sets: { name: string; file: string; mode: PolicyMode; rules: number }[];
  };
  results: PolicyResult[];
  exceptions: { applied: ExceptionReport[]; expired: ExceptionReport[]; invalid: ExceptionReport[] };
  /** Summary of the risk artifact read (absent when no risk artifact was given). */
  risk?: { score: number; tier: RiskTier; recourse: Recourse[]; canaryPlan: number[] };
  breakGlass?: BreakGlass;
  /** Counts by outcome, for readers that only need the totals. */
  counts: { pass: number; violated: number; excepted: number; error: number; skipped: number };
}

export type DecisionPredicate = GenopsPredicate & DecisionBody;
