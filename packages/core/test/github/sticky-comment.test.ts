// The sticky PR comment against testkit's OpenAPI-validated fake GitHub: one comment per gate key,
// found across every page, only among the token user's own comments, with the three modes.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { makeDecision, makeResult, startFakeGitHub, violated, type FakeGitHub } from '@genops/testkit';
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js';
import { publishStickyComment, READ_ONLY_NOTICE, type CommentMode } from '../../src/github/sticky-comment.js';
import { memoryLogger } from '../../src/logger.js';
import type { DecisionPredicate } from '../../src/policy/decision-model.js';
import { isFailingDecision, renderDecisionComment } from '../../src/report/decision.js';
import { failure } from './helpers/failure.js';

const OWNER = 'acme';
const REPO = 'payments';
const PR = 42;
const TARGET = { owner: OWNER, repo: REPO, issueNumber: PR };
const HEAD = '0b9d5e4c3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';

let gh: FakeGitHub;
let client: GitHubClient;

async function start(seedComments: { body: string; user?: string }[] = []): Promise<void> {
  gh = await startFakeGitHub({
    seed: {
      repos: {
        [`${OWNER}/${REPO}`]: {
          pulls: [{ number: PR, head: { ref: 'feature', sha: HEAD } }],
          comments: seedComments.map((c) => ({ issueNumber: PR, body: c.body, ...(c.user === undefined ? {} : { user: c.user }) })),
        },
      },
    },
  });
  client = createGitHubClient({ token: 'ghs_fake', baseUrl: gh.url, logger: memoryLogger(), retryAfterBaseValue: 1, throttle: { spaceRequests: false } });
}

afterEach(async () => {
  expect(gh.rejected).toEqual([]);
  expect(gh.problems).toEqual([]);
  await gh.close();
});

const comments = () => gh.state.findRepo(OWNER, REPO)?.commentsOn(PR) ?? [];
const passing = (): DecisionPredicate => makeDecision({ results: [makeResult(), makeResult({ rule: 'vulnerability-scan-present' })] });
const denied = (): DecisionPredicate => makeDecision();

function publish(d: DecisionPredicate, mode: CommentMode, key = 'pr', extra: { readOnlyToken?: boolean } = {}) {
  const body = renderDecisionComment(d, { key });
  return publishStickyComment(client, TARGET, { key, mode, body, failing: isFailingDecision(d.decision) || d.breakGlass !== undefined, ...extra });
}

