// fixtures/audit (made by fixtures/audit/generate.ts with a seeded key): it verifies with its
// public key and against its trusted checkpoint, and its DORA figures are the ones worked out by
// hand from the times in generate.ts.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadPublicKey } from '../../src/artifact/keys.js';
import { verifyLedger } from '../../src/audit/ledger.js';
import { localLedgerStore } from '../../src/audit/store-local.js';
import { computeDora } from '../../src/audit/dora.js';
import type { LedgerEntry } from '../../src/audit/model.js';
import { seededKeyPair } from '../../../../fixtures/audit/seeded-key.js';
import { FIXTURE_ORIGIN, FIXTURE_SEED } from '../../../../fixtures/audit/generate.js';

const dir = fileURLToPath(new URL('../../../../fixtures/audit/', import.meta.url));
const pub = readFileSync(join(dir, 'signing.pub'), 'utf8');

describe('fixtures/audit', () => {
  it('is signed by the seeded key', () => {
    expect(seededKeyPair(FIXTURE_SEED).publicKeyPem).toBe(pub);
  });

  it('verifies, also against the trusted checkpoint kept from after the first change', async () => {
    const store = localLedgerStore(join(dir, 'ledger.jsonl'));
    const entries: LedgerEntry[] = [];
    const r = await verifyLedger(store.lines(), {
      checkpointTrust: { mode: 'key', keys: [loadPublicKey(pub, 'signing.pub')] },
      checkpointLines: store.checkpointLines(),
      trustedCheckpoints: [{ source: 'trusted-checkpoint.json', stored: JSON.parse(readFileSync(join(dir, 'trusted-checkpoint.json'), 'utf8')) }],
      artifactTrust: { mode: 'key', keys: [loadPublicKey(pub, 'signing.pub')] },
      onEntry: (e) => entries.push(e),
    });
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ ok: true, size: 8, origin: FIXTURE_ORIGIN, artifactSignaturesChecked: 8 });
    expect(entries.filter((e) => e.breakGlass).map((e) => [e.seq, e.approver, e.ticket])).toEqual([[4, 'sre-oncall', 'INC-311']]);

    const dora = computeDora(entries, { environment: 'production' });
    expect(dora.deployments.map((d) => [d.gitSha.slice(0, 2), d.outcome])).toEqual([['a1', 'success'], ['b2', 'failed'], ['c3', 'success']]);
    // a: committed 08:10, canary done 09:52 -> 102 min; c: 09:15 -> 10:11, 56 min; median 79 min.
    expect(dora.leadTimeMedianSeconds).toBe(79 * 60);
    // b: let out at 14:05:05 (break-glass decision recorded), rolled back at 14:14:00.
    expect(dora.timeToRestoreMedianSeconds).toBe(8 * 60 + 55);
    expect(dora.changeFailureRate).toBeCloseTo(1 / 3, 12);
  });
});
