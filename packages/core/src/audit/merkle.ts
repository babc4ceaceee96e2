/**
 * RFC 6962 / RFC 9162 Merkle tree hashing over the ledger's entries: leaf = SHA-256(0x00 || data),
 * node = SHA-256(0x01 || left || right), the empty tree's root = SHA-256(""). Appending keeps only
 * the compact range (the roots of the perfect subtrees on the right edge, one per set bit of the
 * size), so an append costs O(log n) hashes and the root is O(log n) from it. Inclusion and
 * consistency proofs are built from the leaf hashes and checked with the RFC 9162 §2.1.3.2 and
 * §2.1.4.2 verifiers, which need only the proof, the sizes and the roots.
 */
import { createHash } from 'node:crypto';

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** A 32-byte SHA-256 hash. */
export type Hash = Buffer;

export function leafHash(data: Uint8Array): Hash {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/**
 * The right edge of a tree of `size` leaves: one subtree root per set bit of `size`, largest
 * (leftmost) first. Plain data so it can be stored in the ledger's state.
 */
export interface CompactRange {
  size: number;
  /** Subtree roots, hex, left to right. */
  hashes: string[];
}

export function emptyRange(): CompactRange {
  return { size: 0, hashes: [] };
}

function popCount(n: number): number {
  let c = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) c += x % 2;
  return c;
}

/** Checks that a stored range is well formed (one 32-byte hash per set bit of size). */
export function isValidRange(range: CompactRange): boolean {
  return (
    Number.isSafeInteger(range.size) &&
    range.size >= 0 &&
    Array.isArray(range.hashes) &&
    range.hashes.length === popCount(range.size) &&
    range.hashes.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))
  );
}

/**
 * A mutable compact range over Buffers, for streaming: `push` is O(log n) amortized O(1),
 * `root` is O(log n). Counts the node hashes it computes, so the bench can show the cost.
 */
export class MerkleFrontier {
  private readonly stack: Hash[];
  private count: number;
  /** Node hashes computed by push() so far. */
  nodeHashes = 0;

  constructor(range: CompactRange = emptyRange()) {
    this.stack = range.hashes.map((h) => Buffer.from(h, 'hex'));
    this.count = range.size;
  }

  get size(): number {
    return this.count;
  }

  /** Adds a leaf hash (already leafHash-ed). */
  push(leaf: Hash): void {
    let hash = leaf;
    // Each trailing 1 bit of the old size is a perfect subtree the new leaf completes.
    for (let n = this.count; n % 2 === 1; n = (n - 1) / 2) {
      const left = this.stack.pop();
      if (left === undefined) throw new Error('compact range is inconsistent with its size');
      hash = nodeHash(left, hash);
      this.nodeHashes++;
    }
    this.stack.push(hash);
    this.count++;
  }

  root(): Hash {
    const last = this.stack.length - 1;
    if (last < 0) return EMPTY_ROOT;
    let hash = this.stack[last] as Hash;
    for (let i = last - 1; i >= 0; i--) hash = nodeHash(this.stack[i] as Hash, hash);
    return hash;
  }

  toRange(): CompactRange {
    return { size: this.count, hashes: this.stack.map((h) => h.toString('hex')) };
  }
}

/** Largest power of two strictly below n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) by recursion over the leaf hashes: O(hi - lo). */
export function subtreeRoot(leaves: readonly Hash[], lo = 0, hi = leaves.length): Hash {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[lo] as Hash;
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi));
}

/** RFC 6962 §2.1.1 PATH(m, D[0:n]): the audit path of leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(leaves: readonly Hash[], index: number, size = leaves.length): Hash[] {
  if (!(size <= leaves.length && index >= 0 && index < size)) throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  const path: Hash[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    const n = hi - lo;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, lo, lo + k);
      path.push(subtreeRoot(leaves, lo + k, hi));
    } else {
      walk(m - k, lo + k, hi);
      path.push(subtreeRoot(leaves, lo, lo + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** RFC 6962 §2.1.2 PROOF(m, D[0:n]): shows the tree of `oldSize` leaves is a prefix of the tree of `newSize`. */
export function consistencyProof(leaves: readonly Hash[], oldSize: number, newSize = leaves.length): Hash[] {
  if (!(oldSize >= 0 && oldSize <= newSize && newSize <= leaves.length)) throw new RangeError(`no consistency proof from ${oldSize} to ${newSize}`);
  const proof: Hash[] = [];
  if (oldSize === 0 || oldSize === newSize) return proof;
  const sub = (m: number, lo: number, hi: number, whole: boolean): void => {
    const n = hi - lo;
    if (m === n) {
      if (!whole) proof.push(subtreeRoot(leaves, lo, hi));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, lo, lo + k, whole);
      proof.push(subtreeRoot(leaves, lo + k, hi));
    } else {
      sub(m - k, lo + k, hi, false);
      proof.push(subtreeRoot(leaves, lo, lo + k));
    }
  };
  sub(oldSize, 0, newSize, true);
  return proof;
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** RFC 9162 §2.1.3.2: does `proof` put `leaf` at `index` in the tree of `size` leaves with root `root`? */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: readonly Hash[], root: Hash): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: is the tree (`oldSize`, `oldRoot`) a prefix of (`newSize`, `newRoot`)? */
export function verifyConsistency(oldSize: number, newSize: number, proof: readonly Hash[], oldRoot: Hash, newRoot: Hash): boolean {
  if (!(Number.isSafeInteger(oldSize) && Number.isSafeInteger(newSize) && oldSize >= 0 && oldSize <= newSize)) return false;
  if (oldSize === newSize) return proof.length === 0 && oldRoot.equals(newRoot);
  if (oldSize === 0) return proof.length === 0 && oldRoot.equals(EMPTY_ROOT);
  // A power-of-two old tree is a node of the new one, and is not repeated in the proof.
  const path = Number.isInteger(Math.log2(oldSize)) ? [oldRoot, ...proof] : [...proof];
  const first = path[0];
  if (first === undefined) return false;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = first;
  let sr = first;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}
