/**
 * `genops audit append | verify | export | prove` over a local ledger file (docs/audit.md), and
 * `genops dora` (the four DORA figures beside their targets). Every command that reads a ledger
 * verifies it first and refuses to go on if it does not verify: an export or a DORA figure from
 * an unverified ledger would be evidence of nothing.
 *
 * `genops audit replay` re-evaluates each decision of a verified ledger from its recorded
 * evidence and risk, under the policy bundle with the recorded digest, at the recorded time
 * (core/src/audit/replay.ts); exit 1 when a decision comes out different or cannot be replayed.
 */
import { createPublicKey } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliIO } from '../cli.js';
import {
  appendToLedger,
  assertLedgerOk,
  computeDora,
  ConfigError,
  DEFAULT_PACK_NAMES,
  loadPolicyDocuments,
  nodeFileSystem,
  readPolicySources,
  replayLedger,
  replayText,
  VerificationError,
  type ReplayPolicyBundle,
  doraText,
  exportRow,
  GITHUB_ACTIONS_ISSUER,
  keySigner,
  LEDGER_PREDICATE_TYPES,
  loadPrivateKey,
  loadPublicKey,
  localLedgerStore,
  proveInclusion,
  readTrustedRoot,
  toCsv,
  toJsonExport,
  verifyArtifactBytes,
  verifyForLedger,
  verifyLedger,
  type AppendContext,
  type CheckpointTrust,
  type LedgerEntry,
  type LedgerVerifyOptions,
  type LedgerVerifyReport,
  type SignatureTrust,
  type SignedCheckpoint,
} from '@genops/core';
import { collectList, readBundleFile, readInputText } from './files.js';
import { parseNow, trustFrom, type TrustOptions } from './verify.js';

/** Flags that say who may sign the ledger's checkpoints (as `genops verify` says who may sign artifacts). */
function addCheckpointTrust(cmd: Command): Command {
  return cmd
    .option('--key <pub.pem>', 'key mode: trusted PEM public key of the checkpoint signer (repeatable)', collectList)
    .option('--certificate-identity <uri>', 'keyless: exact certificate SAN of the workflow that signs checkpoints')
    .option('--certificate-oidc-issuer <uri>', 'keyless: exact OIDC issuer', GITHUB_ACTIONS_ISSUER)
    .option('--certificate-repository <owner/repo>', 'keyless: the source repository the certificate must name')
    .option('--trusted-root <file>', 'keyless: Sigstore trusted_root.json (default: public-good, shipped)')
    .option('--checkpoint <file>', 'a checkpoint you trusted before (e.g. from the last verify, an attestation); repeatable', collectList)
    .option('--expected-size <n>', 'the number of entries the ledger must have')
    .option('--artifact-key <pub.pem>', 'also re-check every recorded artifact signature against this key (repeatable)', collectList)
    .option('--artifact-trusted-root <file>', 'also re-check every recorded keyless artifact (and its Rekor record) against this trusted root');
}

interface ReadOptions extends TrustOptions {
  checkpoint?: string[];
  expectedSize?: string;
  artifactKey?: string[];
  artifactTrustedRoot?: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

async function readJsonFile(path: string, flag: string): Promise<unknown> {
  const text = await readInputText(path, flag);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError('FILE_INVALID', `${path} is not JSON`, { input: flag, file: path, expected: 'a signed checkpoint as written by genops audit append (one line of the .checkpoints.jsonl file)', cause: e });
  }
}

