/**
 * The arithmetic the engine, recourse and calibration share, so a rescored "what if" and the
 * real score can never disagree by formula.
 *
 * - Score: the weighted mean Σ w·v / Σ w over the factors (weights need not sum to 1). Values are
 *   in [0, 1], so the mean is too; the result is clamped to [0, 1] only against rounding.
 *   Every weight 0 leaves the mean undefined: that is a configuration error, not a score of 0.
 * - Tier: the highest tier whose lower bound the score reaches (`score >= bound`), low below
 *   `medium`. A score exactly on a bound is in the higher tier.
 * - Change size (the size part of change-complexity): the mean of two linear saturations,
 *   min(1, lines / complexity.lines) and min(1, files / complexity.files), lines = additions +
 *   deletions. The engine is meant to use this for the size part of change-complexity; recourse
 *   uses it to say what a change of half the size would score (see recourse.ts).
 */
import { ConfigError } from '../errors.js';
import type { RiskConfig } from './config.js';
import type { RiskTier } from './model.js';

export interface WeightedValue {
  name: string;
  value: number;
  weight: number;
}

export type Thresholds = RiskConfig['thresholds'];

/** Σ w·v / Σ w, clamped to [0, 1]. Throws ConfigError when every weight is 0 (or there are no factors). */
export function weightedScore(factors: readonly WeightedValue[]): number {
  return weightedMean(
    factors.map((f) => f.weight),
    factors.map((f) => f.value),
  );
}

/**
 * weightedScore over parallel arrays (same order of operations, so the same bits): for callers
 * that rescore many variants of one factor list (recourse).
 */
export function weightedMean(weights: readonly number[], values: readonly number[]): number {
  let weighted = 0;
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] ?? 0;
    weighted += w * (values[i] ?? 0);
    total += w;
  }
  if (!(total > 0)) {
    throw new ConfigError('INPUT_INVALID', 'the risk factor weights sum to 0, so no score can be computed', {
      input: 'weights',
      expected: 'at least one factor with a positive weight',
      hint: 'Give the factors that should count a weight above 0 in the risk configuration.',
    });
  }
  return Math.min(1, Math.max(0, weighted / total));
}

/** The tier a score falls in: the highest lower bound it reaches. */
export function tierOf(score: number, thresholds: Thresholds): RiskTier {
  if (score >= thresholds.critical) return 'critical';
  if (score >= thresholds.high) return 'high';
  if (score >= thresholds.medium) return 'medium';
  return 'low';
}

/** 0 for low .. 3 for critical, to compare tiers. */
export function tierRank(tier: RiskTier): number {
  return tier === 'low' ? 0 : tier === 'medium' ? 1 : tier === 'high' ? 2 : 3;
}

/** The size part of change-complexity, in [0, 1]: mean of the line and file saturations. */
export function changeSize(lines: number, files: number, complexity: RiskConfig['complexity']): number {
  const lineSaturation = Math.min(1, Math.max(0, lines) / complexity.lines);
  const fileSaturation = Math.min(1, Math.max(0, files) / complexity.files);
  return (lineSaturation + fileSaturation) / 2;
}
