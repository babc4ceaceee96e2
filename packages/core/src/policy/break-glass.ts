/**
 * Break-glass: an emergency override that is allowed, visible and short-lived. A request comes
 * from a label on the pull request (who applied it, when) or a workflow_dispatch input (who
 * dispatched). It is granted only when the requester is a listed approver, is not the author of
 * the change, gave a reason, and the TTL since the grant has not run out. Anything else is a
 * refusal with the reason, shown on the PR: a refused break-glass never changes the decision.
 */
import type { Decision } from './model.js';
import type { BreakGlass } from './decision-model.js';

export interface BreakGlassRequest {
  source: 'label' | 'dispatch';
  /** Login of who applied the label / dispatched the run. */
  by: string;
  /** When the label was applied / the run was dispatched. */
  at: Date;
  reason: string;
}

export interface BreakGlassPolicy {
  /** Logins (with or without @) allowed to break the glass. Teams are not resolved: list people. */
  approvers: readonly string[];
  ttlSeconds: number;
}

export type BreakGlassResolution = { granted: Omit<BreakGlass, 'followUp'> } | { refused: string };

/** Largest TTL accepted: a break-glass is for an incident, not a release train. */
export const MAX_BREAK_GLASS_TTL_SECONDS = 24 * 3600;

export function normalizeLogin(login: string): string {
  return login.trim().replace(/^@/, '').toLowerCase();
}

export function resolveBreakGlass(
  request: BreakGlassRequest,
  policy: BreakGlassPolicy,
  change: { author: string; decision: Decision; now: Date },
): BreakGlassResolution {
  const by = normalizeLogin(request.by);
  const approvers = new Set(policy.approvers.map(normalizeLogin));
  if (approvers.size === 0) return { refused: 'no break-glass approvers are configured (input break-glass-approvers), so nobody may break the glass' };
  if (!approvers.has(by)) return { refused: `${request.by} is not a listed break-glass approver` };
  if (by === normalizeLogin(change.author)) return { refused: `${request.by} is the author of the change; break-glass needs a second person` };
  const reason = request.reason.trim();
  if (reason === '') {
    return {
      refused: request.source === 'label' ? 'no reason given: add a line "Break-glass reason: <why>" to the pull request description' : 'no reason given (input break-glass-reason)',
    };
  }
  const expiresAt = new Date(request.at.getTime() + policy.ttlSeconds * 1000);
  if (change.now.getTime() >= expiresAt.getTime()) return { refused: `the break-glass granted by ${request.by} at ${request.at.toISOString()} expired at ${expiresAt.toISOString()}` };
  if (request.at.getTime() > change.now.getTime() + 5 * 60_000) return { refused: `the break-glass time ${request.at.toISOString()} is in the future` };
  return {
    granted: { by: request.by, source: request.source, reason, grantedAt: request.at.toISOString(), expiresAt: expiresAt.toISOString(), overridden: change.decision },
  };
}

const REASON_LINE = /^[ \t>*_-]*break-glass reason:[ \t]*(.+)$/im;

/** The reason a labelled break-glass carries: the `Break-glass reason: ...` line of the PR body. */
export function breakGlassReasonFromBody(body: string | null | undefined): string {
  const m = REASON_LINE.exec(body ?? '');
  return m?.[1]?.trim() ?? '';
}
