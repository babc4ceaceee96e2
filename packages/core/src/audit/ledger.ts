/**
 * The audit ledger: appending verified artifacts as entries (one per artifact, with a signed
 * checkpoint per append), and verifying a ledger, streamed line by line, against its checkpoint
 * log and any checkpoint the verifier already trusts. Plain functions over lines and plain data;
 * where the lines live is a LedgerStore's business (store-local.ts, store-git.ts).
 *
 * Verification reports every problem it finds and points at the first bad entry: an edited entry
 * (its bytes no longer hash to its entryHash), a deleted one (a gap in seq and a broken prevHash),
 * two swapped (seq out of order), a truncated tail (fewer entries than a signed checkpoint
 * covers), a fork (two entries claiming one seq, or entries that disagree with a trusted
 * checkpoint). See docs/audit.md#verification.
 */
import { sha256Hex } from '../artifact/canonical.js';
import { PredicateTypes } from '../artifact/statement.js';
import type { SignatureTrust, VerifiedArtifact } from '../artifact/verify.js';
import { verifyBundleSignature } from '../artifact/verify.js';
import { verifyEvery } from '../artifact/handoff.js';
import { bundleFromJSON } from '@sigstore/bundle';
import { VerificationError } from '../errors.js';
import {
  checkOrigin,
  decodeCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
  type Checkpoint,
  type CheckpointTrust,
  type SignedCheckpoint,
} from './checkpoint.js';
import type { ArtifactSigner } from '../artifact/sign.js';
import { MerkleFrontier, emptyRange, isValidRange, type CompactRange, type Hash } from './merkle.js';
import {
  GENESIS_HASH,
  LEDGER_ENTRY_VERSION,
  decodeLine,
  encodeEntry,
  type LedgerArtifactKind,
  type LedgerCanarySummary,
  type LedgerDecisionSummary,
  type LedgerEntry,
  type LedgerEntryBody,
  type RekorRecord,
} from './model.js';
import { checkRekorRecord, rekorRecordOf } from './rekor.js';
import type { DecisionPredicate } from '../policy/decision-model.js';

// ---------------------------------------------------------------------------------------------
// Head and stores

/** What an appender needs to know about a ledger: O(log n) data, never the entries. */
export interface LedgerHead {
  origin: string;
  size: number;
  lastEntryHash: string;
  range: CompactRange;
  /** The checkpoint signed at the last append (absent for an empty ledger). */
  checkpoint?: SignedCheckpoint;
}

export function emptyHead(origin: string): LedgerHead {
  return { origin, size: 0, lastEntryHash: GENESIS_HASH, range: emptyRange() };
}

/** What one append writes. */
export interface LedgerAppend {
  lines: string[];
  entries: LedgerEntry[];
  checkpoint: SignedCheckpoint;
  head: LedgerHead;
}

/**
 * Where a ledger lives. `commit` runs `build` on the current head and stores its result
 * atomically; a store that can lose a race (git) runs `build` again on the new head.
 */
export interface LedgerStore {
  /** For messages: `ledger.jsonl`, `acme/payments@genops-audit`. */
  readonly description: string;
  readHead(): Promise<LedgerHead | undefined>;
  commit(build: (head: LedgerHead | undefined) => Promise<LedgerAppend>): Promise<LedgerAppend>;
  /** The entry lines, in order. */
  lines(): AsyncIterable<string>;
  /** The checkpoint log: one signed checkpoint (JSON) per append, in order. */
  checkpointLines(): AsyncIterable<string>;
  /**
   * The seq of the entry that records this artifact digest, if any: a re-run of the same job must
   * not record its artifacts again. The answer is read from the entry itself (an index is only a
   * pointer, checked against the entry it names), so a wrong index can cause a duplicate, never a
   * skipped artifact.
   */
  recordedSeq(digest: string): Promise<number | undefined>;
}

