/**
 * Deployment history of one environment: the latest deployments (newest first) with the final
 * state of each, and counts by state. Read by github/change-data.ts (readDeploymentHistory).
 */
import type { DeploymentEvidence, DeploymentRecord } from './model.js';

/** GitHub's deployment status states, plus `unknown` for a deployment with no status yet. */
export const DEPLOYMENT_STATES = ['success', 'failure', 'error', 'inactive', 'in_progress', 'queued', 'pending', 'unknown'] as const;

/** States after which a deployment changes no more (`inactive`: succeeded, then superseded). */
export const FINAL_DEPLOYMENT_STATES: ReadonlySet<string> = new Set(['success', 'failure', 'error', 'inactive']);

/**
 * Sort newest first (createdAt, then id) and count by state. Every state of DEPLOYMENT_STATES has
 * a count (0 when none), so policies can read `counts.failure` without checking the key exists;
 * a state GitHub adds later gets its own count.
 */
export function summarizeDeployments(environment: string, records: readonly DeploymentRecord[]): DeploymentEvidence {
  const time = (d: DeploymentRecord): number => {
    const t = Date.parse(d.createdAt);
    return Number.isNaN(t) ? 0 : t;
  };
  const deployments = [...records].sort((a, b) => time(b) - time(a) || b.id - a.id);
  const counts: Record<string, number> = Object.fromEntries(DEPLOYMENT_STATES.map((s) => [s, 0]));
  for (const d of deployments) counts[d.state] = (counts[d.state] ?? 0) + 1;
  return { environment, deployments, counts };
}
