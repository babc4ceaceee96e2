/** The verification receipt: a signed record that a job verified its upstream artifacts. */
import { buildHeader, buildStatement, PredicateTypes, type HeaderSpec, type Statement, type SubjectSpec } from './statement.js';
import type { VerifiedArtifact } from './verify.js';

export interface ReceiptEntry {
  name?: string;
  digest: string;
  predicateType: string;
  signer: { mode: 'key' | 'keyless'; keyId?: string; identity?: string; issuer?: string; tlogIndex?: string };
  verifiedAt: string;
}

export function buildReceipt(subject: SubjectSpec, header: Omit<HeaderSpec, 'inputs'>, verified: readonly VerifiedArtifact[]): Statement {
  const entries: ReceiptEntry[] = verified.map((v) => {
    const signer: ReceiptEntry['signer'] = { mode: v.signer.mode };
    if (v.signer.keyId !== undefined) signer.keyId = v.signer.keyId;
    if (v.signer.identity !== undefined) signer.identity = v.signer.identity;
    if (v.signer.issuer !== undefined) signer.issuer = v.signer.issuer;
    if (v.signer.tlogIndex !== undefined) signer.tlogIndex = v.signer.tlogIndex;
    return { name: v.source, digest: v.digest, predicateType: v.statement.predicateType, signer, verifiedAt: header.now.toISOString() };
  });
  return buildStatement(subject, PredicateTypes.receipt, {
    header: buildHeader({
      ...header,
      inputs: verified.map((v) => ({ name: v.source, predicateType: v.statement.predicateType, digest: { sha256: v.digest } })),
    }),
    verified: entries,
  });
}
