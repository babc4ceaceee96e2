/**
 * `genops audit append | verify | export | prove` and `genops dora` on a commander program built
 * here (cli.ts wires them in; this test does not depend on that): real signed decisions, a real
 * ledger on disk, tampering found with the entry named, proofs checked by the verifier.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';

// Until packages/core/src/index.ts exports './audit/index.js', @genops/core is assembled here from
// the modules its index exports, plus audit (the same objects, so nothing is faked).
const coreSrc = fileURLToPath(new URL('../../core/src/', import.meta.url));
jest.unstable_mockModule('@genops/core', async () => {
  const index = readFileSync(join(coreSrc, 'index.ts'), 'utf8');
  const modules = [...index.matchAll(/^export \* from '\.\/(.+)\.js';$/gm)].map((m) => m[1]!);
  const all: Record<string, unknown> = {};
  for (const m of [...modules, 'audit/index']) Object.assign(all, await import(join(coreSrc, `${m}.ts`)));
  return all;
});

const core = await import('@genops/core');
const { buildStatement } = core;
const testkit = await import('@genops/testkit');
const { registerAudit, registerDora } = await import('../src/commands/audit.js');
const audit = core as unknown as typeof import('../../core/src/audit/index.js');

const NOW = '2026-03-02T10:00:00.000Z';
const ORIGIN = 'github.com/acme/payments/genops-audit';
const kp = testkit.testKey();
const other = testkit.testKey();
let dir: string;
let keyPath: string;
let pubPath: string;
let ledger: string;
const bundles: string[] = [];
let foreign: string;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  const program = new Command().exitOverride().configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerAudit(program, io);
  registerDora(program, io);
  let code = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else {
      const g = core.toGenopsError(e);
      io.err(g.describe());
      code = g.kind === 'verification' || g.kind === 'blocked' ? 1 : g.kind === 'config' ? 2 : 3;
    }
  }
  return { code, out: out.join('\n'), err: err.join('\n'), lines: out };
}

async function signDecision(path: string, key: typeof kp, sha: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const predicate = testkit.makeDecision({
    header: { tool: { name: 'genops', version: '0.0.0-test', component: 'policy-gate' }, run: testkit.testRun({ sha, actor: 'release-bot' }), createdAt: NOW, expiresAt: '2026-03-09T10:00:00.000Z', inputs: [] },
    change: { repository: 'acme/payments', sha, author: 'dev-alice', pullRequest: 42, evaluatedAt: NOW },
    ...overrides,
  });
  const st = buildStatement({ repository: 'acme/payments', gitCommit: sha }, core.PredicateTypes.decision, predicate);
  await core.writeArtifact(core.nodeFileSystem(), path, await core.signStatement(st, key.signer));
  return path;
}

const shaN = (n: number) => core.sha256Hex(`c${n}`).slice(0, 40);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-cli-audit-'));
  keyPath = join(dir, 'signing.key');
  pubPath = join(dir, 'signing.pub');
  await writeFile(keyPath, kp.privateKeyPem);
  await writeFile(pubPath, kp.publicKeyPem);
  ledger = join(dir, 'audit', 'ledger.jsonl');
  for (let i = 0; i < 3; i++) bundles.push(await signDecision(join(dir, `decision-${i}.json`), kp, shaN(i), { decision: i === 1 ? 'deny' : 'allow', key: 'deploy-production' }));
  foreign = await signDecision(join(dir, 'foreign.json'), other, shaN(9));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('genops audit', () => {
  it('append: a new ledger needs an origin (exit 2); then one entry per bundle and a checkpoint', async () => {
    const none = await cli('audit', 'append', '--ledger', ledger, '--key', keyPath, '--now', NOW, bundles[0]!);
    expect(none.code).toBe(2);
    expect(none.err).toContain('--origin');
    const r = await cli('audit', 'append', '--ledger', ledger, '--key', keyPath, '--origin', ORIGIN, '--now', NOW, bundles[0]!, bundles[1]!);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^appended entry 0: decision sha256:[0-9a-f]{64} \(acme\/payments@[0-9a-f]{12}\)$/);
    expect(r.lines[1]).toMatch(/^appended entry 1: decision/);
    expect(r.lines[2]).toMatch(new RegExp(`^checkpoint: ${ORIGIN} \\| 2 \\| [A-Za-z0-9+/]{43}=$`));
    const r2 = await cli('audit', 'append', '--ledger', ledger, '--key', keyPath, '--now', NOW, '--approver', 'ops-lead', '--ticket', 'CHG-1', bundles[2]!);
    expect(r2.code).toBe(0);
    expect(r2.lines[0]).toMatch(/^appended entry 2:/);
  });

  it('append fails closed: one untrusted bundle, nothing written, the bundle named', async () => {
    const before = await readFile(ledger, 'utf8');
    const r = await cli('audit', 'append', '--ledger', ledger, '--key', keyPath, '--now', NOW, bundles[0]!, foreign);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^KEY_UNTRUSTED: .*foreign\.json/);
    expect(await readFile(ledger, 'utf8')).toBe(before);
  });

  it('verify: OK with the counts; exit 2 without a key', async () => {
    const r = await cli('audit', 'verify', ledger, '--key', pubPath);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^OK .*ledger\.jsonl: 3 entries, root [0-9a-f]{64}$/);
    expect(r.out).toContain('checkpoints compared: 2');
    expect((await cli('audit', 'verify', ledger)).code).toBe(2);
    const json = await cli('audit', 'verify', ledger, '--key', pubPath, '--artifact-key', pubPath, '--json');
    expect(JSON.parse(json.out)).toMatchObject({ ok: true, size: 3, artifactSignaturesChecked: 3 });
  });

  it('export csv and json: who changed what, who approved, which policy allowed it', async () => {
    const csv = await cli('audit', 'export', ledger, '--key', pubPath, '--format', 'csv');
    expect(csv.code).toBe(0);
    const rows = csv.out.split('\r\n');
    expect(rows[0]).toBe(audit.EXPORT_COLUMNS.join(','));
    expect(rows).toHaveLength(4);
    expect(rows[3]).toContain(',ops-lead,CHG-1,');
    const out = join(dir, 'export.json');
    expect((await cli('audit', 'export', ledger, '--key', pubPath, '--format', 'json', '--out', out)).code).toBe(0);
    const json = JSON.parse(await readFile(out, 'utf8'));
    expect(json.map((r: { decision: string }) => r.decision)).toEqual(['allow', 'deny', 'allow']);
    expect(json[0]).toMatchObject({ gate: 'deploy-production', author: 'dev-alice', policySets: 'supply-chain; metadata', exceptions: 'gpl-tooling (SEC-42, approved by sec-lead)' });
    expect((await cli('audit', 'export', ledger, '--key', pubPath, '--format', 'xml')).code).toBe(2);
  });

  it('prove: an inclusion proof the RFC 6962 verifier accepts', async () => {
    const out = join(dir, 'proof.json');
    const r = await cli('audit', 'prove', ledger, '1', '--key', pubPath, '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain('entry 1 (tree size 3, 2 hashes)');
    const proof = JSON.parse(await readFile(out, 'utf8'));
    expect(() => audit.verifyInclusionProof(proof, { mode: 'key', keys: [kp.publicKey] })).not.toThrow();
    expect((await cli('audit', 'prove', ledger, '7', '--key', pubPath)).code).toBe(2);
  });

  it('dora: the figures beside the targets', async () => {
    const r = await cli('dora', ledger, '--key', pubPath);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toBe('DORA for production, 2026-03-02T10:00:00.000Z .. 2026-03-02T10:00:00.000Z');
    expect(r.out).toMatch(/deployment frequency\s+2\.00\/day \(2 in 1\.0 d\)/);
    expect(r.out).toMatch(/change failure rate\s+0\.0% \(0 of 2\)\s+< 5\.0%\s+met/);
    expect(r.out).toMatch(/lead time for changes \(median\)\s+0 s\s+< 2\.0 h\s+met/);
  });

  it('verify names the tampered entry (exit 1), and a cut tail against a trusted checkpoint', async () => {
    const lines = (await readFile(ledger, 'utf8')).split('\n');
    const tampered = lines.map((l, i) => (i === 1 ? l.replace('"decision":"deny"', '"decision":"allo"') : l)).join('\n');
    const copy = join(dir, 'copy', 'ledger.jsonl');
    const stem = join(dir, 'audit', 'ledger');
    await writeFile(join(dir, 'trusted.json'), `${(await readFile(`${stem}.checkpoints.jsonl`, 'utf8')).trim().split('\n').at(-1) ?? ''}\n`);
    await rm(join(dir, 'copy'), { recursive: true, force: true });
    await mkdir(join(dir, 'copy'));
    await writeFile(copy, tampered);
    await writeFile(join(dir, 'copy', 'ledger.checkpoints.jsonl'), await readFile(`${stem}.checkpoints.jsonl`, 'utf8'));
    const r = await cli('audit', 'verify', copy, '--key', pubPath);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAILED/);
    expect(r.err).toMatch(/^DIGEST_MISMATCH: .*entry 1 \(line 2\) was changed after it was written/);
    expect(r.err).toContain(`file:     ${copy}:2`);
    // Cut the tail and the checkpoint log together: only the trusted checkpoint can tell.
    await writeFile(copy, `${lines.slice(0, 2).join('\n')}\n`);
    await writeFile(join(dir, 'copy', 'ledger.checkpoints.jsonl'), `${(await readFile(`${stem}.checkpoints.jsonl`, 'utf8')).split('\n')[0] ?? ''}\n`);
    expect((await cli('audit', 'verify', copy, '--key', pubPath)).code).toBe(0);
    const cut = await cli('audit', 'verify', copy, '--key', pubPath, '--checkpoint', join(dir, 'trusted.json'));
    expect(cut.code).toBe(1);
    expect(cut.err).toContain('entry 2 was removed from its end');
    expect((await cli('audit', 'verify', copy, '--key', pubPath, '--expected-size', '3')).code).toBe(1);
    expect(existsSync(join(dir, 'nope.jsonl'))).toBe(false);
    expect((await cli('audit', 'verify', join(dir, 'nope.jsonl'), '--key', pubPath)).code).toBe(2);
  });
});
