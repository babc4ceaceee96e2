/**
 * An in-memory Git object store with real Git object ids (SHA-1 of the loose-object encoding),
 * so identical content always gets the same sha, as on GitHub.
 */
import { createHash } from 'node:crypto';

export type TreeEntryMode = '100644' | '100755' | '040000' | '160000' | '120000';
export type TreeEntryType = 'blob' | 'tree' | 'commit';

export interface TreeEntry {
  readonly name: string;
  readonly mode: TreeEntryMode;
  readonly type: TreeEntryType;
  readonly sha: string;
}

export interface GitSignature {
  readonly name: string;
  readonly email: string;
  /** ISO 8601, seconds precision, `Z`. */
  readonly date: string;
}

export type GitObject =
  | { readonly type: 'blob'; readonly content: Buffer }
  | { readonly type: 'tree'; readonly entries: readonly TreeEntry[] }
  | {
      readonly type: 'commit';
      readonly tree: string;
      readonly parents: readonly string[];
      readonly message: string;
      readonly author: GitSignature;
      readonly committer: GitSignature;
    };

/** A path in a flattened tree: `dir/file.txt` → its (non-tree) entry. */
export interface FlatEntry {
  readonly mode: TreeEntryMode;
  readonly type: TreeEntryType;
  readonly sha: string;
}

/** A change for {@link GitStore.writeTree}: `sha: null` deletes the path (a file or a whole folder). */
export interface TreeChange {
  readonly path: string;
  readonly mode: TreeEntryMode;
  readonly type: TreeEntryType;
  readonly sha: string | null;
}

export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

export class GitStore {
  readonly objects = new Map<string, GitObject>();
  /** Fully qualified ref (`refs/heads/main`) → commit sha. */
  readonly refs = new Map<string, string>();

  writeBlob(content: Buffer | string): string {
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    return this.put('blob', buf, { type: 'blob', content: buf });
  }

  writeTreeObject(entries: readonly TreeEntry[]): string {
    const sorted = [...entries].sort((a, b) => compareTreeNames(a, b));
    const parts: Buffer[] = [];
    for (const e of sorted) {
      parts.push(Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`, 'utf8'), Buffer.from(e.sha, 'hex'));
    }
    return this.put('tree', Buffer.concat(parts), { type: 'tree', entries: sorted });
  }

  writeCommit(c: { tree: string; parents: readonly string[]; message: string; author: GitSignature; committer: GitSignature }): string {
    if (this.get(c.tree)?.type !== 'tree') throw new GitError(`Tree SHA does not exist: ${c.tree}`);
    for (const p of c.parents) {
      if (this.get(p)?.type !== 'commit') throw new GitError(`Parent SHA does not exist or is not a commit object: ${p}`);
    }
    const sig = (s: GitSignature): string => `${s.name} <${s.email}> ${Math.floor(Date.parse(s.date) / 1000)} +0000`;
    const text = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`), `author ${sig(c.author)}`, `committer ${sig(c.committer)}`, '', c.message].join('\n');
    return this.put('commit', Buffer.from(text, 'utf8'), { type: 'commit', ...c, parents: [...c.parents] });
  }

  get(sha: string): GitObject | undefined {
    return this.objects.get(sha.toLowerCase());
  }

  /** Every non-tree entry reachable from a tree, keyed by its full path. */
  flatten(treeSha: string, prefix = '', out = new Map<string, FlatEntry>()): Map<string, FlatEntry> {
    const tree = this.get(treeSha);
    if (tree?.type !== 'tree') throw new GitError(`Not a tree: ${treeSha}`);
    for (const e of tree.entries) {
      const path = `${prefix}${e.name}`;
      if (e.type === 'tree') this.flatten(e.sha, `${path}/`, out);
      else out.set(path, { mode: e.mode, type: e.type, sha: e.sha });
    }
    return out;
  }

  /**
   * Like `POST /git/trees`: starts from `baseTree` (or empty), applies the changes (nested paths
   * allowed; a `tree` entry replaces a whole folder; `sha: null` deletes), returns the new root sha.
   */
  writeTree(baseTree: string | undefined, changes: readonly TreeChange[]): string {
    const flat = baseTree === undefined ? new Map<string, FlatEntry>() : this.flatten(baseTree);
    for (const c of changes) {
      const path = c.path.replace(/^\/+|\/+$/g, '');
      if (path === '' || path.split('/').some((s) => s === '' || s === '.' || s === '..')) throw new GitError(`Invalid tree path: '${c.path}'`);
      for (const key of [...flat.keys()]) if (key === path || key.startsWith(`${path}/`)) flat.delete(key);
      if (c.sha === null) continue;
      const obj = this.get(c.sha);
      if (c.type === 'tree') {
        if (obj?.type !== 'tree') throw new GitError(`tree.sha ${c.sha} is not a valid tree`);
        for (const [sub, e] of this.flatten(c.sha)) flat.set(`${path}/${sub}`, e);
      } else if (c.type === 'blob') {
        if (obj?.type !== 'blob') throw new GitError(`tree.sha ${c.sha} is not a valid blob`);
        flat.set(path, { mode: c.mode, type: 'blob', sha: c.sha.toLowerCase() });
      } else {
        flat.set(path, { mode: '160000', type: 'commit', sha: c.sha.toLowerCase() });
      }
    }
    return this.buildTree(flat);
  }

  /** True when `descendant` is `ancestor` or reaches it through parents. */
  isAncestor(ancestor: string, descendant: string): boolean {
    const seen = new Set<string>();
    const queue = [descendant.toLowerCase()];
    while (queue.length > 0) {
      const sha = queue.pop() as string;
      if (sha === ancestor.toLowerCase()) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      const obj = this.get(sha);
      if (obj?.type === 'commit') queue.push(...obj.parents);
    }
    return false;
  }

  private buildTree(flat: ReadonlyMap<string, FlatEntry>): string {
    const files: TreeEntry[] = [];
    const dirs = new Map<string, Map<string, FlatEntry>>();
    for (const [path, e] of flat) {
      const slash = path.indexOf('/');
      if (slash < 0) {
        files.push({ name: path, ...e });
      } else {
        const dir = path.slice(0, slash);
        let sub = dirs.get(dir);
        if (sub === undefined) dirs.set(dir, (sub = new Map<string, FlatEntry>()));
        sub.set(path.slice(slash + 1), e);
      }
    }
    for (const [name, sub] of dirs) files.push({ name, mode: '040000', type: 'tree', sha: this.buildTree(sub) });
    return this.writeTreeObject(files);
  }

  private put(kind: string, body: Buffer, obj: GitObject): string {
    const sha = createHash('sha1').update(`${kind} ${body.length}\0`).update(body).digest('hex');
    if (!this.objects.has(sha)) this.objects.set(sha, obj);
    return sha;
  }
}

/** Git orders tree entries by name, comparing a folder as if its name ended in `/`. */
function compareTreeNames(a: TreeEntry, b: TreeEntry): number {
  const ka = Buffer.from(a.type === 'tree' ? `${a.name}/` : a.name, 'utf8');
  const kb = Buffer.from(b.type === 'tree' ? `${b.name}/` : b.name, 'utf8');
  return Buffer.compare(ka, kb);
}
