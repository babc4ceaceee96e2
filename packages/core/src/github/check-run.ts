/**
 * The gate's result on the commit: a check run (named by the `check-name` input) with a
 * conclusion, the rendered output and annotations at the violation locations, or, when the token
 * may not write checks (403: no `checks: write`, or a token that is not a GitHub App's), a commit
 * status with context `genops/<key>`. The result says which was used.
 *
 * Conclusions (what branch protection sees):
 * - allow → `success`;
 * - warn → `neutral`: it passes a required check (GitHub counts neutral as passing) but shows grey,
 *   so warnings stay visible instead of hiding behind a green tick;
 * - require-approval → `action_required` when a details URL is given (GitHub shows a button to it;
 *   it blocks a required check like failure), otherwise `failure`;
 * - deny → `failure`.
 * Commit status states: allow, warn → `success`; require-approval, deny → `failure`.
 *
 * GitHub takes at most 50 annotations per request and appends those of each update: the first
 * request carries 50, further updates 50 each, and the last one sets the conclusion (at most
 * MAX_VIOLATION_LOCATIONS in all).
 */
import { ConfigError, isGenopsError } from '../errors.js';
import type { Decision } from '../policy/model.js';
import type { CheckRunOutput, ViolationLocation } from '../report/decision.js';
import { MAX_VIOLATION_LOCATIONS } from '../report/decision-locations.js';
import { PERMISSIONS_BY_OPERATION, permissionsYaml, withApi } from './api-errors.js';
import type { GitHubClient } from './client.js';
import { READ_ONLY_NOTICE } from './sticky-comment.js';

export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit for a commit status description. */
const MAX_STATUS_DESCRIPTION = 140;

export type CheckConclusion = 'success' | 'neutral' | 'action_required' | 'failure';

export function checkConclusion(decision: Decision, hasDetailsUrl: boolean): CheckConclusion {
  if (decision === 'allow') return 'success';
  if (decision === 'warn') return 'neutral';
  if (decision === 'require-approval') return hasDetailsUrl ? 'action_required' : 'failure';
  return 'failure';
}

export function commitState(decision: Decision): 'success' | 'failure' {
  return decision === 'allow' || decision === 'warn' ? 'success' : 'failure';
}

export interface CheckTarget {
  owner: string;
  repo: string;
  /** The commit the gate decided on (a full 40-hex sha). */
  sha: string;
}

export interface PublishCheckOptions {
  /** Check run name (`check-name`, default `genops / <key>`). */
  name: string;
  key: string;
  decision: Decision;
  output: CheckRunOutput;
  annotations?: readonly ViolationLocation[];
  /** The workflow run (or job summary) URL: the check's details link and the status's target. */
  detailsUrl?: string;
  /** A check run started earlier (startCheckRun) to complete instead of creating one. */
  checkRunId?: number;
  readOnlyToken?: boolean;
}

export type PublishCheckResult =
  | { kind: 'check-run'; id: number; url: string; conclusion: CheckConclusion; annotations: number; annotationsDropped: number; requests: number }
  | { kind: 'commit-status'; context: string; state: 'success' | 'failure'; description: string; url?: string; fallbackReason: string }
  | { kind: 'skipped'; reason: 'read-only-token'; notice: string };

type Annotation = {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title: string;
};

function toAnnotation(l: ViolationLocation): Annotation {
  const end = l.endLine === undefined || l.endLine < l.startLine ? l.startLine : l.endLine;
  return {
    path: l.path,
    start_line: Math.max(1, l.startLine),
    end_line: Math.max(1, end),
    annotation_level: l.level,
    // Plain text in the UI; GitHub caps a message at 64 KB and a title at 255 characters.
    message: l.message.length > 4000 ? `${l.message.slice(0, 4000)}…` : l.message,
    title: l.rule.length > 255 ? l.rule.slice(0, 255) : l.rule,
  };
}

/** Creates an `in_progress` check run at the start of the step, so the PR shows the gate running. */
export async function startCheckRun(
  client: GitHubClient,
  target: CheckTarget,
  options: { name: string; detailsUrl?: string; readOnlyToken?: boolean },
): Promise<{ id: number; url: string }> {
  const op = PERMISSIONS_BY_OPERATION.createCheckRun;
  const { owner, repo, sha } = target;
  const data = await withApi(
    op.operation,
    op.permission,
    async () =>
      (await client.rest.checks.create({ owner, repo, name: options.name, head_sha: sha, status: 'in_progress', ...(options.detailsUrl === undefined ? {} : { details_url: options.detailsUrl }) })).data,
    options.readOnlyToken === undefined ? {} : { readOnlyToken: options.readOnlyToken },
  );
  return { id: data.id, url: data.html_url ?? '' };
}

