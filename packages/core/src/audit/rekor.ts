/**
 * The scale-out anchor: a keyless artifact already has a Rekor entry. The ledger records its log
 * index, integrated time and inclusion proof, and this module checks them offline: the record
 * must be the bundle's own tlog entry; the inclusion proof must put the entry's canonicalized
 * body (an RFC 6962 leaf, the same hashing as the ledger's tree) under the proof's root; the
 * proof's checkpoint must be a signed note by a transparency log of the trusted root, for that
 * root and tree size. The whole bundle is then verified by @sigstore/verify (the SET, the body
 * against the signature, the certificate) through verifyBundleSignature.
 */
import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { bundleFromJSON, type SerializedBundle } from '@sigstore/bundle';
import { verifyBundleSignature } from '../artifact/verify.js';
import { leafHash, verifyInclusion } from './merkle.js';
import type { LedgerEntry, RekorRecord } from './model.js';

interface TlogEntryJson {
  logIndex?: string;
  logId?: { keyId?: string };
  integratedTime?: string;
  canonicalizedBody?: string;
  inclusionProof?: { logIndex?: string; rootHash?: string; treeSize?: string; hashes?: string[]; checkpoint?: { envelope?: string } };
}

function tlogEntryOf(bundle: SerializedBundle): TlogEntryJson | undefined {
  const entries = (bundle.verificationMaterial as { tlogEntries?: TlogEntryJson[] } | undefined)?.tlogEntries;
  return entries?.[0];
}

/** What the ledger records of a bundle's Rekor entry (undefined: key mode, no log entry). */
export function rekorRecordOf(bundle: SerializedBundle): RekorRecord | undefined {
  const t = tlogEntryOf(bundle);
  if (t?.logIndex === undefined || t.logId?.keyId === undefined || t.integratedTime === undefined) return undefined;
  const record: RekorRecord = {
    logIndex: t.logIndex,
    logId: Buffer.from(t.logId.keyId, 'base64').toString('hex'),
    integratedTime: t.integratedTime,
    integratedAt: new Date(Number(t.integratedTime) * 1000).toISOString(),
  };
  const p = t.inclusionProof;
  // Protobuf JSON leaves out default values: a missing logIndex is 0, missing hashes are none.
  // The proof's logIndex is the entry's index in its shard's tree, not the global log index.
  if (p?.rootHash !== undefined && p.treeSize !== undefined && p.checkpoint?.envelope !== undefined) {
    record.inclusionProof = { logIndex: p.logIndex ?? '0', treeSize: p.treeSize, rootHash: p.rootHash, hashes: p.hashes ?? [], checkpoint: p.checkpoint.envelope };
  }
  return record;
}

interface TrustedTlog {
  baseUrl: string;
  keyId: Buffer;
  publicKeyDer: Buffer;
}

function trustedTlogs(trustedRoot: unknown): TrustedTlog[] {
  const tlogs = (trustedRoot as { tlogs?: { baseUrl?: string; publicKey?: { rawBytes?: string }; logId?: { keyId?: string } }[] } | undefined)?.tlogs ?? [];
  return tlogs.flatMap((t) =>
    t.publicKey?.rawBytes === undefined || t.logId?.keyId === undefined
      ? []
      : [{ baseUrl: t.baseUrl ?? '', keyId: Buffer.from(t.logId.keyId, 'base64'), publicKeyDer: Buffer.from(t.publicKey.rawBytes, 'base64') }],
  );
}

/**
 * A transparency-dev signed note: body, blank line, `— <name> <base64(keyhint(4) || signature)>`
 * lines. Returns the body when one signature verifies under a trusted log whose key hint and
 * base URL match (the name is compared as a literal substring, as @sigstore/verify does).
 */
