/**
 * Reads incident records kept as GitHub issues with a label, for risk-score's similar-incident
 * search (risk/incidents.ts turns them into IncidentDocs).
 *
 * One paginated `GET /repos/{owner}/{repo}/issues?labels=<label>&state=all` (newest first, 100
 * per page) through withApi, so a 403 names the missing `issues: read`. The list also holds pull
 * requests with that label: they are skipped (a pull request is a change, not an incident record).
 * Reading stops after `limit` issues (default 200): the newest incidents are the most relevant and
 * the index stays small.
 */
import { ConfigError } from '../errors.js';
import { incidentsFromIssues, type IncidentDoc, type IncidentIssue } from '../risk/incidents.js';
import { PERMISSIONS_BY_OPERATION, withApi } from './api-errors.js';
import type { GitHubClient } from './client.js';
import type { RunContext } from './context.js';

/** GitHub's longest label name. */
const MAX_LABEL = 50;
const MAX_LIMIT = 1000;

/** The newest `limit` issues (open or closed, not pull requests) carrying `label`, as incident records. */
export async function readIncidentIssues(client: GitHubClient, ctx: RunContext, label: string, limit = 200): Promise<IncidentDoc[]> {
  const name = label.trim();
  // `labels` is a comma-separated list that must all match: a comma would ask for two labels.
  if (name === '' || name.length > MAX_LABEL || name.includes(',')) {
    throw new ConfigError('INPUT_INVALID', `incident-label ${JSON.stringify(label.slice(0, 80))} is not a GitHub label name`, {
      input: 'incident-label',
      expected: `one label name of 1 to ${String(MAX_LABEL)} characters without commas, e.g. incident`,
    });
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new ConfigError('INPUT_INVALID', `the incident issue limit must be an integer from 1 to ${String(MAX_LIMIT)}, got ${String(limit)}`, {
      expected: `an integer from 1 to ${String(MAX_LIMIT)}`,
    });
  }
  const { owner, repo } = ctx.repository;
  const { operation, permission } = PERMISSIONS_BY_OPERATION.readIssues;
  const api = { readOnlyToken: ctx.isReadOnlyToken };
  const issues: IncidentIssue[] = [];
  await withApi(
    operation,
    permission,
    () =>
      client.paginate(client.rest.issues.listForRepo, { owner, repo, labels: name, state: 'all', sort: 'created', direction: 'desc', per_page: 100 }, (response, done) => {
        for (const i of response.data) {
          if (i.pull_request !== undefined || issues.length >= limit) continue;
          issues.push({
            number: i.number,
            title: i.title,
            body: i.body ?? null,
            html_url: i.html_url,
            labels: i.labels,
            created_at: i.created_at,
          });
        }
        if (issues.length >= limit) done();
        return [];
      }),
    api,
  );
  return incidentsFromIssues(issues);
}
