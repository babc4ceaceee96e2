/**
 * A ledger on a branch of the repository (default `genops-audit`), written through the Git Data
 * API. Each append is one commit on the branch: the new entry files, the new signed checkpoint
 * and the new state, in a tree built on the previous one. The ref moves by compare-and-swap
 * (`PATCH /git/refs` with `force: false` only accepts a commit that descends from the current
 * one), so when parallel runs race, exactly one wins each round and the others rebuild their
 * entries on the new head (new seq, prevHash, checkpoint) and try again: no entry is lost or
 * duplicated. The branch's history is the checkpoint log, and the ref anchors the latest
 * checkpoint outside any one copy of the files. Layout: docs/audit.md#git-branch.
 *
 * GitHub is reached through `GitRequester`, which the project's Octokit client
 * (core/src/github/client.ts) satisfies; its error hook explains failures (permissions: contents).
 */
import { ConfigError, VerificationError } from '../errors.js';
import { parseHead, type LedgerAppend, type LedgerHead, type LedgerStore } from './ledger.js';
import { decodeLine } from './model.js';

/** The part of Octokit this store uses. Routes are GitHub's, as listed in api-errors.ts. */
export interface GitRequester {
  request(route: string, params?: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
}

export interface GitLedgerOptions {
  owner: string;
  repo: string;
  /** Default `genops-audit`. */
  branch?: string;
  /** Folder inside the branch. Default `ledger`. */
  dir?: string;
  /** Appends retried after losing a race (default 30). */
  maxAttempts?: number;
  /** Waits before a retry; injected so tests need no real time. Default: setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Random in [0,1) for the backoff jitter (default Math.random). */
  random?: () => number;
  /** Commit author/committer; default GitHub's (the token's user). */
  committer?: { name: string; email: string };
}

/** Entries per folder: keeps every tree small (GitHub truncates trees over 100,000 entries). */
const SHARD = 1000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function gitEntryPath(dir: string, seq: number): string {
  return `${dir}/entries/${pad(Math.floor(seq / SHARD), 9)}/${pad(seq, 12)}.json`;
}

/** Where the seq of the entry recording an artifact digest is kept (a pointer, checked on use). */
export function gitIndexPath(dir: string, digest: string): string {
  return `${dir}/index/${digest.slice(0, 2)}/${digest}`;
}

export function gitCheckpointPath(dir: string, size: number): string {
  return `${dir}/checkpoints/${pad(Math.floor(size / SHARD), 9)}/${pad(size, 12)}.json`;
}

function statusOf(e: unknown): number | undefined {
  const o = e as { status?: unknown; details?: { cause?: { status?: unknown } } };
  if (typeof o.status === 'number') return o.status;
  const s = o.details?.cause?.status;
  return typeof s === 'number' ? s : undefined;
}

function messageOf(e: unknown): string {
  const o = e as { message?: unknown; response?: { data?: { message?: unknown } }; details?: { cause?: { message?: unknown; response?: { data?: { message?: unknown } } } } };
  const parts = [o.response?.data?.message, o.details?.cause?.response?.data?.message, o.details?.cause?.message, o.message];
  return parts.filter((p): p is string => typeof p === 'string').join(' | ');
}

/** A lost compare-and-swap: someone else moved (or created) the ref first. */
function isRefConflict(e: unknown): boolean {
  const status = statusOf(e);
  return (status === 422 || status === 409) && /fast.forward|already exists|reference cannot be updated|ref.*(changed|moved)/i.test(messageOf(e));
}

interface TreeItem {
  path: string;
  mode: string;
  type: string;
  sha: string;
}

export function gitLedgerStore(gh: GitRequester, options: GitLedgerOptions): LedgerStore & { ref: string; stats: { attempts: number; conflicts: number } } {
  const branch = options.branch ?? 'genops-audit';
  const dir = (options.dir ?? 'ledger').replace(/^\/+|\/+$/g, '');
  const ref = `heads/${branch}`;
  const repo = { owner: options.owner, repo: options.repo };
  const maxAttempts = options.maxAttempts ?? 30;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  const description = `${options.owner}/${options.repo}@${branch}:${dir}`;
  const stats = { attempts: 0, conflicts: 0 };

  async function headCommit(): Promise<string | undefined> {
    try {
      const { data } = await gh.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { ...repo, ref });
      return (data as { object: { sha: string } }).object.sha;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  async function treeOf(commitSha: string): Promise<string> {
    const { data } = await gh.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', { ...repo, commit_sha: commitSha });
    return (data as { tree: { sha: string } }).tree.sha;
  }

  async function listTree(treeSha: string, recursive: boolean): Promise<TreeItem[]> {
    const { data } = await gh.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { ...repo, tree_sha: treeSha, ...(recursive ? { recursive: '1' } : {}) });
    const d = data as { tree: TreeItem[]; truncated?: boolean };
    if (d.truncated === true) {
      throw new ConfigError('INPUT_INVALID', `${description}: GitHub truncated the tree listing`, { hint: 'Verify a clone of the branch instead (git clone --branch), see docs/audit.md#git-branch.' });
    }
    return d.tree;
  }

  /** The sha of a path's blob in a tree, walking one folder per request. */
  async function findPath(treeSha: string, path: string): Promise<string | undefined> {
    let current = treeSha;
    const parts = path.split('/');
    for (const [i, name] of parts.entries()) {
      const item = (await listTree(current, false)).find((t) => t.path === name);
      if (item === undefined) return undefined;
      if (i === parts.length - 1) return item.sha;
      current = item.sha;
    }
    return undefined;
  }

  async function blobText(sha: string): Promise<string> {
    const { data } = await gh.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { ...repo, file_sha: sha });
    const d = data as { content: string; encoding: string };
    return d.encoding === 'base64' ? Buffer.from(d.content, 'base64').toString('utf8') : d.content;
  }

