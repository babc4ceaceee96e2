import type { VerifiedArtifact } from '../artifact/verify.js';
import { mdCode, mdTableCell } from './escape.js';

/** A job-summary table of verified artifacts. Every field is escaped: paths and identities are untrusted. */
export function renderVerifiedTable(verified: readonly VerifiedArtifact[]): string {
  const rows = verified.map((v) => {
    const who = v.signer.mode === 'key' ? `key ${mdCode((v.signer.keyId ?? '').slice(0, 16))}` : `${mdTableCell(v.signer.identity ?? '?')}${v.signer.tlogIndex === undefined ? '' : ` (Rekor #${mdTableCell(v.signer.tlogIndex)})`}`;
    const subject = v.statement.subject.map((s) => mdCode(s.digest.gitCommit?.slice(0, 12) ?? `sha256:${(s.digest.sha256 ?? '').slice(0, 12)}`)).join(' ');
    return `| ${mdCode(v.source)} | ${mdTableCell(v.statement.predicateType)} | ${subject} | ${who} | ${mdCode(`sha256:${v.digest.slice(0, 16)}…`)} | ${mdTableCell(v.statement.predicate.header.expiresAt)} |`;
  });
  return [
    `### :white_check_mark: ${verified.length} upstream artifact(s) verified`,
    '',
    '| Artifact | Predicate type | Subject | Signed by | Digest | Valid until |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
