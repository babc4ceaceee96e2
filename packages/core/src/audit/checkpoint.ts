/**
 * Signed checkpoints (tree heads) of the ledger, after the C2SP tlog-checkpoint format: the note
 * body is three lines, the origin, the tree size in decimal and the base64 root hash. Instead of a
 * signed-note signature line, the note travels in an in-toto statement signed with genops' own
 * signer (key mode ECDSA P-256, or keyless Fulcio + Rekor, which then also logs every checkpoint
 * in Rekor). The statement's subject is the root hash; its predicate repeats the note's fields and
 * adds the hash of the last entry and the signing time. docs/audit.md#checkpoints.
 */
import { bundleFromJSON, type SerializedBundle } from '@sigstore/bundle';
import { canonicalJson } from '../artifact/canonical.js';
import type { ArtifactSigner } from '../artifact/sign.js';
import { IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPE, type Statement } from '../artifact/statement.js';
import type { IdentityPolicy, SignerInfo } from '../artifact/trust.js';
import { identityMismatch, verifyBundleSignature, type SignatureTrust } from '../artifact/verify.js';
import { VerificationError } from '../errors.js';

export const CHECKPOINT_PREDICATE_TYPE = 'https://genops.dev/attestations/audit-checkpoint/v1';

export interface Checkpoint {
  origin: string;
  size: number;
  /** Merkle root, hex. */
  rootHash: string;
  /** entryHash of entry size-1 (GENESIS_HASH for an empty ledger). */
  lastEntryHash: string;
  issuedAt: string;
}

/** The stored form: one JSON line in the checkpoint log, or a `--checkpoint` file. */
export interface SignedCheckpoint {
  /** The C2SP note body, for people and tools that read checkpoints. */
  note: string;
  bundle: SerializedBundle;
}

export interface CheckpointPredicate extends Checkpoint {
  note: string;
}

const ORIGIN_RE = /^[\x21-\x7e][\x20-\x7e]*$/;

export function checkOrigin(origin: string): string | undefined {
  if (!ORIGIN_RE.test(origin) || origin.length > 200) return 'an origin is one line of printable ASCII (at most 200 characters), e.g. github.com/acme/payments/genops-audit';
  return undefined;
}

/** The C2SP checkpoint body: origin, size, base64 root, each ending in a newline. */
export function checkpointNote(cp: Pick<Checkpoint, 'origin' | 'size' | 'rootHash'>): string {
  return `${cp.origin}\n${cp.size}\n${Buffer.from(cp.rootHash, 'hex').toString('base64')}\n`;
}

export function parseCheckpointNote(note: string): { origin: string; size: number; rootHash: string } | undefined {
  const lines = note.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') return undefined;
  const [origin, sizeText, rootB64] = lines as [string, string, string];
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) return undefined;
  const root = Buffer.from(rootB64, 'base64');
  if (root.length !== 32 || root.toString('base64') !== rootB64) return undefined;
  return { origin, size: Number(sizeText), rootHash: root.toString('hex') };
}

export function checkpointStatement(cp: Checkpoint): Statement<CheckpointPredicate> {
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: cp.origin, digest: { sha256: cp.rootHash } }],
    predicateType: CHECKPOINT_PREDICATE_TYPE,
    predicate: { ...cp, note: checkpointNote(cp) },
  };
}

export async function signCheckpoint(cp: Checkpoint, signer: ArtifactSigner): Promise<SignedCheckpoint> {
  const statement = checkpointStatement(cp);
  const bundle = await signer.sign(Buffer.from(canonicalJson(statement), 'utf8'));
  return { note: statement.predicate.note, bundle };
}

/** Who may sign checkpoints: pinned keys, or a trusted root plus an exact workflow identity. */
export type CheckpointTrust = Extract<SignatureTrust, { mode: 'key' }> | (Extract<SignatureTrust, { mode: 'keyless' }> & { identity: IdentityPolicy });

export interface VerifiedCheckpoint {
  checkpoint: Checkpoint;
  signer: SignerInfo;
}

