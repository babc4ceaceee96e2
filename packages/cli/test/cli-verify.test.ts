import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile, readFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPrivateKey } from '@genops/core';
import { FIXTURE_PR_HEAD as SHA, testKey, writeTestInventory } from '@genops/testkit';
import { runCli, EXIT, type CliIO } from '../src/cli.js';

const NOW = '2026-03-02T10:00:00.000Z';
let dir: string;
let good: string;
let digest: string;
let pubPath: string;
let otherPubPath: string;

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const io = { stdout: [] as string[], stderr: [] as string[], out: (l: string) => io.stdout.push(l), err: (l: string) => io.stderr.push(l) };
  return io;
}

async function verify(file: string, ...extra: string[]) {
  const io = capture();
  const code = await runCli(['verify', file, '--key', pubPath, '--now', NOW, ...extra], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-cli-'));
  const kp = testKey();
  pubPath = join(dir, 'signing.pub');
  await writeFile(pubPath, kp.publicKeyPem);
  otherPubPath = join(dir, 'other.pub');
  await writeFile(otherPubPath, testKey().publicKeyPem);
  const out = await writeTestInventory(join(dir, 'inventory.json'), { signer: kp.signer, now: new Date(NOW) });
  good = out['artifact-path'];
  digest = out['artifact-digest'];
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('genops verify', () => {
  it('exits 0 on a good bundle, with subject, type and digest checked', async () => {
    const r = await verify(good, '--subject', SHA, '--predicate-type', 'inventory', '--digest', digest);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('OK ');
    expect(r.out).toContain(digest);
  });

  it('prints the verified statement as JSON with --json', async () => {
    const io = capture();
    expect(await runCli(['verify', good, '--key', pubPath, '--now', NOW, '--json'], io)).toBe(0);
    const parsed = JSON.parse(io.stdout.join('\n')) as { verified: boolean; digest: string };
    expect(parsed).toMatchObject({ verified: true, digest });
  });

  it.each([
    ['wrong key', async () => {
      const io = capture();
      const code = await runCli(['verify', good, '--key', otherPubPath, '--now', NOW], io);
      return { code, out: '', err: io.stderr.join('\n') };
    }, 'KEY_UNTRUSTED'],
    ['wrong subject', async () => verify(good, '--subject', 'f'.repeat(40)), 'SUBJECT_MISMATCH'],
    ['wrong predicate type', async () => verify(good, '--predicate-type', 'decision'), 'PREDICATE_TYPE_MISMATCH'],
    ['expired', async () => {
      const io = capture();
      const code = await runCli(['verify', good, '--key', pubPath, '--now', '2026-03-02T11:00:01Z'], io);
      return { code, out: '', err: io.stderr.join('\n') };
    }, 'EXPIRED'],
    ['digest mismatch', async () => verify(good, '--digest', `sha256:${'0'.repeat(64)}`), 'DIGEST_MISMATCH'],
  ])('exits 1 with a specific message: %s', async (_name, run, code) => {
    const r = await run();
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toMatch(new RegExp(`^${code}: `));
    expect(r.err).toContain('fix:');
  });

  it('exits 1 on a tampered payload', async () => {
    const b = JSON.parse(await readFile(good, 'utf8')) as { dsseEnvelope: { payload: string } };
    const p = Buffer.from(b.dsseEnvelope.payload, 'base64');
    p[p.length - 3] = (p[p.length - 3] ?? 0) ^ 1;
    b.dsseEnvelope.payload = p.toString('base64');
    const t = join(dir, 'tampered.json');
    await writeFile(t, JSON.stringify(b));
    const r = await verify(t);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toMatch(/^SIGNATURE_INVALID: /);
  });

  it('exits 1 on malformed JSON, naming the line', async () => {
    const t = join(dir, 'malformed.json');
    await writeFile(t, '{\n  "mediaType": "x",\n  oops\n}\n');
    const r = await verify(t);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toMatch(/^ARTIFACT_MALFORMED: /);
    expect(r.err).toContain(`${t}:3`);
  });

  it('exits 1 on an empty file', async () => {
    const t = join(dir, 'empty.json');
    await writeFile(t, '');
    const r = await verify(t);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toMatch(/^ARTIFACT_EMPTY: /);
  });

  it('rejects a 200 MB file by its size, before reading it', async () => {
    const t = join(dir, 'huge.json');
    await writeFile(t, '');
    await truncate(t, 200 * 1024 * 1024); // sparse: costs no disk, and is never read
    const r = await verify(t);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toMatch(/^ARTIFACT_TOO_LARGE: .*209715200 bytes/);
  });

  it('exits 2 on usage problems: no trust anchor, missing file, bad option values', async () => {
    const io = capture();
    expect(await runCli(['verify', good], io)).toBe(EXIT.config);
    expect(io.stderr.join('\n')).toMatch(/^INPUT_MISSING: /);
    expect((await verify(join(dir, 'nope.json'))).code).toBe(EXIT.config);
    expect((await verify(good, '--predicate-type', 'bogus')).code).toBe(EXIT.config);
    expect((await verify(good, '--max-bytes', 'lots')).code).toBe(EXIT.config);
    expect((await runCli(['verify', good, '--key', pubPath, '--now', 'yesterday'], capture()))).toBe(EXIT.config);
    expect(await runCli(['no-such-command'], capture())).toBe(EXIT.config);
  });
});

describe('genops keygen', () => {
  it('writes a key pair that signs and verifies, and refuses to overwrite it', async () => {
    const out = join(dir, 'keys');
    const io = capture();
    expect(await runCli(['keygen', '--out', out], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/key id: [0-9a-f]{64}/);
    const priv = loadPrivateKey(await readFile(join(out, 'signing.key'), 'utf8'), 'signing.key');
    expect(priv.asymmetricKeyType).toBe('ec');
    expect(await runCli(['keygen', '--out', out], capture())).toBe(EXIT.config);
  });
});
