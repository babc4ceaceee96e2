/**
 * The `risk-score` action: verify the evidence artifact handed over, score the change, sign the
 * risk artifact (its input: the evidence digest), and output score, tier and canary plan.
 */
import { ConfigError, docUrl } from '../errors.js';
import type { Evidence } from '../evidence/model.js';
import { readWorkspaceFile, resolveWorkspaceFiles } from '../evidence/collect.js';
import { DEFAULT_LIMITS } from '../evidence/source.js';
import { readIncidentIssues } from '../github/incidents.js';
import type { GitHubClient } from '../github/client.js';
import { renderRiskSummary } from '../report/risk.js';
import { DEFAULT_RISK_CONFIG, parseRiskConfig, type RiskConfig } from '../risk/config.js';
import { parseIncidentMarkdown, type IncidentDoc } from '../risk/incidents.js';
import type { RiskAssessment } from '../risk/model.js';
import { buildRiskStatement } from '../risk/predicate.js';
import { scoreRisk } from '../risk/score.js';
import { GENOPS_VERSION } from '../version.js';
import { InputProblems, intInput, listInput, type RawInputs } from './inputs.js';
import { runIdentityOf } from './run-identity.js';
import { maskSecret, type ActionRuntime } from './runtime.js';
import { parseSigningInputs, SIGNING_INPUTS } from './signing-inputs.js';
import { parseVerificationInputs, VERIFICATION_INPUTS, verifyUpstream, type VerifyDeps } from './verification.js';

/** The evidence is verified with the verify inputs, less predicate-type (it is always evidence). */
const EVIDENCE_VERIFICATION_INPUTS = VERIFICATION_INPUTS.filter((n) => n !== 'predicate-type');

export const RISK_STEP_INPUTS = [...EVIDENCE_VERIFICATION_INPUTS, 'config', 'incidents', 'incident-label', 'github-token', 'output-path', 'ttl-seconds', ...SIGNING_INPUTS] as const;
export const RISK_STEP_OUTPUTS = ['score', 'tier', 'canary-plan', 'artifact-path', 'artifact-digest'] as const;

export interface RiskDeps extends VerifyDeps {
  github: (token: string) => GitHubClient;
}

const MAX_INCIDENT_FILES = 5000;

async function readIncidentFiles(deps: RiskDeps, patterns: string[]): Promise<IncidentDoc[]> {
  const docs: IncidentDoc[] = [];
  for (const path of await resolveWorkspaceFiles(deps.fs, 'incidents', patterns, MAX_INCIDENT_FILES)) {
    const file = await readWorkspaceFile(deps.fs, 'incidents', path, DEFAULT_LIMITS.maxFileBytes);
    docs.push(parseIncidentMarkdown(path, Buffer.from(file.bytes).toString('utf8')));
  }
  return docs;
}

async function readConfig(deps: RiskDeps, path: string): Promise<RiskConfig> {
  if (path === '') return DEFAULT_RISK_CONFIG;
  const [confined] = await resolveWorkspaceFiles(deps.fs, 'config', [path], 1);
  if (confined === undefined) throw new ConfigError('FILE_NOT_FOUND', `config: no file at ${JSON.stringify(path)}`, { input: 'config', file: path, docUrl: docUrl('risk', 'configuration') });
  return parseRiskConfig(await readWorkspaceFile(deps.fs, 'config', confined, DEFAULT_LIMITS.maxFileBytes));
}

export async function riskStep(rt: ActionRuntime, deps: RiskDeps): Promise<RiskAssessment> {
  const raw: RawInputs = (n) => (n === 'predicate-type' ? 'evidence' : rt.getInput(n));
  maskSecret(rt, raw('signing-key'));
  maskSecret(rt, raw('github-token'));
  const problems = new InputProblems();
  const verification = parseVerificationInputs(raw, problems);
  const signing = parseSigningInputs(raw, problems);
  const ttl = intInput(raw, 'ttl-seconds', 7 * 24 * 3600, 60, 90 * 24 * 3600, problems);
  const incidentPatterns = listInput(raw, 'incidents');
  const label = raw('incident-label');
  const token = raw('github-token');
  if (label !== '' && token === '') problems.add('github-token', 'is empty', 'a token with issues: read, to read incidents labelled incident-label');
  problems.throwIfAny();

  const [verified, ...more] = await verifyUpstream(verification, deps);
  if (verified === undefined || more.length > 0) {
    throw new ConfigError('INPUT_INVALID', `expected exactly one evidence artifact, got ${String(more.length + (verified === undefined ? 0 : 1))}`, { input: 'artifacts', hint: 'Hand over the one evidence bundle of this change (evidence-collect\'s artifact-path and artifact-digest).' });
  }
  const { header: _header, ...evidence } = verified.statement.predicate as unknown as Evidence & { header: unknown };
  const config = await readConfig(deps, raw('config'));
  const incidents = await readIncidentFiles(deps, incidentPatterns);
  if (label !== '') incidents.push(...(await readIncidentIssues(deps.github(token), deps.context, label)));

  const assessment = scoreRisk({ evidence, config, now: deps.clock.now(), incidents });
  const ctx = deps.context;
  const statement = buildRiskStatement(
    { repository: ctx.repository.fullName, gitCommit: verification.subjectSha ?? ctx.subjectSha },
    { toolVersion: GENOPS_VERSION, run: runIdentityOf(ctx), now: deps.clock.now(), ttlSeconds: ttl },
    { name: verified.source, digest: verified.digest },
    assessment,
  );
  const { signAndWrite } = await import('./sign-step.js');
  const out = await signAndWrite(statement, raw('output-path') || 'genops/risk.intoto.json', signing, rt.env, deps.fs);
  rt.setOutput('score', assessment.score.toFixed(4));
  rt.setOutput('tier', assessment.tier);
  rt.setOutput('canary-plan', assessment.canaryPlan.join(','));
  rt.setOutput('artifact-path', out['artifact-path']);
  rt.setOutput('artifact-digest', out['artifact-digest']);
  rt.appendSummary(renderRiskSummary(assessment, { path: out['artifact-path'], digest: out['artifact-digest'] }));
  rt.logger.info(`risk ${assessment.tier} (${assessment.score.toFixed(3)}), canary ${assessment.canaryPlan.join(' -> ')}; signed ${out['artifact-path']} ${out['artifact-digest']}`);
  return assessment;
}
