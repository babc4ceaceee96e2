import { describe, expect, it } from '@jest/globals';
import { buildReceipt, PredicateTypes, verifyArtifactBytes, verifyChain, type VerifiedArtifact } from '../../src/index.js';
import { codeOf } from '@genops/testkit';
import { bytesOf, keyPair, keySigner, NOW, OTHER_SHA, RUN, SHA, signedInventory } from './helpers.js';
import { signStatement } from '../../src/index.js';

const kp = keyPair();
const signer = keySigner(kp.priv, kp.pub);
const trust = { mode: 'key' as const, keys: [kp.pub] };

async function verified(kind: 'inventory', opts: { sha?: string; now?: Date } = {}): Promise<VerifiedArtifact> {
  const a = await signedInventory(signer, opts);
  return verifyArtifactBytes(bytesOf(a), `${kind}-${a.digest.slice(0, 6)}`, { trust, predicateType: PredicateTypes.inventory, now: NOW });
}
async function receiptOf(inputs: VerifiedArtifact[], opts: { sha?: string; now?: Date } = {}): Promise<VerifiedArtifact> {
  const st = buildReceipt({ repository: RUN.repository, gitCommit: opts.sha ?? SHA }, { component: 'verify', toolVersion: '0.1.0', run: RUN, now: opts.now ?? NOW, ttlSeconds: 3600 }, inputs);
  const a = await signStatement(st, signer);
  return verifyArtifactBytes(bytesOf(a), 'receipt', { trust, predicateType: PredicateTypes.receipt, now: NOW });
}

describe('verifyChain', () => {
  it('links each artifact to the inputs it names', async () => {
    const inv = await verified('inventory');
    const rec = await receiptOf([inv]);
    const links = verifyChain([inv, rec]);
    expect(links[1]?.inputs.map((i) => i.digest)).toEqual([inv.digest]);
    expect(links[0]?.inputs).toEqual([]);
  });

  it('fails when an input is missing, about another commit, or newer than its consumer', async () => {
    const inv = await verified('inventory');
    const rec = await receiptOf([inv]);
    expect(codeOf(() => verifyChain([rec]))).toBe('ARTIFACT_NOT_FOUND');
    expect(verifyChain([rec], { requireInputs: false })[0]?.inputs).toEqual([]);
    const invOther = await verified('inventory', { sha: OTHER_SHA });
    const recOther = await receiptOf([invOther]);
    expect(codeOf(() => verifyChain([invOther, recOther]))).toBe('SUBJECT_MISMATCH');
    const early = await receiptOf([inv], { now: new Date(NOW.getTime() - 60_000) });
    expect(codeOf(() => verifyChain([inv, early]))).toBe('STATEMENT_INVALID');
  });
});
