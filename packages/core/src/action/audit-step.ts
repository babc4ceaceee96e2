/**
 * The `audit-publish` action: verify every artifact of the run (fail closed: one bad artifact and
 * nothing is appended, with each failing artifact named), append one ledger entry per artifact
 * to the chosen store (a `genops-audit` branch through the Git Data API, retried on a lost
 * compare-and-swap, or a local file), sign the new checkpoint, and optionally attest each
 * decision entry through GitHub's attestations API. docs/audit.md#the-audit-publish-action.
 *
 * Which artifacts a ledger records is LEDGER_PREDICATE_TYPES (evidence, risk, decision, canary):
 * every kind goes through the same verification, so a new kind needs no code here.
 */
import { isAbsolute, join } from 'node:path';
import type { VerifiedArtifact } from '../artifact/verify.js';
import { decodeCheckpoint } from '../audit/checkpoint.js';
import { actionsLedgerAttestor, type ActionsAttestFn, type LedgerAttestation } from '../audit/attest.js';
import { appendToLedger, LEDGER_PREDICATE_TYPES, LEDGER_VERIFY_OUTCOME, type AppendContext, type LedgerAppend, type LedgerHead } from '../audit/ledger.js';
import type { LedgerArtifactKind, LedgerEntry } from '../audit/model.js';
import { gitLedgerStore } from '../audit/store-git.js';
import { localLedgerStore } from '../audit/store-local.js';
import { ConfigError } from '../errors.js';
import type { GitHubClient } from '../github/client.js';
import { mdCode, mdTableCell, mdText } from '../report/escape.js';
import { boolInput, enumInput, InputProblems, intInput, type RawInputs } from './inputs.js';
import { maskSecret, type ActionRuntime } from './runtime.js';
import { parseSigningInputs, SIGNING_INPUTS } from './signing-inputs.js';
import { parseVerificationInputs, VERIFICATION_INPUTS, verifyUpstream, type VerifyDeps } from './verification.js';

/** Every ledger kind is accepted: predicate-type is fixed here, not an input. */
const UPSTREAM_INPUTS = VERIFICATION_INPUTS.filter((n) => n !== 'predicate-type');

export const AUDIT_STEP_INPUTS = [
  ...UPSTREAM_INPUTS,
  'store',
  'branch',
  'store-repository',
  'ledger-dir',
  'ledger-path',
  'origin',
  'max-attempts',
  'attest',
  'approver',
  'ticket',
  'environment',
  'committed-at',
  'github-token',
  ...SIGNING_INPUTS,
] as const;

export const AUDIT_STEP_OUTPUTS = ['entries', 'first-seq', 'last-seq', 'checkpoint-size', 'checkpoint-root', 'ledger-ref', 'ledger-path', 'attestations'] as const;

