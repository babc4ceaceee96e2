// The check run (or, without checks: write, the commit status) against testkit's OpenAPI-validated
// fake GitHub: create, update, annotations in batches of 50, conclusions, fallbacks and refusals.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { makeDecision, makeResult, startFakeGitHub, violated, type FakeGitHub } from '@genops/testkit';
import { checkConclusion, publishCheck, startCheckRun } from '../../src/github/check-run.js';
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js';
import { READ_ONLY_NOTICE } from '../../src/github/sticky-comment.js';
import { memoryLogger } from '../../src/logger.js';
import type { DecisionPredicate } from '../../src/policy/decision-model.js';
import { renderCheckRunOutput, type ViolationLocation } from '../../src/report/decision.js';
import { failure } from './helpers/failure.js';

const OWNER = 'acme';
const REPO = 'payments';
const SHA = '0b9d5e4c3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';
const TARGET = { owner: OWNER, repo: REPO, sha: SHA };
const RUN_URL = 'https://github.com/acme/payments/actions/runs/1000001/attempts/1';

let gh: FakeGitHub;
let client: GitHubClient;

async function start(user?: { login: string; type: 'User' | 'Bot' }): Promise<void> {
  gh = await startFakeGitHub(user === undefined ? {} : { user });
  client = createGitHubClient({ token: 'ghs_fake', baseUrl: gh.url, logger: memoryLogger(), retryAfterBaseValue: 1, throttle: { spaceRequests: false } });
}

afterEach(async () => {
  expect(gh.rejected).toEqual([]);
  expect(gh.problems).toEqual([]);
  await gh.close();
});

const runs = () => gh.state.findRepo(OWNER, REPO)?.checkRuns ?? [];
const statuses = () => gh.state.findRepo(OWNER, REPO)?.statuses ?? [];

function locations(n: number): ViolationLocation[] {
  return Array.from({ length: n }, (_, i) => ({ rule: 'supply-chain/no-new-fixable-critical-vulnerabilities', path: `src/file${String(i)}.ts`, startLine: i + 1, message: `finding ${String(i)}`, level: 'failure' as const }));
}

function publish(d: DecisionPredicate, extra: { annotations?: ViolationLocation[]; checkRunId?: number; detailsUrl?: string; readOnlyToken?: boolean } = {}) {
  return publishCheck(client, TARGET, { name: 'genops / pr', key: 'pr', decision: d.decision, output: renderCheckRunOutput(d, { key: 'pr' }), ...extra });
}

