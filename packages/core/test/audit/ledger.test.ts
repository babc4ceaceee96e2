// The ledger on a local directory: appends with real signatures, then every way of damaging the
// history (one byte, a deleted entry, two swapped, a cut tail, a fork), each found and named.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { codeOfAsync, signTestInventory, testKey, type TestKey } from '@genops/testkit';
import {
  appendToLedger,
  assertLedgerOk,
  buildAppend,
  verifyForLedger,
  verifyLedger,
  type LedgerVerifyOptions,
} from '../../src/audit/ledger.js';
import { localLedgerStore } from '../../src/audit/store-local.js';
import { decodeLine, GENESIS_HASH } from '../../src/audit/model.js';
import { parseCheckpointNote, verifyCheckpoint } from '../../src/audit/checkpoint.js';
import { MerkleFrontier } from '../../src/audit/merkle.js';
import { proveInclusion, verifyInclusionProof } from '../../src/audit/proof.js';
import { verifyArtifactBytes } from '../../src/artifact/verify.js';
import { PredicateTypes } from '../../src/artifact/statement.js';
import { buildLocalLedger, decisionArtifact, keyTrust, ORIGIN, readLines, sha, T0, tempDir, writeLines } from './helpers.js';

let key: TestKey;
let tmp: { dir: string; done: () => Promise<void> };
beforeEach(async () => {
  key = testKey();
  tmp = await tempDir();
});
afterEach(async () => tmp.done());

async function verifyFiles(ledger: string, extra: Partial<LedgerVerifyOptions> = {}) {
  const store = localLedgerStore(ledger);
  return verifyLedger(store.lines(), { checkpointTrust: keyTrust(key), checkpointLines: store.checkpointLines(), ...extra });
}

