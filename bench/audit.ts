/**
 * Audit ledger benchmark.
 * 1. Verify time of a 100,000-entry ledger (target: under 5 s): every line parsed, every entry
 *    hash recomputed from its bytes, the chain, the sequence, each artifact digest against its
 *    bundle's payload, every checkpoint's root against the tree, the latest checkpoint's signature.
 *    Then the same with every recorded artifact signature re-checked (--artifact-key), reported
 *    separately: that is one ECDSA verification per entry.
 * 2. Append cost as the ledger grows: time and Merkle node hashes of one append (one entry, one
 *    signed checkpoint) at sizes 1 .. 100,000. It should stay flat to logarithmic: the state holds
 *    the compact range, so no append reads the entries or recomputes the tree.
 * Entries are real: minimal signed decisions (200 distinct ones, recorded again and again), with
 * signed checkpoints every 100 entries. Size: BENCH_AUDIT_ENTRIES (default 100000).
 * Run: cd bench && ./node_modules/.bin/tsx audit.ts
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  buildStatement,
  generateSigningKeyPair,
  keySigner,
  loadPrivateKey,
  loadPublicKey,
  PredicateTypes,
  signStatement,
  verifyArtifactBytes,
  type VerifiedArtifact,
} from '@genops/core';
import { makeDecision, testRun } from '@genops/testkit';
import { appendToLedger, emptyHead, buildAppend, localLedgerStore, MerkleFrontier, verifyLedger, type LedgerHead } from '../packages/core/src/audit/index.js';

const ENTRIES = Number(process.env.BENCH_AUDIT_ENTRIES ?? 100_000);
const BATCH = 100;
const DISTINCT = 200;
const ORIGIN = 'github.com/acme/payments/genops-audit';
const T0 = new Date('2026-03-02T10:00:00Z');

const kp = generateSigningKeyPair();
const priv = loadPrivateKey(kp.privateKeyPem, 'bench');
const pub = loadPublicKey(kp.publicKeyPem, 'bench');
const signer = keySigner(priv, pub);

async function artifacts(): Promise<VerifiedArtifact[]> {
  const out: VerifiedArtifact[] = [];
  for (let i = 0; i < DISTINCT; i++) {
    const sha = i.toString(16).padStart(40, '0');
    const predicate = makeDecision({
      header: { tool: { name: 'genops', version: '0.1.0', component: 'policy-gate' }, run: testRun({ sha }), createdAt: T0.toISOString(), expiresAt: '2026-03-09T10:00:00.000Z', inputs: [] },
      change: { repository: 'acme/payments', sha, author: 'dev-alice', evaluatedAt: T0.toISOString() },
      decision: 'allow',
      results: [],
      key: 'deploy-production',
    });
    const signed = await signStatement(buildStatement({ repository: 'acme/payments', gitCommit: sha }, PredicateTypes.decision, predicate), signer);
    out.push(verifyArtifactBytes(Buffer.from(JSON.stringify(signed.bundle)), `d${i}.json`, { trust: { mode: 'key', keys: [pub] }, predicateType: PredicateTypes.decision, now: T0 }));
  }
  return out;
}

function fmt(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'genops-bench-audit-'));
  try {
    const arts = await artifacts();
    const store = localLedgerStore(join(dir, 'ledger.jsonl'));

    // Build the ledger in batches; time single appends at sizes 10^k on the way.
    const probes = new Set([1, 10, 100, 1000, 10_000, 100_000].filter((n) => n <= ENTRIES));
    const appendCost: { size: number; ms: number; nodeHashes: number }[] = [];
    let size = 0;
    let next = 0;
    const built = performance.now();
    while (size < ENTRIES) {
      const probe = [...probes].find((p) => p > size && p <= size + BATCH);
      const n = probe !== undefined ? probe - size : Math.min(BATCH, ENTRIES - size);
      if (n > 1 || probe === undefined) {
        const take = probe !== undefined ? n - 1 : n;
        if (take > 0) {
          const batch = Array.from({ length: take }, () => arts[next++ % DISTINCT] as VerifiedArtifact);
          await appendToLedger(store, batch, {}, { signer, now: T0, origin: ORIGIN });
          size += take;
        }
      }
      if (probe !== undefined) {
        // One append of one entry, as an audit-publish run does, timed end to end.
        const head = (await store.readHead()) ?? emptyHead(ORIGIN);
        const hashes = new MerkleFrontier(head.range);
        const t = performance.now();
        await appendToLedger(store, [arts[next++ % DISTINCT] as VerifiedArtifact], {}, { signer, now: T0, origin: ORIGIN });
        const ms = performance.now() - t;
        hashes.push(Buffer.alloc(32));
        appendCost.push({ size: size + 1, ms, nodeHashes: hashes.nodeHashes + hashes.toRange().hashes.length - 1 });
        size += 1;
      }
    }
    const buildMs = performance.now() - built;
    const bytes = statSync(store.paths.ledger).size;
    console.log(`ledger: ${ENTRIES} entries, ${(bytes / 1e6).toFixed(1)} MB (${Math.round(bytes / ENTRIES)} bytes/entry), built in ${fmt(buildMs)}`);

    const integrity = async (artifactKeys: boolean) => {
      const t = performance.now();
      const r = await verifyLedger(store.lines(), {
        checkpointTrust: { mode: 'key', keys: [pub] },
        checkpointLines: store.checkpointLines(),
        ...(artifactKeys ? { artifactTrust: { mode: 'key' as const, keys: [pub] } } : {}),
      });
      const ms = performance.now() - t;
      if (!r.ok) throw new Error(`bench ledger does not verify: ${JSON.stringify(r.problems.slice(0, 3))}`);
      return { ms, r };
    };
    const v1 = await integrity(false);
    const v2 = await integrity(false);
    const best = Math.min(v1.ms, v2.ms);
    console.log(`verify (entries, chain, digests, ${v1.r.checkpointsCompared} checkpoints, latest signature): ${fmt(best)} (best of 2)  target < 5 s: ${best < 5000 ? 'met' : 'NOT MET'}`);
    const full = await integrity(true);
    console.log(`verify + every artifact signature re-checked (${full.r.artifactSignaturesChecked}): ${fmt(full.ms)}`);

    console.log('append cost (one entry + one signed checkpoint) as the ledger grows:');
    console.log('  size      time       node hashes (merges + root)');
    for (const a of appendCost) console.log(`  ${String(a.size).padEnd(8)}  ${fmt(a.ms).padEnd(9)}  ${a.nodeHashes}`);

    // The same append, without the file system: only the ledger's own work (entry, tree, signature).
    const head: LedgerHead = (await store.readHead()) ?? emptyHead(ORIGIN);
    const pure: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await buildAppend(head, [arts[i % DISTINCT] as VerifiedArtifact], {}, { signer, now: T0 });
      pure.push(performance.now() - t);
    }
    pure.sort((a, b) => a - b);
    console.log(`buildAppend at size ${head.size} (no I/O), median of 50: ${fmt(pure[25] ?? 0)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