/** The head as stored (state.json): checked against its own checkpoint before it is used. */
export function parseHead(value: unknown, source: string): LedgerHead {
  const fail = (why: string): never => {
    throw new VerificationError('STATEMENT_INVALID', `${source}: the ledger state ${why}`, {
      file: source,
      hint: 'The state file was damaged or edited. Run `genops audit verify` on the ledger; the state can be rebuilt from a verified ledger.',
      docUrl: 'docs/audit.md#stores',
    });
  };
  if (typeof value !== 'object' || value === null) return fail('is not a JSON object');
  const v = value as Partial<LedgerHead>;
  if (typeof v.origin !== 'string' || typeof v.size !== 'number' || typeof v.lastEntryHash !== 'string' || v.range === undefined || !isValidRange(v.range)) {
    return fail('lacks origin, size, lastEntryHash or a valid compact range');
  }
  if (v.range.size !== v.size) return fail(`has a compact range of ${v.range.size} leaves for ${v.size} entries`);
  const head: LedgerHead = { origin: v.origin, size: v.size, lastEntryHash: v.lastEntryHash, range: v.range };
  if (v.size > 0) {
    if (v.checkpoint === undefined) return fail('has entries but no checkpoint');
    const { checkpoint } = decodeCheckpoint(v.checkpoint, `${source} (checkpoint)`);
    const root = new MerkleFrontier(v.range).root().toString('hex');
    if (checkpoint.size !== v.size || checkpoint.rootHash !== root || checkpoint.lastEntryHash !== v.lastEntryHash || checkpoint.origin !== v.origin) {
      return fail(`disagrees with its checkpoint (state: ${v.size} entries, root ${root}; checkpoint: ${checkpoint.size} entries, root ${checkpoint.rootHash})`);
    }
    head.checkpoint = v.checkpoint;
  }
  return head;
}

// ---------------------------------------------------------------------------------------------
// Building entries from verified artifacts

/** Facts about the release that are not in the artifacts: given by the workflow or the CLI. */
export interface AppendContext {
  actor?: string;
  approver?: string;
  ticket?: string;
  environment?: string;
  committedAt?: string;
}

const KIND_BY_TYPE: Readonly<Record<string, LedgerArtifactKind>> = {
  [PredicateTypes.evidence]: 'evidence',
  [PredicateTypes.risk]: 'risk',
  [PredicateTypes.decision]: 'decision',
  [PredicateTypes.canary]: 'canary',
};

/** The predicate types a ledger records. */
export const LEDGER_PREDICATE_TYPES: readonly string[] = Object.keys(KIND_BY_TYPE);

function decisionSummary(p: DecisionPredicate): LedgerDecisionSummary {
  const s: LedgerDecisionSummary = {
    decision: p.decision,
    key: p.key,
    environment: p.environment,
    evaluatedAt: p.change.evaluatedAt,
    policyBundleDigest: p.policy.bundleDigest,
    policySets: p.policy.sets.map((x) => x.name),
    counts: p.counts,
    exceptions: p.exceptions.applied.map((x) => ({ name: x.name, ticket: x.ticket, approvedBy: x.approvedBy, rules: x.excused ?? x.rules, expiresAt: x.expiresAt })),
  };
  if (p.requiredEnvironment !== undefined) s.requiredEnvironment = p.requiredEnvironment;
  if (p.risk !== undefined) s.risk = { score: p.risk.score, tier: p.risk.tier };
  if (p.breakGlass !== undefined) {
    const b = p.breakGlass;
    s.breakGlass = { by: b.by, source: b.source, reason: b.reason, overridden: b.overridden, grantedAt: b.grantedAt, ...(b.followUp === undefined ? {} : { followUp: b.followUp.url }) };
  }
  return s;
}

/**
 * The canary predicate (canary/v1, schema-checked on verification): its outcome, environment and
 * finishedAt; `completedAt` is still read for artifacts signed before the schema existed.
 */