export type AuditStoreKind = 'git' | 'local';
const STORE_KINDS: readonly AuditStoreKind[] = ['git', 'local'];
const KIND_ORDER: readonly LedgerArtifactKind[] = ['evidence', 'risk', 'decision', 'canary'];
const BRANCH = /^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$)[A-Za-z0-9._/-]{1,200}$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export interface AuditDeps extends VerifyDeps {
  github: (token: string) => GitHubClient;
  /** The workspace a relative ledger-path is resolved against (GITHUB_WORKSPACE). */
  workspace: string;
  /** @actions/attest's attest (loaded only when attest is true); tests inject a fake. */
  attest?: ActionsAttestFn;
  /** Backoff between lost compare-and-swap rounds; injected so tests need no real time. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

interface AuditConfig {
  store: AuditStoreKind;
  branch: string;
  repository: { owner: string; repo: string };
  ledgerDir: string;
  ledgerPath: string;
  origin: string;
  maxAttempts: number;
  attest: boolean;
  context: AppendContext;
  token: string;
}

function parseAuditInputs(raw: RawInputs, problems: InputProblems, deps: AuditDeps): AuditConfig {
  const store = enumInput(raw, 'store', STORE_KINDS, 'git', problems);
  const branch = raw('branch') || 'genops-audit';
  if (!BRANCH.test(branch)) problems.add('branch', `is ${JSON.stringify(branch.slice(0, 80))}`, 'a branch name such as genops-audit');
  const repoName = raw('store-repository') || deps.context.repository.fullName;
  if (!REPOSITORY.test(repoName)) problems.add('store-repository', `is ${JSON.stringify(repoName.slice(0, 80))}`, 'owner/repo');
  const [owner = '', repo = ''] = repoName.split('/');
  const ledgerDir = (raw('ledger-dir') || 'ledger').replace(/^\/+|\/+$/g, '');
  if (ledgerDir === '' || ledgerDir.split('/').some((p) => p === '..' || p === '.')) problems.add('ledger-dir', `is ${JSON.stringify(raw('ledger-dir'))}`, 'a folder inside the branch, e.g. ledger');
  const attest = boolInput(raw, 'attest', false, problems);
  const context: AppendContext = {};
  for (const [input, field] of [['approver', 'approver'], ['ticket', 'ticket'], ['environment', 'environment'], ['committed-at', 'committedAt']] as const) {
    const v = raw(input);
    if (v !== '') context[field] = v;
  }
  if (context.committedAt !== undefined && Number.isNaN(Date.parse(context.committedAt))) problems.add('committed-at', `is ${JSON.stringify(context.committedAt)}`, 'an ISO 8601 time, e.g. the commit\'s committer date');
  const token = raw('github-token');
  if (token === '' && (store === 'git' || attest)) problems.add('github-token', 'is empty', 'a token (default ${{ github.token }}) with contents: write on the store repository (and attestations: write with attest)');
  const host = new URL(deps.context.serverUrl).host;
  return {
    store,
    branch,
    repository: { owner, repo },
    ledgerDir,
    ledgerPath: raw('ledger-path') || 'genops-audit/ledger.jsonl',
    origin: raw('origin') || `${host}/${repoName}/${branch}`,
    maxAttempts: intInput(raw, 'max-attempts', 30, 1, 100, problems),
    attest,
    context,
    token,
  };
}

/**
 * Verifies every artifact file against the trust inputs and the expected digests (verifyUpstream,
 * naming every bad artifact at once), then orders them as the run made them.
 */
function verifyRunArtifacts(raw: RawInputs, problems: InputProblems, deps: AuditDeps): { verify: () => Promise<VerifiedArtifact[]> } {
  const cfg = parseVerificationInputs(raw, problems);
  return {
    verify: async () => {
      const verified = await verifyUpstream(cfg, deps, LEDGER_VERIFY_OUTCOME);
      // One entry per artifact, even when a file was matched by two globs.
      const unique = verified.filter((v, i) => verified.findIndex((w) => w.digest === v.digest) === i);
      // The ledger reads in the order the run made them: evidence, risk, decision, canary.
      const rank = (v: VerifiedArtifact): number => {
        const i = KIND_ORDER.findIndex((k) => v.statement.predicateType.endsWith(`/${k}/v1`));
        return i < 0 ? KIND_ORDER.length : i;
      };
      return unique.map((v, i) => ({ v, i })).sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i).map((x) => x.v);
    },
  };
}

/** The job summary: one row per appended entry, then the checkpoint that now covers them. */
export function auditSummary(storeDescription: string, result: LedgerAppend, attestations: readonly LedgerAttestation[]): string {
  const rows = result.entries.map((e) => {
    const att = attestations.find((a) => a.seq === e.seq);
    const decision = e.decision?.decision ?? e.canary?.outcome ?? '';
    return `| ${String(e.seq)} | ${mdTableCell(e.artifact.kind)} | ${mdCode(`sha256:${e.artifact.digest.slice(0, 16)}…`)} | ${mdTableCell(decision)} | ${mdTableCell(e.decision?.key ?? '')} | ${att?.attestationId === undefined ? '' : mdTableCell(att.attestationId)} |`;
  });
  const cp = decodeCheckpoint(result.checkpoint, 'checkpoint').checkpoint;
  return [
    `### genops audit-publish: ${String(result.entries.length)} entr${result.entries.length === 1 ? 'y' : 'ies'} appended to ${mdCode(storeDescription)}`,
    '',
    '| seq | kind | digest | decision | gate | attestation |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Checkpoint: ledger ${mdCode(cp.origin)}, size **${String(cp.size)}**, root ${mdCode(cp.rootHash)}, signed ${mdText(cp.issuedAt)}.`,
    '',
    mdFenceText(result.checkpoint.note),
    '',
  ].join('\n');
}