async function verifyOptions(opts: ReadOptions): Promise<Omit<LedgerVerifyOptions, 'checkpointLines'>> {
  const checkpointTrust: CheckpointTrust = await trustFrom(opts);
  const out: Omit<LedgerVerifyOptions, 'checkpointLines'> = { checkpointTrust };
  if (opts.checkpoint !== undefined) {
    out.trustedCheckpoints = await Promise.all(opts.checkpoint.map(async (p) => ({ source: p, stored: await readJsonFile(p, '--checkpoint') })));
  }
  if (opts.expectedSize !== undefined) {
    const n = Number(opts.expectedSize);
    if (!Number.isSafeInteger(n) || n < 0) throw new ConfigError('INPUT_INVALID', `--expected-size ${opts.expectedSize} is not a whole number`, { input: '--expected-size' });
    out.expectedSize = n;
  }
  let artifactTrust: SignatureTrust | undefined;
  if (opts.artifactKey !== undefined && opts.artifactKey.length > 0) {
    artifactTrust = { mode: 'key', keys: await Promise.all(opts.artifactKey.map(async (p) => loadPublicKey(await readInputText(p, '--artifact-key'), p))) };
  }
  if (opts.artifactTrustedRoot !== undefined) {
    const root = await readTrustedRoot(opts.artifactTrustedRoot, (p) => readFile(p, 'utf8'), '--artifact-trusted-root');
    if (artifactTrust !== undefined) throw new ConfigError('INPUT_INVALID', '--artifact-key and --artifact-trusted-root are exclusive', { input: '--artifact-key' });
    artifactTrust = { mode: 'keyless', trustedRoot: root };
    out.rekorTrustedRoot = root;
  }
  if (artifactTrust !== undefined) out.artifactTrust = artifactTrust;
  return out;
}

/** Verifies a ledger file and returns its entries; throws (exit 1) naming the first bad entry. */
export async function readVerifiedLedger(path: string, opts: ReadOptions, extra: Partial<LedgerVerifyOptions> = {}): Promise<{ report: LedgerVerifyReport; entries: LedgerEntry[] }> {
  const store = localLedgerStore(path);
  const entries: LedgerEntry[] = [];
  if (!(await exists(path))) throw new ConfigError('FILE_NOT_FOUND', `no ledger at ${path}`, { input: '<ledger>', file: path });
  const report = await verifyLedger(store.lines(), { ...(await verifyOptions(opts)), checkpointLines: store.checkpointLines(), onEntry: (e) => entries.push(e), ...extra });
  assertLedgerOk(report, path);
  return { report, entries };
}

function reportLines(path: string, r: LedgerVerifyReport): string[] {
  const lines = [`${r.ok ? 'OK' : 'FAILED'} ${path}: ${r.size} entries, root ${r.rootHash}`];
  if (r.checkpoint !== undefined) lines.push(`  checkpoint: ${r.checkpoint.origin}, size ${r.checkpoint.size}, signed ${r.checkpoint.issuedAt}`);
  lines.push(`  checkpoints compared: ${r.checkpointsCompared}; artifact signatures re-checked: ${r.artifactSignaturesChecked}`);
  for (const p of r.problems) lines.push(`  - ${p.kind}${p.seq === undefined ? '' : ` at entry ${p.seq}`}${p.line === undefined ? '' : ` (line ${p.line})`}: ${p.message}`);
  return lines;
}

interface AppendOptions {
  ledger: string;
  key: string;
  origin?: string;
  artifactKey?: string[];
  certificateIdentity?: string;
  certificateOidcIssuer: string;
  certificateRepository?: string;
  trustedRoot?: string;
  actor?: string;
  approver?: string;
  ticket?: string;
  environment?: string;
  committedAt?: string;
  now?: string;
  json?: boolean;
}