  async function readAt(commitSha: string | undefined): Promise<{ head: LedgerHead | undefined; tree: string | undefined }> {
    if (commitSha === undefined) return { head: undefined, tree: undefined };
    const tree = await treeOf(commitSha);
    const stateSha = await findPath(tree, `${dir}/state.json`);
    if (stateSha === undefined) return { head: undefined, tree };
    let json: unknown;
    try {
      json = JSON.parse(await blobText(stateSha));
    } catch (e) {
      throw new VerificationError('ARTIFACT_MALFORMED', `${description}/state.json is not JSON`, { hint: 'The audit branch was edited by hand; restore it from its history.', cause: e });
    }
    return { head: parseHead(json, `${description}/state.json`), tree };
  }

  async function writeCommit(parent: string | undefined, baseTree: string | undefined, result: LedgerAppend): Promise<string> {
    const items = [
      ...result.entries.map((e, i) => ({ path: gitEntryPath(dir, e.seq), mode: '100644', type: 'blob', content: `${result.lines[i] ?? ''}\n` })),
      ...result.entries.map((e) => ({ path: gitIndexPath(dir, e.artifact.digest), mode: '100644', type: 'blob', content: `${String(e.seq)}\n` })),
      { path: gitCheckpointPath(dir, result.head.size), mode: '100644', type: 'blob', content: `${JSON.stringify(result.checkpoint)}\n` },
      { path: `${dir}/state.json`, mode: '100644', type: 'blob', content: `${JSON.stringify(result.head)}\n` },
    ];
    const { data: tree } = await gh.request('POST /repos/{owner}/{repo}/git/trees', { ...repo, tree: items, ...(baseTree === undefined ? {} : { base_tree: baseTree }) });
    const message = `genops audit: ${result.entries.length} entr${result.entries.length === 1 ? 'y' : 'ies'}, size ${result.head.size}\n\n${result.checkpoint.note}`;
    const { data: commit } = await gh.request('POST /repos/{owner}/{repo}/git/commits', {
      ...repo,
      message,
      tree: (tree as { sha: string }).sha,
      parents: parent === undefined ? [] : [parent],
      ...(options.committer === undefined ? {} : { author: options.committer, committer: options.committer }),
    });
    return (commit as { sha: string }).sha;
  }

  async function* linesUnder(folder: string): AsyncIterable<string> {
    const commit = await headCommit();
    if (commit === undefined) return;
    const tree = await treeOf(commit);
    const folderSha = await findPath(tree, folder);
    if (folderSha === undefined) return;
    const files = (await listTree(folderSha, true)).filter((t) => t.type === 'blob').sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const f of files) {
      for (const l of (await blobText(f.sha)).split('\n')) if (l !== '') yield l;
    }
  }

  return {
    description,
    ref,
    stats,
    async readHead() {
      return (await readAt(await headCommit())).head;
    },
    async commit(build) {
      for (let attempt = 1; ; attempt++) {
        stats.attempts++;
        const parent = await headCommit();
        const { head, tree } = await readAt(parent);
        const result = await build(head);
        const sha = await writeCommit(parent, tree, result);
        try {
          if (parent === undefined) await gh.request('POST /repos/{owner}/{repo}/git/refs', { ...repo, ref: `refs/${ref}`, sha });
          else await gh.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { ...repo, ref, sha, force: false });
          return result;
        } catch (e) {
          if (!isRefConflict(e)) throw e;
          stats.conflicts++;
          if (attempt >= maxAttempts) {
            throw new ConfigError('API_UNAVAILABLE', `${description}: gave up appending after ${attempt} attempts; other runs moved the branch each time`, {
              hint: 'Many runs append at once. Re-run the job; it appends on top of whatever the others wrote.',
              cause: e,
            });
          }
          // Full jitter, capped: 8 racing runs spread out within a few rounds.
          const ms = Math.floor(random() * Math.min(2000, 25 * 2 ** Math.min(attempt, 6)));
          await sleep(ms);
        }
      }
    },
    lines: () => linesUnder(`${dir}/entries`),
    checkpointLines: () => linesUnder(`${dir}/checkpoints`),
    async recordedSeq(digest) {
      const commit = await headCommit();
      if (commit === undefined || !/^[0-9a-f]{64}$/.test(digest)) return undefined;
      const tree = await treeOf(commit);
      const pointer = await findPath(tree, gitIndexPath(dir, digest));
      if (pointer === undefined) return undefined;
      const seq = Number((await blobText(pointer)).trim());
      if (!Number.isSafeInteger(seq) || seq < 0) return undefined;
      const entrySha = await findPath(tree, gitEntryPath(dir, seq));
      if (entrySha === undefined) return undefined;
      const d = decodeLine((await blobText(entrySha)).trim());
      return d.ok && d.entry.seq === seq && d.entry.artifact.digest === digest ? seq : undefined;
    },
  };
}
