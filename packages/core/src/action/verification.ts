/**
 * The step every genops action starts with: verify the artifacts the upstream
 * jobs handed over before reading a single field of them. Inputs are parsed
 * here once, for every action; there is no way to skip verification.
 */
import { readFile } from 'node:fs/promises';
import { loadPublicKey } from '../artifact/keys.js';
import { PredicateTypes } from '../artifact/statement.js';
import { GITHUB_ACTIONS_ISSUER, readTrustedRoot, type IdentityPolicy, type TrustPolicy } from '../artifact/trust.js';
import { resolveArtifactFiles, verifyHandoff, type ArtifactFileSystem, type VerifyEveryOutcome, type WorkflowArtifactClient } from '../artifact/handoff.js';
import { DEFAULT_MAX_ARTIFACT_BYTES, type VerifiedArtifact } from '../artifact/verify.js';
import { PUBLIC_GOOD_TRUSTED_ROOT } from '../schemas/generated/public-good-trusted-root.js';
import type { RunContext } from '../github/context.js';
import type { Clock } from '../io.js';
import { boolInput, intInput, listInput, type InputProblems, type RawInputs } from './inputs.js';

export const VERIFICATION_INPUTS = [
  'artifacts',
  'artifact-name',
  'artifact-digest',
  'predicate-type',
  'subject-sha',
  'subject-digest',
  'public-keys',
  'certificate-identity',
  'certificate-oidc-issuer',
  'certificate-repository',
  'same-run',
  'trusted-root',
  'max-artifact-bytes',
] as const;

export interface VerificationConfig {
  paths: string[];
  names: string[];
  expectedDigests: string[];
  predicateTypes: string[];
  subjectSha?: string;
  subjectDigest?: string;
  publicKeysPem: string[];
  identity?: { san?: string; issuer: string; repository?: string; sameRun: boolean };
  trustedRootPath?: string;
  maxBytes: number;
}

const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g;

/** The PEM public key blocks of an input (several keys may be pasted one after another). */
export function publicKeyPems(text: string): string[] {
  return text.match(PEM_BLOCK) ?? [];
}

/** `decision`, `risk`, ... or a full predicate type URI. */
export function resolvePredicateType(s: string): string | undefined {
  if (s.includes('://')) return s;
  return (PredicateTypes as Record<string, string>)[s];
}

export function parseVerificationInputs(raw: RawInputs, problems: InputProblems): VerificationConfig {
  const predicateTypes: string[] = [];
  for (const p of listInput(raw, 'predicate-type')) {
    const t = resolvePredicateType(p);
    if (t === undefined) problems.add('predicate-type', `${JSON.stringify(p)} is not a known predicate type`, `one of ${Object.keys(PredicateTypes).join(', ')} or a predicate type URI`);
    else predicateTypes.push(t);
  }
  if (predicateTypes.length === 0 && raw('predicate-type') === '') problems.add('predicate-type', 'is required', `the kind of artifact this step expects: ${Object.keys(PredicateTypes).join(', ')}`);
  const paths = listInput(raw, 'artifacts');
  const names = listInput(raw, 'artifact-name');
  if (paths.length === 0 && names.length === 0) problems.add('artifacts', 'is required (or artifact-name)', 'the upstream step\'s artifact-path output, a glob, or a workflow artifact name');
  const expectedDigests = listInput(raw, 'artifact-digest');
  if (expectedDigests.length === 0) problems.add('artifact-digest', 'is required', 'the upstream step\'s artifact-digest output, passed through job outputs');
  const subjectSha = raw('subject-sha');
  if (subjectSha !== '' && !/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(subjectSha)) problems.add('subject-sha', `is ${JSON.stringify(subjectSha)}`, 'a full 40-character commit SHA');
  const subjectDigest = raw('subject-digest').replace(/^sha256:/, '');
  if (subjectDigest !== '' && !/^[0-9a-f]{64}$/i.test(subjectDigest)) problems.add('subject-digest', 'is not a sha256 digest', 'sha256:<64 hex chars> of the built artifact');
  const publicKeysPem = publicKeyPems(raw('public-keys'));
  if (raw('public-keys') !== '' && publicKeysPem.length === 0) problems.add('public-keys', 'holds no PEM public key', 'one or more "-----BEGIN PUBLIC KEY-----" blocks');
  const sameRun = boolInput(raw, 'same-run', true, problems);
  const cfg: VerificationConfig = {
    paths,
    names,
    expectedDigests,
    predicateTypes,
    publicKeysPem,
    maxBytes: intInput(raw, 'max-artifact-bytes', DEFAULT_MAX_ARTIFACT_BYTES, 1024, 512 * 1024 * 1024, problems),
  };
  if (subjectSha !== '') cfg.subjectSha = subjectSha.toLowerCase();
  if (subjectDigest !== '') cfg.subjectDigest = subjectDigest.toLowerCase();
  if (publicKeysPem.length === 0) {
    const identity: NonNullable<VerificationConfig['identity']> = { issuer: raw('certificate-oidc-issuer') || GITHUB_ACTIONS_ISSUER, sameRun };
    const san = raw('certificate-identity');
    const repo = raw('certificate-repository');
    if (san !== '') identity.san = san;
    if (repo !== '') identity.repository = repo;
    cfg.identity = identity;
  } else if (raw('certificate-identity') !== '') {
    problems.add('certificate-identity', 'is set together with public-keys', 'either public-keys (key mode) or certificate-identity (keyless), not both');
  }
  const tr = raw('trusted-root');
  if (tr !== '') cfg.trustedRootPath = tr;
  return cfg;
}

