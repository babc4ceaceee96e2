/**
 * What policy-gate tells people once the decision is signed: the job summary, the SARIF file of
 * violations, the check run (commit status as a fallback) and the sticky PR comment. Only the
 * summary and the SARIF file are the step's own; GitHub writes are side channels that warn when
 * they fail (the gate itself already decided and fails closed on its own). On a read-only token
 * (fork pull requests) nothing is written to GitHub and one notice says so.
 */
import type { ArtifactFileSystem } from '../artifact/handoff.js';
import type { Evidence } from '../evidence/model.js';
import { publishCheck } from '../github/check-run.js';
import type { GitHubClient } from '../github/client.js';
import type { RunContext } from '../github/context.js';
import { publishStickyComment, type CommentMode } from '../github/sticky-comment.js';
import type { DecisionPredicate } from '../policy/decision-model.js';
import type { PolicyBundle } from '../policy/model.js';
import { readWorkspaceFile } from '../evidence/collect.js';
import { publishSuggestionComments } from '../github/review-suggestions.js';
import { ruleEvidenceReads, serviceMetadataSuggestions, violationLocations } from '../report/decision-locations.js';
import { decisionSarif, isFailingDecision, renderCheckRunOutput, renderDecisionComment, renderDecisionSummary, type RecourseSuggestion } from '../report/decision.js';
import { mdText } from '../report/escape.js';
import { GENOPS_VERSION } from '../version.js';
import type { ActionRuntime } from './runtime.js';

export type { CommentMode };

export interface PublishRequest {
  client: GitHubClient;
  context: RunContext;
  fs: ArtifactFileSystem;
  predicate: DecisionPredicate;
  bundle: PolicyBundle;
  evidence: Evidence;
  artifact: { path: string; digest: string };
  key: string;
  comment: CommentMode;
  /** The login the token writes comments as (the sticky comment is looked up among its comments). */
  commentAuthor: string;
  checkName: string;
  sarifPath: string;
  runUrl: string;
  breakGlassRefused?: string;
}

export interface Published {
  sarifPath: string;
  commentUrl?: string;
  checkUrl?: string;
}

/** Largest service metadata file read back for line-edit suggestions. */
const MAX_SUGGESTION_FILE_BYTES = 1024 * 1024;

/**
 * Line edits that fix violations, computed on the exact bytes the evidence read: the workspace
 * copy of the service metadata file is used only when it still hashes to the evidence's record
 * (a job without a checkout, or a file changed since, gives none).
 */
async function lineEditSuggestions(fs: ArtifactFileSystem, predicate: DecisionPredicate, evidence: Evidence): Promise<RecourseSuggestion[]> {
  const source = evidence.sources.find((s) => s.kind === 'metadata' && !s.path.startsWith('github:'));
  if (source === undefined) return [];
  try {
    const path = await fs.confine(source.path);
    if (path === undefined) return [];
    const file = await readWorkspaceFile(fs, 'service metadata', path, MAX_SUGGESTION_FILE_BYTES);
    if (file.sha256 !== source.sha256) return [];
    return serviceMetadataSuggestions(predicate, { path: source.path, text: new TextDecoder().decode(file.bytes) });
  } catch {
    return [];
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function publishDecision(rt: ActionRuntime, req: PublishRequest): Promise<Published> {
  const { predicate, context: ctx } = req;
  const locations = violationLocations(predicate, req.evidence, ruleEvidenceReads(req.bundle));
  const suggestions = await lineEditSuggestions(req.fs, predicate, req.evidence);
  if (req.breakGlassRefused !== undefined) rt.appendSummary(`> [!WARNING]\n> Break-glass was requested but refused: ${mdText(req.breakGlassRefused)}\n`);
  rt.appendSummary(renderDecisionSummary(predicate, { artifact: req.artifact, locations }));
  const workflowFile = ctx.workflowRef.split('@')[0]?.split('/').slice(2).join('/');
  const sarif = decisionSarif(predicate, locations, { toolVersion: GENOPS_VERSION, ...(workflowFile === undefined || workflowFile === '' ? {} : { fallbackPath: workflowFile }) });
  await req.fs.writeFileAtomic(req.sarifPath, `${JSON.stringify(sarif, null, 2)}\n`);
  const out: Published = { sarifPath: req.sarifPath };

  if (ctx.isReadOnlyToken) {
    rt.annotate('notice', 'This pull request comes from a fork, so the token is read-only: the decision is in the job summary and the step outputs; no check run, status or PR comment was written.', { title: 'genops policy-gate' });
    return out;
  }
  const { owner, repo } = ctx.repository;
  try {
    const check = await publishCheck(req.client, { owner, repo, sha: predicate.change.sha }, {
      name: req.checkName,
      key: req.key,
      decision: predicate.decision,
      output: renderCheckRunOutput(predicate, { key: req.key, summaryUrl: req.runUrl, runUrl: req.runUrl, locations }),
      annotations: locations,
      detailsUrl: req.runUrl,
      readOnlyToken: ctx.isReadOnlyToken,
    });
    if (check.kind === 'check-run') out.checkUrl = check.url;
    else if (check.kind === 'commit-status') rt.logger.warning(`policy-gate: no check run (${check.fallbackReason}); set the commit status ${check.context} instead`);
  } catch (e) {
    rt.logger.warning(`policy-gate: could not publish the check run or commit status: ${reason(e)}`);
  }
  const pr = predicate.change.pullRequest;
  if (pr !== undefined && ctx.pullRequest !== undefined) {
    try {
      const r = await publishStickyComment(req.client, { owner, repo, issueNumber: pr }, {
        key: req.key,
        mode: req.comment,
        author: req.commentAuthor,
        body: renderDecisionComment(predicate, { key: req.key, summaryUrl: req.runUrl, runUrl: req.runUrl, suggestions }),
        failing: isFailingDecision(predicate.decision) || predicate.breakGlass !== undefined,
        readOnlyToken: ctx.isReadOnlyToken,
      });
      if (r.action !== 'skipped') out.commentUrl = r.url;
    } catch (e) {
      rt.logger.warning(`policy-gate: could not write the PR comment: ${reason(e)}`);
    }
    if (suggestions.length > 0 && req.comment !== 'never') {
      try {
        const r = await publishSuggestionComments(req.client, { owner, repo, pullNumber: pr, commitId: predicate.change.sha }, { key: req.key, author: req.commentAuthor, suggestions });
        rt.logger.info(`policy-gate: ${String(r.posted.length)} suggested edit(s) posted as review comments, ${String(r.alreadyPosted)} already posted, ${String(r.outsideDiff)} outside the diff (in the PR comment only)`);
      } catch (e) {
        rt.logger.warning(`policy-gate: could not post the suggested edits as review comments: ${reason(e)}`);
      }
    }
  }
  return out;
}