export function registerAudit(program: Command, io: CliIO): Command {
  const audit = program.command('audit').description('The tamper-evident audit ledger: append verified artifacts, verify, export, prove inclusion.');

  audit
    .command('append')
    .description('Verify artifacts (all of them, or nothing is written), append one entry each, sign the new checkpoint.')
    .argument('<bundle...>', 'evidence, risk, decision and canary bundles of the run')
    .requiredOption('--ledger <file>', 'the ledger (JSON lines); its .checkpoints.jsonl and .state.json sit beside it')
    .requiredOption('--key <private.pem>', 'PEM ECDSA P-256 key that signs the checkpoint (key mode)')
    .option('--origin <name>', 'the ledger\'s origin line, e.g. github.com/acme/payments/genops-audit (required for a new ledger)')
    .option('--artifact-key <pub.pem>', 'trusted key of the artifacts (repeatable); default: the public half of --key', collectList)
    .option('--certificate-identity <uri>', 'keyless artifacts: exact certificate SAN of the signing workflow')
    .option('--certificate-oidc-issuer <uri>', 'keyless artifacts: exact OIDC issuer', GITHUB_ACTIONS_ISSUER)
    .option('--certificate-repository <owner/repo>', 'keyless artifacts: the source repository the certificate must name')
    .option('--trusted-root <file>', 'keyless artifacts: Sigstore trusted_root.json (default: public-good)')
    .option('--actor <login>', 'who ran the release (default: the artifact\'s run actor)')
    .option('--approver <login>', 'who approved it (environment reviewer)')
    .option('--ticket <id>', 'change ticket')
    .option('--environment <name>', 'deployment environment (default: the decision\'s)')
    .option('--committed-at <iso8601>', 'when the change was committed (lead time starts there)')
    .option('--now <iso8601>', 'record and verify as of this time')
    .option('--json', 'print the appended entries and checkpoint as JSON')
    .action(async (bundles: string[], opts: AppendOptions) => {
      const now = parseNow(opts.now);
      const priv = loadPrivateKey(await readInputText(opts.key, '--key'), opts.key);
      const pub = createPublicKey(priv);
      const artifactTrust =
        opts.certificateIdentity !== undefined || (opts.artifactKey?.length ?? 0) > 0
          ? await trustFrom({
              certificateOidcIssuer: opts.certificateOidcIssuer,
              ...(opts.artifactKey === undefined ? {} : { key: opts.artifactKey }),
              ...(opts.certificateIdentity === undefined ? {} : { certificateIdentity: opts.certificateIdentity }),
              ...(opts.certificateRepository === undefined ? {} : { certificateRepository: opts.certificateRepository }),
              ...(opts.trustedRoot === undefined ? {} : { trustedRoot: opts.trustedRoot }),
            })
          : { mode: 'key' as const, keys: [pub] };
      if (opts.committedAt !== undefined && Number.isNaN(Date.parse(opts.committedAt))) {
        throw new ConfigError('INPUT_INVALID', `--committed-at ${JSON.stringify(opts.committedAt)} is not a date`, { input: '--committed-at', expected: 'an ISO 8601 time' });
      }
      const files = await Promise.all(bundles.map(async (b) => ({ source: b, bytes: await readBundleFile(b, '<bundle>') })));
      const verified = verifyForLedger(files, (bytes, source) => verifyArtifactBytes(bytes, source, { trust: artifactTrust, predicateType: LEDGER_PREDICATE_TYPES, now }));
      const store = localLedgerStore(opts.ledger);
      const head = await store.readHead();
      const origin = opts.origin ?? head?.origin;
      if (origin === undefined) {
        throw new ConfigError('INPUT_MISSING', `${opts.ledger} is a new ledger: say its origin`, { input: '--origin', expected: 'e.g. --origin github.com/acme/payments/genops-audit', hint: 'The origin names the ledger in every checkpoint; keep it for the ledger\'s life.' });
      }
      const ctx: AppendContext = {};
      if (opts.actor !== undefined) ctx.actor = opts.actor;
      if (opts.approver !== undefined) ctx.approver = opts.approver;
      if (opts.ticket !== undefined) ctx.ticket = opts.ticket;
      if (opts.environment !== undefined) ctx.environment = opts.environment;
      if (opts.committedAt !== undefined) ctx.committedAt = opts.committedAt;
      const result = await appendToLedger(store, verified, ctx, { signer: keySigner(priv, pub), now, origin });
      if (opts.json === true) {
        io.out(JSON.stringify({ entries: result.entries.map(({ artifact: { bundle: _b, ...artifact }, ...e }) => ({ ...e, artifact })), checkpoint: result.checkpoint }, null, 2));
        return;
      }
      for (const e of result.entries) io.out(`appended entry ${e.seq}: ${e.artifact.kind} sha256:${e.artifact.digest} (${e.change.repository}@${e.change.gitSha.slice(0, 12)})`);
      io.out(`checkpoint: ${result.checkpoint.note.trimEnd().split('\n').join(' | ')}`);
    });

  addCheckpointTrust(
    audit
      .command('verify')
      .description('Check every entry (hash, chain, sequence, artifact digest), every checkpoint, and the signature of the latest; name the first bad entry.')
      .argument('<ledger>', 'the ledger file'),
  )
    .option('--json', 'print the report as JSON')
    .action(async (path: string, opts: ReadOptions & { json?: boolean }) => {
      if (!(await exists(path))) throw new ConfigError('FILE_NOT_FOUND', `no ledger at ${path}`, { input: '<ledger>', file: path });
      const store = localLedgerStore(path);
      const report = await verifyLedger(store.lines(), { ...(await verifyOptions(opts)), checkpointLines: store.checkpointLines() });
      if (opts.json === true) io.out(JSON.stringify(report, null, 2));
      else for (const l of reportLines(path, report)) io.out(l);
      assertLedgerOk(report, path);
    });

  addCheckpointTrust(
    audit
      .command('export')
      .description('Change-management evidence from a verified ledger: who changed what, who approved, which policy allowed it.')
      .argument('<ledger>', 'the ledger file'),
  )
    .requiredOption('--format <csv|json>', 'csv or json')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (path: string, opts: ReadOptions & { format: string; out?: string }) => {
      if (opts.format !== 'csv' && opts.format !== 'json') throw new ConfigError('INPUT_INVALID', `--format ${JSON.stringify(opts.format)} is not csv or json`, { input: '--format', expected: 'csv or json' });
      const { entries } = await readVerifiedLedger(path, opts);
      const rows = entries.map(exportRow);
      const text = opts.format === 'csv' ? toCsv(rows) : toJsonExport(rows);
      if (opts.out === undefined) io.out(text.trimEnd());
      else {
        await writeFile(opts.out, text);
        io.out(`wrote ${rows.length} rows to ${opts.out}`);
      }
    });

  addCheckpointTrust(
    audit
      .command('prove')
      .description('An inclusion proof of one entry against the latest signed checkpoint (check it with the RFC 6962 verifier, see docs/audit.md#proofs).')
      .argument('<ledger>', 'the ledger file')
      .argument('<entry>', 'the entry: its seq number, or a prefix of its entry hash (8+ hex)'),
  )
    .option('--out <file>', 'write the proof here instead of stdout')
    .action(async (path: string, which: string, opts: ReadOptions & { out?: string }) => {
      const { report, entries } = await readVerifiedLedger(path, opts, { keepLeaves: true });
      const entry = /^\d+$/.test(which) ? entries[Number(which)] : /^[0-9a-f]{8,64}$/.test(which) ? entries.find((e) => e.entryHash.startsWith(which)) : undefined;
      if (entry === undefined) throw new ConfigError('INPUT_INVALID', `no entry ${JSON.stringify(which)} in ${path} (${report.size} entries)`, { input: '<entry>', expected: `a seq from 0 to ${report.size - 1}, or 8+ hex characters of an entry hash` });
      const latest = await lastCheckpoint(path);
      const proof = proveInclusion(report.leaves ?? [], entry.seq, latest);
      const text = `${JSON.stringify(proof, null, 2)}\n`;
      if (opts.out === undefined) io.out(text.trimEnd());
      else {
        await writeFile(opts.out, text);
        io.out(`wrote the inclusion proof of entry ${entry.seq} (tree size ${proof.treeSize}, ${proof.path.length} hashes) to ${opts.out}`);
      }
    });

  addCheckpointTrust(
    audit
      .command('replay')
      .description('Re-evaluate every decision from its recorded evidence and risk, under the policy bundle with the recorded digest, at the recorded time; exit 1 on any difference.')
      .argument('<ledger>', 'the ledger file'),
  )
    .option('--policies <dir|file|default[:pack]>', 'policy documents forming one bundle (repeatable), read as genops policy evaluate reads them; the default packs (all, and each alone) are always tried', collectList)
    .option('--json', 'print the replay report as JSON')
    .action(async (path: string, opts: ReadOptions & { policies?: string[]; json?: boolean }) => {
      const { entries } = await readVerifiedLedger(path, opts);
      const report = replayLedger(entries, await replayBundles(opts.policies ?? []));
      if (opts.json === true) io.out(JSON.stringify(report, null, 2));
      else for (const l of replayText(report)) io.out(l);
      const bad = report.results.filter((r) => r.status !== 'same');
      const first = bad[0];
      if (first === undefined) return;
      const which = bad.map((r) => `entry ${String(r.seq)} (${r.status === 'different' ? `recorded ${r.recorded}, replayed ${r.replayed}` : 'not replayable'})`).join(', ');
      if (report.different > 0) {
        throw new VerificationError('REPLAY_MISMATCH', `${path}: ${String(report.different)} of ${String(report.decisions)} recorded decision(s) do not follow from their recorded inputs: ${which}`, {
          file: path,
          hint: 'The decision was signed over evidence that does not support it (a forged or buggy gate), or the policies it names were changed without a new digest. Investigate each entry listed above.',
          docUrl: 'docs/audit.md#replay',
        });
      }
      throw new ConfigError('FILE_NOT_FOUND', `${path}: ${String(report.unavailable)} decision(s) cannot be replayed: ${which}`, {
        input: '--policies',
        ...(first.status === 'unavailable' ? { actual: first.reason } : {}),
        hint: 'Pass the policy documents the gate used (--policies DIR, default, default:<pack>), at the version whose bundle digest the decision recorded (e.g. from a checkout of that commit).',
        docUrl: 'docs/audit.md#replay',
      });
    });

  return audit;
}

