/**
 * The `canary-promote` action (and what `genops canary run` shares with it): verify the decision
 * handed over (and the risk artifact whose canary plan is walked) before anything moves, fail closed
 * on deny, on require-approval without an approved review of this run for the decision's
 * protected environment, and on any missing, unsigned, tampered or mismatched artifact; then walk
 * the stages through the traffic hooks with the chosen metric provider, saving the state after
 * every window and stage (a re-run with the saved state resumes), and sign the canary artifact
 * (its inputs: the decision and risk digests). Promoted exits 0; rolled back and inconclusive are
 * BlockedErrors, after the artifact, outputs and summary were written.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { verifyChain } from '../artifact/chain.js';
import type { ArtifactFileSystem } from '../artifact/handoff.js';
import { PredicateTypes } from '../artifact/statement.js';
import type { VerifiedArtifact } from '../artifact/verify.js';
import { configProblems, DEFAULT_CANARY_CONFIG, parseCanaryConfigFile, parseDurationSeconds, stageProblems, type CanaryConfig } from '../canary/config.js';
import { runCanary } from '../canary/engine.js';
import { loadFileMetricsProvider } from '../canary/file-provider.js';
import { httpMetricsProvider } from '../canary/http-provider.js';
import type { CanaryClock, MetricsProvider, TrafficControl } from '../canary/model.js';
import { buildCanaryBody, buildCanaryStatement, type CanaryPredicate, type CanaryPredicateBody } from '../canary/predicate.js';
import { DEFAULT_PROMETHEUS_QUERIES, prometheusMetricsProvider, type PrometheusProviderOptions, type PrometheusQueries } from '../canary/prometheus.js';
import { canaryTraceMarkdown, canaryTraceSvg, type CanaryRun, type CanaryState } from '../canary/trace.js';
import { bashRunner, commandTrafficControl, webhookTrafficControl } from '../canary/traffic.js';
import { BlockedError, ConfigError, docUrl, VerificationError } from '../errors.js';
import { isRecord, parseYamlSource, sourceFileOf, sourceText, yamlKeyLines, type SourceFile } from '../evidence/source.js';
import { PERMISSIONS_BY_OPERATION, withApi } from '../github/api-errors.js';
import type { GitHubClient } from '../github/client.js';
import type { RunContext } from '../github/context.js';
import type { DecisionPredicate } from '../policy/decision-model.js';
import { mdCode, mdText } from '../report/escape.js';
import type { RiskAssessment } from '../risk/model.js';
import type { Statement } from '../artifact/statement.js';
import { writeFileAtomic } from '../io.js';
import { GENOPS_VERSION } from '../version.js';
import { boolInput, enumInput, InputProblems, intInput, type RawInputs } from './inputs.js';
import { runIdentityOf } from './run-identity.js';
import { maskSecret, type ActionRuntime } from './runtime.js';
import { parseSigningInputs, SIGNING_INPUTS } from './signing-inputs.js';
import { parseVerificationInputs, VERIFICATION_INPUTS, verifyUpstream, type VerifyDeps } from './verification.js';

/** The decision and risk are verified with the verify inputs, less predicate-type (fixed here). */
const UPSTREAM_INPUTS = VERIFICATION_INPUTS.filter((n) => n !== 'predicate-type');

export const CANARY_STEP_INPUTS = [
  ...UPSTREAM_INPUTS,
  'environment',
  'stages',
  'config',
  'max-duration',
  'metrics-provider',
  'prometheus-url',
  'prometheus-config',
  'canary-version',
  'baseline-version',
  'metrics-file',
  'metrics-url',
  'metrics-method',
  'metrics-token',
  'set-weight-command',
  'rollback-command',
  'confirm-promotion-command',
  'traffic-webhook-url',
  'traffic-webhook-secret',
  'traffic-webhook-confirm',
  'state-file',
  'github-token',
  'output-path',
  'chart-path',
  'ttl-seconds',
  ...SIGNING_INPUTS,
] as const;

export const CANARY_STEP_OUTPUTS = ['outcome', 'final-weight', 'artifact-path', 'artifact-digest', 'chart-path', 'state-file'] as const;

export const METRICS_PROVIDERS = ['prometheus', 'file', 'http'] as const;
export type MetricsProviderKind = (typeof METRICS_PROVIDERS)[number];

/** Where the window counts come from (what the inputs or CLI flags chose). */
export type MetricsSpec =
  | { kind: 'prometheus'; url: string; canaryVersion: string; baselineVersion: string; bearerToken?: string; configPath?: string }
  | { kind: 'file'; path: string }
  | { kind: 'http'; url: string; method: 'GET' | 'POST'; bearerToken?: string };

/** How the canary's weight is changed. */
export type TrafficSpec =
  | { kind: 'command'; setWeightCommand: string; rollbackCommand?: string; confirmPromotionCommand?: string }
  | { kind: 'webhook'; url: string; secret?: string; confirm: boolean };