export interface VerifyDeps {
  context: RunContext;
  fs: ArtifactFileSystem;
  clock: Clock;
  artifactClient?: WorkflowArtifactClient;
  /** Where workflow artifacts are downloaded (RUNNER_TEMP). */
  tempDir: string;
  readTextFile?: (path: string) => Promise<string>;
}

/**
 * Keyless identity defaults come from the run itself: artifacts must be signed by this
 * workflow, of this repository, and (unless same-run is false) in this very run.
 */
export async function buildTrustPolicy(cfg: VerificationConfig, deps: VerifyDeps): Promise<TrustPolicy> {
  if (cfg.identity === undefined) {
    return { mode: 'key', keys: cfg.publicKeysPem.map((pem, i) => loadPublicKey(pem, `public-keys[${i}]`)) };
  }
  const ctx = deps.context;
  const identity: IdentityPolicy = {
    subjectAlternativeName: cfg.identity.san ?? `${ctx.serverUrl}/${ctx.workflowRef}`,
    issuer: cfg.identity.issuer,
    repositoryUri: `${ctx.serverUrl}/${cfg.identity.repository ?? ctx.repository.fullName}`,
  };
  if (cfg.identity.sameRun) identity.runInvocationUri = `${ctx.serverUrl}/${ctx.repository.fullName}/actions/runs/${ctx.runId}/attempts/${ctx.runAttempt}`;
  const trustedRoot = cfg.trustedRootPath === undefined ? PUBLIC_GOOD_TRUSTED_ROOT : await readTrustedRoot(cfg.trustedRootPath, deps.readTextFile ?? ((p) => readFile(p, 'utf8')), 'trusted-root');
  return { mode: 'keyless', trustedRoot, identity };
}

export async function verifyUpstream(cfg: VerificationConfig, deps: VerifyDeps, reportAll?: VerifyEveryOutcome): Promise<VerifiedArtifact[]> {
  const trust = await buildTrustPolicy(cfg, deps);
  const files = await resolveArtifactFiles(deps.fs, { paths: cfg.paths, names: cfg.names, downloadDir: deps.tempDir }, deps.artifactClient);
  const subject: { gitCommit: string; sha256?: string } = { gitCommit: cfg.subjectSha ?? deps.context.subjectSha };
  if (cfg.subjectDigest !== undefined) subject.sha256 = cfg.subjectDigest;
  return verifyHandoff(deps.fs, {
    files,
    expectedDigests: cfg.expectedDigests,
    policy: { trust, predicateType: cfg.predicateTypes, subject, now: deps.clock.now(), maxBytes: cfg.maxBytes },
    ...(reportAll === undefined ? {} : { reportAll }),
  });
}