/**
 * The bundles replay may use: the one --policies forms (as the gate and `genops policy evaluate`
 * form it, paths relative to the working directory), then every default pack and all of them.
 */
async function replayBundles(specs: readonly string[]): Promise<ReplayPolicyBundle[]> {
  const out: ReplayPolicyBundle[] = [];
  if (specs.length > 0) out.push({ source: specs.join(' + '), bundle: loadPolicyDocuments(await readPolicySources(nodeFileSystem(process.cwd()), '--policies', specs)) });
  for (const spec of ['default', ...DEFAULT_PACK_NAMES.map((p) => `default:${p}`)]) {
    if (!specs.includes(spec) || specs.length > 1) out.push({ source: spec, bundle: loadPolicyDocuments(await readPolicySources(nodeFileSystem(process.cwd()), '--policies', [spec])) });
  }
  return out;
}

/** The checkpoint log's last line (verify has already checked its signature and root). */
async function lastCheckpoint(path: string): Promise<SignedCheckpoint> {
  let last: string | undefined;
  for await (const l of localLedgerStore(path).checkpointLines()) if (l.trim() !== '') last = l;
  if (last === undefined) throw new ConfigError('FILE_NOT_FOUND', `${path} has no checkpoint log`, { file: localLedgerStore(path).paths.checkpoints });
  return JSON.parse(last) as SignedCheckpoint;
}

