// RFC 6962 Merkle tree: the certificate-transparency reference vectors, and every proof of every
// tree up to 70 leaves checked both ways (valid proofs verify, any altered input does not).
import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '../../../testkit/src/seeded-random.js';
import {
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  MerkleFrontier,
  subtreeRoot,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from '../../src/audit/merkle.js';

// certificate-transparency-go merkletree test data: 8 leaves and the root of each prefix.
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const ctLeaves = CT_LEAVES.map((h) => leafHash(Buffer.from(h, 'hex')));

function leavesOf(n: number, seed = 7): Hash[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i} ${rnd()}`)));
}

function flip(h: Hash): Hash {
  const c = Buffer.from(h);
  c[0] = (c[0] ?? 0) ^ 1;
  return c;
}

describe('RFC 6962 hashing', () => {
  it('the empty tree is SHA-256 of nothing', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(new MerkleFrontier().root()).toEqual(EMPTY_ROOT);
  });

  it('matches the certificate-transparency roots for every prefix of the reference leaves', () => {
    const f = new MerkleFrontier();
    ctLeaves.forEach((leaf, i) => {
      f.push(leaf);
      expect(f.root().toString('hex')).toBe(CT_ROOTS[i]);
      expect(subtreeRoot(ctLeaves, 0, i + 1).toString('hex')).toBe(CT_ROOTS[i]);
    });
  });

  it('gives the reference audit path of leaf 0 in the 8-leaf tree', () => {
    expect(inclusionProof(ctLeaves, 0, 8).map((h) => h.toString('hex'))).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
  });

  it('the compact range survives a round trip through plain data', () => {
    const leaves = leavesOf(37);
    const f = new MerkleFrontier();
    for (const l of leaves.slice(0, 20)) f.push(l);
    const g = new MerkleFrontier(JSON.parse(JSON.stringify(f.toRange())));
    for (const l of leaves.slice(20)) g.push(l);
    expect(g.root()).toEqual(subtreeRoot(leaves));
    expect(g.toRange().hashes).toHaveLength(3); // 37 = 100101b
  });

  it('an append costs at most log2(n) node hashes', () => {
    const f = new MerkleFrontier();
    let worst = 0;
    for (const l of leavesOf(4096)) {
      const before = f.nodeHashes;
      f.push(l);
      worst = Math.max(worst, f.nodeHashes - before);
    }
    expect(worst).toBe(12);
    expect(f.nodeHashes).toBe(4095); // amortized: one per leaf
  });
});

describe('inclusion proofs', () => {
  it('verify for every leaf of every tree up to 70, and fail when anything is altered', () => {
    const leaves = leavesOf(70);
    for (let n = 1; n <= 70; n++) {
      const root = subtreeRoot(leaves, 0, n);
      for (let m = 0; m < n; m++) {
        const proof = inclusionProof(leaves, m, n);
        expect(verifyInclusion(leaves[m]!, m, n, proof, root)).toBe(true);
        expect(verifyInclusion(flip(leaves[m]!), m, n, proof, root)).toBe(false);
        if (n > 1) {
          expect(verifyInclusion(leaves[m]!, (m + 1) % n, n, proof, root)).toBe(false);
          expect(verifyInclusion(leaves[m]!, m, n, proof.slice(1), root)).toBe(false);
          expect(verifyInclusion(leaves[m]!, m, n, [...proof.slice(0, -1), flip(proof.at(-1)!)], root)).toBe(false);
        }
      }
    }
  });

  it('refuses an index outside the tree', () => {
    const leaves = leavesOf(4);
    const root = subtreeRoot(leaves);
    expect(verifyInclusion(leaves[0]!, 4, 4, [], root)).toBe(false);
    expect(verifyInclusion(leaves[0]!, -1, 4, [], root)).toBe(false);
    expect(() => inclusionProof(leaves, 4)).toThrow(RangeError);
  });
});

describe('consistency proofs', () => {
  it('verify for every pair of sizes up to 50, and fail for altered roots or proofs', () => {
    const leaves = leavesOf(50, 11);
    const roots = Array.from({ length: 51 }, (_, n) => subtreeRoot(leaves, 0, n));
    for (let n = 1; n <= 50; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(leaves, m, n);
        expect(verifyConsistency(m, n, proof, roots[m]!, roots[n]!)).toBe(true);
        if (m < n) {
          expect(verifyConsistency(m, n, proof, flip(roots[m]!), roots[n]!)).toBe(false);
          expect(verifyConsistency(m, n, proof, roots[m]!, flip(roots[n]!))).toBe(false);
          if (proof.length > 0) expect(verifyConsistency(m, n, [...proof.slice(0, -1), flip(proof.at(-1)!)], roots[m]!, roots[n]!)).toBe(false);
        }
      }
    }
  });

  it('a forked history has no consistency proof', () => {
    const a = leavesOf(20, 1);
    const b = [...a.slice(0, 12), ...leavesOf(8, 2)];
    const proof = consistencyProof(b, 15, 20);
    expect(verifyConsistency(15, 20, proof, subtreeRoot(a, 0, 15), subtreeRoot(b))).toBe(false);
    expect(verifyConsistency(12, 20, consistencyProof(b, 12, 20), subtreeRoot(a, 0, 12), subtreeRoot(b))).toBe(true);
  });
});