async function writeCheckRun(client: GitHubClient, target: CheckTarget, o: PublishCheckOptions): Promise<PublishCheckResult> {
  const { owner, repo, sha } = target;
  const api = o.readOnlyToken === undefined ? {} : { readOnlyToken: o.readOnlyToken };
  const all = (o.annotations ?? []).slice(0, MAX_VIOLATION_LOCATIONS).map(toAnnotation);
  const batches: Annotation[][] = [];
  for (let i = 0; i < all.length; i += ANNOTATIONS_PER_REQUEST) batches.push(all.slice(i, i + ANNOTATIONS_PER_REQUEST));
  if (batches.length === 0) batches.push([]);
  const conclusion = checkConclusion(o.decision, o.detailsUrl !== undefined);
  const details = o.detailsUrl === undefined ? {} : { details_url: o.detailsUrl };
  let id = o.checkRunId;
  let url = '';
  for (let i = 0; i < batches.length; i++) {
    const lastBatch = i === batches.length - 1;
    const output = { title: o.output.title, summary: o.output.summary, ...(i === 0 ? { text: o.output.text } : {}), ...((batches[i] ?? []).length > 0 ? { annotations: batches[i] } : {}) };
    const state = lastBatch ? { conclusion } : { status: 'in_progress' as const };
    if (id === undefined) {
      const op = PERMISSIONS_BY_OPERATION.createCheckRun;
      const data = await withApi(op.operation, op.permission, async () => (await client.rest.checks.create({ owner, repo, name: o.name, head_sha: sha, external_id: o.key, ...details, ...state, output })).data, api);
      id = data.id;
      url = data.html_url ?? '';
    } else {
      const op = PERMISSIONS_BY_OPERATION.updateCheckRun;
      const runId = id;
      const data = await withApi(op.operation, op.permission, async () => (await client.rest.checks.update({ owner, repo, check_run_id: runId, name: o.name, external_id: o.key, ...details, ...state, output })).data, api);
      url = data.html_url ?? '';
    }
  }
  return { kind: 'check-run', id: id ?? 0, url, conclusion, annotations: all.length, annotationsDropped: (o.annotations?.length ?? 0) - all.length, requests: batches.length };
}

function statusDescription(decision: Decision, title: string): string {
  const text = title.startsWith(decision) ? title : `${decision}: ${title}`;
  return text.length <= MAX_STATUS_DESCRIPTION ? text : `${text.slice(0, MAX_STATUS_DESCRIPTION - 1)}…`;
}

/**
 * Publishes the decision on the commit: a check run, or a commit status when checks may not be
 * written. Throws the explained error when neither can be written (PERMISSION_MISSING naming
 * both permissions when both were refused).
 */
export async function publishCheck(client: GitHubClient, target: CheckTarget, options: PublishCheckOptions): Promise<PublishCheckResult> {
  if (options.readOnlyToken === true) return { kind: 'skipped', reason: 'read-only-token', notice: READ_ONLY_NOTICE };
  let refused: Error;
  try {
    return await writeCheckRun(client, target, options);
  } catch (error) {
    if (!isGenopsError(error) || error.code !== 'PERMISSION_MISSING') throw error;
    refused = error;
  }
  const context = `genops/${options.key}`;
  const state = commitState(options.decision);
  const description = statusDescription(options.decision, options.output.title);
  const op = PERMISSIONS_BY_OPERATION.createCommitStatus;
  const { owner, repo, sha } = target;
  try {
    await withApi(
      op.operation,
      op.permission,
      () => client.rest.repos.createCommitStatus({ owner, repo, sha, state, context, description, ...(options.detailsUrl === undefined ? {} : { target_url: options.detailsUrl }) }),
      options.readOnlyToken === undefined ? {} : { readOnlyToken: options.readOnlyToken },
    );
  } catch (error) {
    if (!isGenopsError(error) || error.code !== 'PERMISSION_MISSING') throw error;
    const needs = [PERMISSIONS_BY_OPERATION.createCheckRun.permission, op.permission];
    throw new ConfigError('PERMISSION_MISSING', `Cannot publish the ${options.decision} decision on the commit: neither a check run nor a commit status could be written (${refused.message}; ${error.message})`, {
      input: 'github-token',
      expected: '`checks: write` (or at least `statuses: write`) under `permissions:`',
      hint: `Add to the job (or the workflow):\n\n${permissionsYaml(needs)}\n\nA \`permissions:\` block sets every permission it does not list to none: keep the other lines this job needs (e.g. \`contents: read\`).`,
      ...(error.details.docUrl === undefined ? {} : { docUrl: error.details.docUrl }),
      cause: error,
    });
  }
  return { kind: 'commit-status', context, state, description, ...(options.detailsUrl === undefined ? {} : { url: options.detailsUrl }), fallbackReason: refused.message };
}