/** The checkpoint note as a fenced block (origin, size, base64 root: printable ASCII by construction). */
function mdFenceText(note: string): string {
  return ['```text', note.replace(/`/g, "'").trimEnd(), '```'].join('\n');
}

export interface AuditOutcome {
  /** Undefined when every artifact was already recorded (a re-run). */
  result: LedgerAppend | undefined;
  attestations: LedgerAttestation[];
  store: string;
  /** Entries that already recorded artifacts of this run. */
  alreadyRecorded: number[];
}

export async function auditStep(rt: ActionRuntime, deps: AuditDeps): Promise<AuditOutcome> {
  const raw: RawInputs = (n) => (n === 'predicate-type' ? LEDGER_PREDICATE_TYPES.join('\n') : rt.getInput(n));
  maskSecret(rt, raw('signing-key'));
  maskSecret(rt, raw('github-token'));
  const problems = new InputProblems();
  const artifacts = verifyRunArtifacts(raw, problems, deps);
  const signing = parseSigningInputs(raw, problems);
  const cfg = parseAuditInputs(raw, problems, deps);
  problems.throwIfAny();

  // Fail closed: nothing is written before every artifact verified.
  const verified = await artifacts.verify();
  if (cfg.store === 'git' && deps.context.isReadOnlyToken) {
    throw new ConfigError('PERMISSION_MISSING', 'this run\'s token is read-only (a fork pull request): the audit branch cannot be written', {
      input: 'github-token',
      expected: '`contents: write` under `permissions:`',
      hint: 'Publish the ledger from a trusted workflow (push to main, deployment, workflow_run), not from fork pull requests.',
      docUrl: 'docs/audit.md#the-audit-publish-action',
    });
  }
  const client = cfg.store === 'git' || cfg.attest ? deps.github(cfg.token) : undefined;
  const localPath = isAbsolute(cfg.ledgerPath) ? cfg.ledgerPath : join(deps.workspace, cfg.ledgerPath);
  const store =
    cfg.store === 'git' && client !== undefined
      ? gitLedgerStore(client, {
          ...cfg.repository,
          branch: cfg.branch,
          dir: cfg.ledgerDir,
          maxAttempts: cfg.maxAttempts,
          ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
          ...(deps.random === undefined ? {} : { random: deps.random }),
        })
      : localLedgerStore(localPath);
  const headBefore = await store.readHead();
  // An existing ledger keeps the origin it was created with unless the input names one.
  const origin = rt.getInput('origin') !== '' ? cfg.origin : (headBefore?.origin ?? cfg.origin);
  const setOutputs = (entries: readonly LedgerEntry[], head: LedgerHead | undefined, attestations: readonly LedgerAttestation[]): void => {
    rt.setOutput('entries', String(entries.length));
    rt.setOutput('first-seq', entries[0] === undefined ? '' : String(entries[0].seq));
    rt.setOutput('last-seq', entries.at(-1) === undefined ? '' : String(entries.at(-1)?.seq));
    rt.setOutput('checkpoint-size', String(head?.size ?? 0));
    rt.setOutput('checkpoint-root', head?.checkpoint === undefined ? '' : decodeCheckpoint(head.checkpoint, 'checkpoint').checkpoint.rootHash);
    rt.setOutput('ledger-ref', cfg.store === 'git' ? `refs/heads/${cfg.branch}` : '');
    rt.setOutput('ledger-path', cfg.store === 'git' ? cfg.ledgerDir : localPath);
    rt.setOutput('attestations', attestations.map((a) => a.attestationId ?? '').filter((a) => a !== '').join(','));
  };

  // A re-run of the job hands over the same artifacts: each is recorded once.
  const fresh: typeof verified = [];
  const already: { source: string; seq: number }[] = [];
  for (const v of verified) {
    const seq = await store.recordedSeq(v.digest);
    if (seq === undefined) fresh.push(v);
    else already.push({ source: v.source, seq });
  }
  for (const a of already) rt.logger.info(`${a.source}: already recorded as entry ${String(a.seq)}; not appended again`);
  if (fresh.length === 0) {
    setOutputs([], headBefore, []);
    rt.appendSummary(`### genops audit\n\nEvery artifact of this run is already in ${mdCode(store.description)} (entries ${already.map((a) => String(a.seq)).join(', ')}): nothing was appended.\n`);
    return { result: undefined, attestations: [], store: store.description, alreadyRecorded: already.map((a) => a.seq) };
  }

  const { createSigner } = await import('./signing.js');
  const signer = createSigner(signing, rt.env);
  const result = await appendToLedger(store, fresh, cfg.context, { signer, now: deps.clock.now(), origin });

  const attestations: LedgerAttestation[] = [];
  if (cfg.attest) {
    const attest = deps.attest ?? (await actionsAttest());
    const attestor = actionsLedgerAttestor(attest, { token: cfg.token });
    for (const e of result.entries) if (e.decision !== undefined) attestations.push(await attestor.attestDecision(e, result.checkpoint));
  }

  setOutputs(result.entries, result.head, attestations);
  rt.appendSummary(auditSummary(store.description, result, attestations));
  if (already.length > 0) rt.appendSummary(`Already in the ledger, not appended again: entries ${already.map((a) => String(a.seq)).join(', ')}.\n`);
  for (const e of result.entries) rt.logger.info(`appended entry ${String(e.seq)}: ${e.artifact.kind} sha256:${e.artifact.digest}`);
  rt.logger.info(`checkpoint: ${result.checkpoint.note.trimEnd().split('\n').join(' | ')}`);
  return { result, attestations, store: store.description, alreadyRecorded: already.map((a) => a.seq) };
}

/** @actions/attest's attest, loaded only when a run attests (it pulls in the signing stack). */
async function actionsAttest(): Promise<ActionsAttestFn> {
  const { attest } = await import('@actions/attest');
  return async (options) => attest(options);
}
