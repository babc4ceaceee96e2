/**
 * Smoke test of the root all-in-one action's bundle (actions/pr-gate/dist/index.js, what the root
 * action.yml runs): a child process (under Node 24 when GENOPS_NODE24 points at it, as in CI) in a
 * fake runner environment against the OpenAPI-validated fake GitHub, on the three events a required
 * check sees: pull_request (sticky comment + check run on the PR head), merge_group (check run on
 * the queue's head commit, no comment) and push (check run on the pushed commit, no comment).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_PULL, fixtureRepoSeed, githubFixtureJson, runActionProcess, startFakeGitHub, testKey, type FakeGitHub } from '@genops/testkit';
import { PredicateTypes, verifyArtifactBytes, type DecisionPredicate } from '@genops/core';

const here = fileURLToPath(new URL('.', import.meta.url));
const entry = join(here, '..', 'dist', 'index.js');
const fixtures = join(here, '..', '..', '..', 'fixtures', 'evidence');
const node = process.env.GENOPS_NODE24 ?? process.execPath;
const kp = testKey();
const MERGE_SHA = '1111111111111111111111111111111111111111';
/** The commit the merge of #128 made on main, and a commit pushed to main directly. */
const MERGED_SHA = '2222222222222222222222222222222222222222';
const DIRECT_SHA = '3333333333333333333333333333333333333333';

let ws: string;
let gh: FakeGitHub;

const INPUTS = {
  'github-token': 'ghs_fake',
  'signing-key': kp.privateKeyPem,
  sbom: 'reports/sbom/orders-api.head.cdx.json',
  vulnerabilities: 'reports/vulns/grype.json',
  metadata: 'reports/metadata/genops.yaml',
  policies: 'default:genops-baseline\ndefault:supply-chain',
};

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'genops-pr-gate-smoke-'));
  await cp(fixtures, join(ws, 'reports'), { recursive: true });
  const seed = fixtureRepoSeed();
  // #128 as GitHub shows it after the merge: still readable, with the merge commit pushed to main.
  const pulls = (seed.pulls ?? []).map((p) => (p.number === FIXTURE_PULL.number ? { ...p, state: 'closed' as const, merged: true, mergeCommitSha: MERGED_SHA } : p));
  gh = await startFakeGitHub({ seed: { repos: { [FIXTURE_PULL.fullName]: { ...seed, pulls } } } });
});
afterAll(async () => {
  await gh.close();
  await rm(ws, { recursive: true, force: true });
});

function repoState() {
  const [owner = '', name = ''] = FIXTURE_PULL.fullName.split('/');
  const r = gh.state.findRepo(owner, name);
  if (r === undefined) throw new Error('fixture repository missing');
  return r;
}

async function decisionOf(path: string, sha: string): Promise<DecisionPredicate> {
  const v = verifyArtifactBytes(await readFile(join(ws, path)), path, {
    trust: { mode: 'key', keys: [kp.publicKey] },
    predicateType: PredicateTypes.decision,
    subject: { gitCommit: sha },
    now: new Date(),
  });
  return v.statement.predicate as unknown as DecisionPredicate;
}

