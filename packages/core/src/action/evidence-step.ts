/**
 * The `evidence-collect` action: read every given source (files by glob, and the pull request
 * and deployments from the GitHub API), normalize them into one Evidence value, sign it as an
 * in-toto statement about the gated commit, and hand it over (artifact-path / artifact-digest).
 */
import { load as loadYaml, CORE_SCHEMA } from 'js-yaml';
import type { ArtifactFileSystem } from '../artifact/handoff.js';
import { loadPublicKey } from '../artifact/keys.js';
import { GITHUB_ACTIONS_ISSUER } from '../artifact/trust.js';
import type { SubjectSpec } from '../artifact/statement.js';
import { ConfigError, docUrl } from '../errors.js';
import { collectEvidence, FILE_SOURCE_KINDS, SOURCE_INPUTS, type CollectRequest, type FileSourceKind } from '../evidence/collect.js';
import { DEFAULT_AI_AGENTS, type ChangeOptions } from '../evidence/change.js';
import type { Evidence } from '../evidence/model.js';
import { buildEvidenceStatement } from '../evidence/predicate.js';
import type { ProvenancePolicy } from '../evidence/provenance.js';
import { DEFAULT_LIMITS } from '../evidence/source.js';
import { findChangePull, readChangeData, readDeploymentHistory } from '../github/change-data.js';
import type { GitHubClient } from '../github/client.js';
import type { RunContext } from '../github/context.js';
import type { Clock } from '../io.js';
import { evidenceOutputs, renderEvidenceSummary } from '../report/evidence.js';
import { GENOPS_VERSION } from '../version.js';
import { enumInput, InputProblems, intInput, listInput, type RawInputs } from './inputs.js';
import { runIdentityOf } from './run-identity.js';
import { maskSecret, type ActionRuntime } from './runtime.js';
import { parseSigningInputs, SIGNING_INPUTS } from './signing-inputs.js';
import { publicKeyPems } from './verification.js';

export const EVIDENCE_SOURCE_INPUTS = FILE_SOURCE_KINDS.map((k) => SOURCE_INPUTS[k]);

export const EVIDENCE_STEP_INPUTS = [
  ...EVIDENCE_SOURCE_INPUTS,
  'required-metadata',
  'github-token',
  'fetch-change',
  'environment',
  'deployment-history',
  'path-categories',
  'ai-agents',
  'max-file-bytes',
  'max-files-per-source',
  'provenance-public-keys',
  'provenance-certificate-identity',
  'provenance-certificate-oidc-issuer',
  'provenance-builder-ids',
  'provenance-source-repository',
  'subject-digests',
  'output-path',
  'ttl-seconds',
  ...SIGNING_INPUTS,
] as const;

export const EVIDENCE_STEP_OUTPUTS = [
  'artifact-path',
  'artifact-digest',
  'components',
  'vulnerabilities',
  'vulnerabilities-critical',
  'vulnerabilities-high',
  'vulnerabilities-medium',
  'vulnerabilities-low',
  'changed-lines-coverage',
  'tests-failed',
  'absent-sources',
] as const;

export interface EvidenceDeps {
  context: RunContext;
  fs: ArtifactFileSystem;
  clock: Clock;
  /** Absolute workspace path (coverage reports often hold absolute paths). */
  workspaceRoot?: string;
  /** Builds the API client; tests point it at the fake GitHub. */
  github: (token: string) => GitHubClient;
}

/** `path-categories`: YAML mapping of category name -> list of globs (replaces the defaults). */
function parseCategories(raw: RawInputs, problems: InputProblems): Record<string, string[]> | undefined {
  const text = raw('path-categories');
  if (text === '') return undefined;
  let doc: unknown;
  try {
    doc = loadYaml(text, { schema: CORE_SCHEMA, maxAliases: 0 });
  } catch {
    problems.add('path-categories', 'is not valid YAML', 'a mapping like `migration: ["db/**"]`');
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    problems.add('path-categories', 'is not a mapping', 'a mapping of category name to a list of globs');
    return undefined;
  }
  const out: Record<string, string[]> = {};
  for (const [name, globs] of Object.entries(doc)) {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(name) || !Array.isArray(globs) || !globs.every((g): g is string => typeof g === 'string' && g !== '')) {
      problems.add('path-categories', `has a bad entry ${JSON.stringify(name)}`, 'lower-case names mapping to lists of non-empty glob strings');
      continue;
    }
    out[name] = globs;
  }
  return out;
}

