/**
 * Change-management evidence from a verified ledger: one row per entry saying who changed what,
 * who approved it, which policies allowed it (and under which exceptions or break-glass), with the
 * artifact and entry hashes an auditor can check. JSON (an array of rows) or CSV (RFC 4180, with
 * cells that a spreadsheet would run as a formula neutralized).
 */
import type { LedgerEntry } from './model.js';

export interface AuditExportRow {
  seq: number;
  recordedAt: string;
  kind: string;
  repository: string;
  gitSha: string;
  pullRequest: number | null;
  ref: string | null;
  runId: string | null;
  environment: string | null;
  decision: string | null;
  gate: string | null;
  actor: string | null;
  author: string | null;
  approver: string | null;
  ticket: string | null;
  breakGlass: boolean;
  breakGlassBy: string | null;
  breakGlassReason: string | null;
  exception: boolean;
  exceptions: string;
  policyBundleDigest: string | null;
  policySets: string;
  riskScore: number | null;
  riskTier: string | null;
  canaryOutcome: string | null;
  signer: string;
  artifactDigest: string;
  entryHash: string;
}

export const EXPORT_COLUMNS: readonly (keyof AuditExportRow)[] = [
  'seq', 'recordedAt', 'kind', 'repository', 'gitSha', 'pullRequest', 'ref', 'runId', 'environment', 'decision', 'gate',
  'actor', 'author', 'approver', 'ticket', 'breakGlass', 'breakGlassBy', 'breakGlassReason', 'exception', 'exceptions',
  'policyBundleDigest', 'policySets', 'riskScore', 'riskTier', 'canaryOutcome', 'signer', 'artifactDigest', 'entryHash',
];

export function exportRow(e: LedgerEntry): AuditExportRow {
  const d = e.decision;
  const s = e.artifact.signer;
  return {
    seq: e.seq,
    recordedAt: e.recordedAt,
    kind: e.artifact.kind,
    repository: e.change.repository,
    gitSha: e.change.gitSha,
    pullRequest: e.change.pullRequest ?? null,
    ref: e.change.ref ?? null,
    runId: e.change.runId ?? null,
    environment: e.environment ?? null,
    decision: d?.decision ?? null,
    gate: d?.key ?? null,
    actor: e.actor ?? null,
    author: e.author ?? null,
    approver: e.approver ?? null,
    ticket: e.ticket ?? null,
    breakGlass: e.breakGlass,
    breakGlassBy: d?.breakGlass?.by ?? null,
    breakGlassReason: d?.breakGlass?.reason ?? null,
    exception: e.exception,
    exceptions: (d?.exceptions ?? []).map((x) => `${x.name} (${x.ticket}, approved by ${x.approvedBy})`).join('; '),
    policyBundleDigest: d?.policyBundleDigest ?? null,
    policySets: (d?.policySets ?? []).join('; '),
    riskScore: d?.risk?.score ?? null,
    riskTier: d?.risk?.tier ?? null,
    canaryOutcome: e.canary?.outcome ?? null,
    signer: s.mode === 'key' ? `key:${s.keyId ?? '?'}` : (s.identity ?? '?'),
    artifactDigest: `sha256:${e.artifact.digest}`,
    entryHash: e.entryHash,
  };
}

/** A CSV cell: quoted when needed; a leading = + - @ tab or CR gets a `'` so spreadsheets show it as text. */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(rows: readonly AuditExportRow[]): string {
  const lines = [EXPORT_COLUMNS.join(',')];
  for (const r of rows) lines.push(EXPORT_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function toJsonExport(rows: readonly AuditExportRow[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}