function bad(source: string, message: string, hint: string, code: 'SIGNATURE_INVALID' | 'STATEMENT_INVALID' | 'IDENTITY_MISMATCH' = 'STATEMENT_INVALID', cause?: unknown): never {
  throw new VerificationError(code, `${source}: ${message}`, { file: source, hint, docUrl: 'docs/audit.md#checkpoints', ...(cause === undefined ? {} : { cause }) });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Decodes a stored checkpoint without checking its signature (for comparing roots in bulk; the
 * signature of the one that vouches for the ledger is checked by verifyCheckpoint).
 */
export function decodeCheckpoint(stored: unknown, source: string): { checkpoint: Checkpoint; bundle: SerializedBundle; payload: string } {
  if (!isRecord(stored) || typeof stored['note'] !== 'string' || !isRecord(stored['bundle'])) {
    bad(source, 'is not a signed checkpoint ({ note, bundle })', 'Pass a checkpoint written by genops audit append (a line of the .checkpoints.jsonl file).');
  }
  const bundle = stored['bundle'] as unknown as SerializedBundle;
  const env = (bundle as { dsseEnvelope?: { payload?: unknown; payloadType?: unknown } }).dsseEnvelope;
  if (env === undefined || typeof env.payload !== 'string' || env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    bad(source, 'has no in-toto DSSE envelope', 'The checkpoint file is damaged or is not a genops checkpoint.');
  }
  const payload = Buffer.from(env.payload, 'base64').toString('utf8');
  let st: unknown;
  try {
    st = JSON.parse(payload);
  } catch (e) {
    bad(source, 'has a signed payload that is not JSON', 'The checkpoint file is damaged.', 'STATEMENT_INVALID', e);
  }
  if (!isRecord(st) || st['_type'] !== STATEMENT_TYPE || st['predicateType'] !== CHECKPOINT_PREDICATE_TYPE || !isRecord(st['predicate'])) {
    bad(source, `is not a ${CHECKPOINT_PREDICATE_TYPE} statement`, 'Pass a genops ledger checkpoint.');
  }
  const p = st['predicate'];
  const parsed = typeof p['note'] === 'string' ? parseCheckpointNote(p['note']) : undefined;
  if (
    parsed === undefined ||
    p['note'] !== stored['note'] ||
    p['origin'] !== parsed.origin ||
    p['size'] !== parsed.size ||
    p['rootHash'] !== parsed.rootHash ||
    typeof p['lastEntryHash'] !== 'string' ||
    typeof p['issuedAt'] !== 'string'
  ) {
    bad(source, 'has a note that disagrees with its signed fields', 'The checkpoint was edited after signing; take it from the store again.');
  }
  const checkpoint: Checkpoint = { origin: parsed.origin, size: parsed.size, rootHash: parsed.rootHash, lastEntryHash: p['lastEntryHash'], issuedAt: p['issuedAt'] };
  return { checkpoint, bundle, payload };
}

function checkIdentity(signer: SignerInfo, want: IdentityPolicy, source: string): void {
  const m = identityMismatch(signer, want);
  if (m !== undefined) {
    throw new VerificationError('IDENTITY_MISMATCH', `${source}: checkpoint signed by a different ${m.what}`, { file: source, expected: m.expected, actual: m.actual ?? '(none)', hint: 'Only the workflow that writes the ledger may sign its checkpoints.' });
  }
}

/** Checks a stored checkpoint's signature and form; returns what it vouches for. */
export function verifyCheckpoint(stored: unknown, source: string, trust: CheckpointTrust): VerifiedCheckpoint {
  const { checkpoint, bundle } = decodeCheckpoint(stored, source);
  let parsedBundle;
  try {
    parsedBundle = bundleFromJSON(bundle);
  } catch (e) {
    bad(source, `has an invalid Sigstore bundle (${e instanceof Error ? e.message : String(e)})`, 'The checkpoint file is damaged.', 'STATEMENT_INVALID', e);
  }
  const { signer } = verifyBundleSignature(parsedBundle, source, trust);
  if (trust.mode === 'keyless') checkIdentity(signer, trust.identity, source);
  return { checkpoint, signer };
}
