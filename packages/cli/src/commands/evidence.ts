/**
 * `genops evidence collect` (the evidence-collect action's inputs as flags, key-mode signing)
 * and `genops evidence show` (verify, then print the normalized evidence as JSON).
 */
import { createPublicKey } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from '../cli.js';
import {
  buildEvidenceStatement,
  collectEvidence,
  ConfigError,
  evidenceFindings,
  FILE_SOURCE_KINDS,
  GENOPS_VERSION,
  GITHUB_ACTIONS_ISSUER,
  keySigner,
  loadPrivateKey,
  loadPublicKey,
  nodeFileSystem,
  PredicateTypes,
  signStatement,
  SOURCE_INPUTS,
  verifyArtifactBytes,
  writeArtifact,
  type CollectRequest,
  type FileSourceKind,
  type RunIdentity,
} from '@genops/core';
import { collectList, readBundleFile, readInputText } from './files.js';
import { parseNow, trustFrom, type TrustOptions } from './verify.js';

const MAX_TTL_SECONDS = 90 * 24 * 3600;

interface CollectOptions {
  [flag: string]: unknown;
  subject: string;
  repository?: string;
  key: string;
  out: string;
  workspace: string;
  requiredMetadata?: string;
  provenanceKey?: string[];
  builderId?: string[];
  subjectDigest?: string[];
  maxFileBytes?: string;
  ttl: string;
  now?: string;
  json?: boolean;
}