export const DEFAULT_STATE_FILE_NAME = 'genops-canary-state.json';

// ---------------------------------------------------------------------------------------------
// Authorization: the decision (and risk) handed over, verified, must allow this rollout.

export interface CanaryAuthorization {
  decision: VerifiedArtifact;
  decisionBody: DecisionPredicate;
  risk?: VerifiedArtifact;
  /** The stage ladder to walk and where it came from. */
  plan: CanaryPredicateBody['plan'];
  /** The environment rolled out to. */
  environment: string;
  /** The predicate's `decision` block. */
  summary: CanaryPredicateBody['decision'];
}

export interface AuthorizeOptions {
  /** The `stages` input / `--stages`: overrides the plan. */
  stages?: number[];
  /** The `environment` input: must be the decision's environment when given. */
  environment?: string;
  /** The logins that approved this run for `environment` (require-approval); undefined: cannot be checked here. */
  approvals?: (environment: string) => Promise<string[]>;
  /** Name of the input the artifacts came from, for messages. */
  input?: string;
}

/** The gate said no (deny, or require-approval without approval): nothing is deployed. */
export class CanaryNotAuthorized extends BlockedError {
  constructor(message: string, hint: string) {
    super('POLICY_DENIED', message, { hint, docUrl: docUrl('canary', 'the-action') });
    this.name = 'CanaryNotAuthorized';
  }
}