describe('publishCheck', () => {
  beforeEach(async () => {
    await start();
  });

  it('starts an in_progress check run, then completes the same run', async () => {
    const started = await startCheckRun(client, TARGET, { name: 'genops / pr', detailsUrl: RUN_URL });
    expect(runs()[0]?.status).toBe('in_progress');
    const r = await publish(makeDecision(), { checkRunId: started.id, detailsUrl: RUN_URL });
    expect(r).toMatchObject({ kind: 'check-run', id: started.id, conclusion: 'failure', requests: 1 });
    expect(runs()).toHaveLength(1);
    const run = runs()[0];
    expect(run?.status).toBe('completed');
    expect(run?.conclusion).toBe('failure');
    expect(run?.output.title).toBe('deny: 2 blocking rule(s), 1 warning(s)');
    expect(run?.output.summary).toContain('supply-chain/no-new-fixable-critical-vulnerabilities');
    expect(run?.output.summary?.startsWith('<!--')).toBe(false);
    expect(run?.output.text).toContain('| # | Rule |');
    expect(run?.detailsUrl).toBe(RUN_URL);
    expect(gh.calls('checks/create')).toHaveLength(1);
    expect(gh.calls('checks/update')).toHaveLength(1);
  });

  it('creates a run when none was started', async () => {
    const r = await publish(makeDecision({ results: [makeResult()] }));
    expect(r).toMatchObject({ kind: 'check-run', conclusion: 'success', annotations: 0, requests: 1 });
    expect(runs()[0]?.conclusion).toBe('success');
    expect(runs()[0]?.externalId).toBe('pr');
  });

  it('sends 120 annotations as 50 + 50 + 20, the conclusion with the last batch', async () => {
    const r = await publish(makeDecision(), { annotations: locations(120) });
    expect(r).toMatchObject({ kind: 'check-run', annotations: 120, annotationsDropped: 0, requests: 3 });
    const bodies = [...gh.calls('checks/create'), ...gh.calls('checks/update')].map((c) => c.body as { conclusion?: string; status?: string; output: { annotations?: unknown[] } });
    expect(bodies.map((b) => b.output.annotations?.length)).toEqual([50, 50, 20]);
    expect(bodies.map((b) => b.conclusion)).toEqual([undefined, undefined, 'failure']);
    expect(bodies.map((b) => b.status)).toEqual(['in_progress', 'in_progress', undefined]);
    const run = runs()[0];
    expect(run?.annotations).toHaveLength(120);
    expect(run?.annotations[119]).toMatchObject({ path: 'src/file119.ts', start_line: 120, end_line: 120, annotation_level: 'failure', title: 'supply-chain/no-new-fixable-critical-vulnerabilities' });
    expect(run?.conclusion).toBe('failure');
  });

  it('caps annotations at 1000 and says how many were dropped', async () => {
    const r = await publish(makeDecision(), { annotations: locations(1010) });
    expect(r).toMatchObject({ annotations: 1000, annotationsDropped: 10, requests: 20 });
    expect(runs()[0]?.annotations).toHaveLength(1000);
  });

  it('maps decisions to conclusions', async () => {
    const warn = makeDecision({ results: [violated({ rule: 'license-review', decision: 'warn' })] });
    const approval = makeDecision({ results: [violated({ rule: 'critical-service-human-review', decision: 'require-approval' })] });
    expect((await publish(warn)).kind === 'check-run' && runs()[0]?.conclusion).toBe('neutral');
    await publish(approval, { detailsUrl: RUN_URL });
    expect(runs()[1]?.conclusion).toBe('action_required');
    expect(runs()[1]?.detailsUrl).toBe(RUN_URL);
    expect(checkConclusion('require-approval', false)).toBe('failure');
    expect(checkConclusion('deny', true)).toBe('failure');
    expect(checkConclusion('allow', true)).toBe('success');
  });

  it('without checks: write, falls back to a commit status genops/<key> and says so', async () => {
    gh.denyPermission('checks');
    const r = await publish(makeDecision(), { annotations: locations(3), detailsUrl: RUN_URL });
    expect(r).toMatchObject({ kind: 'commit-status', context: 'genops/pr', state: 'failure', url: RUN_URL });
    expect(r.kind === 'commit-status' ? r.fallbackReason : '').toContain('checks: write');
    expect(runs()).toHaveLength(0);
    expect(statuses()).toHaveLength(1);
    const s = statuses()[0];
    expect(s).toMatchObject({ sha: SHA, state: 'failure', context: 'genops/pr', targetUrl: RUN_URL });
    expect(s?.description?.length).toBeLessThanOrEqual(140);
    expect(s?.description).toMatch(/^deny: /);
  });

  it('a warn decision is a success status (with the warnings in its description)', async () => {
    gh.denyPermission('checks');
    const r = await publish(makeDecision({ results: [violated({ rule: 'license-review', decision: 'warn' })] }));
    expect(r).toMatchObject({ kind: 'commit-status', state: 'success', description: 'warn: 1 warning(s)' });
  });

  it('neither checks nor statuses: PERMISSION_MISSING naming both lines to add', async () => {
    gh.denyPermission('checks').denyPermission('statuses');
    const err = await failure(publish(makeDecision()));
    expect(err.code).toBe('PERMISSION_MISSING');
    expect(err.message).toContain('neither a check run nor a commit status');
    expect(err.details.hint).toContain('permissions:\n  checks: write\n  statuses: write');
  });

  it('fork pull request (read-only token): no request, one notice', async () => {
    const r = await publish(makeDecision(), { readOnlyToken: true });
    expect(r).toEqual({ kind: 'skipped', reason: 'read-only-token', notice: READ_ONLY_NOTICE });
    expect(gh.requests).toHaveLength(0);
  });

  it('other failures are not hidden by the fallback', async () => {
    gh.failNext('checks/create', 422);
    const err = await failure(publish(makeDecision()));
    expect(err.code).toBe('INPUT_INVALID');
    expect(statuses()).toHaveLength(0);
  });
});

describe('publishCheck with a token that is not a GitHub App', () => {
  it('GitHub refuses check runs (403): the commit status is used', async () => {
    await start({ login: 'release-bot-user', type: 'User' });
    const r = await publish(makeDecision({ results: [makeResult()] }));
    expect(r).toMatchObject({ kind: 'commit-status', state: 'success' });
    expect(r.kind === 'commit-status' ? r.fallbackReason : '').toContain('GitHub App');
  });
});
