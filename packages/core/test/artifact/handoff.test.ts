import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, mkdir, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  nodeFileSystem,
  PredicateTypes,
  resolveArtifactFiles,
  verifyHandoff,
  writeArtifact,
  type WorkflowArtifactClient,
} from '../../src/index.js';
import { codeOfAsync as codeOf } from '@genops/testkit';
import { keyPair, keySigner, NOW, SHA, signedInventory } from './helpers.js';

const kp = keyPair();
const signer = keySigner(kp.priv, kp.pub);
let dir: string;
const fs = () => nodeFileSystem(dir);
const policy = { trust: { mode: 'key' as const, keys: [kp.pub] }, predicateType: PredicateTypes.inventory, subject: { gitCommit: SHA }, now: NOW };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-handoff-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));


describe('handoff', () => {
  it('writes the bundle atomically and returns the outputs the next job needs', async () => {
    const a = await signedInventory(signer);
    const out = await writeArtifact(fs(), join(dir, 'nested', 'inv.json'), a);
    expect(out['artifact-digest']).toBe(`sha256:${a.digest}`);
    expect(JSON.parse(await readFile(out['artifact-path'], 'utf8'))).toEqual(a.bundle);
    expect((await readdir(join(dir, 'nested'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('resolves globs and downloads named workflow artifacts; nothing found is an error', async () => {
    await mkdir(join(dir, 'g'), { recursive: true });
    const a = await writeArtifact(fs(), join(dir, 'g', 'a.json'), await signedInventory(signer));
    const b = await writeArtifact(fs(), join(dir, 'g', 'b.json'), await signedInventory(signer, { now: new Date(NOW.getTime() - 1000) }));
    const files = await resolveArtifactFiles(fs(), { paths: ['g/*.json'], names: [], downloadDir: join(dir, 'dl') });
    expect(files).toEqual(['g/a.json', 'g/b.json']);
    const client: WorkflowArtifactClient = {
      async download(name, dest) {
        await mkdir(dest, { recursive: true });
        await writeFile(join(dest, 'x.json'), await readFile(a['artifact-path']));
        await writeFile(join(dest, 'notes.txt'), 'ignored');
        return [join(dest, 'x.json'), join(dest, 'notes.txt')];
      },
    };
    const named = await resolveArtifactFiles(fs(), { paths: [], names: ['evidence'], downloadDir: join(dir, 'dl') }, client);
    expect(named).toEqual([join(dir, 'dl', 'evidence', 'x.json')]);
    expect(await codeOf(resolveArtifactFiles(fs(), { paths: ['g/*.nope'], names: [], downloadDir: dir }))).toBe('ARTIFACT_NOT_FOUND');
    expect(await codeOf(resolveArtifactFiles(fs(), { paths: [], names: ['evidence'], downloadDir: dir }))).toBe('INPUT_INVALID');
    expect(await codeOf(resolveArtifactFiles(fs(), { paths: [], names: [], downloadDir: dir }))).toBe('INPUT_MISSING');

    // The verified set must equal the handed-over set: an extra file, or a missing one, fails.
    const both = [a['artifact-path'], b['artifact-path']];
    expect(await verifyHandoff(fs(), { files: both, expectedDigests: [a['artifact-digest'], b['artifact-digest']], policy })).toHaveLength(2);
    expect(await codeOf(verifyHandoff(fs(), { files: both, expectedDigests: [a['artifact-digest']], policy }))).toBe('DIGEST_MISMATCH');
    expect(await codeOf(verifyHandoff(fs(), { files: [a['artifact-path']], expectedDigests: [a['artifact-digest'], b['artifact-digest']], policy }))).toBe('ARTIFACT_NOT_FOUND');
    expect(await codeOf(verifyHandoff(fs(), { files: [a['artifact-path']], expectedDigests: [], policy }))).toBe('INPUT_MISSING');
    expect(await codeOf(verifyHandoff(fs(), { files: [a['artifact-path']], expectedDigests: ['md5:abc'], policy }))).toBe('INPUT_INVALID');
  });

  it('refuses an oversized file by its size, without reading it', async () => {
    const big = join(dir, 'big.json');
    await writeFile(big, Buffer.alloc(4096, 0x20));
    const reads: string[] = [];
    const spy = { ...fs(), readFile: (p: string) => { reads.push(p); return fs().readFile(p); } };
    expect(await codeOf(verifyHandoff(spy, { files: [big], expectedDigests: [`sha256:${'0'.repeat(64)}`], policy: { ...policy, maxBytes: 1024 } }))).toBe('ARTIFACT_TOO_LARGE');
    expect(reads).toEqual([]);
  });
});