function parseProvenance(raw: RawInputs, problems: InputProblems): CollectRequest['provenance'] {
  const keys = raw('provenance-public-keys');
  const identity = raw('provenance-certificate-identity');
  const builders = listInput(raw, 'provenance-builder-ids');
  const expectedSubjects = listInput(raw, 'subject-digests').map((d) => d.replace(/^sha256:/, '').toLowerCase());
  for (const d of expectedSubjects) if (!/^[0-9a-f]{64}$/.test(d)) problems.add('subject-digests', `has ${JSON.stringify(d)}`, 'sha256 digests (64 hex digits, optionally sha256: prefixed), one per line');
  if (keys === '' && identity === '') return expectedSubjects.length === 0 ? undefined : { expectedSubjects };
  const sourceRepository = raw('provenance-source-repository') || undefined;
  let policy: ProvenancePolicy;
  if (keys !== '') {
    const pems = publicKeyPems(keys);
    if (pems.length === 0) {
      problems.add('provenance-public-keys', 'holds no PEM public key', 'one or more "-----BEGIN PUBLIC KEY-----" blocks');
      return undefined;
    }
    try {
      policy = { trust: { mode: 'key', keys: pems.map((pem, i) => loadPublicKey(pem, `provenance-public-keys[${String(i)}]`)) }, builderIds: builders };
    } catch (e) {
      problems.add('provenance-public-keys', e instanceof Error ? e.message : String(e), 'PEM public keys');
      return undefined;
    }
  } else {
    policy = {
      trust: { mode: 'keyless', identity: { subjectAlternativeName: identity, issuer: raw('provenance-certificate-oidc-issuer') || GITHUB_ACTIONS_ISSUER } },
      builderIds: builders,
    };
  }
  if (sourceRepository !== undefined) policy.sourceRepository = sourceRepository;
  return { policy, ...(expectedSubjects.length === 0 ? {} : { expectedSubjects }) };
}