describe('append', () => {
  it('writes one entry per artifact, chained, with a signed checkpoint per append', async () => {
    const store = localLedgerStore(join(tmp.dir, 'ledger.jsonl'));
    const a = await decisionArtifact(key, { sha: sha(1), decision: 'allow', results: [] });
    const b = await decisionArtifact(key, { sha: sha(1), key: 'deploy-production', environment: 'production' });
    const first = await appendToLedger(store, [a, b], { approver: 'ops-lead', ticket: 'CHG-7' }, { signer: key.signer, now: T0, origin: ORIGIN });
    expect(first.entries.map((e) => [e.seq, e.prevHash === GENESIS_HASH])).toEqual([[0, true], [1, false]]);
    expect(first.entries[1]!.prevHash).toBe(first.entries[0]!.entryHash);
    const e0 = first.entries[0]!;
    expect(e0).toMatchObject({
      origin: ORIGIN,
      actor: 'release-bot',
      author: 'dev-alice',
      approver: 'ops-lead',
      ticket: 'CHG-7',
      environment: 'production',
      breakGlass: false,
      exception: true,
      change: { repository: 'acme/payments', gitSha: sha(1), pullRequest: 42 },
      artifact: { kind: 'decision', digest: a.digest, predicateType: PredicateTypes.decision },
      decision: { decision: 'allow', key: 'pr', policySets: ['supply-chain', 'metadata'], exceptions: [{ name: 'gpl-tooling', ticket: 'SEC-42', approvedBy: 'sec-lead' }] },
    });
    const second = await appendToLedger(store, [await decisionArtifact(key, { sha: sha(2) })], {}, { signer: key.signer, now: T0, origin: ORIGIN });
    expect(second.entries[0]!.seq).toBe(2);
    expect(second.entries[0]!.prevHash).toBe(first.entries[1]!.entryHash);

    const cps = await readLines(store.paths.checkpoints);
    expect(cps).toHaveLength(2);
    const latest = verifyCheckpoint(JSON.parse(cps[1]!), 'cp', keyTrust(key)).checkpoint;
    expect(latest).toMatchObject({ origin: ORIGIN, size: 3, lastEntryHash: second.entries[0]!.entryHash });
    expect(parseCheckpointNote(second.checkpoint.note)).toEqual({ origin: ORIGIN, size: 3, rootHash: latest.rootHash });
    expect(second.checkpoint.note).toBe(`${ORIGIN}\n3\n${Buffer.from(latest.rootHash, 'hex').toString('base64')}\n`);

    const report = await verifyFiles(store.paths.ledger);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, size: 3, rootHash: latest.rootHash, checkpointsCompared: 2 });
  });

  it('stores the compact range, not the entries, in the state, and rebuilds nothing on append', async () => {
    const store = await buildLocalLedger(tmp.dir, key, 5);
    const state = JSON.parse(await readFile(store.paths.state, 'utf8'));
    expect(state.size).toBe(5);
    expect(state.range.hashes).toHaveLength(2); // 5 = 101b
    const lines = await readLines(store.paths.ledger);
    const f = new MerkleFrontier();
    for (const l of lines) f.push(Buffer.from((decodeLine(l) as { storedHash: string }).storedHash, 'hex'));
    expect(new MerkleFrontier(state.range).root()).toEqual(f.root());
  });

  it('verifies every artifact first and appends nothing when one fails, naming it', async () => {
    const good = await decisionArtifact(key);
    const other = testKey();
    const foreign = await decisionArtifact(other, { sha: sha(3) });
    const files = [
      { source: 'good.json', bytes: Buffer.from(JSON.stringify(good.bundle)) },
      { source: 'foreign.json', bytes: Buffer.from(JSON.stringify(foreign.bundle)) },
      { source: 'broken.json', bytes: Buffer.from('{') },
    ];
    const verify = (bytes: Buffer, source: string) => verifyArtifactBytes(bytes, source, { trust: { mode: 'key', keys: [key.publicKey] }, predicateType: PredicateTypes.decision, now: T0 });
    let err: any;
    try {
      verifyForLedger(files, verify);
    } catch (e) {
      err = e;
    }
    expect(err.code).toBe('KEY_UNTRUSTED');
    expect(err.message).toContain('2 of 3 artifacts failed');
    expect(err.message).toContain('foreign.json: KEY_UNTRUSTED');
    expect(err.message).toContain('broken.json: ARTIFACT_MALFORMED');
  });

  it('refuses artifacts the ledger does not record, and a ledger of another origin', async () => {
    const store = localLedgerStore(join(tmp.dir, 'l.jsonl'));
    const inv = await signTestInventory({ signer: key.signer, now: T0 });
    const v = verifyArtifactBytes(Buffer.from(JSON.stringify(inv.bundle)), 'inventory.json', { trust: { mode: 'key', keys: [key.publicKey] }, predicateType: PredicateTypes.inventory, now: T0 });
    expect(await codeOfAsync(appendToLedger(store, [v], {}, { signer: key.signer, now: T0, origin: ORIGIN }))).toBe('PREDICATE_TYPE_MISMATCH');
    await appendToLedger(store, [await decisionArtifact(key)], {}, { signer: key.signer, now: T0, origin: ORIGIN });
    expect(await codeOfAsync(appendToLedger(store, [await decisionArtifact(key)], {}, { signer: key.signer, now: T0, origin: 'github.com/other/repo' }))).toBe('SUBJECT_MISMATCH');
  });

  it('refuses to append on a ledger whose last line is not what its state says', async () => {
    const store = await buildLocalLedger(tmp.dir, key, 3);
    const lines = await readLines(store.paths.ledger);
    await writeLines(store.paths.ledger, lines.slice(0, 2));
    expect(await codeOfAsync(appendToLedger(store, [await decisionArtifact(key)], {}, { signer: key.signer, now: T0, origin: ORIGIN }))).toBe('DIGEST_MISMATCH');
  });

  it('refuses a second append while the lock is held', async () => {
    const store = localLedgerStore(join(tmp.dir, 'l.jsonl'));
    await writeFile(store.paths.lock, '');
    expect(await codeOfAsync(appendToLedger(store, [await decisionArtifact(key)], {}, { signer: key.signer, now: T0, origin: ORIGIN }))).toBe('INPUT_INVALID');
  });
});