function verifySignedNote(envelope: string, tlogs: readonly TrustedTlog[]): string | undefined {
  const cut = envelope.indexOf('\n\n');
  if (cut < 0) return undefined;
  const body = envelope.slice(0, cut + 1);
  const sigLines = envelope.slice(cut + 2).split('\n').filter((l) => l !== '');
  for (const l of sigLines) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(l);
    if (m === null) continue;
    const [, name, b64] = m as unknown as [string, string, string];
    const raw = Buffer.from(b64, 'base64');
    if (raw.length < 5) continue;
    const hint = raw.subarray(0, 4);
    const tlog = tlogs.find((t) => t.keyId.subarray(0, 4).equals(hint) && t.baseUrl.includes(name));
    if (tlog === undefined) continue;
    const key = createPublicKey({ key: tlog.publicKeyDer, format: 'der', type: 'spki' });
    if (cryptoVerify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', Buffer.from(body, 'utf8'), key, raw.subarray(4))) return body;
  }
  return undefined;
}

export interface RekorCheck {
  ok: boolean;
  problem?: string;
}

/**
 * Checks an entry's recorded Rekor data offline against a trusted root (JSON trusted_root.json).
 * `fullBundle` also runs the Sigstore verification of the whole bundle (certificate, SCT, SET).
 */
export function checkRekorRecord(entry: LedgerEntry, trustedRoot: unknown, options: { fullBundle?: boolean } = {}): RekorCheck {
  const record = entry.artifact.rekor;
  if (record === undefined) return { ok: false, problem: 'records no Rekor entry (a key-mode artifact has none)' };
  const t = tlogEntryOf(entry.artifact.bundle);
  if (t === undefined) return { ok: false, problem: 'records a Rekor entry, but its bundle has none' };
  const fromBundle = rekorRecordOf(entry.artifact.bundle);
  if (fromBundle === undefined || fromBundle.logIndex !== record.logIndex || fromBundle.logId !== record.logId || fromBundle.integratedTime !== record.integratedTime) {
    return { ok: false, problem: 'records a log index, log id or integrated time that is not its bundle\'s' };
  }
  const p = record.inclusionProof;
  if (p === undefined) return { ok: false, problem: 'records no inclusion proof (only a promise): it cannot be checked offline against a log root' };
  const q = fromBundle.inclusionProof;
  const same = q !== undefined && p.logIndex === q.logIndex && p.treeSize === q.treeSize && p.rootHash === q.rootHash && p.checkpoint === q.checkpoint && p.hashes.length === q.hashes.length && p.hashes.every((h, i) => h === q.hashes[i]);
  if (!same) return { ok: false, problem: 'records an inclusion proof that is not its bundle\'s' };
  if (t.canonicalizedBody === undefined) return { ok: false, problem: 'has a tlog entry without its canonicalized body' };
  const leaf = leafHash(Buffer.from(t.canonicalizedBody, 'base64'));
  const root = Buffer.from(p.rootHash, 'base64');
  const included = verifyInclusion(leaf, Number(p.logIndex), Number(p.treeSize), p.hashes.map((h) => Buffer.from(h, 'base64')), root);
  if (!included) return { ok: false, problem: `has an inclusion proof that does not put the entry at index ${p.logIndex} of a tree of ${p.treeSize} with the recorded root` };
  const tlogs = trustedTlogs(trustedRoot);
  const tlog = tlogs.find((x) => x.keyId.equals(Buffer.from(record.logId, 'hex')));
  if (tlog === undefined) return { ok: false, problem: `was logged by ${record.logId.slice(0, 16)}…, a transparency log the trusted root does not list` };
  const body = verifySignedNote(p.checkpoint, tlogs);
  if (body === undefined) return { ok: false, problem: 'has a log checkpoint whose signature no trusted transparency log key verifies' };
  const lines = body.split('\n');
  if (lines[1] !== p.treeSize || lines[2] !== root.toString('base64')) return { ok: false, problem: 'has a log checkpoint for another tree size or root than its inclusion proof' };
  if (options.fullBundle === true) {
    try {
      verifyBundleSignature(bundleFromJSON(entry.artifact.bundle), `entry ${entry.seq}`, { mode: 'keyless', trustedRoot });
    } catch (e) {
      return { ok: false, problem: `does not verify against the trusted root: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  return { ok: true };
}

/** sha256 of a Rekor log's public key, hex: its log id. */
export function rekorLogId(publicKeyDer: Buffer): string {
  return createHash('sha256').update(publicKeyDer).digest('hex');
}
