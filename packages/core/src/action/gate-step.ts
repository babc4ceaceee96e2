/**
 * The `policy-gate` action: verify the evidence and risk artifacts handed over (fail closed),
 * evaluate the policy packs, apply break-glass, sign the decision, then tell people: outputs, job
 * summary, SARIF of the violations, check run (or commit status) and the sticky PR comment. Exits
 * non-zero on deny (and on require-approval when asked), so a required status check blocks.
 *
 * On a read-only token (fork pull request) nothing is written to GitHub: summary and outputs
 * only, with one notice saying so.
 */
import { BlockedError } from '../errors.js';
import { openBreakGlassFollowUp, readBreakGlassLabel } from '../github/break-glass.js';
import type { GitHubClient } from '../github/client.js';
import { GITHUB_ACTIONS_BOT } from '../github/sticky-comment.js';
import { MAX_BREAK_GLASS_TTL_SECONDS, type BreakGlassRequest } from '../policy/break-glass.js';
import { blockingResults, buildDecisionStatement } from '../policy/decision.js';
import type { DecisionBody } from '../policy/decision-model.js';
import { changeAuthor, evaluateGate, gateArtifacts, gateEnvironment } from '../policy/gate.js';
import { loadPolicyDocuments } from '../policy/load.js';
import { readPolicySources } from '../policy/sources.js';
import { repoPolicyReader } from '../github/policy-repo.js';
import { GENOPS_VERSION } from '../version.js';
import { boolInput, enumInput, InputProblems, intInput, listInput, type RawInputs } from './inputs.js';
import { publishDecision, type CommentMode } from './gate-publish.js';
import { runIdentityOf } from './run-identity.js';
import { maskSecret, type ActionRuntime } from './runtime.js';
import { parseSigningInputs, SIGNING_INPUTS } from './signing-inputs.js';
import { parseVerificationInputs, VERIFICATION_INPUTS, verifyUpstream, type VerifyDeps } from './verification.js';

/** Evidence and risk are verified with the verify inputs, less predicate-type (fixed here). */
const UPSTREAM_INPUTS = VERIFICATION_INPUTS.filter((n) => n !== 'predicate-type');

export const GATE_STEP_INPUTS = [
  ...UPSTREAM_INPUTS,
  'policies',
  'policies-token',
  'environment',
  'gate-key',
  'approval-environment',
  'fail-on-require-approval',
  'comment',
  'comment-author',
  'check-name',
  'sarif-path',
  'break-glass-label',
  'break-glass-approvers',
  'break-glass-ttl-seconds',
  'break-glass-reason',
  'github-token',
  'output-path',
  'ttl-seconds',
  ...SIGNING_INPUTS,
] as const;

export const GATE_STEP_OUTPUTS = [
  'decision',
  'violations',
  'violation-count',
  'required-environment',
  'break-glass',
  'artifact-path',
  'artifact-digest',
  'sarif-path',
  'comment-url',
  'check-url',
] as const;

export const COMMENT_MODES: readonly CommentMode[] = ['always', 'on-failure', 'never'];
const GATE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface GateDeps extends VerifyDeps {
  github: (token: string) => GitHubClient;
}

/** The gate blocked: exit 1 (a rejection), after everything was written and published. */
export class GateBlocked extends BlockedError {
  constructor(message: string, hint = 'Each violated rule in the job summary and the PR comment says what to change; a PolicyException or break-glass covers the exceptional case.') {
    super('POLICY_DENIED', message, { hint });
    this.name = 'GateBlocked';
  }
}

interface GateConfig {
  policies: string[];
  environment: string;
  key: string;
  approvalEnvironment: string;
  failOnRequireApproval: boolean;
  comment: CommentMode;
  commentAuthor: string;
  checkName: string;
  sarifPath: string;
  breakGlassLabel: string;
  breakGlassApprovers: string[];
  breakGlassTtl: number;
  breakGlassReason: string;
  token: string;
  /** Token for `github:` policy specs (another repository); empty: the github-token. */
  policiesToken: string;
  outputPath: string;
  ttl: number;
}

