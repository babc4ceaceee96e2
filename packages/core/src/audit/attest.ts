/**
 * Publishing each decision's ledger record to GitHub's attestations API, through
 * `@actions/attest` (which signs keyless with the job's OIDC token and POSTs the bundle to
 * /repos/{owner}/{repo}/attestations). The attestation's subjects are the commit and the decision
 * artifact; its predicate is the ledger entry's summary with the checkpoint that covers it, so
 * `gh attestation verify` finds every decision and the tree head it was logged under, outside the
 * ledger's own storage (an anchor against truncation).
 *
 * Domain code may not import @actions/*: the caller passes `attest` in (the action layer does
 * `(await import('@actions/attest')).attest`). Needs `permissions: id-token: write` and
 * `attestations: write`.
 */
import { ConfigError, isGenopsError } from '../errors.js';
import type { SignedCheckpoint } from './checkpoint.js';
import type { LedgerEntry } from './model.js';

export const LEDGER_ATTESTATION_PREDICATE_TYPE = 'https://genops.dev/attestations/audit-entry/v1';

/** The options of @actions/attest's `attest` that we use (a structural copy: no import). */
export interface ActionsAttestOptions {
  subjects: { name: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: object;
  token: string;
  sigstore?: 'public-good' | 'github';
  skipWrite?: boolean;
}

export type ActionsAttestFn = (options: ActionsAttestOptions) => Promise<{ bundle: unknown; certificate: string; tlogID?: string; attestationID?: string }>;

export interface LedgerAttestation {
  seq: number;
  attestationId?: string;
  tlogId?: string;
}

export interface LedgerAttestor {
  attestDecision(entry: LedgerEntry, checkpoint: SignedCheckpoint): Promise<LedgerAttestation>;
}

/** What is attested for one decision entry (pure, so tests check it without OIDC). */
export function decisionAttestationRequest(entry: LedgerEntry, checkpoint: SignedCheckpoint): Omit<ActionsAttestOptions, 'token' | 'sigstore'> {
  if (entry.decision === undefined) throw new ConfigError('INPUT_INVALID', `entry ${entry.seq} is a ${entry.artifact.kind} entry; only decisions are attested`, { hint: 'Call attestDecision for decision entries.' });
  return {
    subjects: [
      { name: `git+${entry.change.repository}`, digest: { gitCommit: entry.change.gitSha } },
      { name: `genops-decision-${entry.decision.key}`, digest: { sha256: entry.artifact.digest } },
    ],
    predicateType: LEDGER_ATTESTATION_PREDICATE_TYPE,
    predicate: {
      ledger: { origin: entry.origin, seq: entry.seq, entryHash: entry.entryHash, recordedAt: entry.recordedAt },
      checkpoint: { note: checkpoint.note },
      decision: entry.decision,
      change: entry.change,
      ...(entry.actor === undefined ? {} : { actor: entry.actor }),
      ...(entry.approver === undefined ? {} : { approver: entry.approver }),
      ...(entry.ticket === undefined ? {} : { ticket: entry.ticket }),
      breakGlass: entry.breakGlass,
      exception: entry.exception,
    },
  };
}

/** Turns @actions/attest's plain Errors into errors that name the missing permission. */
export function explainAttestError(e: unknown): Error {
  if (isGenopsError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (/ACTIONS_ID_TOKEN_REQUEST_URL|id-token|OIDC/i.test(message)) {
    return new ConfigError('PERMISSION_MISSING', `cannot attest the decision: the job has no OIDC token (${message})`, {
      input: 'attest',
      expected: '`id-token: write` under `permissions:`',
      hint: 'Add to the job:\n\npermissions:\n  id-token: write\n  attestations: write\n\nFork pull requests never get an OIDC token; publish the ledger from a trusted workflow.',
      docUrl: 'docs/audit.md#attestations',
      cause: e,
    });
  }
  if (/Failed to persist attestation/.test(message)) {
    if (/not accessible|403|permission/i.test(message)) {
      return new ConfigError('PERMISSION_MISSING', `cannot store the attestation: the token lacks \`attestations: write\` (${message})`, {
        input: 'github-token',
        expected: '`attestations: write` under `permissions:`',
        hint: 'Add `attestations: write` to the job\'s permissions. Private repositories need a plan with artifact attestations.',
        docUrl: 'docs/audit.md#attestations',
        cause: e,
      });
    }
    return new ConfigError('API_UNAVAILABLE', `cannot store the attestation: ${message}`, { hint: 'Re-run the job later; the ledger entry itself was written.', cause: e });
  }
  return new ConfigError('SIGNING_UNAVAILABLE', `attesting the decision failed: ${message}`, { hint: 'Sigstore or GitHub could not be reached; re-run the job. The ledger entry itself was written.', cause: e });
}

export function actionsLedgerAttestor(attest: ActionsAttestFn, options: { token: string; sigstore?: 'public-good' | 'github' }): LedgerAttestor {
  return {
    async attestDecision(entry, checkpoint) {
      const request = decisionAttestationRequest(entry, checkpoint);
      try {
        const result = await attest({ ...request, token: options.token, ...(options.sigstore === undefined ? {} : { sigstore: options.sigstore }) });
        return { seq: entry.seq, ...(result.attestationID === undefined ? {} : { attestationId: result.attestationID }), ...(result.tlogID === undefined ? {} : { tlogId: result.tlogID }) };
      } catch (e) {
        throw explainAttestError(e);
      }
    },
  };
}
