/**
 * The GitHub side of break-glass: who applied the label and when (the pull request's label
 * events, newest `labeled` event for it, ignored if a later `unlabeled` removed it), the reason
 * from the pull request description, and the post-incident follow-up issue.
 */
import { breakGlassReasonFromBody, type BreakGlassRequest } from '../policy/break-glass.js';
import type { BreakGlass, DecisionBody } from '../policy/decision-model.js';
import { mdCode, mdText } from '../report/escape.js';
import { PERMISSIONS_BY_OPERATION, withApi } from './api-errors.js';
import type { GitHubClient } from './client.js';
import type { RunContext } from './context.js';

/** The label request on the gated pull request, or undefined when the label is not on it. */
export async function readBreakGlassLabel(client: GitHubClient, ctx: RunContext, label: string): Promise<BreakGlassRequest | undefined> {
  const pr = ctx.pullRequest;
  if (pr === undefined || !pr.labels.some((l) => l.toLowerCase() === label.toLowerCase())) return undefined;
  const { owner, repo } = ctx.repository;
  const api = { readOnlyToken: ctx.isReadOnlyToken };
  const events = PERMISSIONS_BY_OPERATION.readLabelEvents;
  let latest: { by: string; at: Date } | undefined;
  await withApi(
    events.operation,
    events.permission,
    () =>
      client.paginate(client.rest.issues.listEvents, { owner, repo, issue_number: pr.number, per_page: 100 }, (response) => {
        for (const e of response.data as { event: string; created_at: string; actor?: { login: string } | null; label?: { name: string } }[]) {
          if (e.label === undefined || e.label.name.toLowerCase() !== label.toLowerCase()) continue;
          if (e.event === 'labeled') latest = { by: e.actor?.login ?? '', at: new Date(e.created_at) };
          else if (e.event === 'unlabeled') latest = undefined;
        }
        return [];
      }),
    api,
  );
  if (latest === undefined) return undefined;
  const read = PERMISSIONS_BY_OPERATION.readPullRequest;
  const body = await withApi(read.operation, read.permission, async () => (await client.rest.pulls.get({ owner, repo, pull_number: pr.number })).data.body, api);
  return { source: 'label', by: latest.by, at: latest.at, reason: breakGlassReasonFromBody(body) };
}

/** Opens the post-incident review issue for a granted break-glass; returns its number and URL. */
export async function openBreakGlassFollowUp(
  client: GitHubClient,
  ctx: RunContext,
  grant: Omit<BreakGlass, 'followUp'>,
  decision: Pick<DecisionBody, 'key' | 'environment' | 'change' | 'results'>,
  runUrl: string,
): Promise<{ number: number; url: string }> {
  const { owner, repo } = ctx.repository;
  const where = decision.change.pullRequest === undefined ? `commit ${decision.change.sha.slice(0, 12)}` : `pull request #${String(decision.change.pullRequest)}`;
  const overridden = decision.results.filter((r) => r.outcome === 'violated' || r.outcome === 'error');
  const body = [
    `Break-glass was used on ${where} (gate \`${decision.key}\`, environment ${mdCode(decision.environment)}). Review what happened and close this issue with the outcome.`,
    '',
    `- Granted by: ${mdCode(grant.by)} via ${grant.source === 'label' ? 'the break-glass label' : 'workflow_dispatch'} at ${grant.grantedAt}, valid until ${grant.expiresAt}`,
    `- Reason: ${mdText(grant.reason)}`,
    `- Decision overridden: \`${grant.overridden}\``,
    `- Commit: \`${decision.change.sha}\`, author ${mdCode(decision.change.author)}`,
    `- Run: ${runUrl}`,
    '',
    'Rules the override set aside:',
    '',
    ...overridden.map((r) => `- \`${r.set}/${r.rule}\`: ${mdText(r.message)}`),
    '',
    'Post-incident checklist: was the override needed? is a fix or a PolicyException needed so it does not recur?',
  ].join('\n');
  const op = PERMISSIONS_BY_OPERATION.createIssue;
  const created = await withApi(
    op.operation,
    op.permission,
    async () => (await client.rest.issues.create({ owner, repo, title: `Post-incident review: break-glass on ${where} (${decision.environment})`, body })).data,
    { readOnlyToken: ctx.isReadOnlyToken },
  );
  return { number: created.number, url: created.html_url };
}