describe('verify finds and names', () => {
  const N = 10;
  let ledger: string;
  let checkpoints: string;
  let lines: string[];
  beforeEach(async () => {
    const store = await buildLocalLedger(tmp.dir, key, N);
    ledger = store.paths.ledger;
    checkpoints = store.paths.checkpoints;
    lines = await readLines(ledger);
  });

  it('a clean ledger: ok, every checkpoint compared', async () => {
    const r = await verifyFiles(ledger);
    expect(r).toMatchObject({ ok: true, size: N, problems: [], checkpointsCompared: N });
    expect(() => assertLedgerOk(r, ledger)).not.toThrow();
  });

  it('one byte changed inside an entry (still valid JSON): that entry, edited', async () => {
    const i = 4;
    const tampered = lines[i]!.replace('"actor":"user-4"', '"actor":"user-5"');
    expect(tampered).not.toBe(lines[i]);
    expect(Buffer.byteLength(tampered)).toBe(Buffer.byteLength(lines[i]!));
    await writeLines(ledger, lines.map((l, j) => (j === i ? tampered : l)));
    const r = await verifyFiles(ledger);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ kind: 'edited', seq: 4, line: 5 });
    expect(() => assertLedgerOk(r, ledger)).toThrow(/entry 4 \(line 5\) was changed after it was written/);
  });

  it('one byte changed in the signed bundle bytes: that entry', async () => {
    const i = 6;
    const at = lines[i]!.indexOf('"payload":"') + 20;
    const c = lines[i]![at] === 'A' ? 'B' : 'A';
    const tampered = lines[i]!.slice(0, at) + c + lines[i]!.slice(at + 1);
    await writeLines(ledger, lines.map((l, j) => (j === i ? tampered : l)));
    const r = await verifyFiles(ledger);
    expect(r.problems[0]).toMatchObject({ kind: 'edited', seq: 6, line: 7 });
    expect(r.problems.map((p) => p.kind)).toContain('artifact-mismatch');
  });

  it('one byte that breaks the JSON: that entry, malformed', async () => {
    const i = 2;
    const tampered = `${lines[i]!.slice(0, 200)}\u0000${lines[i]!.slice(201)}`;
    await writeLines(ledger, lines.map((l, j) => (j === i ? tampered : l)));
    const r = await verifyFiles(ledger);
    expect(r.problems[0]).toMatchObject({ kind: 'malformed', seq: 2, line: 3 });
  });

  it('an entry deleted: the missing entry', async () => {
    await writeLines(ledger, lines.filter((_, j) => j !== 3));
    const r = await verifyFiles(ledger);
    expect(r.problems[0]).toMatchObject({ kind: 'missing', seq: 3, line: 4 });
    expect(r.problems[0]!.message).toContain('entry 3 is missing');
  });

  it('two entries swapped: the first out of place', async () => {
    const swapped = [...lines];
    [swapped[5], swapped[6]] = [swapped[6]!, swapped[5]!];
    await writeLines(ledger, swapped);
    const r = await verifyFiles(ledger);
    expect(r.problems[0]).toMatchObject({ seq: 5, line: 6 });
    expect(['missing', 'out-of-order']).toContain(r.problems[0]!.kind);
    expect(r.problems.map((p) => p.kind)).toContain('out-of-order');
  });

  it('the tail cut off: the first removed entry, from the checkpoint log', async () => {
    await writeLines(ledger, lines.slice(0, 7));
    const r = await verifyFiles(ledger);
    expect(r.problems[0]).toMatchObject({ kind: 'truncated', seq: 7 });
    expect(r.problems[0]!.message).toContain('entries 7 to 9 were removed');
  });

  it('the tail and its checkpoints cut off together: found only against a trusted checkpoint or size (a lone file cannot tell)', async () => {
    const cps = await readLines(checkpoints);
    const trusted = JSON.parse(cps.at(-1)!);
    await writeLines(ledger, lines.slice(0, 7));
    await writeLines(checkpoints, cps.slice(0, 7));
    await writeFile(join(tmp.dir, 'ledger.state.json'), '{}');
    expect((await verifyFiles(ledger)).ok).toBe(true);
    const r = await verifyFiles(ledger, { trustedCheckpoints: [{ source: 'trusted.json', stored: trusted }] });
    expect(r.problems[0]).toMatchObject({ kind: 'truncated', seq: 7 });
    const bySize = await verifyFiles(ledger, { expectedSize: 10 });
    expect(bySize.problems[0]).toMatchObject({ kind: 'truncated', seq: 7 });
  });

  it('a fork inside the file (two appends on one head): the second entry of that seq', async () => {
    const store = localLedgerStore(ledger);
    const head = (await store.readHead())!;
    const x = await buildAppend(head, [await decisionArtifact(key, { sha: sha(100) })], {}, { signer: key.signer, now: T0 });
    const y = await buildAppend(head, [await decisionArtifact(key, { sha: sha(101) })], {}, { signer: key.signer, now: T0 });
    await writeLines(ledger, [...lines, ...x.lines, ...y.lines]);
    await writeLines(checkpoints, [...(await readLines(checkpoints)), JSON.stringify(x.checkpoint), JSON.stringify(y.checkpoint)]);
    const r = await verifyFiles(ledger);
    expect(r.problems[0]).toMatchObject({ kind: 'forked', seq: 10, line: 12 });
  });

  it('a forked history (rewritten from entry 6 on, validly signed): the first entry that differs from the trusted checkpoints', async () => {
    const original = await readLines(checkpoints);
    // The fork: the first 6 entries, then other entries appended with the same key.
    const forkDir = join(tmp.dir, 'fork');
    const fork = localLedgerStore(join(forkDir, 'ledger.jsonl'));
    await writeLines(fork.paths.ledger, lines.slice(0, 6));
    await writeLines(fork.paths.checkpoints, original.slice(0, 6));
    const state = JSON.parse(await readFile(join(tmp.dir, 'ledger.state.json'), 'utf8'));
    const head6 = { origin: ORIGIN, size: 6, lastEntryHash: (decodeLine(lines[5]!) as { storedHash: string }).storedHash, range: new MerkleFrontier().toRange(), checkpoint: JSON.parse(original[5]!) };
    const f = new MerkleFrontier();
    for (const l of lines.slice(0, 6)) f.push(Buffer.from((decodeLine(l) as { storedHash: string }).storedHash, 'hex'));
    head6.range = f.toRange();
    await writeFile(fork.paths.state, JSON.stringify(head6));
    expect(state.size).toBe(10);
    for (let i = 0; i < 4; i++) await appendToLedger(fork, [await decisionArtifact(key, { sha: sha(200 + i) })], {}, { signer: key.signer, now: T0, origin: ORIGIN });
    // On its own the fork is a perfectly good ledger...
    expect((await verifyFiles(fork.paths.ledger)).ok).toBe(true);
    // ...but not the history the original checkpoints saw.
    const r = await verifyFiles(fork.paths.ledger, { trustedCheckpoints: original.map((c, i) => ({ source: `original checkpoint ${i + 1}`, stored: JSON.parse(c) })) });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ kind: 'forked', seq: 6 });
    expect(r.problems[0]!.message).toContain('entry 6 differ');
  });

  it('a checkpoint signed by another key does not vouch for the ledger', async () => {
    const other = testKey();
    const r = await verifyLedger(localLedgerStore(ledger).lines(), { checkpointTrust: keyTrust(other), checkpointLines: localLedgerStore(ledger).checkpointLines() });
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.kind)).toContain('checkpoint-invalid');
  });

  it('entries added without a checkpoint are unanchored', async () => {
    const head = (await localLedgerStore(ledger).readHead())!;
    const x = await buildAppend(head, [await decisionArtifact(key, { sha: sha(300) })], {}, { signer: key.signer, now: T0 });
    await writeLines(ledger, [...lines, ...x.lines]);
    const r = await verifyFiles(ledger);
    expect(r.problems[0]).toMatchObject({ kind: 'unanchored', seq: 10 });
  });

  it('with artifact trust, re-checks every recorded signature', async () => {
    const r = await verifyFiles(ledger, { artifactTrust: { mode: 'key', keys: [key.publicKey] } });
    expect(r).toMatchObject({ ok: true, artifactSignaturesChecked: N });
    const wrong = await verifyFiles(ledger, { artifactTrust: { mode: 'key', keys: [testKey().publicKey] } });
    expect(wrong.problems[0]).toMatchObject({ kind: 'artifact-signature', seq: 0 });
  });

  it('an inclusion proof for any entry verifies against the signed checkpoint, and not for another entry', async () => {
    const r = await verifyFiles(ledger, { keepLeaves: true });
    const latest = JSON.parse((await readLines(checkpoints)).at(-1)!);
    const proof = proveInclusion(r.leaves!, 3, latest);
    expect(() => verifyInclusionProof(proof, keyTrust(key))).not.toThrow();
    expect(() => verifyInclusionProof({ ...proof, entryHash: (decodeLine(lines[4]!) as { storedHash: string }).storedHash }, keyTrust(key))).toThrow(/audit path does not take entry 3/);
    expect(() => verifyInclusionProof(proof, keyTrust(testKey()))).toThrow();
  });
});
