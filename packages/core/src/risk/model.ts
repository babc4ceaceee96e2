/**
 * The risk model (predicate `https://genops.dev/attestations/risk/v1`): a score in [0, 1] that is
 * the weighted mean of factor values, so the factors' contributions sum to the score exactly.
 * Every factor says which evidence it came from; absent evidence gives a stated, configurable
 * value (never 0: what was not shown is not safe), and says so.
 */

export type RiskTier = 'low' | 'medium' | 'high' | 'critical';
export const RISK_TIERS: readonly RiskTier[] = ['low', 'medium', 'high', 'critical'];

/** The six factors of the reference design, then the ones read from the rest of the evidence. */
export type FactorName =
  | 'service-tier'
  | 'service-health'
  | 'change-history'
  | 'blast-radius'
  | 'change-complexity'
  | 'timing'
  | 'vulnerabilities'
  | 'licenses'
  | 'provenance'
  | 'new-dependencies'
  | 'changed-line-coverage'
  | 'tests'
  | 'ai-review'
  | 'genai-eval';

export const FACTOR_NAMES: readonly FactorName[] = [
  'service-tier',
  'service-health',
  'change-history',
  'blast-radius',
  'change-complexity',
  'timing',
  'vulnerabilities',
  'licenses',
  'provenance',
  'new-dependencies',
  'changed-line-coverage',
  'tests',
  'ai-review',
  'genai-eval',
];

/** What a factor function returns: its value and why. The engine adds weight and contribution. */
export interface FactorValue {
  /** In [0, 1]: 0 adds no risk, 1 is the most this factor can add. */
  value: number;
  /** One line, citing the evidence (`3 critical vulnerabilities, 1 without a fix (vulnerabilities)`). */
  reason: string;
  /** JSON pointers into the evidence predicate the value came from (`/service/tier`). */
  evidence: string[];
  /** The evidence this factor reads was absent; `value` is then the configured `absentValue`. */
  absent?: boolean;
}

export interface Factor extends FactorValue {
  name: FactorName;
  weight: number;
  /** weight * value / (sum of all weights): the contributions sum to the score. */
  contribution: number;
}

/** Beta-Binomial posterior of the failure rate of deployments of this service and environment. */
export interface HistoryPosterior {
  /** Deployments counted: finished ones only (success vs failure/error). */
  successes: number;
  failures: number;
  prior: { alpha: number; beta: number };
  posterior: { alpha: number; beta: number };
  mean: number;
  /** Equal-tailed credible interval at `level`. */
  interval: [number, number];
  level: number;
}

/** A past incident or post-mortem that looks like this change. */
export interface IncidentMatch {
  id: string;
  title: string;
  /** Relative path of the markdown file, or the issue URL. */
  source: string;
  url?: string;
  /** BM25 score (higher is more similar), and the terms that matched. */
  score: number;
  terms: string[];
}

/** A change to the pull request or deploy that would lower the risk, and where it would land. */
export interface RecourseAction {
  id: string;
  /** What to do, in words a developer acts on (`Cover the 12 uncovered changed lines`). */
  label: string;
  factor: FactorName;
  /** Relative effort (config), used to find the cheapest set. */
  cost: number;
}

export interface Recourse {
  actions: RecourseAction[];
  cost: number;
  score: number;
  tier: RiskTier;
}

export interface RiskAssessment {
  score: number;
  tier: RiskTier;
  /** Lower bounds of medium, high and critical. */
  thresholds: { medium: number; high: number; critical: number };
  factors: Factor[];
  history: HistoryPosterior | null;
  incidents: IncidentMatch[];
  /** Cheapest sets of actions that bring the tier down (empty when the tier is low). */
  recourse: Recourse[];
  /** Canary traffic percentages for canary-promote, from the tier. */
  canaryPlan: number[];
  /** sha256 of the canonical JSON of the configuration used (defaults included). */
  configDigest: string;
}
