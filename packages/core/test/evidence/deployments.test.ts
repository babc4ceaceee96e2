import { describe, expect, it } from '@jest/globals';
import { summarizeDeployments } from '../../src/evidence/deployments.js';
import type { DeploymentRecord } from '../../src/evidence/model.js';

const record = (id: number, createdAt: string, state: string, extra: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  id,
  sha: String(id).padStart(40, 'a'),
  ref: 'main',
  environment: 'production',
  createdAt,
  state,
  ...extra,
});

describe('summarizeDeployments', () => {
  it('sorts newest first (ties by id) and counts every state, zero included', () => {
    const summary = summarizeDeployments('production', [
      record(1, '2026-10-28T14:02:10Z', 'success', { finishedAt: '2026-10-28T14:09:47Z', creator: 'github-actions[bot]' }),
      record(3, '2026-11-03T09:15:44Z', 'success'),
      record(2, '2026-11-02T16:30:05Z', 'failure'),
      record(5, '2026-11-06T11:05:30Z', 'in_progress'),
      record(4, '2026-11-06T11:05:30Z', 'queued'),
    ]);
    expect(summary.environment).toBe('production');
    expect(summary.deployments.map((d) => d.id)).toEqual([5, 4, 3, 2, 1]);
    expect(summary.deployments[4]).toMatchObject({ finishedAt: '2026-10-28T14:09:47Z', creator: 'github-actions[bot]' });
    expect(summary.counts).toEqual({ success: 2, failure: 1, error: 0, inactive: 0, in_progress: 1, queued: 1, pending: 0, unknown: 0 });
  });

  it('no history: every count is zero; a state GitHub adds later gets its own count', () => {
    expect(summarizeDeployments('staging', []).counts).toEqual({ success: 0, failure: 0, error: 0, inactive: 0, in_progress: 0, queued: 0, pending: 0, unknown: 0 });
    expect(summarizeDeployments('staging', [record(1, '2026-01-01T00:00:00Z', 'waiting')]).counts['waiting']).toBe(1);
  });
});
