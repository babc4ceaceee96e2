/**
 * The audit ledger's data model (docs/audit.md): one entry per verified artifact, written as one
 * JSON line `{"entryHash":"<hex>","entry":<RFC 8785 canonical entry>}`. The entry hash is the
 * entry's RFC 6962 Merkle leaf hash, SHA-256(0x00 || the exact bytes of the `entry` member), and
 * the next entry names it as `prevHash`: the hash chain and the Merkle tree share one hash, and
 * verification hashes the stored bytes without re-serializing them.
 */
import { createHash } from 'node:crypto';
import type { SerializedBundle } from '@sigstore/bundle';
import { canonicalJson } from '../artifact/canonical.js';
import type { SignerInfo } from '../artifact/trust.js';

const LEAF_BYTE = Buffer.from([0x00]);

export const LEDGER_ENTRY_VERSION = 1;
/** prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export type LedgerArtifactKind = 'evidence' | 'risk' | 'decision' | 'canary';

/** A Rekor (transparency log) entry of a keyless artifact, as recorded at append time. */
export interface RekorRecord {
  logIndex: string;
  /** Log id (sha256 of the log's public key), hex. */
  logId: string;
  /** Seconds since the epoch, as Rekor stamped it, and the same as ISO 8601. */
  integratedTime: string;
  integratedAt: string;
  /** The inclusion proof Rekor returned: root and hashes base64, as in the bundle. */
  inclusionProof?: { logIndex: string; treeSize: string; rootHash: string; hashes: string[]; checkpoint: string };
}

export interface LedgerArtifact {
  kind: LedgerArtifactKind;
  predicateType: string;
  /** sha256 hex of the signed payload (the canonical statement): the artifact digest. */
  digest: string;
  createdAt: string;
  signer: SignerInfo;
  /** The Sigstore bundle as verified, unchanged. */
  bundle: SerializedBundle;
  rekor?: RekorRecord;
}

export interface LedgerChange {
  repository: string;
  gitSha: string;
  ref?: string;
  pullRequest?: number;
  runId?: string;
  runAttempt?: number;
  workflowRef?: string;
  event?: string;
  /** When the change was committed (given by the appender); lead time starts here when present. */
  committedAt?: string;
}

/** What a decision artifact decided, and under which policies, exceptions and overrides. */
export interface LedgerDecisionSummary {
  decision: string;
  key: string;
  environment: string;
  requiredEnvironment?: string;
  evaluatedAt: string;
  policyBundleDigest: string;
  policySets: string[];
  counts: { pass: number; violated: number; excepted: number; error: number; skipped: number };
  risk?: { score: number; tier: string };
  breakGlass?: { by: string; source: string; reason: string; overridden: string; grantedAt: string; followUp?: string };
  exceptions: { name: string; ticket: string; approvedBy: string; rules: string[]; expiresAt: string }[];
}

/** What a canary artifact reported (read by field name: see docs/audit.md). */
export interface LedgerCanarySummary {
  outcome: 'promoted' | 'rolled-back' | 'inconclusive';
  environment?: string;
  finishedAt?: string;
}

export interface LedgerEntryBody {
  v: typeof LEDGER_ENTRY_VERSION;
  /** The ledger's origin (checkpoint origin line): an entry names the ledger it belongs to. */
  origin: string;
  seq: number;
  prevHash: string;
  recordedAt: string;
  artifact: LedgerArtifact;
  change: LedgerChange;
  /** Who ran the workflow that produced the artifact (or who appended it). */
  actor?: string;
  /** Who wrote the change (the decision's change.author). */
  author?: string;
  /** Who approved the release (environment reviewer, break-glass approver). */
  approver?: string;
  ticket?: string;
  environment?: string;
  decision?: LedgerDecisionSummary;
  canary?: LedgerCanarySummary;
  breakGlass: boolean;
  exception: boolean;
}

export interface LedgerEntry extends LedgerEntryBody {
  entryHash: string;
}

const LINE_PREFIX = '{"entryHash":"';
const LINE_MIDDLE = '","entry":';
const BODY_OFFSET = LINE_PREFIX.length + 64 + LINE_MIDDLE.length;