function samePlan(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Checks the verified artifacts and what the decision allows, before any traffic moves. Throws a
 * BlockedError (deny, missing approval), a VerificationError (the risk is not the decision's, the
 * environment differs) or a ConfigError (wrong set of artifacts, no plan).
 */
export async function authorizeCanary(verified: readonly VerifiedArtifact[], options: AuthorizeOptions = {}): Promise<CanaryAuthorization> {
  const input = options.input ?? 'artifacts';
  const of = (t: string) => verified.filter((v) => v.statement.predicateType === t);
  const decisions = of(PredicateTypes.decision);
  const risks = of(PredicateTypes.risk);
  if (decisions.length !== 1) {
    throw new ConfigError('INPUT_INVALID', `expected exactly one decision artifact, got ${String(decisions.length)}`, {
      input,
      hint: "Hand over policy-gate's decision artifact (artifact-path and artifact-digest), and risk-score's for its canary plan.",
      docUrl: docUrl('canary', 'the-action'),
    });
  }
  if (risks.length > 1) throw new ConfigError('INPUT_INVALID', `expected at most one risk artifact, got ${String(risks.length)}`, { input, hint: 'Hand over the one risk artifact the decision was made from.' });
  // The artifacts handed over must be one chain: same commit, inputs in order (inputs not handed over are allowed).
  verifyChain(verified, { requireInputs: false });
  const decision = decisions[0] as VerifiedArtifact;
  const d = decision.statement.predicate as unknown as DecisionPredicate;
  const risk = risks[0];
  let assessment: RiskAssessment | undefined;
  if (risk !== undefined) {
    if (!d.header.inputs.some((ref) => ref.digest.sha256 === risk.digest)) {
      throw new VerificationError('DIGEST_MISMATCH', `${risk.source}: this risk artifact is not the one the decision ${decision.source} was made from`, {
        file: risk.source,
        expected: d.header.inputs.filter((r) => r.predicateType === PredicateTypes.risk).map((r) => `sha256:${r.digest.sha256}`).join(', ') || 'a risk input of the decision',
        actual: `sha256:${risk.digest}`,
        hint: "Hand over the risk artifact of the same run as the decision (risk-score's artifact-path and artifact-digest).",
      });
    }
    const { header: _h, ...body } = risk.statement.predicate as unknown as RiskAssessment & { header: unknown };
    assessment = body;
    if (d.risk !== undefined && !samePlan(d.risk.canaryPlan, body.canaryPlan)) {
      throw new VerificationError('STATEMENT_INVALID', `${decision.source}: its risk summary names the canary plan ${d.risk.canaryPlan.join(',')}, the risk artifact ${body.canaryPlan.join(',')}`, {
        file: decision.source,
        hint: 'The decision and risk artifacts disagree; re-run the gate.',
      });
    }
  }
  const environment = options.environment === undefined || options.environment === '' ? d.environment : options.environment;
  if (environment !== d.environment) {
    throw new VerificationError('SUBJECT_MISMATCH', `${decision.source}: the decision is for environment ${JSON.stringify(d.environment)}, this rollout is to ${JSON.stringify(environment)}`, {
      input: 'environment',
      file: decision.source,
      expected: d.environment,
      actual: environment,
      hint: 'Gate the change for this environment (policy-gate environment input), or roll out to the environment it was gated for.',
    });
  }

  const summary: CanaryPredicateBody['decision'] = { digest: decision.digest, decision: 'allow', key: d.key, environment: d.environment };
  if (d.decision === 'deny') {
    throw new CanaryNotAuthorized(`the decision ${decision.source} is deny: nothing was deployed`, 'The job summary and PR comment of policy-gate say what to change; a new gate run with a passing decision unblocks the rollout.');
  } else if (d.decision === 'require-approval') {
    const env = d.requiredEnvironment;
    if (env === undefined) {
      throw new CanaryNotAuthorized(`the decision ${decision.source} is require-approval but names no protected environment: nothing was deployed`, 'Set approval-environment on policy-gate and run this job in that environment.');
    }
    if (options.approvals === undefined) {
      throw new CanaryNotAuthorized(
        `the decision is require-approval (environment ${JSON.stringify(env)}); the approval can only be checked inside the workflow run: nothing was deployed`,
        `Run canary-promote in a job with \`environment: ${env}\` (required reviewers), or get an allow decision.`,
      );
    }
    const approvedBy = await options.approvals(env);
    if (approvedBy.length === 0) {
      throw new CanaryNotAuthorized(
        `the decision is require-approval and this workflow run has no approved review for environment ${JSON.stringify(env)}: nothing was deployed`,
        `Run this job with \`environment: ${env}\`, where required reviewers approve the deployment; the token needs \`actions: read\` to see the approval.`,
      );
    }
    summary.decision = 'require-approval';
    summary.approval = { environment: env, approvedBy };
  } else {
    summary.decision = d.decision;
  }

  let plan: CanaryPredicateBody['plan'];
  if (options.stages !== undefined) plan = { source: 'stages-input', stages: options.stages };
  else if (assessment !== undefined) plan = { source: 'risk', riskTier: assessment.tier, stages: [...assessment.canaryPlan] };
  else if (d.risk !== undefined) plan = { source: 'decision', riskTier: d.risk.tier, stages: [...d.risk.canaryPlan] };
  else {
    throw new ConfigError('INPUT_MISSING', 'no canary plan: the decision carries no risk summary and no risk artifact or stages were given', {
      input: 'stages',
      expected: "risk-score's artifact handed over with the decision, or stages such as 1,5,25,50,100",
      docUrl: docUrl('canary', 'the-action'),
    });
  }
  const sp = stageProblems(plan.stages);
  if (sp.length > 0) {
    throw new ConfigError('INPUT_INVALID', `the canary plan ${plan.stages.join(',')} (from ${plan.source}) cannot be walked: ${sp.join('; ')}`, {
      input: plan.source === 'stages-input' ? 'stages' : input,
      expected: 'increasing percentages ending at 100, e.g. 1,5,25,50,100',
    });
  }
  return { decision, decisionBody: d, ...(risk === undefined ? {} : { risk }), plan, environment, summary };
}

/** Parses `1,5,25,50,100` (commas or whitespace). */
export function parseStages(text: string, input: string, problems?: InputProblems): number[] | undefined {
  if (text.trim() === '') return undefined;
  const parts = text.split(/[\s,]+/).filter((s) => s !== '');
  const stages = parts.map((s) => (/^\d+(\.\d+)?$/.test(s) ? Number(s) : Number.NaN));
  const sp = stages.some((s) => Number.isNaN(s)) ? ['not a list of numbers'] : stageProblems(stages);
  if (sp.length === 0) return stages;
  const expected = 'increasing percentages ending at 100, e.g. 1,5,25,50,100';
  if (problems === undefined) throw new ConfigError('INPUT_INVALID', `${input} ${JSON.stringify(text)}: ${sp.join('; ')}`, { input, expected });
  problems.add(input, `is ${JSON.stringify(text)}: ${sp.join('; ')}`, expected);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Approvals through the GitHub API.

/**
 * The logins that approved this workflow run for `environment` (GET
 * /repos/{owner}/{repo}/actions/runs/{run_id}/approvals). A rejection for it counts as no approval.
 */
export async function runApprovals(client: GitHubClient, ctx: RunContext, environment: string): Promise<string[]> {
  const { owner, repo } = ctx.repository;
  const read = PERMISSIONS_BY_OPERATION.readRunApprovals;
  const { data } = await withApi(read.operation, read.permission, () => client.rest.actions.getReviewsForRun({ owner, repo, run_id: ctx.runId }), { readOnlyToken: ctx.isReadOnlyToken });
  const forEnv = data.filter((r) => r.environments.some((e) => e.name === environment));
  if (forEnv.some((r) => r.state === 'rejected')) return [];
  return [...new Set(forEnv.filter((r) => r.state === 'approved').map((r) => r.user.login))];
}

// ---------------------------------------------------------------------------------------------
// Providers and traffic control from plain specs.

export type SourceReader = (path: string, input: string) => Promise<SourceFile>;

const PROMETHEUS_CONFIG_KEYS = ['versionLabel', 'slowLe', 'mode', 'minSamplesPerWindow', 'scrapeIntervalSeconds', 'timeoutMs', 'queries'] as const;
const QUERY_KEYS = Object.keys(DEFAULT_PROMETHEUS_QUERIES) as (keyof PrometheusQueries)[];

/** The prometheus-config YAML: provider settings and template overrides, problems with their lines. */
export function parsePrometheusConfig(file: SourceFile): Partial<PrometheusProviderOptions> {
  const expected = `a mapping of ${PROMETHEUS_CONFIG_KEYS.join(', ')} (see docs/canary.md#prometheus)`;
  const doc = parseYamlSource(file, expected);
  const problems: { path: string[]; message: string }[] = [];
  const out: Partial<PrometheusProviderOptions> = {};
  if (doc === null || doc === undefined) return out;
  if (!isRecord(doc)) problems.push({ path: [], message: 'must be a mapping' });
  else {
    for (const k of Object.keys(doc)) if (!(PROMETHEUS_CONFIG_KEYS as readonly string[]).includes(k)) problems.push({ path: [k], message: `unknown key (expected one of ${PROMETHEUS_CONFIG_KEYS.join(', ')})` });
    const str = (k: 'versionLabel' | 'slowLe') => {
      const v = doc[k];
      if (v === undefined) return;
      if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
      else problems.push({ path: [k], message: 'must be a string' });
    };
    str('versionLabel');
    str('slowLe');
    if (doc.mode !== undefined) {
      if (doc.mode === 'query' || doc.mode === 'query_range') out.mode = doc.mode;
      else problems.push({ path: ['mode'], message: 'must be query or query_range' });
    }
    for (const k of ['minSamplesPerWindow', 'scrapeIntervalSeconds', 'timeoutMs'] as const) {
      const v = doc[k];
      if (v === undefined) continue;
      if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[k] = v;
      else problems.push({ path: [k], message: 'must be a number > 0' });
    }
    if (doc.queries !== undefined) {
      if (!isRecord(doc.queries)) problems.push({ path: ['queries'], message: `must be a mapping of ${QUERY_KEYS.join(', ')}` });
      else {
        const queries: Partial<PrometheusQueries> = {};
        for (const [k, v] of Object.entries(doc.queries)) {
          if (!(QUERY_KEYS as string[]).includes(k)) problems.push({ path: ['queries', k], message: `unknown query (expected one of ${QUERY_KEYS.join(', ')})` });
          else if (typeof v !== 'string') problems.push({ path: ['queries', k], message: 'must be a PromQL template string ("" switches the reading off)' });
          else queries[k as keyof PrometheusQueries] = v;
        }
        out.queries = queries;
      }
    }
  }
  if (problems.length === 0) return out;
  const lines = yamlKeyLines(sourceText(file, expected), 0, problems.map((p) => p.path));
  const lineOf = (path: string[]) => lines.get(path.join('\u0000'));
  // In the file's order, so the list reads top to bottom.
  problems.sort((a, b) => (lineOf(a.path) ?? 0) - (lineOf(b.path) ?? 0));
  const first = problems[0];
  const firstLine = first === undefined ? undefined : lineOf(first.path);
  throw new ConfigError('FILE_INVALID', `${file.path}: ${String(problems.length)} problem(s) in the Prometheus settings:\n${problems.map((p) => `- ${p.path.join('.') || '(root)'}${lineOf(p.path) === undefined ? '' : ` (line ${String(lineOf(p.path))})`}: ${p.message}`).join('\n')}`, {
    input: 'prometheus-config',
    file: file.path,
    ...(firstLine === undefined ? {} : { line: firstLine }),
    expected,
    docUrl: docUrl('canary', 'prometheus'),
  });
}

export async function buildMetricsProvider(spec: MetricsSpec, read: SourceReader): Promise<MetricsProvider> {
  switch (spec.kind) {
    case 'file':
      return loadFileMetricsProvider({ readFile: async (p) => (await read(p, 'metrics-file')).bytes }, spec.path);
    case 'http':
      return httpMetricsProvider({ url: spec.url, method: spec.method, ...(spec.bearerToken === undefined ? {} : { headers: { authorization: `Bearer ${spec.bearerToken}` } }) });
    case 'prometheus': {
      const extra = spec.configPath === undefined ? {} : parsePrometheusConfig(await read(spec.configPath, 'prometheus-config'));
      return prometheusMetricsProvider({
        ...extra,
        url: spec.url,
        canaryVersion: spec.canaryVersion,
        baselineVersion: spec.baselineVersion,
        ...(spec.bearerToken === undefined ? {} : { bearerToken: spec.bearerToken }),
      });
    }
  }
}

export function buildTrafficControl(spec: TrafficSpec, cwd: string): TrafficControl {
  if (spec.kind === 'webhook') return webhookTrafficControl({ url: spec.url, ...(spec.secret === undefined ? {} : { secret: spec.secret }), confirmPromotion: spec.confirm });
  return commandTrafficControl({
    setWeightCommand: spec.setWeightCommand,
    ...(spec.rollbackCommand === undefined ? {} : { rollbackCommand: spec.rollbackCommand }),
    ...(spec.confirmPromotionCommand === undefined ? {} : { confirmPromotionCommand: spec.confirmPromotionCommand }),
    runner: bashRunner(cwd),
  });
}

// ---------------------------------------------------------------------------------------------
// Saved state.

/** Where the rollout state lives between runs (a file; a workflow artifact carries it across runners). */
export interface CanaryStateStore {
  readonly path: string;
  load(): Promise<string | undefined>;
  save(text: string): Promise<void>;
}

/** A state file, written atomically (a kill mid-write leaves the previous state). */
export function fileCanaryStateStore(path: string): CanaryStateStore {
  return {
    path,
    async load() {
      try {
        return await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new ConfigError('FILE_INVALID', `the canary state file ${path} cannot be read: ${e instanceof Error ? e.message : String(e)}`, { input: 'state-file', file: path, cause: e });
      }
    },
    save: (text) => writeFileAtomic(path, text),
  };
}

/** The saved document: the engine's state, bound to the decision it was authorized by. */
interface StateDocument {
  kind: 'genops-canary-state';
  version: 1;
  decisionDigest: string;
  state: CanaryState;
}

function parseStateDocument(text: string, path: string, decisionDigest: string): CanaryState {
  const bad = (what: string): never => {
    throw new ConfigError('FILE_INVALID', `the canary state file ${path} ${what}`, {
      input: 'state-file',
      file: path,
      expected: 'a state file written by canary-promote for this decision',
      hint: 'Delete it to start a new rollout at the first stage (the canary traffic may need resetting by hand first).',
      docUrl: docUrl('canary', 'resuming'),
    });
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return bad(`is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isRecord(doc) || doc.kind !== 'genops-canary-state' || doc.version !== 1 || !isRecord(doc.state)) return bad('is not a genops canary state (kind genops-canary-state, version 1)');
  const s = doc.state;
  if (!Array.isArray(s.stages) || !Array.isArray(s.trace) || typeof s.stageIndex !== 'number' || typeof s.startedAt !== 'string' || !isRecord(s.eprocess) || !isRecord(s.guards)) return bad('has a malformed state');
  if (!['running', 'paused', 'finished'].includes(String(s.status))) return bad('has an unknown status');
  if (doc.decisionDigest !== decisionDigest) {
    return bad(`was saved for the decision sha256:${String(doc.decisionDigest)}, this run verified sha256:${decisionDigest}: it belongs to another rollout`);
  }
  return s as unknown as CanaryState;
}

// ---------------------------------------------------------------------------------------------
// The rollout.

export interface CanaryRolloutOptions {
  auth: CanaryAuthorization;
  config: CanaryConfig;
  provider: MetricsProvider;
  providerKind: MetricsProviderKind;
  traffic: TrafficControl;
  trafficKind: TrafficSpec['kind'];
  clock: CanaryClock;
  store: CanaryStateStore;
  signal?: AbortSignal;
  subject: { repository: string; gitCommit: string };
  header: { run: Parameters<typeof buildCanaryStatement>[1]['run']; ttlSeconds: number };
}

export interface CanaryRolloutResult {
  run: CanaryRun;
  resumed: boolean;
  statement: Statement<CanaryPredicate>;
}

/** Walks the plan (resuming a saved state), then builds the canary statement (unsigned). */
export async function runCanaryRollout(o: CanaryRolloutOptions): Promise<CanaryRolloutResult> {
  const digest = o.auth.decision.digest;
  const saved = await o.store.load();
  const state = saved === undefined ? undefined : parseStateDocument(saved, o.store.path, digest);
  const run = await runCanary({
    stages: o.auth.plan.stages,
    config: o.config,
    provider: o.provider,
    traffic: o.traffic,
    clock: o.clock,
    ...(state === undefined ? {} : { state }),
    onState: async (s) => {
      const doc: StateDocument = { kind: 'genops-canary-state', version: 1, decisionDigest: digest, state: s };
      await o.store.save(JSON.stringify(doc));
    },
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  });
  const body = buildCanaryBody({
    run,
    config: o.config,
    environment: o.auth.environment,
    decision: o.auth.summary,
    plan: o.auth.plan,
    provider: o.providerKind,
    traffic: o.trafficKind,
    resumed: state !== undefined,
  });
  const statement = buildCanaryStatement(
    o.subject,
    { toolVersion: GENOPS_VERSION, run: o.header.run, now: o.clock.now(), ttlSeconds: o.header.ttlSeconds },
    {
      decision: { name: o.auth.decision.source, digest },
      ...(o.auth.risk === undefined ? {} : { risk: { name: o.auth.risk.source, digest: o.auth.risk.digest } }),
    },
    body,
  );
  return { run, resumed: state !== undefined, statement };
}

/** The exit of a finished rollout: undefined when promoted, else the BlockedError to throw. */
export function canaryOutcomeError(run: CanaryRun, statePath: string, resumeHow = 're-run this job with the same state file'): BlockedError | undefined {
  if (run.outcome === 'promoted') return undefined;
  if (run.outcome === 'rolled-back') {
    return new BlockedError('CANARY_ROLLED_BACK', `canary rolled back (${run.rule}): ${run.reason}`, {
      hint: 'The canary is at 0 %. The job summary and the signed canary artifact show the stage, the counts and the evidence that decided; fix the change and roll out again.',
      docUrl: docUrl('canary', 'outcomes'),
    });
  }
  return new BlockedError('CANARY_INCONCLUSIVE', `canary inconclusive at ${String(run.finalWeight)} % (${run.rule}): ${run.reason}. A human must decide.`, {
    hint: `The canary stays at ${String(run.finalWeight)} %. To continue, ${resumeHow} (${statePath}): the paused stage resumes with the evidence gathered so far. To stop, roll back by hand (your rollback command), then delete the state file.`,
    docUrl: docUrl('canary', 'resuming'),
  });
}

/** Human-readable lines for the job summary: outcome, decision, plan, artifact, then the trace. */
export function canarySummaryMarkdown(run: CanaryRun, p: CanaryPredicateBody, artifact: { path: string; digest: string }, statePath: string): string {
  const icon = run.outcome === 'promoted' ? ':white_check_mark:' : run.outcome === 'rolled-back' ? ':rewind:' : ':pause_button:';
  const approval = p.decision.approval === undefined ? '' : `, approved for ${mdCode(p.decision.approval.environment)} by ${p.decision.approval.approvedBy.map((l) => mdText(l)).join(', ')}`;
  const lines = [
    `### ${icon} genops canary-promote: ${run.outcome} (${mdText(p.environment)})`,
    '',
    `- Decision: ${p.decision.decision} (gate ${mdCode(p.decision.key)}, ${mdCode(`sha256:${p.decision.digest}`)})${approval}`,
    `- Plan: ${p.plan.stages.join(' → ')} % (from ${p.plan.source}${p.plan.riskTier === undefined ? '' : `, risk tier ${p.plan.riskTier}`})${p.resumed ? '; resumed from a saved state' : ''}`,
    `- Metrics: ${p.provider}; traffic: ${p.traffic} hooks; method ${p.settings.method}, alpha ${String(p.settings.alpha)}`,
    `- Signed canary artifact: ${mdCode(artifact.path)} ${mdCode(artifact.digest)}`,
  ];
  if (run.outcome === 'inconclusive') lines.push(`- **A human decides.** Re-run with the state file ${mdCode(statePath)} to resume the paused stage, or roll back by hand.`);
  lines.push('', canaryTraceMarkdown(run), '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// The action step.

export interface CanaryDeps extends VerifyDeps {
  github: (token: string) => GitHubClient;
  /** Time for the rollout (sleeps between windows); default the system clock. */
  canaryClock?: CanaryClock;
  /** SIGTERM/SIGINT of the runner: aborting rolls back. */
  signal?: AbortSignal;
  /** Where hooks run; default the workspace (process.cwd()). */
  workspace?: string;
  /** Reads provider files (metrics-file, prometheus-config, config); default through `fs`. */
  readSource?: SourceReader;
}

interface CanaryInputs {
  environment: string;
  stages?: number[];
  configPath: string;
  maxDurationSeconds?: number;
  metrics?: MetricsSpec;
  traffic?: TrafficSpec;
  statePath: string;
  token: string;
  outputPath: string;
  chartPath: string;
  ttl: number;
}

function parseCanaryInputs(raw: RawInputs, env: Readonly<Record<string, string | undefined>>, workspace: string, problems: InputProblems): CanaryInputs {
  const opt = (n: string) => (raw(n) === '' ? undefined : raw(n));
  const stages = parseStages(raw('stages'), 'stages', problems);
  let maxDurationSeconds: number | undefined;
  if (raw('max-duration') !== '') {
    maxDurationSeconds = parseDurationSeconds(/^\d+(\.\d+)?$/.test(raw('max-duration')) ? Number(raw('max-duration')) : raw('max-duration'));
    if (maxDurationSeconds === undefined) problems.add('max-duration', `is ${JSON.stringify(raw('max-duration'))}`, 'a duration such as 90m, 4h or 3600 (seconds)');
  }
  // The provider: named, or the one whose location input is set.
  const located = (['prometheus-url', 'metrics-file', 'metrics-url'] as const).filter((n) => raw(n) !== '');
  const byInput: Record<(typeof located)[number], MetricsProviderKind> = { 'prometheus-url': 'prometheus', 'metrics-file': 'file', 'metrics-url': 'http' };
  let kind: MetricsProviderKind | undefined;
  if (raw('metrics-provider') !== '') kind = enumInput(raw, 'metrics-provider', METRICS_PROVIDERS, 'prometheus', problems);
  else if (located.length === 1) kind = byInput[located[0] as (typeof located)[number]];
  else problems.add('metrics-provider', located.length === 0 ? 'is required' : `is ambiguous: ${located.join(' and ')} are both set`, 'prometheus (with prometheus-url), file (with metrics-file) or http (with metrics-url)');
  let metrics: MetricsSpec | undefined;
  const token = opt('metrics-token');
  if (kind === 'prometheus') {
    const url = raw('prometheus-url');
    if (url === '') problems.add('prometheus-url', 'is required', 'the Prometheus base URL, e.g. http://prometheus.monitoring:9090');
    const cfg = opt('prometheus-config');
    metrics = { kind, url, canaryVersion: raw('canary-version') || 'canary', baselineVersion: raw('baseline-version') || 'stable', ...(token === undefined ? {} : { bearerToken: token }), ...(cfg === undefined ? {} : { configPath: cfg }) };
  } else if (kind === 'file') {
    if (raw('metrics-file') === '') problems.add('metrics-file', 'is required', 'a JSON or CSV file of windows (docs/canary.md#file-provider)');
    metrics = { kind, path: raw('metrics-file') };
  } else if (kind === 'http') {
    if (raw('metrics-url') === '') problems.add('metrics-url', 'is required', 'an http(s) URL answering one window of counts');
    metrics = { kind, url: raw('metrics-url'), method: enumInput(raw, 'metrics-method', ['GET', 'POST'] as const, 'GET', problems), ...(token === undefined ? {} : { bearerToken: token }) };
  }
  // Traffic: command hooks or a webhook, not both.
  let traffic: TrafficSpec | undefined;
  const webhook = raw('traffic-webhook-url');
  const setWeight = raw('set-weight-command');
  if (webhook !== '' && setWeight !== '') problems.add('traffic-webhook-url', 'is set together with set-weight-command', 'either command hooks or a webhook');
  else if (webhook !== '') {
    const secret = opt('traffic-webhook-secret');
    traffic = { kind: 'webhook', url: webhook, ...(secret === undefined ? {} : { secret }), confirm: boolInput(raw, 'traffic-webhook-confirm', false, problems) };
  } else if (setWeight !== '') {
    const rb = opt('rollback-command');
    const cp = opt('confirm-promotion-command');
    traffic = { kind: 'command', setWeightCommand: setWeight, ...(rb === undefined ? {} : { rollbackCommand: rb }), ...(cp === undefined ? {} : { confirmPromotionCommand: cp }) };
  } else problems.add('set-weight-command', 'is required (or traffic-webhook-url)', 'a bash command that sets the canary weight from $GENOPS_CANARY_WEIGHT');
  const stateInput = raw('state-file');
  const statePath = stateInput === '' ? join(env.RUNNER_TEMP ?? join(workspace, '.genops-tmp'), DEFAULT_STATE_FILE_NAME) : isAbsolute(stateInput) ? stateInput : resolve(workspace, stateInput);
  return {
    environment: raw('environment'),
    ...(stages === undefined ? {} : { stages }),
    configPath: raw('config'),
    ...(maxDurationSeconds === undefined ? {} : { maxDurationSeconds }),
    ...(metrics === undefined ? {} : { metrics }),
    ...(traffic === undefined ? {} : { traffic }),
    statePath,
    token: raw('github-token'),
    outputPath: raw('output-path') || 'genops/canary.intoto.json',
    chartPath: raw('chart-path') || 'genops/canary-chart.svg',
    ttl: intInput(raw, 'ttl-seconds', 30 * 24 * 3600, 60, 366 * 24 * 3600, problems),
  };
}

/** The settings: the config file over the defaults, the max-duration input over that; checked as a whole. */
export async function loadCanaryConfig(read: SourceReader, path: string, stages: readonly number[], maxDurationSeconds?: number, input = 'config'): Promise<CanaryConfig> {
  let config = path === '' ? DEFAULT_CANARY_CONFIG : parseCanaryConfigFile(await read(path, input), stages);
  if (maxDurationSeconds !== undefined) {
    config = { ...config, maxTotalSeconds: maxDurationSeconds };
    const p = configProblems(config).find((x) => x.path[0] === 'maxTotalDuration');
    if (p !== undefined) throw new ConfigError('INPUT_INVALID', `max-duration: ${p.message}`, { input: 'max-duration', expected: 'at least one stage deadline', docUrl: docUrl('canary', 'configuration') });
  }
  return config;
}

/** A workspace-confined reader over the step's file system. */
export function workspaceSourceReader(fs: ArtifactFileSystem): SourceReader {
  return async (path, input) => {
    const confined = await fs.confine(path);
    if (confined === undefined) {
      throw new ConfigError('FILE_NOT_FOUND', `${input}: no file at ${JSON.stringify(path)} inside the workspace`, { input, file: path, expected: 'an existing file, relative to the workspace' });
    }
    return sourceFileOf(confined, await fs.readFile(confined));
  };
}

/** The system clock; a sleep ends early when `signal` aborts (so a cancelled run exits at once). */
export function systemCanaryClock(signal?: AbortSignal): CanaryClock {
  return {
    now: () => new Date(),
    sleep: (ms) =>
      new Promise<void>((done) => {
        if (signal?.aborted === true) {
          done();
          return;
        }
        const onAbort = () => {
          clearTimeout(timer);
          done();
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          done();
        }, ms);
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
  };
}

/**
 * An AbortSignal that fires on the runner's SIGINT/SIGTERM (a cancelled workflow sends SIGINT, then
 * SIGTERM 7.5 s later): the engine rolls back instead of the process dying mid-stage.
 */
export function abortOnTermination(proc: Pick<NodeJS.Process, 'once'> = process): AbortSignal {
  const controller = new AbortController();
  const abort = (sig: string) => () => {
    controller.abort(new Error(`received ${sig}`));
  };
  proc.once('SIGINT', abort('SIGINT'));
  proc.once('SIGTERM', abort('SIGTERM'));
  return controller.signal;
}

export async function canaryStep(rt: ActionRuntime, deps: CanaryDeps): Promise<CanaryRun> {
  const raw: RawInputs = (n) => (n === 'predicate-type' ? 'decision\nrisk\nevidence' : rt.getInput(n));
  for (const secret of ['signing-key', 'github-token', 'metrics-token', 'traffic-webhook-secret']) maskSecret(rt, raw(secret));
  const workspace = deps.workspace ?? process.cwd();
  const problems = new InputProblems();
  const verification = parseVerificationInputs(raw, problems);
  const signing = parseSigningInputs(raw, problems);
  const cfg = parseCanaryInputs(raw, rt.env, workspace, problems);
  problems.throwIfAny();
  const metricsSpec = cfg.metrics as MetricsSpec;
  const trafficSpec = cfg.traffic as TrafficSpec;

  // Fail closed: nothing moves before the decision verified and allows the rollout.
  const verified = await verifyUpstream(verification, deps);
  const ctx = deps.context;
  const auth = await authorizeCanary(verified, {
    ...(cfg.stages === undefined ? {} : { stages: cfg.stages }),
    environment: cfg.environment,
    approvals: async (env) => {
      if (cfg.token === '') throw new ConfigError('INPUT_MISSING', 'github-token is empty: the approval of a require-approval decision cannot be checked', { input: 'github-token', expected: 'a token with actions: read (default ${{ github.token }})' });
      return runApprovals(deps.github(cfg.token), ctx, env);
    },
  });
  const read = deps.readSource ?? workspaceSourceReader(deps.fs);
  const config = await loadCanaryConfig(read, cfg.configPath, auth.plan.stages, cfg.maxDurationSeconds);
  const provider = await buildMetricsProvider(metricsSpec, read);
  const traffic = buildTrafficControl(trafficSpec, workspace);
  rt.logger.info(`canary ${auth.environment}: ${auth.plan.stages.join(' -> ')} % (plan from ${auth.plan.source}), decision ${auth.summary.decision} sha256:${auth.decision.digest}; state ${cfg.statePath}`);

  const { run, resumed, statement } = await runCanaryRollout({
    auth,
    config,
    provider,
    providerKind: metricsSpec.kind,
    traffic,
    trafficKind: trafficSpec.kind,
    clock: deps.canaryClock ?? systemCanaryClock(deps.signal),
    store: fileCanaryStateStore(cfg.statePath),
    ...(deps.signal === undefined ? {} : { signal: deps.signal }),
    subject: { repository: ctx.repository.fullName, gitCommit: verification.subjectSha ?? ctx.subjectSha },
    header: { run: runIdentityOf(ctx), ttlSeconds: cfg.ttl },
  });
  if (resumed) rt.logger.info(`resumed the rollout saved in ${cfg.statePath}`);

  const { signAndWrite } = await import('./sign-step.js');
  const out = await signAndWrite(statement, cfg.outputPath, signing, rt.env, deps.fs);
  await deps.fs.writeFileAtomic(cfg.chartPath, canaryTraceSvg(run));
  rt.setOutput('outcome', run.outcome);
  rt.setOutput('final-weight', String(run.finalWeight));
  rt.setOutput('artifact-path', out['artifact-path']);
  rt.setOutput('artifact-digest', out['artifact-digest']);
  rt.setOutput('chart-path', cfg.chartPath);
  rt.setOutput('state-file', cfg.statePath);
  rt.appendSummary(canarySummaryMarkdown(run, statement.predicate, { path: out['artifact-path'], digest: out['artifact-digest'] }, cfg.statePath));
  rt.logger.info(`canary ${run.outcome} at ${String(run.finalWeight)} % (${run.rule}); signed ${out['artifact-path']} ${out['artifact-digest']}`);

  const err = canaryOutcomeError(run, cfg.statePath);
  if (err !== undefined) throw err;
  return run;
}
