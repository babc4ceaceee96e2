import type { RunIdentity } from '../artifact/statement.js';
import type { RunContext } from '../github/context.js';

/** The run identity recorded in every artifact header. */
export function runIdentityOf(ctx: RunContext): RunIdentity {
  const id: RunIdentity = {
    serverUrl: ctx.serverUrl,
    repository: ctx.repository.fullName,
    runId: String(ctx.runId),
    runAttempt: ctx.runAttempt,
    workflowRef: ctx.workflowRef,
    event: ctx.eventName,
    ref: ctx.ref,
    sha: ctx.sha,
    actor: ctx.actor,
  };
  if (ctx.job !== undefined) id.job = ctx.job;
  return id;
}
