/**
 * One sticky pull request comment per gate key. The comment is found again by its hidden first
 * line `<!-- genops:gate:KEY -->` (so parallel gates with other keys keep their own), searching
 * every page of the pull request's comments, and only among comments written by the token's own
 * user (someone else's comment carrying the marker is never edited). Modes:
 *
 * - `always`: create it, or update it in place;
 * - `on-failure`: the same while the decision fails (deny, require-approval) or break-glass was
 *   used; on a passing run an existing comment is updated to say so, and nothing is created;
 * - `never`: nothing.
 *
 * A read-only token (fork pull request on `pull_request`) writes nothing and returns one notice.
 * API failures are thrown explained (api-errors.ts): the caller warns, the gate does not fail on it.
 */
import { InternalError } from '../errors.js';
import { commentMarker, MAX_COMMENT_CHARS } from '../report/decision.js';
import { PERMISSIONS_BY_OPERATION, withApi } from './api-errors.js';
import type { GitHubClient } from './client.js';

export type CommentMode = 'always' | 'on-failure' | 'never';

/** The login `GITHUB_TOKEN` writes as. An App or personal token writes as its own user: pass `author`. */
export const GITHUB_ACTIONS_BOT = 'github-actions[bot]';

/** Said once when a read-only token keeps genops from writing to GitHub. */
export const READ_ONLY_NOTICE =
  'This run has a read-only token (a pull request from a fork on `pull_request`), so genops wrote no PR comment, check run or commit status: the decision is in the job summary and the step outputs.';

export interface StickyCommentTarget {
  owner: string;
  repo: string;
  /** Pull request (issue) number. */
  issueNumber: number;
}

export interface StickyCommentOptions {
  key: string;
  mode: CommentMode;
  /** The rendered comment (renderDecisionComment): it must start with the key's marker. */
  body: string;
  /** Whether the run needs attention: the decision fails, or break-glass overrode it. */
  failing: boolean;
  /** Login of the token's user; default `github-actions[bot]`. */
  author?: string;
  /** RunContext.isReadOnlyToken. */
  readOnlyToken?: boolean;
}

export type StickyCommentResult =
  | { action: 'created' | 'updated' | 'unchanged'; id: number; url: string }
  | { action: 'skipped'; reason: 'mode-never' | 'passing-no-comment' | 'read-only-token'; notice?: string };

interface ListedComment {
  id: number;
  body?: string | null;
  html_url: string;
  user: { login: string } | null;
}

/** The oldest comment by `author` whose body starts with `marker`, reading pages until found. */
export async function findStickyComment(
  client: GitHubClient,
  target: StickyCommentTarget,
  marker: string,
  author: string,
  readOnlyToken?: boolean,
): Promise<ListedComment | undefined> {
  const { owner, repo, issueNumber } = target;
  const op = PERMISSIONS_BY_OPERATION.listPrComments;
  let found: ListedComment | undefined;
  await withApi(
    op.operation,
    op.permission,
    () =>
      client.paginate(client.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 }, (response, done) => {
        for (const c of response.data as ListedComment[]) {
          if (c.user?.login.toLowerCase() === author.toLowerCase() && (c.body ?? '').trimStart().startsWith(marker)) {
            found = c;
            done();
            break;
          }
        }
        return [];
      }),
    readOnlyToken === undefined ? {} : { readOnlyToken },
  );
  return found;
}

export async function publishStickyComment(client: GitHubClient, target: StickyCommentTarget, options: StickyCommentOptions): Promise<StickyCommentResult> {
  if (options.mode === 'never') return { action: 'skipped', reason: 'mode-never' };
  if (options.readOnlyToken === true) return { action: 'skipped', reason: 'read-only-token', notice: READ_ONLY_NOTICE };
  const marker = commentMarker(options.key);
  if (!options.body.startsWith(marker)) throw new InternalError(`publishStickyComment: the body for gate ${options.key} does not start with its marker`);
  if (options.body.length > MAX_COMMENT_CHARS) throw new InternalError(`publishStickyComment: the body is ${String(options.body.length)} characters, over GitHub's ${String(MAX_COMMENT_CHARS)}`);

  const api = options.readOnlyToken === undefined ? {} : { readOnlyToken: options.readOnlyToken };
  const existing = await findStickyComment(client, target, marker, options.author ?? GITHUB_ACTIONS_BOT, options.readOnlyToken);
  if (existing === undefined && options.mode === 'on-failure' && !options.failing) return { action: 'skipped', reason: 'passing-no-comment' };

  const { owner, repo, issueNumber } = target;
  const write = PERMISSIONS_BY_OPERATION.writePrComment;
  if (existing === undefined) {
    const created = await withApi(write.operation, write.permission, async () => (await client.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body: options.body })).data, api);
    return { action: 'created', id: created.id, url: created.html_url };
  }
  if (existing.body === options.body) return { action: 'unchanged', id: existing.id, url: existing.html_url };
  const updated = await withApi(write.operation, write.permission, async () => (await client.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: options.body })).data, api);
  return { action: 'updated', id: updated.id, url: updated.html_url };
}