function parseGateInputs(raw: RawInputs, problems: InputProblems): GateConfig {
  const key = raw('gate-key') || 'pr';
  if (!GATE_KEY.test(key)) problems.add('gate-key', `is ${JSON.stringify(key.slice(0, 80))}`, 'letters, digits, ".", "_" or "-", at most 64, e.g. pr or deploy-production');
  const cfg: GateConfig = {
    policies: listInput(raw, 'policies'),
    environment: raw('environment'),
    key,
    approvalEnvironment: raw('approval-environment') || 'production-approval',
    failOnRequireApproval: boolInput(raw, 'fail-on-require-approval', true, problems),
    comment: enumInput(raw, 'comment', COMMENT_MODES, 'on-failure', problems),
    commentAuthor: raw('comment-author') || GITHUB_ACTIONS_BOT,
    checkName: raw('check-name') || `genops / ${key}`,
    sarifPath: raw('sarif-path') || 'genops/policy-violations.sarif',
    breakGlassLabel: raw('break-glass-label') || 'genops:break-glass',
    breakGlassApprovers: listInput(raw, 'break-glass-approvers').flatMap((l) => l.split(',')).map((l) => l.trim()).filter((l) => l !== ''),
    breakGlassTtl: intInput(raw, 'break-glass-ttl-seconds', 4 * 3600, 60, MAX_BREAK_GLASS_TTL_SECONDS, problems),
    breakGlassReason: raw('break-glass-reason'),
    token: raw('github-token'),
    policiesToken: raw('policies-token'),
    outputPath: raw('output-path') || 'genops/decision.intoto.json',
    ttl: intInput(raw, 'ttl-seconds', 7 * 24 * 3600, 60, 90 * 24 * 3600, problems),
  };
  if (cfg.policies.length === 0) cfg.policies = ['default'];
  if (cfg.token === '') problems.add('github-token', 'is empty', 'a token (default ${{ github.token }}) to read the pull request and write the check run and comment');
  return cfg;
}

async function breakGlassRequest(cfg: GateConfig, deps: GateDeps, client: GitHubClient): Promise<BreakGlassRequest | undefined> {
  const ctx = deps.context;
  if (ctx.eventName === 'workflow_dispatch' && cfg.breakGlassReason.trim() !== '') {
    return { source: 'dispatch', by: ctx.triggeringActor ?? ctx.actor, at: deps.clock.now(), reason: cfg.breakGlassReason };
  }
  return readBreakGlassLabel(client, ctx, cfg.breakGlassLabel);
}