export async function evidenceStep(rt: ActionRuntime, deps: EvidenceDeps): Promise<Evidence> {
  const raw = (n: string) => rt.getInput(n);
  maskSecret(rt, raw('signing-key'));
  maskSecret(rt, raw('github-token'));
  const ctx = deps.context;
  const problems = new InputProblems();
  const patterns: Partial<Record<FileSourceKind, string[]>> = {};
  for (const kind of FILE_SOURCE_KINDS) {
    const list = listInput(raw, SOURCE_INPUTS[kind]);
    if (list.length > 0) patterns[kind] = list;
  }
  const requiredText = raw('required-metadata');
  const required = requiredText === '' ? undefined : requiredText === 'none' ? [] : listInput(raw, 'required-metadata').flatMap((l) => l.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  const fetchChange = enumInput(raw, 'fetch-change', ['auto', 'true', 'false'] as const, 'auto', problems);
  const history = intInput(raw, 'deployment-history', 20, 0, 100, problems);
  const maxFileBytes = intInput(raw, 'max-file-bytes', DEFAULT_LIMITS.maxFileBytes, 1, 2 * 1024 * 1024 * 1024, problems);
  const maxFiles = intInput(raw, 'max-files-per-source', DEFAULT_LIMITS.maxFilesPerSource, 1, 10_000, problems);
  const ttl = intInput(raw, 'ttl-seconds', 7 * 24 * 3600, 60, 90 * 24 * 3600, problems);
  const categories = parseCategories(raw, problems);
  const agents = listInput(raw, 'ai-agents');
  const provenance = parseProvenance(raw, problems);
  const signing = parseSigningInputs(raw, problems);
  const outputPath = raw('output-path') || 'genops/evidence.intoto.json';
  const environment = raw('environment');
  const token = raw('github-token');
  // push and merge_group runs read the pull request that was merged or queued (findChangePull).
  const changeEvent = ctx.pullRequest !== undefined || ctx.mergeGroup !== undefined || ctx.eventName === 'push';
  if (fetchChange === 'true' && !changeEvent) {
    problems.add('fetch-change', `is true, but this ${ctx.eventName} run has no pull request`, 'auto or false outside pull_request, merge_group and push events');
  }
  problems.throwIfAny();

  const changeOptions: Partial<ChangeOptions> = {};
  if (categories !== undefined) changeOptions.categories = categories;
  if (agents.length > 0) changeOptions.aiAgents = [...DEFAULT_AI_AGENTS, ...agents];

  const wantChange = fetchChange === 'true' || (fetchChange === 'auto' && changeEvent && token !== '');
  const wantDeployments = environment !== '' && history > 0;
  const github: NonNullable<CollectRequest['github']> = {};
  if (wantChange || wantDeployments) {
    if (token === '') {
      throw new ConfigError('INPUT_MISSING', 'reading the pull request or deployments needs a GitHub token', {
        input: 'github-token',
        hint: 'Leave github-token at its default (${{ github.token }}), or set fetch-change: false and leave environment empty.',
        docUrl: docUrl('evidence', 'github'),
      });
    }
    const client = deps.github(token);
    if (wantChange) {
      const pull = await findChangePull(client, ctx);
      if (pull === undefined) {
        rt.logger.info(`change: this ${ctx.eventName} of ${ctx.subjectSha} came through no pull request; the evidence has no change section`);
      } else {
        rt.logger.info(`change: pull request #${String(pull.number)} (${pull.via})`);
        github.change = await readChangeData(client, ctx, { pullNumber: pull.number });
      }
    }
    if (wantDeployments) github.deployments = { environment, records: await readDeploymentHistory(client, ctx, environment, history) };
  }

  const req: CollectRequest = {
    patterns,
    limits: { maxFileBytes, maxFilesPerSource: maxFiles },
    changeOptions,
    github,
    now: deps.clock.now(),
  };
  if (required !== undefined) req.requiredMetadata = required;
  if (deps.workspaceRoot !== undefined) req.workspaceRoot = deps.workspaceRoot;
  if (provenance !== undefined) req.provenance = provenance;
  const evidence = await collectEvidence(deps.fs, req);
  for (const s of evidence.sources) {
    rt.logger.info(`${s.kind}: ${s.path} (${s.format}, ${String(s.size)} bytes, sha256:${s.sha256})`);
    for (const w of s.warnings) rt.annotate('warning', w, { title: `genops evidence: ${s.kind}`, ...(s.path.startsWith('github:') ? {} : { file: s.path }) });
  }

  const subject: SubjectSpec = { repository: ctx.repository.fullName, gitCommit: ctx.subjectSha };
  if (provenance?.expectedSubjects !== undefined) subject.artifacts = provenance.expectedSubjects.map((sha256, i) => ({ name: `artifact-${String(i + 1)}`, sha256 }));
  const statement = buildEvidenceStatement(subject, { toolVersion: GENOPS_VERSION, run: runIdentityOf(ctx), now: deps.clock.now(), ttlSeconds: ttl }, evidence);
  const { signAndWrite } = await import('./sign-step.js');
  const out = await signAndWrite(statement, outputPath, signing, rt.env, deps.fs);

  for (const [k, v] of Object.entries(evidenceOutputs(evidence))) rt.setOutput(k, v);
  rt.setOutput('artifact-path', out['artifact-path']);
  rt.setOutput('artifact-digest', out['artifact-digest']);
  rt.appendSummary(renderEvidenceSummary(evidence, { path: out['artifact-path'], digest: out['artifact-digest'] }));
  rt.logger.info(`evidence signed (${signing.mode} mode): ${out['artifact-path']} ${out['artifact-digest']}`);
  return evidence;
}