function canarySummary(p: Record<string, unknown>): LedgerCanarySummary | undefined {
  const outcome = p['outcome'];
  if (outcome !== 'promoted' && outcome !== 'rolled-back' && outcome !== 'inconclusive') return undefined;
  const s: LedgerCanarySummary = { outcome };
  if (typeof p['environment'] === 'string') s.environment = p['environment'];
  const finished = p['finishedAt'] ?? p['completedAt'];
  if (typeof finished === 'string' && !Number.isNaN(Date.parse(finished))) s.finishedAt = finished;
  return s;
}

/** The body of the entry recording one verified artifact (seq, prevHash, origin filled by the caller). */
export function entryFields(a: VerifiedArtifact, ctx: AppendContext): Omit<LedgerEntryBody, 'v' | 'origin' | 'seq' | 'prevHash' | 'recordedAt'> {
  const kind = KIND_BY_TYPE[a.statement.predicateType];
  if (kind === undefined) {
    throw new VerificationError('PREDICATE_TYPE_MISMATCH', `${a.source}: a ${a.statement.predicateType} artifact is not recorded in the audit ledger`, {
      file: a.source,
      expected: LEDGER_PREDICATE_TYPES.join(', '),
      hint: 'Append the evidence, risk, decision and canary artifacts of the run.',
    });
  }
  const header = a.statement.predicate.header;
  const run = header.run;
  const gitSha = a.statement.subject.find((s) => s.digest.gitCommit !== undefined)?.digest.gitCommit ?? run.sha;
  const change: LedgerEntryBody['change'] = { repository: run.repository, gitSha, ref: run.ref, runId: run.runId, runAttempt: run.runAttempt, workflowRef: run.workflowRef, event: run.event };
  if (ctx.committedAt !== undefined) change.committedAt = ctx.committedAt;
  const rekor: RekorRecord | undefined = rekorRecordOf(a.bundle);
  const fields: ReturnType<typeof entryFields> = {
    artifact: { kind, predicateType: a.statement.predicateType, digest: a.digest, createdAt: header.createdAt, signer: a.signer, bundle: a.bundle, ...(rekor === undefined ? {} : { rekor }) },
    change,
    breakGlass: false,
    exception: false,
  };
  const actor = ctx.actor ?? run.actor;
  if (actor !== undefined) fields.actor = actor;
  if (kind === 'decision') {
    const d = a.statement.predicate as unknown as DecisionPredicate;
    const summary = decisionSummary(d);
    fields.decision = summary;
    fields.author = d.change.author;
    if (d.change.pullRequest !== undefined) change.pullRequest = d.change.pullRequest;
    fields.environment = ctx.environment ?? d.environment;
    fields.breakGlass = summary.breakGlass !== undefined;
    fields.exception = summary.exceptions.length > 0;
    const approver = ctx.approver ?? summary.breakGlass?.by;
    if (approver !== undefined) fields.approver = approver;
    const ticket = ctx.ticket ?? summary.exceptions[0]?.ticket;
    if (ticket !== undefined) fields.ticket = ticket;
    return fields;
  }
  if (kind === 'canary') {
    const c = canarySummary(a.statement.predicate);
    if (c !== undefined) fields.canary = c;
    const env = ctx.environment ?? c?.environment;
    if (env !== undefined) fields.environment = env;
  } else if (ctx.environment !== undefined) {
    fields.environment = ctx.environment;
  }
  if (ctx.approver !== undefined) fields.approver = ctx.approver;
  if (ctx.ticket !== undefined) fields.ticket = ctx.ticket;
  return fields;
}

export interface BuildAppendOptions {
  signer: ArtifactSigner;
  now: Date;
}

/**
 * Adds one entry per artifact on top of `head` and signs the new checkpoint. O(k log n) hashes
 * for k artifacts: the compact range is extended, never recomputed.
 */