export async function gateStep(rt: ActionRuntime, deps: GateDeps): Promise<DecisionBody> {
  const raw: RawInputs = (n) => (n === 'predicate-type' ? 'evidence\nrisk' : rt.getInput(n));
  maskSecret(rt, raw('signing-key'));
  maskSecret(rt, raw('github-token'));
  maskSecret(rt, raw('policies-token'));
  const problems = new InputProblems();
  const verification = parseVerificationInputs(raw, problems);
  const signing = parseSigningInputs(raw, problems);
  const cfg = parseGateInputs(raw, problems);
  problems.throwIfAny();

  // Fail closed: nothing is read from an artifact before it verified.
  const inputs = gateArtifacts(await verifyUpstream(verification, deps));
  const ctx = deps.context;
  const client = deps.github(cfg.token);
  const policiesClient = () => (cfg.policiesToken === '' ? client : deps.github(cfg.policiesToken));
  const bundle = loadPolicyDocuments(await readPolicySources(deps.fs, 'policies', cfg.policies, repoPolicyReader(policiesClient, 'policies')));
  const now = deps.clock.now();
  const request = await breakGlassRequest(cfg, deps, client);
  const sha = verification.subjectSha ?? ctx.subjectSha;
  const prNumber = ctx.pullRequest?.number ?? inputs.evidence.change?.pullRequest?.number;
  const { body, breakGlassRefused } = evaluateGate({
    bundle,
    evidence: inputs.evidence,
    risk: inputs.risk,
    key: cfg.key,
    environment: gateEnvironment(cfg.environment, inputs.evidence),
    approvalEnvironment: cfg.approvalEnvironment,
    change: { repository: ctx.repository.fullName, sha, author: ctx.pullRequest?.author ?? changeAuthor(inputs.evidence, inputs.run), ...(prNumber === undefined ? {} : { pullRequest: prNumber }), evaluatedAt: now.toISOString() },
    ...(request === undefined ? {} : { breakGlass: { request, policy: { approvers: cfg.breakGlassApprovers, ttlSeconds: cfg.breakGlassTtl } } }),
  });
  if (breakGlassRefused !== undefined) rt.logger.warning(`break-glass refused: ${breakGlassRefused}`);
  const runUrl = `${ctx.serverUrl}/${ctx.repository.fullName}/actions/runs/${String(ctx.runId)}/attempts/${String(ctx.runAttempt)}`;
  if (body.breakGlass !== undefined) {
    rt.logger.warning(`BREAK-GLASS by ${body.breakGlass.by}: the ${body.breakGlass.overridden} decision is overridden to allow until ${body.breakGlass.expiresAt}`);
    if (ctx.isReadOnlyToken) rt.logger.warning('break-glass: the token is read-only, so the post-incident follow-up issue could not be opened: open it by hand');
    else body.breakGlass.followUp = await openBreakGlassFollowUp(client, ctx, body.breakGlass, body, runUrl);
  }

  const statement = buildDecisionStatement(
    { repository: ctx.repository.fullName, gitCommit: sha },
    { toolVersion: GENOPS_VERSION, run: runIdentityOf(ctx), now, ttlSeconds: cfg.ttl },
    {
      evidence: { name: inputs.evidenceArtifact.source, digest: inputs.evidenceArtifact.digest },
      ...(inputs.riskArtifact === undefined ? {} : { risk: { name: inputs.riskArtifact.source, digest: inputs.riskArtifact.digest } }),
    },
    body,
  );
  const { signAndWrite } = await import('./sign-step.js');
  const out = await signAndWrite(statement, cfg.outputPath, signing, rt.env, deps.fs);

  const blocking = blockingResults(body);
  rt.setOutput('decision', body.decision);
  rt.setOutput('violations', blocking.map((r) => `${r.set}/${r.rule}`).join(','));
  rt.setOutput('violation-count', String(blocking.length));
  rt.setOutput('required-environment', body.requiredEnvironment ?? '');
  rt.setOutput('break-glass', body.breakGlass === undefined ? 'false' : 'true');
  rt.setOutput('artifact-path', out['artifact-path']);
  rt.setOutput('artifact-digest', out['artifact-digest']);

  const published = await publishDecision(rt, {
    client,
    context: ctx,
    fs: deps.fs,
    predicate: statement.predicate,
    bundle,
    evidence: inputs.evidence,
    artifact: { path: out['artifact-path'], digest: out['artifact-digest'] },
    key: cfg.key,
    comment: cfg.comment,
    commentAuthor: cfg.commentAuthor,
    checkName: cfg.checkName,
    sarifPath: cfg.sarifPath,
    runUrl,
    ...(breakGlassRefused === undefined ? {} : { breakGlassRefused }),
  });
  rt.setOutput('sarif-path', published.sarifPath);
  rt.setOutput('comment-url', published.commentUrl ?? '');
  rt.setOutput('check-url', published.checkUrl ?? '');
  rt.logger.info(`decision ${body.decision} (${String(blocking.length)} blocking); signed ${out['artifact-path']} ${out['artifact-digest']}`);

  if (body.decision === 'deny' || (body.decision === 'require-approval' && cfg.failOnRequireApproval)) {
    const rules = blocking.map((r) => `${r.set}/${r.rule}`).join(', ');
    throw new GateBlocked(`policy-gate ${cfg.key}: ${body.decision}${rules === '' ? '' : ` (${rules})`}`);
  }
  return body;
}