export function registerDora(program: Command, io: CliIO): void {
  addCheckpointTrust(
    program
      .command('dora')
      .description('DORA figures from a verified ledger (deployment frequency, lead time, change failure rate, time to restore) beside their targets.')
      .argument('<ledger>', 'the ledger file'),
  )
    .option('--environment <name>', 'the environment deployments go to', 'production')
    .option('--since <iso8601>', 'window start (default: the first deployment)')
    .option('--until <iso8601>', 'window end (default: the last deployment)')
    .option('--json', 'print the figures and deployments as JSON')
    .action(async (path: string, opts: ReadOptions & { environment: string; since?: string; until?: string; json?: boolean }) => {
      const date = (v: string | undefined, flag: string): Date | undefined => {
        if (v === undefined) return undefined;
        const d = new Date(v);
        if (Number.isNaN(d.getTime())) throw new ConfigError('INPUT_INVALID', `${flag} ${JSON.stringify(v)} is not a date`, { input: flag, expected: 'an ISO 8601 time' });
        return d;
      };
      const { entries } = await readVerifiedLedger(path, opts);
      const from = date(opts.since, '--since');
      const to = date(opts.until, '--until');
      const report = computeDora(entries, { environment: opts.environment, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
      if (opts.json === true) io.out(JSON.stringify(report, null, 2));
      else for (const l of doraText(report)) io.out(l);
    });
}