export async function buildAppend(head: LedgerHead, artifacts: readonly VerifiedArtifact[], ctx: AppendContext, opts: BuildAppendOptions): Promise<LedgerAppend> {
  if (artifacts.length === 0) throw new VerificationError('ARTIFACT_NOT_FOUND', 'nothing to append: no artifacts were given', { hint: 'Pass the run\'s evidence, risk, decision and canary bundles.' });
  const frontier = new MerkleFrontier(head.range);
  const recordedAt = opts.now.toISOString();
  let prevHash = head.lastEntryHash;
  const lines: string[] = [];
  const entries: LedgerEntry[] = [];
  for (const a of artifacts) {
    const body: LedgerEntryBody = { v: LEDGER_ENTRY_VERSION, origin: head.origin, seq: head.size + entries.length, prevHash, recordedAt, ...entryFields(a, ctx) };
    const { line, entryHash } = encodeEntry(body);
    frontier.push(Buffer.from(entryHash, 'hex'));
    lines.push(line);
    entries.push({ ...body, entryHash });
    prevHash = entryHash;
  }
  const checkpoint: Checkpoint = { origin: head.origin, size: frontier.size, rootHash: frontier.root().toString('hex'), lastEntryHash: prevHash, issuedAt: recordedAt };
  const signed = await signCheckpoint(checkpoint, opts.signer);
  return { lines, entries, checkpoint: signed, head: { origin: head.origin, size: frontier.size, lastEntryHash: prevHash, range: frontier.toRange(), checkpoint: signed } };
}

export interface AppendOptions extends BuildAppendOptions {
  /** The ledger's origin, used when the store holds no ledger yet (and checked otherwise). */
  origin: string;
}

/** Appends verified artifacts to a store: one entry each, one signed checkpoint. */
export async function appendToLedger(store: LedgerStore, artifacts: readonly VerifiedArtifact[], ctx: AppendContext, opts: AppendOptions): Promise<LedgerAppend> {
  const originProblem = checkOrigin(opts.origin);
  if (originProblem !== undefined) throw new VerificationError('STATEMENT_INVALID', `ledger origin ${JSON.stringify(opts.origin)} is not valid: ${originProblem}`, { input: '--origin' });
  return store.commit(async (head) => {
    if (head !== undefined && head.origin !== opts.origin) {
      throw new VerificationError('SUBJECT_MISMATCH', `${store.description} is the ledger of ${head.origin}, not ${opts.origin}`, { expected: opts.origin, actual: head.origin, hint: 'Each ledger has one origin; pass the one it was created with (--origin), or use another ledger.' });
    }
    return buildAppend(head ?? emptyHead(opts.origin), artifacts, ctx, opts);
  });
}

/**
 * Verifies every artifact before anything is appended (fail closed). Each failure names the
 * artifact and why; all are reported in one error, coded as the first.
 */
export function verifyForLedger(files: readonly { source: string; bytes: Buffer }[], verify: (bytes: Buffer, source: string) => VerifiedArtifact): VerifiedArtifact[] {
  return verifyEvery(files, (f) => verify(f.bytes, f.source), LEDGER_VERIFY_OUTCOME);
}

/** How a failed verification before an append is reported. */
export const LEDGER_VERIFY_OUTCOME = { consequence: 'nothing was appended', hint: 'Every artifact of the run must verify before the ledger records any of them.' } as const;

// ---------------------------------------------------------------------------------------------
// Verification

export type LedgerProblemKind =
  | 'malformed'
  | 'wrong-origin'
  | 'edited'
  | 'chain-broken'
  | 'missing'
  | 'out-of-order'
  | 'forked'
  | 'artifact-mismatch'
  | 'artifact-signature'
  | 'rekor-invalid'
  | 'checkpoint-mismatch'
  | 'checkpoint-invalid'
  | 'truncated'
  | 'unanchored'
  | 'no-checkpoint';

export interface LedgerProblem {
  kind: LedgerProblemKind;
  /** The entry (seq) the problem is at, when it is at one. */
  seq?: number;
  /** 1-based line of the ledger file, when it is at one. */
  line?: number;
  message: string;
}

