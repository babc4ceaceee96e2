/**
 * Suggested line edits as pull request review comments. GitHub applies a ```suggestion block only
 * in a review comment on lines of the diff ("Commit suggestion"); in the sticky issue comment the
 * same block is just text. So each suggestion whose lines the pull request added is posted once
 * as a review comment on those lines, with a hidden marker (gate key + digest of the edit) that
 * finds it again: a re-run with the same edit posts nothing, and an edit that changed is a new
 * comment (GitHub marks the old one outdated when its lines change). Suggestions on lines outside
 * the diff stay in the sticky comment only.
 */
import { sha256Hex } from '../artifact/canonical.js';
import type { RecourseSuggestion } from '../report/decision.js';
import { mdFence } from '../report/decision.js';
import { mdText } from '../report/escape.js';
import { parseUnifiedDiff } from '../evidence/diff.js';
import { PERMISSIONS_BY_OPERATION, withApi } from './api-errors.js';
import type { GitHubClient } from './client.js';

export interface SuggestionTarget {
  owner: string;
  repo: string;
  pullNumber: number;
  /** The head commit the decision was made on. */
  commitId: string;
}

export interface SuggestionCommentResult {
  /** Review comments created by this run. */
  posted: { path: string; line: number; url: string }[];
  /** Suggestions already posted by an earlier run (same gate, same edit). */
  alreadyPosted: number;
  /** Suggestions left in the sticky comment only: their lines are not lines the pull request added. */
  outsideDiff: number;
}

/** The hidden marker of one suggestion of one gate. */
export function suggestionMarker(key: string, s: RecourseSuggestion): string {
  const digest = sha256Hex(JSON.stringify([s.rule, s.path, s.startLine, s.endLine ?? s.startLine, s.replacement])).slice(0, 16);
  return `<!-- genops:suggestion:${key}:${digest} -->`;
}

export function suggestionCommentBody(key: string, s: RecourseSuggestion): string {
  return `${suggestionMarker(key, s)}\n**genops** (${mdText(s.rule)}): ${mdText(s.description)}\n\n${mdFence(s.replacement, 'suggestion')}\n`;
}

interface ListedReviewComment {
  body?: string | null;
  user: { login: string } | null;
}

/** The lines the pull request adds to each of `paths` (from the files API's patches). */
async function addedLinesOf(client: GitHubClient, target: SuggestionTarget, paths: ReadonlySet<string>): Promise<Map<string, Set<number>>> {
  const { owner, repo, pullNumber } = target;
  const read = PERMISSIONS_BY_OPERATION.readPullRequest;
  const files = await withApi(read.operation, read.permission, () => client.paginate(client.rest.pulls.listFiles, { owner, repo, pull_number: pullNumber, per_page: 100 }));
  const out = new Map<string, Set<number>>();
  for (const f of files) {
    if (!paths.has(f.filename) || f.patch === undefined) continue;
    const diff = `--- a/${f.filename}\n+++ b/${f.filename}\n${f.patch}\n`;
    for (const d of parseUnifiedDiff(diff, `the patch of ${f.filename}`)) out.set(f.filename, new Set(d.addedLines));
  }
  return out;
}

/**
 * Posts each suggestion whose lines the pull request all added as a review comment, unless
 * `author` already posted it.
 */
export async function publishSuggestionComments(
  client: GitHubClient,
  target: SuggestionTarget,
  options: { key: string; author: string; suggestions: readonly RecourseSuggestion[] },
): Promise<SuggestionCommentResult> {
  const result: SuggestionCommentResult = { posted: [], alreadyPosted: 0, outsideDiff: 0 };
  if (options.suggestions.length === 0) return result;
  const addedLines = await addedLinesOf(client, target, new Set(options.suggestions.map((s) => s.path)));
  const inDiff = options.suggestions.filter((s) => {
    const added = addedLines.get(s.path);
    const end = s.endLine ?? s.startLine;
    for (let l = s.startLine; l <= end; l++) if (added?.has(l) !== true) return false;
    return true;
  });
  result.outsideDiff = options.suggestions.length - inDiff.length;
  if (inDiff.length === 0) return result;

  const { owner, repo, pullNumber } = target;
  const existing = new Set<string>();
  const read = PERMISSIONS_BY_OPERATION.readPullRequest;
  await withApi(read.operation, read.permission, () =>
    client.paginate(client.rest.pulls.listReviewComments, { owner, repo, pull_number: pullNumber, per_page: 100 }, (response) => {
      for (const c of response.data as ListedReviewComment[]) {
        if (c.user?.login.toLowerCase() !== options.author.toLowerCase()) continue;
        const marker = /^<!-- genops:suggestion:[^\s]+ -->/.exec((c.body ?? '').trimStart());
        if (marker !== null) existing.add(marker[0]);
      }
      return [];
    }),
  );

  const write = PERMISSIONS_BY_OPERATION.writeReviewComment;
  for (const s of inDiff) {
    if (existing.has(suggestionMarker(options.key, s))) {
      result.alreadyPosted++;
      continue;
    }
    const end = s.endLine ?? s.startLine;
    const created = await withApi(write.operation, write.permission, async () =>
      (
        await client.rest.pulls.createReviewComment({
          owner,
          repo,
          pull_number: pullNumber,
          commit_id: target.commitId,
          path: s.path,
          body: suggestionCommentBody(options.key, s),
          line: end,
          side: 'RIGHT',
          ...(end === s.startLine ? {} : { start_line: s.startLine, start_side: 'RIGHT' as const }),
        })
      ).data,
    );
    result.posted.push({ path: s.path, line: end, url: created.html_url });
  }
  return result;
}
