/**
 * The risk engine: evidence in, assessment out. Each factor function turns a part of the evidence
 * into a value in [0, 1]; the score is their weighted mean, so the contributions (weight * value /
 * total weight) sum to the score. Similar past incidents raise change-complexity and
 * change-history by a bounded amount (config.incidents: +boostPerMatch per match scoring at least
 * minScore, at most maxBoost, capped at 1), and say so in those factors' reasons.
 */
import { canonicalJson, sha256Hex } from '../artifact/canonical.js';
import type { Evidence } from '../evidence/model.js';
import type { RiskConfig } from './config.js';
import { FACTOR_FUNCTIONS, type FactorContext } from './factors.js';
import { historyPosterior } from './history.js';
import { buildIncidentIndex, findSimilarIncidents, type IncidentDoc } from './incidents.js';
import { FACTOR_NAMES, type Factor, type FactorName, type RiskAssessment } from './model.js';
import { findRecourse, recourseCandidates } from './recourse.js';
import { tierOf } from './score-math.js';

export interface ScoreRequest {
  evidence: Evidence;
  config: RiskConfig;
  /** When the change would merge / deploy: timing is judged at this instant. */
  now: Date;
  /** Incident and post-mortem records to search for similar past changes. */
  incidents?: readonly IncidentDoc[];
}

const BOOSTED: ReadonlySet<FactorName> = new Set(['change-complexity', 'change-history']);

export function scoreRisk(req: ScoreRequest): RiskAssessment {
  const { evidence, config } = req;
  const history = historyPosterior(evidence.deployments, config);
  const incidents = req.incidents === undefined || req.incidents.length === 0 || config.incidents.top === 0 ? [] : findSimilarIncidents(buildIncidentIndex([...req.incidents]), evidence, config.incidents.top);
  const counting = incidents.filter((m) => m.score >= config.incidents.minScore).length;
  const boost = Math.min(config.incidents.maxBoost, counting * config.incidents.boostPerMatch);
  const ctx: FactorContext = { config, now: req.now, history };

  const totalWeight = FACTOR_NAMES.reduce((sum, name) => sum + config.weights[name], 0);
  const factors: Factor[] = FACTOR_NAMES.map((name) => {
    const v = FACTOR_FUNCTIONS[name](evidence, ctx);
    let value = v.value;
    let reason = v.reason;
    if (boost > 0 && BOOSTED.has(name)) {
      value = Math.min(1, value + boost);
      reason = `${reason}; +${boost.toFixed(2)} for ${String(counting)} similar past incident(s)`;
    }
    const weight = config.weights[name];
    const factor: Factor = { name, value, weight, contribution: (weight * value) / totalWeight, reason, evidence: v.evidence };
    if (v.absent === true) factor.absent = true;
    return factor;
  });
  const score = factors.reduce((sum, f) => sum + f.contribution, 0);
  const tier = tierOf(score, config.thresholds);
  return {
    score,
    tier,
    thresholds: { ...config.thresholds },
    factors,
    history,
    incidents,
    recourse: tier === 'low' ? [] : findRecourse(factors, recourseCandidates(evidence, factors, config), config),
    canaryPlan: [...config.canaryPlans[tier]],
    configDigest: sha256Hex(canonicalJson(config)),
  };
}