export interface LedgerVerifyOptions {
  /** Who may sign checkpoints. */
  checkpointTrust: CheckpointTrust;
  /** Expected origin; default: the first entry's. */
  origin?: string;
  /** The checkpoint log (one signed checkpoint per line). */
  checkpointLines?: AsyncIterable<string> | Iterable<string>;
  /**
   * The checkpoint the store anchors the ledger with (git: the one committed with the ref);
   * default: the last line of the checkpoint log.
   */
  latestCheckpoint?: unknown;
  /** Checkpoints the verifier trusts from elsewhere (an earlier verify, an attestation, another copy). */
  trustedCheckpoints?: readonly { source: string; stored: unknown }[];
  /** The number of entries the verifier knows the ledger has. */
  expectedSize?: number;
  /** When given, every artifact's signature is checked again (the entry's recordedAt is not used: signatures do not expire). */
  artifactTrust?: SignatureTrust;
  /**
   * A Sigstore trusted root: every recorded Rekor entry (keyless artifacts) is checked offline
   * against it (inclusion proof, signed log checkpoint; see rekor.ts).
   */
  rekorTrustedRoot?: unknown;
  /** Keep every leaf hash (for proofs). */
  keepLeaves?: boolean;
  /** Called with every entry that decoded (for replay and export); problems are still collected. */
  onEntry?: (entry: LedgerEntry) => void;
  /** Stop collecting after this many problems (default 50). */
  maxProblems?: number;
}

export interface LedgerVerifyReport {
  ok: boolean;
  origin?: string;
  size: number;
  rootHash: string;
  lastEntryHash: string;
  /** The checkpoint whose signature was checked and which covers the ledger. */
  checkpoint?: Checkpoint;
  /** All problems, the one at the earliest entry first. */
  problems: LedgerProblem[];
  artifactSignaturesChecked: number;
  checkpointsCompared: number;
  leaves?: Hash[];
}

interface CheckpointAt {
  source: string;
  checkpoint: Checkpoint;
  trusted: boolean;
}

