/**
 * The Beta-Binomial posterior of the deployment failure rate: counts (what is finished, what is a
 * failure), the conjugate update, and the credible interval checked three ways: against quantiles
 * from scipy.stats.beta.ppf (to 1e-6), against closed forms (Beta(1, b): q(p) = 1 - (1-p)^(1/b)),
 * and by putting the quantiles back into the Beta CDF, which for integer parameters is a binomial
 * tail: I_x(a, b) = P(Binomial(a + b - 1, x) >= a).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { DeploymentEvidence, DeploymentRecord } from '../../src/evidence/model.js';
import { DEFAULT_RISK_CONFIG, type RiskConfig } from '../../src/risk/config.js';
import { historyPosterior } from '../../src/risk/history.js';

function deployments(states: readonly string[]): DeploymentEvidence {
  const records: DeploymentRecord[] = states.map((state, i) => ({
    id: i + 1,
    sha: 'a'.repeat(40),
    ref: 'main',
    environment: 'production',
    createdAt: `2026-01-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`,
    state,
  }));
  const counts: Record<string, number> = {};
  for (const s of states) counts[s] = (counts[s] ?? 0) + 1;
  return { environment: 'production', deployments: records, counts };
}

const repeat = (state: string, n: number): string[] => Array.from({ length: n }, () => state);

function withHistory(history: Partial<RiskConfig['history']>): RiskConfig {
  return { ...DEFAULT_RISK_CONFIG, history: { ...DEFAULT_RISK_CONFIG.history, ...history } };
}

/** Regularized incomplete beta I_x(a, b) for integer a, b >= 1, as a binomial tail. */
function betaCdfInteger(x: number, a: number, b: number): number {
  const n = a + b - 1;
  let sum = 0;
  let binom = 1; // C(n, 0)
  for (let j = 0; j <= n; j++) {
    if (j >= a) sum += binom * x ** j * (1 - x) ** (n - j);
    binom = (binom * (n - j)) / (j + 1);
  }
  return sum;
}