export function entryHashOf(bodyJson: string): string {
  // leafHash over the UTF-8 bytes, hashed straight from the string (no Buffer copy).
  return createHash('sha256').update(LEAF_BYTE).update(bodyJson, 'utf8').digest('hex');
}

/** Serializes an entry body as its ledger line (no newline) and returns its hash. */
export function encodeEntry(body: LedgerEntryBody): { line: string; entryHash: string } {
  const json = canonicalJson(body);
  const entryHash = entryHashOf(json);
  return { line: `${LINE_PREFIX}${entryHash}${LINE_MIDDLE}${json}}`, entryHash };
}

export type DecodedLine =
  | { ok: true; entry: LedgerEntry; storedHash: string; computedHash: string }
  | { ok: false; reason: string; seq?: number };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Field-level checks of a parsed entry; returns the first problem. */
function entryProblem(e: Record<string, unknown>): string | undefined {
  if (e['v'] !== LEDGER_ENTRY_VERSION) return `entry version ${JSON.stringify(e['v'])} is not ${LEDGER_ENTRY_VERSION}`;
  if (typeof e['origin'] !== 'string' || e['origin'] === '') return 'origin is missing';
  if (!Number.isSafeInteger(e['seq']) || (e['seq'] as number) < 0) return 'seq is not a non-negative integer';
  if (typeof e['prevHash'] !== 'string' || !HEX64.test(e['prevHash'])) return 'prevHash is not a sha256 hex';
  if (typeof e['recordedAt'] !== 'string' || Number.isNaN(Date.parse(e['recordedAt']))) return 'recordedAt is not a timestamp';
  if (typeof e['breakGlass'] !== 'boolean' || typeof e['exception'] !== 'boolean') return 'breakGlass / exception flags are missing';
  const a = e['artifact'];
  if (!isRecord(a)) return 'artifact is missing';
  if (typeof a['digest'] !== 'string' || !HEX64.test(a['digest'])) return 'artifact.digest is not a sha256 hex';
  if (typeof a['predicateType'] !== 'string' || typeof a['kind'] !== 'string') return 'artifact.kind / predicateType missing';
  if (!isRecord(a['bundle'])) return 'artifact.bundle is missing';
  const c = e['change'];
  if (!isRecord(c) || typeof c['repository'] !== 'string' || typeof c['gitSha'] !== 'string') return 'change.repository / change.gitSha missing';
  return undefined;
}

/**
 * Parses one ledger line and recomputes its hash from the stored bytes of its `entry` member.
 * Does not judge the chain (that needs the previous entry): see ledger.ts.
 */
export function decodeLine(line: string): DecodedLine {
  if (!line.startsWith(LINE_PREFIX) || line.slice(LINE_PREFIX.length + 64, BODY_OFFSET) !== LINE_MIDDLE || !line.endsWith('}')) {
    return { ok: false, reason: 'is not a ledger line ({"entryHash":"<64 hex>","entry":{...}})' };
  }
  const storedHash = line.slice(LINE_PREFIX.length, LINE_PREFIX.length + 64);
  const bodyJson = line.slice(BODY_OFFSET, -1);
  let body: unknown;
  try {
    body = JSON.parse(bodyJson);
  } catch (e) {
    return { ok: false, reason: `has an entry that is not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!isRecord(body)) return { ok: false, reason: 'has an entry that is not a JSON object' };
  const problem = entryProblem(body);
  const seq = Number.isSafeInteger(body['seq']) ? (body['seq'] as number) : undefined;
  if (problem !== undefined) return { ok: false, reason: `has a malformed entry: ${problem}`, ...(seq === undefined ? {} : { seq }) };
  if (!HEX64.test(storedHash)) return { ok: false, reason: 'has an entryHash that is not a sha256 hex', ...(seq === undefined ? {} : { seq }) };
  const computedHash = entryHashOf(bodyJson);
  return { ok: true, entry: { ...(body as unknown as LedgerEntryBody), entryHash: storedHash }, storedHash, computedHash };
}

/** The entry without its hash: what was hashed. */
export function entryBody(entry: LedgerEntry): LedgerEntryBody {
  const { entryHash: _h, ...body } = entry;
  return body;
}

/** Splits ledger text into lines, keeping 1-based line numbers; a final newline ends the last line. */
export function splitLedgerLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