/** Verifies a ledger streamed line by line; memory: the checkpoints, and O(log n) for the tree unless keepLeaves. */
export async function verifyLedger(lines: AsyncIterable<string> | Iterable<string>, opts: LedgerVerifyOptions): Promise<LedgerVerifyReport> {
  const maxProblems = opts.maxProblems ?? 50;
  const problems: LedgerProblem[] = [];
  const add = (p: LedgerProblem): void => {
    if (problems.length < maxProblems) problems.push(p);
  };

  // The checkpoint log first: it is small, and its sizes say where to compare roots.
  const logged: CheckpointAt[] = [];
  let lastLogged: unknown;
  let cpLine = 0;
  for await (const text of opts.checkpointLines ?? []) {
    cpLine++;
    if (text.trim() === '') continue;
    const source = `checkpoint log line ${cpLine}`;
    try {
      const stored: unknown = JSON.parse(text);
      logged.push({ source, checkpoint: decodeCheckpoint(stored, source).checkpoint, trusted: false });
      lastLogged = stored;
    } catch (e) {
      add({ kind: 'checkpoint-invalid', message: `${source} is not a signed checkpoint (${e instanceof Error ? e.message : String(e)})` });
    }
  }
  const trusted: CheckpointAt[] = [];
  for (const t of opts.trustedCheckpoints ?? []) {
    try {
      trusted.push({ source: t.source, checkpoint: verifyCheckpoint(t.stored, t.source, opts.checkpointTrust).checkpoint, trusted: true });
    } catch (e) {
      add({ kind: 'checkpoint-invalid', message: `trusted checkpoint ${t.source} does not verify (${e instanceof Error ? e.message : String(e)})` });
    }
  }
  const bySize = new Map<number, CheckpointAt[]>();
  for (const c of [...logged, ...trusted]) bySize.set(c.checkpoint.size, [...(bySize.get(c.checkpoint.size) ?? []), c]);
  const rootsAt = new Map<number, { root: string; lastEntryHash: string }>();

  const frontier = new MerkleFrontier();
  const leaves: Hash[] | undefined = opts.keepLeaves === true ? [] : undefined;
  let origin = opts.origin;
  let lineNo = 0;
  let expectedSeq = 0;
  let prevStored = GENESIS_HASH;
  let prevEntry: { seq: number; prevHash: string; line: number } | undefined;
  let artifactSignaturesChecked = 0;
  let checkpointsCompared = 0;

  const record = (): void => {
    const size = frontier.size;
    if (bySize.has(size)) rootsAt.set(size, { root: frontier.root().toString('hex'), lastEntryHash: prevStored });
  };
  record();

  for await (const raw of lines) {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' ) {
      add({ kind: 'malformed', seq: expectedSeq, line: lineNo, message: `line ${lineNo} is empty where entry ${expectedSeq} should be` });
      continue;
    }
    const decoded = decodeLine(line);
    if (!decoded.ok) {
      add({ kind: 'malformed', seq: decoded.seq ?? expectedSeq, line: lineNo, message: `line ${lineNo} (entry ${decoded.seq ?? expectedSeq}) ${decoded.reason}` });
      // Its bytes still take its place in the tree, so roots after it are compared as stored.
      const leaf = Buffer.from(sha256Hex(`\0${line}`), 'hex');
      frontier.push(leaf);
      leaves?.push(leaf);
      expectedSeq++;
      prevStored = 'unknown';
      prevEntry = undefined;
      record();
      continue;
    }
    const e = decoded.entry;
    origin ??= e.origin;
    const at = `entry ${e.seq} (line ${lineNo})`;
    if (e.origin !== origin) add({ kind: 'wrong-origin', seq: e.seq, line: lineNo, message: `${at} belongs to ledger ${JSON.stringify(e.origin)}, not ${JSON.stringify(origin)}` });
    if (e.seq !== expectedSeq) {
      if (prevEntry !== undefined && e.seq === prevEntry.seq && e.prevHash === prevEntry.prevHash) {
        add({ kind: 'forked', seq: e.seq, line: lineNo, message: `${at} is a second entry ${e.seq} on the same predecessor as line ${prevEntry.line}: the history forked there (two appenders wrote without compare-and-swap)` });
      } else if (e.seq > expectedSeq) {
        add({ kind: 'missing', seq: expectedSeq, line: lineNo, message: `entry ${expectedSeq}${e.seq - expectedSeq > 1 ? ` to ${e.seq - 1}` : ''} ${e.seq - expectedSeq > 1 ? 'are' : 'is'} missing: line ${lineNo} holds entry ${e.seq} where entry ${expectedSeq} should be` });
      } else {
        add({ kind: 'out-of-order', seq: expectedSeq, line: lineNo, message: `line ${lineNo} holds entry ${e.seq} where entry ${expectedSeq} should be: entries were reordered or repeated` });
      }
    }
    if (prevStored !== 'unknown' && e.prevHash !== prevStored) {
      add({ kind: 'chain-broken', seq: e.seq, line: lineNo, message: `${at} names ${e.prevHash.slice(0, 16)}… as its predecessor, but the entry before it hashes to ${prevStored.slice(0, 16)}…` });
    }
    if (decoded.computedHash !== decoded.storedHash) {
      add({ kind: 'edited', seq: e.seq, line: lineNo, message: `${at} was changed after it was written: its bytes hash to ${decoded.computedHash.slice(0, 16)}…, not its entryHash ${decoded.storedHash.slice(0, 16)}…` });
    }
    const artifactProblem = checkArtifactBinding(e);
    if (artifactProblem !== undefined) add({ kind: 'artifact-mismatch', seq: e.seq, line: lineNo, message: `${at}: ${artifactProblem}` });
    else if (opts.artifactTrust !== undefined) {
      try {
        verifyBundleSignature(bundleFromJSON(e.artifact.bundle), `${at} artifact sha256:${e.artifact.digest}`, opts.artifactTrust);
        artifactSignaturesChecked++;
      } catch (err) {
        add({ kind: 'artifact-signature', seq: e.seq, line: lineNo, message: `${at}: the recorded artifact does not verify (${err instanceof Error ? err.message : String(err)})` });
      }
    }
    if (opts.rekorTrustedRoot !== undefined && e.artifact.rekor !== undefined) {
      const rekor = checkRekorRecord(e, opts.rekorTrustedRoot);
      if (!rekor.ok) add({ kind: 'rekor-invalid', seq: e.seq, line: lineNo, message: `${at}: its Rekor record ${rekor.problem ?? 'does not verify'}` });
    }
    // The tree holds what is there, so a checkpoint comparison fails exactly where content changed.
    const leaf = Buffer.from(decoded.computedHash, 'hex');
    frontier.push(leaf);
    leaves?.push(leaf);
    opts.onEntry?.(e);
    prevStored = decoded.storedHash;
    prevEntry = { seq: e.seq, prevHash: e.prevHash, line: lineNo };
    expectedSeq = Math.max(expectedSeq, e.seq) + 1;
    record();
  }
  const size = frontier.size;
  const rootHash = frontier.root().toString('hex');

  // Every checkpoint of the log, and every trusted one, against the tree as stored.
  const sortedCps = [...logged, ...trusted].sort((a, b) => a.checkpoint.size - b.checkpoint.size);
  // Per source (the log, the trusted ones): the largest size that still matched.
  const lastGood = { logged: 0, trusted: 0 };
  const mismatched = { logged: false, trusted: false };
  // The checkpoint reaching furthest past the ledger's end says how much was cut off.
  let beyond: CheckpointAt | undefined;
  for (const c of sortedCps) {
    const cp = c.checkpoint;
    if (origin !== undefined && cp.origin !== origin) {
      add({ kind: 'checkpoint-invalid', message: `${c.source} is for ledger ${JSON.stringify(cp.origin)}, not ${JSON.stringify(origin)}` });
      continue;
    }
    if (cp.size > size) {
      if (beyond === undefined || cp.size >= beyond.checkpoint.size) beyond = c;
      continue;
    }
    const mine = rootsAt.get(cp.size);
    if (mine === undefined) continue;
    checkpointsCompared++;
    const kind = c.trusted ? 'trusted' : 'logged';
    if (mine.root === cp.rootHash) {
      lastGood[kind] = Math.max(lastGood[kind], cp.size);
      continue;
    }
    // Every later checkpoint of the same source differs too: the first one locates it.
    if (mismatched[kind]) continue;
    mismatched[kind] = true;
    const first = lastGood[kind];
    const where = cp.size - first === 1 ? `entry ${first}` : `entries ${first} to ${cp.size - 1}`;
    const lastDiffers = mine.lastEntryHash !== cp.lastEntryHash ? `; its entry ${cp.size - 1} is not the one the checkpoint names` : '';
    add({
      kind: c.trusted ? 'forked' : 'checkpoint-mismatch',
      seq: first,
      message: c.trusted
        ? `the ledger disagrees with the trusted ${c.source} at size ${cp.size}: ${where} differ from the history that checkpoint saw (a forked or rewritten history)${lastDiffers}`
        : `${c.source} (size ${cp.size}) does not match the entries: ${where} changed after that checkpoint was signed${lastDiffers}`,
    });
  }

  if (beyond !== undefined) {
    const over = beyond.checkpoint.size;
    add({ kind: 'truncated', seq: size, message: `${beyond.source} covers ${over} entries, but the ledger has ${size}: entr${over - size > 1 ? `ies ${size} to ${over - 1} were` : `y ${size} was`} removed from its end` });
  }

  // The checkpoint that vouches for the whole ledger: its signature is the one that matters.
  let verified: Checkpoint | undefined;
  const latest = opts.latestCheckpoint ?? lastLogged;
  if (latest === undefined) {
    if (size > 0) add({ kind: 'no-checkpoint', seq: 0, message: `no signed checkpoint covers the ${size} entries` });
  } else {
    try {
      verified = verifyCheckpoint(latest, 'latest checkpoint', opts.checkpointTrust).checkpoint;
      if (verified.size < size) {
        add({ kind: 'unanchored', seq: verified.size, message: `entries ${verified.size} to ${size - 1} were added after the latest signed checkpoint (size ${verified.size}): nothing vouches for them` });
      } else if (verified.size > size) {
        if (!problems.some((p) => p.kind === 'truncated')) add({ kind: 'truncated', seq: size, message: `the latest checkpoint covers ${verified.size} entries, but the ledger has ${size}: entries from ${size} on were removed` });
      } else if (verified.rootHash !== rootHash && !problems.some((p) => p.kind === 'checkpoint-mismatch')) {
        add({ kind: 'checkpoint-mismatch', message: `the latest checkpoint's root ${verified.rootHash.slice(0, 16)}… is not the ledger's root ${rootHash.slice(0, 16)}…` });
      }
      if (origin !== undefined && verified.origin !== origin) add({ kind: 'checkpoint-invalid', message: `the latest checkpoint is for ledger ${JSON.stringify(verified.origin)}, not ${JSON.stringify(origin)}` });
    } catch (e) {
      add({ kind: 'checkpoint-invalid', message: `the latest checkpoint does not verify: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  if (opts.expectedSize !== undefined && opts.expectedSize !== size) {
    add(
      opts.expectedSize > size
        ? { kind: 'truncated', seq: size, message: `the ledger has ${size} entries, ${opts.expectedSize - size} fewer than the ${opts.expectedSize} expected: entries from ${size} on are missing` }
        : { kind: 'unanchored', seq: opts.expectedSize, message: `the ledger has ${size} entries, more than the ${opts.expectedSize} expected` },
    );
  }

  // Problems at one entry (with a line) are the precise ones; checkpoint findings name ranges.
  const rank = (p: LedgerProblem): number => (p.line === undefined ? 1 : 0);
  problems.sort((a, b) => rank(a) - rank(b) || (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER));
  const report: LedgerVerifyReport = { ok: problems.length === 0 && verified !== undefined, size, rootHash, lastEntryHash: prevStored, problems, artifactSignaturesChecked, checkpointsCompared };
  if (size === 0 && latest === undefined) report.ok = problems.length === 0;
  if (origin !== undefined) report.origin = origin;
  if (verified !== undefined) report.checkpoint = verified;
  if (leaves !== undefined) report.leaves = leaves;
  return report;
}

/** The recorded digest must be the digest of the recorded bundle's payload. */
function checkArtifactBinding(e: LedgerEntry): string | undefined {
  const env = (e.artifact.bundle as { dsseEnvelope?: { payload?: unknown } }).dsseEnvelope;
  if (env === undefined || typeof env.payload !== 'string') return 'the recorded bundle has no DSSE payload';
  const digest = sha256Hex(Buffer.from(env.payload, 'base64'));
  if (digest !== e.artifact.digest) return `the recorded bundle's payload hashes to sha256:${digest}, not the recorded digest sha256:${e.artifact.digest}`;
  return undefined;
}

/** Throws a VerificationError naming the first bad entry, for callers that fail closed. */
export function assertLedgerOk(report: LedgerVerifyReport, source: string): void {
  if (report.ok) return;
  const first = report.problems[0];
  const message = first === undefined ? `${source}: no signed checkpoint verifies this ledger` : `${source}: ${first.message}`;
  const extra = report.problems.length > 1 ? ` (and ${report.problems.length - 1} more problem${report.problems.length > 2 ? 's' : ''})` : '';
  const code = first?.kind === 'checkpoint-invalid' ? 'SIGNATURE_INVALID' : first?.kind === 'artifact-signature' ? 'SIGNATURE_INVALID' : first?.kind === 'malformed' ? 'ARTIFACT_MALFORMED' : 'DIGEST_MISMATCH';
  throw new VerificationError(code, `${message}${extra}`, {
    file: source,
    ...(first?.line === undefined ? {} : { line: first.line }),
    hint: 'The ledger is not the one its checkpoints vouch for. Restore it from the store it is anchored in (the audit branch, attestations) and compare; see docs/audit.md#verification.',
    docUrl: 'docs/audit.md#verification',
  });
}