describe('historyPosterior', () => {
  it('is null without deployment evidence', () => {
    expect(historyPosterior(null, DEFAULT_RISK_CONFIG)).toBeNull();
  });

  it('prior Beta(1, 9) with 2 failures in 20 deployments gives Beta(3, 27), mean 0.1', () => {
    const h = historyPosterior(deployments([...repeat('failure', 2), ...repeat('success', 18)]), DEFAULT_RISK_CONFIG);
    expect(h).not.toBeNull();
    if (h === null) return;
    expect(h.failures).toBe(2);
    expect(h.successes).toBe(18);
    expect(h.prior).toEqual({ alpha: 1, beta: 9 });
    expect(h.posterior).toEqual({ alpha: 3, beta: 27 });
    expect(h.mean).toBeCloseTo(0.1, 12);
    expect(h.level).toBe(0.9);
    // scipy.stats.beta.ppf(0.05, 3, 27), beta.ppf(0.95, 3, 27)
    expect(Math.abs(h.interval[0] - 0.028795509098721698)).toBeLessThan(1e-6);
    expect(Math.abs(h.interval[1] - 0.20156058792150391)).toBeLessThan(1e-6);
    // The CDF at the quantiles gives back the tail probabilities.
    expect(Math.abs(betaCdfInteger(h.interval[0], 3, 27) - 0.05)).toBeLessThan(1e-9);
    expect(Math.abs(betaCdfInteger(h.interval[1], 3, 27) - 0.95)).toBeLessThan(1e-9);
  });

  it('with no finished deployment the posterior is the prior, with its closed-form interval', () => {
    const h = historyPosterior(deployments(['in_progress', 'queued', 'pending', 'unknown']), DEFAULT_RISK_CONFIG);
    expect(h?.successes).toBe(0);
    expect(h?.failures).toBe(0);
    expect(h?.posterior).toEqual({ alpha: 1, beta: 9 });
    expect(h?.mean).toBeCloseTo(0.1, 12);
    // Beta(1, 9): F(x) = 1 - (1 - x)^9, so q(p) = 1 - (1 - p)^(1/9).
    expect(Math.abs((h?.interval[0] ?? NaN) - (1 - 0.95 ** (1 / 9)))).toBeLessThan(1e-9);
    expect(Math.abs((h?.interval[1] ?? NaN) - (1 - 0.05 ** (1 / 9)))).toBeLessThan(1e-9);
    expect(Math.abs((h?.interval[0] ?? NaN) - 0.005683044988048048)).toBeLessThan(1e-6);
    expect(Math.abs((h?.interval[1] ?? NaN) - 0.28312883556311347)).toBeLessThan(1e-6);
  });

  it('counts inactive (superseded successes) as successes and error as failure; skips unfinished', () => {
    const h = historyPosterior(
      deployments(['success', ...repeat('inactive', 14), 'failure', 'error', 'error', 'in_progress', 'queued', 'pending', 'unknown', 'something-new']),
      DEFAULT_RISK_CONFIG,
    );
    expect(h?.successes).toBe(15);
    expect(h?.failures).toBe(3);
    expect(h?.posterior).toEqual({ alpha: 4, beta: 24 });
    expect(h?.mean).toBeCloseTo(4 / 28, 12);
  });

  it('uses the configured prior and level: Beta(1, 1) prior, 5 failures of 18, 95 % gives Beta(6, 14)', () => {
    const h = historyPosterior(deployments([...repeat('failure', 5), ...repeat('success', 13)]), withHistory({ prior: { alpha: 1, beta: 1 }, level: 0.95 }));
    expect(h?.posterior).toEqual({ alpha: 6, beta: 14 });
    expect(h?.mean).toBeCloseTo(0.3, 12);
    expect(h?.level).toBe(0.95);
    // scipy.stats.beta.ppf(0.025, 6, 14), beta.ppf(0.975, 6, 14)
    expect(Math.abs((h?.interval[0] ?? NaN) - 0.1257606358729833)).toBeLessThan(1e-6);
    expect(Math.abs((h?.interval[1] ?? NaN) - 0.5120293453458726)).toBeLessThan(1e-6);
  });

  it('shrinks small samples: 1 failure in 1 deployment is a 18 % mean, not 100 %', () => {
    const h = historyPosterior(deployments(['failure']), DEFAULT_RISK_CONFIG);
    expect(h?.posterior).toEqual({ alpha: 2, beta: 9 });
    expect(h?.mean).toBeCloseTo(2 / 11, 12);
  });

  // Not "holds the mean": for a very skewed prior (Beta(0.05, 1.05)) an equal-tailed 50 % interval
  // can lie entirely below the mean. That is the distribution, not a bug.
  it('property: the interval lies in [0, 1] and is ordered; counts add up', () => {
    const states = fc.constantFrom('success', 'inactive', 'failure', 'error', 'pending', 'queued', 'in_progress', 'unknown');
    fc.assert(
      fc.property(
        fc.array(states, { maxLength: 300 }),
        fc.double({ min: 0.05, max: 50, noNaN: true }),
        fc.double({ min: 0.05, max: 50, noNaN: true }),
        fc.constantFrom(0.5, 0.8, 0.9, 0.95, 0.99),
        (list, alpha, beta, level) => {
          const h = historyPosterior(deployments(list), withHistory({ prior: { alpha, beta }, level }));
          if (h === null) return false;
          const [lo, hi] = h.interval;
          const finished = list.filter((s) => ['success', 'inactive', 'failure', 'error'].includes(s)).length;
          return (
            h.successes + h.failures === finished &&
            Number.isFinite(lo) &&
            Number.isFinite(hi) &&
            lo >= 0 &&
            hi <= 1 &&
            lo <= hi &&
            h.mean > 0 &&
            h.mean < 1 &&
            h.posterior.alpha === alpha + h.failures &&
            h.posterior.beta === beta + h.successes
          );
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });
});
