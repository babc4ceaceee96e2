// Signed artifacts and ledgers for the audit tests: real signatures (key mode), real files.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeDecision, testKey, testRun, FIXTURE_REPOSITORY, type TestKey } from '@genops/testkit';
import { buildStatement, PredicateTypes } from '../../src/artifact/statement.js';
import { signStatement } from '../../src/artifact/sign.js';
import { verifyArtifactBytes, type VerifiedArtifact } from '../../src/artifact/verify.js';
import { canonicalJson, sha256Hex } from '../../src/artifact/canonical.js';
import type { DecisionPredicate } from '../../src/policy/decision-model.js';
import { appendToLedger, type AppendContext } from '../../src/audit/ledger.js';
import { localLedgerStore } from '../../src/audit/store-local.js';
import type { CheckpointTrust } from '../../src/audit/checkpoint.js';

export const ORIGIN = 'github.com/acme/payments/genops-audit';
export const T0 = new Date('2026-03-02T10:00:00.000Z');

export function sha(n: number): string {
  return sha256Hex(`commit ${n}`).slice(0, 40);
}

/** A signed decision for commit `sha`, verified as the ledger's appender would. */
export async function decisionArtifact(key: TestKey, overrides: Partial<DecisionPredicate> & { sha?: string; at?: Date } = {}): Promise<VerifiedArtifact> {
  const { sha: commit = sha(1), at = T0, ...rest } = overrides;
  const predicate = makeDecision({
    ...rest,
    header: { tool: { name: 'genops', version: '0.0.0-test', component: 'policy-gate' }, run: testRun({ sha: commit, actor: 'release-bot' }), createdAt: at.toISOString(), expiresAt: new Date(at.getTime() + 7 * 86_400_000).toISOString(), inputs: [] },
    change: { repository: FIXTURE_REPOSITORY, sha: commit, author: 'dev-alice', pullRequest: 42, evaluatedAt: at.toISOString() },
  });
  const signed = await signStatement(buildStatement({ repository: FIXTURE_REPOSITORY, gitCommit: commit }, PredicateTypes.decision, predicate), key.signer);
  const bytes = Buffer.from(JSON.stringify(signed.bundle));
  return verifyArtifactBytes(bytes, `decision-${commit.slice(0, 7)}.json`, { trust: { mode: 'key', keys: [key.publicKey] }, predicateType: PredicateTypes.decision, now: at });
}

/**
 * A canary artifact. The canary predicate has no schema yet, so it cannot go through
 * signStatement/verifyArtifactBytes: it is signed as a statement and assembled as verified here.
 */
export async function canaryArtifact(key: TestKey, opts: { sha: string; outcome: 'promoted' | 'rolled-back' | 'inconclusive'; environment: string; startedAt: Date; finishedAt: Date }): Promise<VerifiedArtifact> {
  const statement = buildStatement({ repository: FIXTURE_REPOSITORY, gitCommit: opts.sha }, PredicateTypes.canary, {
    header: { tool: { name: 'genops' as const, version: '0.0.0-test', component: 'canary-promote' }, run: testRun({ sha: opts.sha }), createdAt: opts.startedAt.toISOString(), expiresAt: new Date(opts.finishedAt.getTime() + 86_400_000).toISOString(), inputs: [] },
    outcome: opts.outcome,
    environment: opts.environment,
    finishedAt: opts.finishedAt.toISOString(),
  });
  const payload = Buffer.from(canonicalJson(statement));
  const bundle = await key.signer.sign(payload);
  return { source: `canary-${opts.sha.slice(0, 7)}.json`, statement, digest: sha256Hex(payload), bundle, signer: { mode: 'key', keyId: key.keyId } };
}

export function keyTrust(key: TestKey): CheckpointTrust {
  return { mode: 'key', keys: [key.publicKey] };
}

export async function tempDir(): Promise<{ dir: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'genops-audit-'));
  return { dir, done: () => rm(dir, { recursive: true, force: true }) };
}

/** A local ledger of `n` decisions, one append (and one checkpoint) each, one minute apart. */
export async function buildLocalLedger(dir: string, key: TestKey, n: number, ctx: AppendContext = {}, name = 'ledger.jsonl') {
  const store = localLedgerStore(join(dir, name));
  for (let i = 0; i < n; i++) {
    const at = new Date(T0.getTime() + i * 60_000);
    const a = await decisionArtifact(key, { sha: sha(i), at, decision: 'allow', results: [] });
    await appendToLedger(store, [a], { actor: `user-${i}`, ...ctx }, { signer: key.signer, now: at, origin: ORIGIN });
  }
  return store;
}

export async function readLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((l) => l !== '');
}

export async function writeLines(path: string, lines: readonly string[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, lines.map((l) => `${l}\n`).join(''));
}

export { testKey };