describe('root action (actions/pr-gate bundle)', () => {
  it('exists (pnpm build writes it)', () => {
    expect(existsSync(entry)).toBe(true);
  });

  it('pull_request: collects, scores, decides deny; check run and one sticky comment on the PR', async () => {
    const pull = githubFixtureJson('pull.json');
    const r = await runActionProcess({
      entry,
      node,
      inputs: { ...INPUTS, 'output-dir': 'pr' },
      eventName: 'pull_request',
      eventPayload: { action: 'synchronize', number: pull.number, pull_request: pull, repository: pull.base.repo, sender: pull.user },
      cwd: ws,
      github: gh,
      repository: FIXTURE_PULL.fullName,
      ref: `refs/pull/${String(FIXTURE_PULL.number)}/merge`,
      sha: MERGE_SHA,
      timeoutMs: 60_000,
    });
    expect(gh.rejected).toEqual([]);
    expect(r.exitCode).toBe(1);
    expect(r.commands.filter((c) => c.command === 'error').at(-1)?.message).toMatch(/^POLICY_DENIED: /);
    expect(r.outputs).toMatchObject({ decision: 'deny', 'artifact-path': 'pr/decision.intoto.json' });
    const d = await decisionOf('pr/decision.intoto.json', FIXTURE_PULL.head);
    expect(d.change.pullRequest).toBe(FIXTURE_PULL.number);
    const repo = repoState();
    expect(repo.checkRuns.map((c) => c.headSha)).toEqual([FIXTURE_PULL.head]);
    expect(repo.comments.filter((c) => c.body.includes('genops')).length).toBe(1);
  });

  it('merge_group: decides on the queue head and reports the check there, with no PR comment', async () => {
    const before = repoState().comments.length;
    const headSha = FIXTURE_PULL.head;
    const r = await runActionProcess({
      entry,
      node,
      inputs: { ...INPUTS, 'output-dir': 'mq' },
      eventName: 'merge_group',
      eventPayload: {
        action: 'checks_requested',
        merge_group: { head_sha: headSha, head_ref: `refs/heads/gh-readonly-queue/main/pr-${String(FIXTURE_PULL.number)}-${FIXTURE_PULL.base}`, base_sha: FIXTURE_PULL.base, base_ref: 'refs/heads/main', head_commit: { id: headSha, message: 'Merge pull request', timestamp: '2026-03-11T10:00:00Z' } },
        repository: githubFixtureJson('pull.json').base.repo,
        sender: { login: 'github-merge-queue[bot]', type: 'Bot' },
      },
      cwd: ws,
      github: gh,
      repository: FIXTURE_PULL.fullName,
      ref: `refs/heads/gh-readonly-queue/main/pr-${String(FIXTURE_PULL.number)}-${FIXTURE_PULL.base}`,
      sha: headSha,
      timeoutMs: 60_000,
    });
    expect(gh.rejected).toEqual([]);
    expect(r.stderr).toBe('');
    expect(r.outputs.decision).toMatch(/^(allow|warn|require-approval|deny)$/);
    const d = await decisionOf('mq/decision.intoto.json', headSha);
    expect(d.change).toMatchObject({ sha: headSha, pullRequest: FIXTURE_PULL.number });
    expect(r.stdout).toContain(`change: pull request #${String(FIXTURE_PULL.number)} (merge queue branch)`);
    expect(repoState().checkRuns.filter((c) => c.headSha === headSha).length).toBeGreaterThanOrEqual(1);
    expect(repoState().comments.length).toBe(before);
  });

  async function push(sha: string, dir: string) {
    return runActionProcess({
      entry,
      node,
      inputs: { ...INPUTS, 'output-dir': dir },
      eventName: 'push',
      eventPayload: { ref: 'refs/heads/main', before: FIXTURE_PULL.base, after: sha, repository: githubFixtureJson('pull.json').base.repo, sender: { login: 'kaiya-dev', type: 'User' }, head_commit: { id: sha } },
      cwd: ws,
      github: gh,
      repository: FIXTURE_PULL.fullName,
      ref: 'refs/heads/main',
      sha,
      timeoutMs: 60_000,
    });
  }

  it('push of a merge commit: judges the merged pull request (its reviews and files) and reports the check on the pushed commit, with no PR comment', async () => {
    const before = repoState().comments.length;
    const r = await push(MERGED_SHA, 'push');
    expect(gh.rejected).toEqual([]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`change: pull request #${String(FIXTURE_PULL.number)} (merged pull request of the pushed commit)`);
    expect(r.outputs.decision).toBe('deny');
    const d = await decisionOf('push/decision.intoto.json', MERGED_SHA);
    expect(d.change).toMatchObject({ sha: MERGED_SHA, pullRequest: FIXTURE_PULL.number });
    expect(repoState().checkRuns.filter((c) => c.headSha === MERGED_SHA)).toHaveLength(1);
    expect(repoState().comments.length).toBe(before);
  });

  it('a direct push (no pull request) is judged without a change section: review rules fail closed', async () => {
    const r = await push(DIRECT_SHA, 'direct');
    expect(gh.rejected).toEqual([]);
    expect(r.stdout).toContain(`change: this push of ${DIRECT_SHA} came through no pull request`);
    const d = await decisionOf('direct/decision.intoto.json', DIRECT_SHA);
    expect(d.change.pullRequest).toBeUndefined();
    expect(r.outputs.decision).toBe('deny');
    expect(d.results.find((x) => x.rule === 'critical-service-human-review')?.outcome).toBe('violated');
  });
});