describe('publishStickyComment', () => {
  beforeEach(async () => {
    await start();
  });

  it('creates the comment once, then updates it in place', async () => {
    const first = await publish(denied(), 'always');
    expect(first.action).toBe('created');
    const second = await publish(makeDecision({ change: { ...denied().change, sha: 'c'.repeat(40) } }), 'always');
    expect(second).toEqual({ action: 'updated', id: first.action === 'created' ? first.id : -1, url: expect.stringContaining(`/pull/${String(PR)}#issuecomment-`) });
    expect(comments()).toHaveLength(1);
    expect(comments()[0]?.body).toContain('`cccccccccccc`');
    expect(gh.calls('issues/create-comment')).toHaveLength(1);
    expect(gh.calls('issues/update-comment')).toHaveLength(1);
  });

  it('an identical body is left alone', async () => {
    await publish(denied(), 'always');
    const again = await publish(denied(), 'always');
    expect(again.action).toBe('unchanged');
    expect(gh.calls('issues/update-comment')).toHaveLength(0);
  });

  it('on-failure: a later passing run updates the old failure comment to say it passes', async () => {
    const failed = await publish(denied(), 'on-failure');
    expect(failed.action).toBe('created');
    const passed = await publish(passing(), 'on-failure');
    expect(passed.action).toBe('updated');
    expect(comments()).toHaveLength(1);
    expect(comments()[0]?.body).toContain(':white_check_mark:');
    expect(comments()[0]?.body).toContain('Nothing blocks this change.');
    expect(comments()[0]?.body).not.toContain('What to change');
  });

  it('on-failure: a passing run with no earlier comment creates nothing', async () => {
    expect(await publish(passing(), 'on-failure')).toEqual({ action: 'skipped', reason: 'passing-no-comment' });
    expect(gh.calls('issues/create-comment')).toHaveLength(0);
    // warn passes too: the warnings are in the check run and the job summary.
    const warnOnly = makeDecision({ results: [violated({ rule: 'license-review', decision: 'warn' })] });
    expect(warnOnly.decision).toBe('warn');
    expect((await publish(warnOnly, 'on-failure')).action).toBe('skipped');
    expect(comments()).toHaveLength(0);
  });

  it('on-failure: break-glass comments even though the decision is allow', async () => {
    const d = makeDecision({
      decision: 'allow',
      breakGlass: { by: 'sre-bob', source: 'label', reason: 'outage', grantedAt: '2026-03-02T10:00:00Z', expiresAt: '2026-03-02T14:00:00Z', overridden: 'deny' },
    });
    expect((await publish(d, 'on-failure')).action).toBe('created');
    expect(comments()[0]?.body).toContain('Break-glass');
  });

  it('never: no request at all', async () => {
    expect(await publish(denied(), 'never')).toEqual({ action: 'skipped', reason: 'mode-never' });
    expect(gh.requests).toHaveLength(0);
  });

  it('a parallel gate with another key keeps its own comment', async () => {
    await publish(denied(), 'always', 'pr');
    await publish(denied(), 'always', 'deploy-production');
    await publish(passing(), 'always', 'pr');
    expect(comments()).toHaveLength(2);
    const byKey = (k: string) => comments().find((c) => c.body.startsWith(`<!-- genops:gate:${k} -->`));
    expect(byKey('pr')?.body).toContain(':white_check_mark:');
    expect(byKey('deploy-production')?.body).toContain(':x:');
  });

  it('fork pull request (read-only token): no request, one notice', async () => {
    const r = await publish(denied(), 'always', 'pr', { readOnlyToken: true });
    expect(r).toEqual({ action: 'skipped', reason: 'read-only-token', notice: READ_ONLY_NOTICE });
    expect(gh.requests).toHaveLength(0);
  });

  it('a token without pull-requests: write gets the permission message with the YAML to add', async () => {
    gh.setPermission('pull-requests', 'read').setPermission('issues', 'read');
    const err = await failure(publish(denied(), 'always'));
    expect(err.code).toBe('PERMISSION_MISSING');
    expect(err.message).toContain('write a pull request comment');
    expect(err.details.hint).toContain('permissions:\n  pull-requests: write');
  });

  it('a marker in an invalid key is refused before any request', async () => {
    await expect(publishStickyComment(client, TARGET, { key: 'pr -->', mode: 'always', body: 'x', failing: true })).rejects.toThrow(/gate key/);
    expect(gh.requests).toHaveLength(0);
  });
});

describe('publishStickyComment with existing comments', () => {
  it('finds its comment on the third page and updates it; other users\' marker comments are never edited', async () => {
    const marker = '<!-- genops:gate:pr -->';
    const seed = [
      // Someone else's comment carrying the marker, first: it must not be taken for ours.
      { body: `${marker}\nI am not the bot`, user: 'mallory' },
      ...Array.from({ length: 230 }, (_, i) => ({ body: `review comment ${String(i)}`, user: i % 2 === 0 ? 'dev-alice' : 'github-actions[bot]' })),
      { body: `${marker}\nold genops comment` },
      ...Array.from({ length: 20 }, (_, i) => ({ body: `later ${String(i)}`, user: 'dev-alice' })),
    ];
    await start(seed);
    const r = await publish(denied(), 'always');
    expect(r.action).toBe('updated');
    const pages = gh.calls('issues/list-comments');
    expect(pages.map((p) => p.query['page'] ?? 1)).toEqual([1, 2, 3]);
    expect(pages.every((p) => p.query['per_page'] === 100)).toBe(true);
    expect(comments()).toHaveLength(seed.length);
    expect(comments()[0]?.body).toBe(`${marker}\nI am not the bot`);
    expect(comments()[231]?.body).toContain('What to change');
    expect(gh.calls('issues/create-comment')).toHaveLength(0);
  });

  it('stops reading pages once its comment is found', async () => {
    await start([{ body: '<!-- genops:gate:pr -->\nold' }, ...Array.from({ length: 250 }, (_, i) => ({ body: `c${String(i)}`, user: 'dev-alice' }))]);
    expect((await publish(denied(), 'always')).action).toBe('updated');
    expect(gh.calls('issues/list-comments')).toHaveLength(1);
  });
});
