import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliIO } from '../cli.js';
import { collectList, readBundleFile, readInputText } from './files.js';
import {
  ConfigError,
  DEFAULT_MAX_ARTIFACT_BYTES,
  GITHUB_ACTIONS_ISSUER,
  loadPublicKey,
  PREDICATE_SCHEMAS,
  PUBLIC_GOOD_TRUSTED_ROOT,
  readTrustedRoot,
  resolvePredicateType,
  verifyArtifactBytes,
  type TrustPolicy,
  type VerifyPolicy,
} from '@genops/core';

/** The trust flags `verify` and `evidence show` share. */
export interface TrustOptions {
  key?: string[];
  certificateIdentity?: string;
  certificateOidcIssuer: string;
  certificateRepository?: string;
  runInvocation?: string;
  trustedRoot?: string;
}

interface VerifyOptions extends TrustOptions {
  subject?: string;
  subjectDigest?: string;
  predicateType?: string[];
  digest?: string;
  now?: string;
  maxBytes: string;
  json?: boolean;
}


export async function trustFrom(opts: TrustOptions): Promise<TrustPolicy> {
  if (opts.key !== undefined && opts.key.length > 0) {
    if (opts.certificateIdentity !== undefined) throw new ConfigError('INPUT_INVALID', '--key and --certificate-identity are exclusive', { input: '--key', hint: 'Use --key for key mode, --certificate-identity for keyless.' });
    const keys = [];
    for (const path of opts.key) {
      keys.push(loadPublicKey(await readInputText(path, '--key'), path));
    }
    return { mode: 'key', keys };
  }
  if (opts.certificateIdentity === undefined) {
    throw new ConfigError('INPUT_MISSING', 'say whom to trust: --key PUB.pem (key mode) or --certificate-identity URI (keyless)', {
      input: '--key',
      hint: 'genops never verifies a signature without a pinned key or an exact signer identity.',
    });
  }
  const trustedRoot = opts.trustedRoot === undefined ? PUBLIC_GOOD_TRUSTED_ROOT : await readTrustedRoot(opts.trustedRoot, (p) => readFile(p, 'utf8'), '--trusted-root');
  const identity: TrustPolicy & { mode: 'keyless' } = {
    mode: 'keyless',
    trustedRoot,
    identity: { subjectAlternativeName: opts.certificateIdentity, issuer: opts.certificateOidcIssuer },
  };
  if (opts.certificateRepository !== undefined) identity.identity.repositoryUri = opts.certificateRepository.includes('://') ? opts.certificateRepository : `https://github.com/${opts.certificateRepository}`;
  if (opts.runInvocation !== undefined) identity.identity.runInvocationUri = opts.runInvocation;
  return identity;
}

/** `--now`: an ISO 8601 time, or the clock when not given. */
export function parseNow(text: string | undefined): Date {
  const now = text === undefined ? new Date() : new Date(text);
  if (Number.isNaN(now.getTime())) throw new ConfigError('INPUT_INVALID', `--now ${JSON.stringify(text)} is not a date`, { input: '--now', expected: 'an ISO 8601 time, e.g. 2026-03-02T10:00:00Z' });
  return now;
}

export function registerVerify(program: Command, io: CliIO): void {
  program
    .command('verify')
    .description('Verify a signed genops artifact (Sigstore bundle): signature, signer, subject, predicate type, expiry, digest, schema.')
    .argument('<bundle>', 'the artifact bundle file')
    .option('--key <pub.pem>', 'key mode: trusted PEM public key (repeatable)', collectList)
    .option('--certificate-identity <uri>', 'keyless: exact certificate SAN of the signing workflow')
    .option('--certificate-oidc-issuer <uri>', 'keyless: exact OIDC issuer', GITHUB_ACTIONS_ISSUER)
    .option('--certificate-repository <owner/repo>', 'keyless: the source repository the certificate must name')
    .option('--run-invocation <uri>', 'keyless: the workflow run URI the certificate must name')
    .option('--trusted-root <file>', 'keyless: Sigstore trusted_root.json (default: public-good, shipped)')
    .option('--subject <sha>', 'the commit the artifact must be about')
    .option('--subject-digest <sha256>', 'a built artifact the statement must also name')
    .option('--predicate-type <type>', 'expected predicate type, a URI or a short name like decision (repeatable); default any genops type', collectList)
    .option('--digest <sha256:hex>', 'the digest handed over by the producing job')
    .option('--now <iso8601>', 'verify as of this time instead of the clock')
    .option('--max-bytes <n>', 'refuse larger files before parsing', String(DEFAULT_MAX_ARTIFACT_BYTES))
    .option('--json', 'print the verified statement as JSON')
    .action(async (bundlePath: string, opts: VerifyOptions) => {
      const maxBytes = Number(opts.maxBytes);
      if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new ConfigError('INPUT_INVALID', `--max-bytes ${opts.maxBytes} is not a positive whole number`, { input: '--max-bytes' });
      const predicateTypes = (opts.predicateType ?? Object.keys(PREDICATE_SCHEMAS)).map((p) => {
        const t = resolvePredicateType(p);
        if (t === undefined) throw new ConfigError('INPUT_INVALID', `unknown predicate type ${JSON.stringify(p)}`, { input: '--predicate-type', expected: 'a predicate type URI or inventory, receipt, evidence, risk, decision, canary, audit' });
        return t;
      });
      const now = parseNow(opts.now);
      const trust = await trustFrom(opts);
      const bytes = await readBundleFile(bundlePath, '<bundle>', maxBytes);
      const policy: VerifyPolicy = { trust, predicateType: predicateTypes, now, maxBytes };
      if (opts.subject !== undefined || opts.subjectDigest !== undefined) {
        policy.subject = {};
        if (opts.subject !== undefined) policy.subject.gitCommit = opts.subject;
        if (opts.subjectDigest !== undefined) policy.subject.sha256 = opts.subjectDigest.replace(/^sha256:/, '');
      }
      if (opts.digest !== undefined) policy.expectedDigest = opts.digest;
      const v = verifyArtifactBytes(bytes, bundlePath, policy);
      if (opts.json === true) {
        io.out(JSON.stringify({ verified: true, digest: `sha256:${v.digest}`, signer: v.signer, statement: v.statement }, null, 2));
        return;
      }
      const h = v.statement.predicate.header;
      io.out(`OK ${bundlePath}`);
      io.out(`  predicate type: ${v.statement.predicateType}`);
      io.out(`  subject:        ${v.statement.subject.map((s) => `${s.name}@${Object.entries(s.digest).map(([k, d]) => `${k}:${d}`).join(',')}`).join('; ')}`);
      io.out(`  signed by:      ${v.signer.mode === 'key' ? `key ${v.signer.keyId ?? '?'}` : `${v.signer.identity ?? '?'} (issuer ${v.signer.issuer ?? '?'}, Rekor index ${v.signer.tlogIndex ?? '?'})`}`);
      io.out(`  digest:         sha256:${v.digest}`);
      io.out(`  made by:        ${h.tool.name} ${h.tool.version} ${h.tool.component}, run ${h.run.repository}#${h.run.runId}.${h.run.runAttempt}`);
      io.out(`  valid:          ${h.createdAt} .. ${h.expiresAt}`);
      if (policy.subject === undefined) io.out('  note: subject not checked (pass --subject SHA to bind the artifact to a commit)');
    });
}
