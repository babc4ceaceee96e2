/**
 * Inclusion and consistency proofs for ledger entries, in a form a third party can check with
 * nothing but the proof file and the checkpoint signer's trust: the entry's hash, its index, the
 * audit path, and the signed checkpoint whose root the path must reach.
 */
import { VerificationError } from '../errors.js';
import { decodeCheckpoint, verifyCheckpoint, type CheckpointTrust, type SignedCheckpoint } from './checkpoint.js';
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion, type Hash } from './merkle.js';

export interface EntryInclusionProof {
  origin: string;
  seq: number;
  entryHash: string;
  treeSize: number;
  rootHash: string;
  /** RFC 6962 audit path, hex, leaf to root. */
  path: string[];
  /** The signed checkpoint for treeSize. */
  checkpoint: SignedCheckpoint;
}

/** Builds the proof for entry `seq` from the ledger's leaves, against a checkpoint of the ledger. */
export function proveInclusion(leaves: readonly Hash[], seq: number, checkpoint: SignedCheckpoint): EntryInclusionProof {
  const { checkpoint: cp } = decodeCheckpoint(checkpoint, 'checkpoint');
  if (!(Number.isSafeInteger(seq) && seq >= 0 && seq < cp.size)) {
    throw new VerificationError('ARTIFACT_NOT_FOUND', `entry ${seq} is not covered by the checkpoint (size ${cp.size})`, { hint: `Pass an entry from 0 to ${cp.size - 1}.` });
  }
  const leaf = leaves[seq] as Hash;
  return {
    origin: cp.origin,
    seq,
    entryHash: leaf.toString('hex'),
    treeSize: cp.size,
    rootHash: cp.rootHash,
    path: inclusionProof(leaves, seq, cp.size).map((h) => h.toString('hex')),
    checkpoint,
  };
}

/** Checks a proof: the checkpoint's signature, then that the path takes the entry hash to its root. */
export function verifyInclusionProof(proof: EntryInclusionProof, trust: CheckpointTrust, source = 'proof'): void {
  const { checkpoint } = verifyCheckpoint(proof.checkpoint, `${source} checkpoint`, trust);
  const fail = (why: string): never => {
    throw new VerificationError('DIGEST_MISMATCH', `${source}: ${why}`, { file: source, hint: 'The entry is not in the ledger the checkpoint vouches for.', docUrl: 'docs/audit.md#proofs' });
  };
  if (checkpoint.size !== proof.treeSize || checkpoint.rootHash !== proof.rootHash || checkpoint.origin !== proof.origin) fail('the proof names another tree than its signed checkpoint');
  const ok = verifyInclusion(Buffer.from(proof.entryHash, 'hex'), proof.seq, proof.treeSize, proof.path.map((h) => Buffer.from(h, 'hex')), Buffer.from(proof.rootHash, 'hex'));
  if (!ok) fail(`the audit path does not take entry ${proof.seq} to the checkpoint's root`);
}

export interface LedgerConsistencyProof {
  origin: string;
  oldSize: number;
  newSize: number;
  path: string[];
}

export function proveConsistency(leaves: readonly Hash[], origin: string, oldSize: number, newSize = leaves.length): LedgerConsistencyProof {
  return { origin, oldSize, newSize, path: consistencyProof(leaves, oldSize, newSize).map((h) => h.toString('hex')) };
}

/** Is the ledger of the old checkpoint a prefix of the ledger of the new one? Both signatures are checked. */
export function verifyConsistencyProof(proof: LedgerConsistencyProof, oldCp: SignedCheckpoint, newCp: SignedCheckpoint, trust: CheckpointTrust): boolean {
  const a = verifyCheckpoint(oldCp, 'old checkpoint', trust).checkpoint;
  const b = verifyCheckpoint(newCp, 'new checkpoint', trust).checkpoint;
  if (a.origin !== b.origin || a.size !== proof.oldSize || b.size !== proof.newSize) return false;
  return verifyConsistency(a.size, b.size, proof.path.map((h) => Buffer.from(h, 'hex')), Buffer.from(a.rootHash, 'hex'), Buffer.from(b.rootHash, 'hex'));
}
