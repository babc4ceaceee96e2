// The ledger on a branch, through the project's Octokit client against the fake GitHub's git
// endpoints (real objects, compare-and-swap refs). Eight appenders race: every entry lands once.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startFakeGitHub, testKey, type FakeGitHub, type TestKey } from '@genops/testkit';
import { seededRandom } from '../../../testkit/src/seeded-random.js';
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js';
import { silentLogger } from '../../src/logger.js';
import { appendToLedger, verifyLedger } from '../../src/audit/ledger.js';
import { gitIndexPath, gitLedgerStore } from '../../src/audit/store-git.js';
import { decodeLine, type LedgerEntry } from '../../src/audit/model.js';
import { decisionArtifact, keyTrust, ORIGIN, sha, T0 } from './helpers.js';

const REPO = { owner: 'acme', repo: 'payments' };
let gh: FakeGitHub;
let client: GitHubClient;
let key: TestKey;

beforeEach(async () => {
  gh = await startFakeGitHub();
  client = createGitHubClient({ token: 'ghs_fake', baseUrl: gh.url, logger: silentLogger, retryAfterBaseValue: 1, throttle: { spaceRequests: false } });
  key = testKey();
});

afterEach(async () => {
  expect(gh.rejected).toEqual([]);
  expect(gh.problems).toEqual([]);
  await gh.close();
});

const tick = () => new Promise<void>((r) => setImmediate(r));

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(l);
  return out;
}

describe('git branch store', () => {
  it('creates the branch, appends commits on it, and verifies from the API', async () => {
    const store = gitLedgerStore(client, { ...REPO, sleep: tick });
    await appendToLedger(store, [await decisionArtifact(key, { sha: sha(1) })], {}, { signer: key.signer, now: T0, origin: ORIGIN });
    await appendToLedger(store, [await decisionArtifact(key, { sha: sha(2) }), await decisionArtifact(key, { sha: sha(3) })], {}, { signer: key.signer, now: T0, origin: ORIGIN });
    const head = await store.readHead();
    expect(head).toMatchObject({ origin: ORIGIN, size: 3 });
    const repo = gh.state.findRepo('acme', 'payments')!;
    const commit = repo.git.get(repo.git.refs.get('refs/heads/genops-audit')!) as { tree: string };
    const all = [...repo.git.flatten(commit.tree).keys()].sort();
    const files = all.filter((f) => !f.startsWith('ledger/index/'));
    // One pointer per recorded artifact, checked on use by recordedSeq.
    const entries: LedgerEntry[] = [];
    await verifyLedger(store.lines(), { checkpointTrust: keyTrust(key), onEntry: (e) => entries.push(e) });
    expect(all.filter((f) => f.startsWith('ledger/index/'))).toEqual(entries.map((e) => gitIndexPath('ledger', e.artifact.digest)).sort());
    for (const e of entries) expect(await store.recordedSeq(e.artifact.digest)).toBe(e.seq);
    expect(files).toEqual([
      'ledger/checkpoints/000000000/000000000001.json',
      'ledger/checkpoints/000000000/000000000003.json',
      'ledger/entries/000000000/000000000000.json',
      'ledger/entries/000000000/000000000001.json',
      'ledger/entries/000000000/000000000002.json',
      'ledger/state.json',
    ]);
    const report = await verifyLedger(store.lines(), { checkpointTrust: keyTrust(key), checkpointLines: store.checkpointLines(), latestCheckpoint: head!.checkpoint });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, size: 3 });
  });

  it('8 concurrent appenders, 3 appends each: no entry lost, none duplicated, the chain verifies', async () => {
    const appenders = 8;
    const rounds = 3;
    const stores = Array.from({ length: appenders }, (_, i) => gitLedgerStore(client, { ...REPO, sleep: tick, random: seededRandom(i + 1) }));
    const artifacts = await Promise.all(
      Array.from({ length: appenders * rounds }, (_, i) => decisionArtifact(key, { sha: sha(1000 + i) })),
    );
    await Promise.all(
      stores.map(async (store, i) => {
        for (let r = 0; r < rounds; r++) {
          await appendToLedger(store, [artifacts[i * rounds + r]!], { actor: `runner-${i}` }, { signer: key.signer, now: T0, origin: ORIGIN });
        }
      }),
    );
    const conflicts = stores.reduce((n, s) => n + s.stats.conflicts, 0);
    expect(conflicts).toBeGreaterThan(0); // they did race
    const reader = gitLedgerStore(client, REPO);
    const lines = await collect(reader.lines());
    expect(lines).toHaveLength(appenders * rounds);
    const entries = lines.map((l) => decodeLine(l)).map((d) => (d.ok ? d.entry : undefined));
    expect(entries.map((e) => e?.seq)).toEqual(Array.from({ length: appenders * rounds }, (_, i) => i));
    expect(new Set(entries.map((e) => e?.artifact.digest))).toEqual(new Set(artifacts.map((a) => a.digest)));
    const head = await reader.readHead();
    const report = await verifyLedger(reader.lines(), { checkpointTrust: keyTrust(key), checkpointLines: reader.checkpointLines(), latestCheckpoint: head!.checkpoint });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, size: 24, checkpointsCompared: 24 });
    // Every winning update was a compare-and-swap; the losers were refused as not fast-forward.
    const updates = gh.calls('git/update-ref');
    expect(updates.every((u) => (u.body as { force?: boolean }).force === false)).toBe(true);
    expect(updates.filter((u) => u.status === 200)).toHaveLength(appenders * rounds - 1);
    expect(updates.filter((u) => u.status === 422).length).toBe(conflicts - gh.calls('git/create-ref').filter((c) => c.status === 422).length);
  });

  it('a token without contents: write gets PERMISSION_MISSING naming it', async () => {
    gh.setPermission('contents', 'read');
    const store = gitLedgerStore(client, { ...REPO, sleep: tick });
    let err: any;
    try {
      await appendToLedger(store, [await decisionArtifact(key)], {}, { signer: key.signer, now: T0, origin: ORIGIN });
    } catch (e) {
      err = e;
    }
    expect(err.code).toBe('PERMISSION_MISSING');
    expect(err.details.hint).toContain('contents: write');
  });

  it('gives up after maxAttempts when it loses every race', async () => {
    const store = gitLedgerStore(client, { ...REPO, sleep: tick, maxAttempts: 2 });
    await appendToLedger(store, [await decisionArtifact(key)], {}, { signer: key.signer, now: T0, origin: ORIGIN });
    gh.on('git/update-ref', () => ({ status: 422, body: { message: 'Update is not a fast forward', documentation_url: 'https://docs.github.com/rest' } }));
    let err: any;
    try {
      await appendToLedger(store, [await decisionArtifact(key, { sha: sha(9) })], {}, { signer: key.signer, now: T0, origin: ORIGIN });
    } catch (e) {
      err = e;
    }
    expect(err.code).toBe('API_UNAVAILABLE');
    expect(err.message).toContain('after 2 attempts');
  });
});