/** commander's camelCase property for each source flag. */
function optionKey(kind: FileSourceKind): string {
  return SOURCE_INPUTS[kind].replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function registerEvidence(program: Command, io: CliIO): void {
  const evidence = program.command('evidence').description('Collect, sign and inspect evidence about a change.');
  const collect = evidence
    .command('collect')
    .description('Parse the given evidence files into one normalized Evidence model and sign it (key mode).')
    .requiredOption('--subject <sha>', 'the commit the evidence is about')
    .requiredOption('--key <private.pem>', 'PEM ECDSA P-256 private key to sign with (genops keygen makes one)')
    .requiredOption('--out <file>', 'where to write the signed evidence bundle')
    .option('--repository <owner/repo>', 'the repository of the commit (default: $GITHUB_REPOSITORY)')
    .option('--workspace <dir>', 'globs and paths are relative to this directory', '.');
  for (const kind of FILE_SOURCE_KINDS) {
    const flag = SOURCE_INPUTS[kind];
    const single = kind === 'base-sbom' || kind === 'metadata' || kind === 'diff';
    collect.option(`--${flag} <${single ? 'file' : 'glob'}>`, `${kind} ${single ? 'file' : 'files (repeatable)'}`, collectList);
  }
  collect
    .option('--required-metadata <keys>', 'comma-separated metadata keys that must be present, or none (default app,environment,owner,costCenter)')
    .option('--provenance-key <pub.pem>', 'trusted key for provenance bundles (repeatable)', collectList)
    .option('--builder-id <id>', 'accepted SLSA builder id (repeatable)', collectList)
    .option('--subject-digest <sha256>', 'a built artifact that must have verified provenance (repeatable)', collectList)
    .option('--max-file-bytes <n>', 'refuse larger evidence files')
    .option('--ttl <seconds>', 'how long the evidence stays valid', String(7 * 24 * 3600))
    .option('--now <iso8601>', 'sign as of this time instead of the clock')
    .option('--json', 'print the evidence as JSON instead of a summary')
    .action(async (opts: CollectOptions) => {
      const repository = opts.repository ?? process.env.GITHUB_REPOSITORY;
      if (repository === undefined) {
        throw new ConfigError('INPUT_MISSING', 'say which repository the commit belongs to', { input: '--repository', expected: 'owner/repo', hint: 'Pass --repository owner/repo (or set GITHUB_REPOSITORY).' });
      }
      if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
        throw new ConfigError('INPUT_INVALID', `--repository ${JSON.stringify(repository)} is not owner/repo`, { input: '--repository', expected: 'owner/repo' });
      }
      if (!/^[0-9a-f]{40}$/.test(opts.subject)) throw new ConfigError('INPUT_INVALID', `--subject ${JSON.stringify(opts.subject)} is not a commit sha`, { input: '--subject', expected: '40 lower-case hex digits' });
      const ttl = Number(opts.ttl);
      if (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_TTL_SECONDS) {
        throw new ConfigError('INPUT_INVALID', `--ttl ${opts.ttl} is not a whole number of seconds from 60 to ${String(MAX_TTL_SECONDS)} (90 days)`, { input: '--ttl' });
      }
      const now = parseNow(opts.now);
      const privatePem = await readInputText(opts.key, '--key');
      const priv = loadPrivateKey(privatePem, opts.key);
      const workspace = resolve(opts.workspace);
      // A mistyped workspace would otherwise sign evidence with every glob matching nothing.
      if (!(await stat(workspace).then((st) => st.isDirectory(), () => false))) {
        throw new ConfigError('FILE_NOT_FOUND', `--workspace ${opts.workspace} is not a directory`, { input: '--workspace', file: opts.workspace });
      }
      const patterns: CollectRequest['patterns'] = {};
      for (const kind of FILE_SOURCE_KINDS) {
        const v = opts[optionKey(kind)];
        if (Array.isArray(v) && v.length > 0) patterns[kind] = v.map(String);
      }
      const req: CollectRequest = { patterns, now, workspaceRoot: workspace };
      if (opts.maxFileBytes !== undefined) {
        const n = Number(opts.maxFileBytes);
        if (!Number.isInteger(n) || n < 1) throw new ConfigError('INPUT_INVALID', `--max-file-bytes ${opts.maxFileBytes} is not a positive whole number`, { input: '--max-file-bytes' });
        req.limits = { maxFileBytes: n };
      }
      if (opts.requiredMetadata !== undefined) req.requiredMetadata = opts.requiredMetadata === 'none' ? [] : opts.requiredMetadata.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const expectedSubjects = (opts.subjectDigest ?? []).map((d) => d.replace(/^sha256:/, '').toLowerCase());
      for (const d of expectedSubjects) {
        if (!/^[0-9a-f]{64}$/.test(d)) throw new ConfigError('INPUT_INVALID', `--subject-digest ${JSON.stringify(d)} is not a sha256 digest`, { input: '--subject-digest', expected: '64 hex digits, optionally sha256: prefixed' });
      }
      if (opts.provenanceKey !== undefined && opts.provenanceKey.length > 0) {
        const keys = [];
        for (const p of opts.provenanceKey) keys.push(loadPublicKey(await readInputText(p, '--provenance-key'), p));
        req.provenance = { policy: { trust: { mode: 'key', keys }, builderIds: opts.builderId ?? [] }, ...(expectedSubjects.length === 0 ? {} : { expectedSubjects }) };
      } else if (expectedSubjects.length > 0) {
        req.provenance = { expectedSubjects };
      }
      const fs = nodeFileSystem(workspace);
      const ev = await collectEvidence(fs, req);
      const run: RunIdentity = { repository, runId: '0', runAttempt: 1, workflowRef: 'genops-cli', event: 'cli', ref: 'local', sha: opts.subject };
      const subject = { repository, gitCommit: opts.subject, ...(expectedSubjects.length === 0 ? {} : { artifacts: expectedSubjects.map((sha256, i) => ({ name: `artifact-${String(i + 1)}`, sha256 })) }) };
      const statement = buildEvidenceStatement(subject, { toolVersion: GENOPS_VERSION, run, now, ttlSeconds: ttl }, ev);
      const signed = await signStatement(statement, keySigner(priv, createPublicKey(priv)));
      const out = await writeArtifact(nodeFileSystem(), resolve(opts.out), signed);
      if (opts.json === true) {
        io.out(JSON.stringify(ev, null, 2));
        io.err(`signed ${opts.out} ${out['artifact-digest']}`); // stdout stays pure JSON
        return;
      }
      for (const r of evidenceFindings(ev)) io.out(`${r.kind.padEnd(16)} ${r.found}`);
      if (ev.absent.length > 0) io.out(`${'absent'.padEnd(16)} ${ev.absent.join(', ')}`);
      io.out(`signed ${opts.out} ${out['artifact-digest']}`);
    });

  evidence
    .command('show')
    .description('Verify a signed evidence bundle, then print the normalized evidence as JSON.')
    .argument('<bundle>', 'the evidence bundle')
    .option('--key <pub.pem>', 'key mode: trusted PEM public key (repeatable)', collectList)
    .option('--certificate-identity <uri>', 'keyless: exact certificate SAN of the signing workflow')
    .option('--certificate-oidc-issuer <uri>', 'keyless: exact OIDC issuer', GITHUB_ACTIONS_ISSUER)
    .option('--certificate-repository <owner/repo>', 'keyless: the source repository the certificate must name')
    .option('--trusted-root <file>', 'keyless: Sigstore trusted_root.json (default: public-good, shipped)')
    .option('--subject <sha>', 'the commit the evidence must be about')
    .option('--now <iso8601>', 'verify as of this time instead of the clock')
    .action(async (bundlePath: string, opts: TrustOptions & { subject?: string; now?: string }) => {
      const bytes = await readBundleFile(bundlePath, '<bundle>');
      const v = verifyArtifactBytes(bytes, bundlePath, {
        trust: await trustFrom(opts),
        predicateType: PredicateTypes.evidence,
        now: parseNow(opts.now),
        ...(opts.subject === undefined ? {} : { subject: { gitCommit: opts.subject } }),
      });
      io.out(JSON.stringify(v.statement.predicate, null, 2));
    });
}
