/**
 * Change history: a Beta-Binomial posterior of the failure rate of deployments to this service's
 * environment, so a handful of deployments cannot claim a 0 % (or 100 %) failure rate.
 *
 * - Counted: finished deployments only. `failure` and `error` are failures. `success` and
 *   `inactive` are successes: GitHub marks a successful deployment `inactive` once a newer one
 *   to the same environment supersedes it, so most past successes read `inactive`; a deployment
 *   that failed keeps `failure`/`error`. Pending, queued, in-progress and unknown ones have no
 *   outcome yet and are not counted.
 * - Prior Beta(alpha, beta) from config.history.prior (alpha = prior failures, beta = prior
 *   successes; default Beta(1, 9), a 10 % failure rate worth 10 deployments). Posterior
 *   Beta(alpha + failures, beta + successes), mean alpha' / (alpha' + beta').
 * - Interval: equal-tailed credible interval at config.history.level (Beta quantiles at
 *   (1 - level) / 2 and (1 + level) / 2).
 * - No deployment evidence (null) gives null: the change-history factor is then absent. Evidence
 *   with no finished deployment gives the prior itself: that is what the prior is for.
 */
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import type { DeploymentEvidence } from '../evidence/model.js';
import type { RiskConfig } from './config.js';
import type { HistoryPosterior } from './model.js';

const SUCCESS_STATES: ReadonlySet<string> = new Set(['success', 'inactive']);
const FAILURE_STATES: ReadonlySet<string> = new Set(['failure', 'error']);

export function historyPosterior(deployments: DeploymentEvidence | null, config: RiskConfig): HistoryPosterior | null {
  if (deployments === null) return null;
  let successes = 0;
  let failures = 0;
  for (const d of deployments.deployments) {
    if (SUCCESS_STATES.has(d.state)) successes++;
    else if (FAILURE_STATES.has(d.state)) failures++;
  }
  const prior = { alpha: config.history.prior.alpha, beta: config.history.prior.beta };
  const posterior = { alpha: prior.alpha + failures, beta: prior.beta + successes };
  const mean = posterior.alpha / (posterior.alpha + posterior.beta);
  const level = config.history.level;
  const tail = (1 - level) / 2;
  const interval: [number, number] = [betaQuantile(tail, posterior.alpha, posterior.beta), betaQuantile(1 - tail, posterior.alpha, posterior.beta)];
  return { successes, failures, prior, posterior, mean, interval, level };
}
