// The @actions/attest wrapper: what it asks @actions/attest to attest, and how its errors become
// errors that name the missing permission. @actions/attest itself needs the runner's OIDC token and
// the network, so it is replaced by a fake with its signature; its real messages are used.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { testKey, type TestKey } from '@genops/testkit';
import { actionsLedgerAttestor, decisionAttestationRequest, LEDGER_ATTESTATION_PREDICATE_TYPE, type ActionsAttestOptions } from '../../src/audit/attest.js';
import { appendToLedger, type LedgerAppend } from '../../src/audit/ledger.js';
import { localLedgerStore } from '../../src/audit/store-local.js';
import { decisionArtifact, ORIGIN, sha, T0, tempDir } from './helpers.js';

let key: TestKey;
let tmp: { dir: string; done: () => Promise<void> };
let appended: LedgerAppend;
beforeEach(async () => {
  key = testKey();
  tmp = await tempDir();
  const store = localLedgerStore(join(tmp.dir, 'ledger.jsonl'));
  appended = await appendToLedger(store, [await decisionArtifact(key, { sha: sha(5), key: 'deploy-production' })], { approver: 'ops-lead' }, { signer: key.signer, now: T0, origin: ORIGIN });
});
afterEach(async () => tmp.done());

describe('decision attestations', () => {
  it('attests the commit and the decision artifact, with the entry and the checkpoint that covers it', async () => {
    const calls: ActionsAttestOptions[] = [];
    const attestor = actionsLedgerAttestor(async (o) => {
      calls.push(o);
      return { bundle: {}, certificate: 'PEM', tlogID: '123', attestationID: '456' };
    }, { token: 'ghs_x' });
    const entry = appended.entries[0]!;
    expect(await attestor.attestDecision(entry, appended.checkpoint)).toEqual({ seq: 0, attestationId: '456', tlogId: '123' });
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.token).toBe('ghs_x');
    expect(call.predicateType).toBe(LEDGER_ATTESTATION_PREDICATE_TYPE);
    expect(call.subjects).toEqual([
      { name: 'git+acme/payments', digest: { gitCommit: sha(5) } },
      { name: 'genops-decision-deploy-production', digest: { sha256: entry.artifact.digest } },
    ]);
    expect(call.predicate).toMatchObject({
      ledger: { origin: ORIGIN, seq: 0, entryHash: entry.entryHash },
      checkpoint: { note: appended.checkpoint.note },
      approver: 'ops-lead',
      decision: { key: 'deploy-production' },
    });
  });

  it('only decisions are attested', () => {
    const { decision: _d, ...notDecision } = appended.entries[0]!;
    expect(() => decisionAttestationRequest(notDecision as never, appended.checkpoint)).toThrow(/only decisions are attested/);
  });

  it.each([
    ['Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable', 'PERMISSION_MISSING', 'id-token: write'],
    ['Failed to persist attestation: Resource not accessible by integration - https://docs.github.com/rest', 'PERMISSION_MISSING', 'attestations: write'],
    ['Failed to persist attestation: Internal Server Error', 'API_UNAVAILABLE', 'Re-run'],
    ['getaddrinfo ENOTFOUND fulcio.sigstore.dev', 'SIGNING_UNAVAILABLE', 're-run the job'],
  ])('%s -> %s', async (message, code, hint) => {
    const attestor = actionsLedgerAttestor(() => Promise.reject(new Error(message)), { token: 't' });
    let err: any;
    try {
      await attestor.attestDecision(appended.entries[0]!, appended.checkpoint);
    } catch (e) {
      err = e;
    }
    expect(err.code).toBe(code);
    expect(err.details.hint).toContain(hint);
  });
});
