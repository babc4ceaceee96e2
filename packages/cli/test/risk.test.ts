/**
 * `genops risk score` and `genops risk explain` through runCli: evidence signed with a throwaway
 * key from a fixture change, scored at that fixture's moment, explained after verification.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEvidenceStatement, signStatement, writeArtifact, nodeFileSystem, type Evidence, type RiskAssessment } from '@genops/core';
import { FIXTURE_PR_HEAD as SHA, testKey, testRun } from '@genops/testkit';
import { EXIT, runCli } from '../src/cli.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const changes = join(here, '..', '..', '..', 'fixtures', 'risk', 'changes');
const incidents = join(here, '..', '..', '..', 'fixtures', 'risk', 'incidents');
const NOW = '2026-03-13T16:30:00Z';
const kp = testKey();
const other = testKey();

let dir: string;
let keyPath: string;
let pubPath: string;
let otherPub: string;
let evidencePath: string;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n'), lines: out };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-cli-risk-'));
  keyPath = join(dir, 'signing.key');
  pubPath = join(dir, 'signing.pub');
  otherPub = join(dir, 'other.pub');
  await writeFile(keyPath, kp.privateKeyPem);
  await writeFile(pubPath, kp.publicKeyPem);
  await writeFile(otherPub, other.publicKeyPem);
  const body = JSON.parse(await readFile(join(changes, 'friday-migration.evidence.json'), 'utf8')) as Evidence;
  const st = buildEvidenceStatement({ repository: 'acme/payments', gitCommit: SHA }, { toolVersion: '0.1.0', run: testRun(), now: new Date('2026-03-13T16:00:00Z'), ttlSeconds: 7200 }, body);
  evidencePath = (await writeArtifact(nodeFileSystem(), join(dir, 'evidence.intoto.json'), await signStatement(st, kp.signer)))['artifact-path'];
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('genops risk score / explain', () => {
  it('scores verified evidence, prints the factors, and signs the risk', async () => {
    const out = join(dir, 'risk.intoto.json');
    const r = await cli('risk', 'score', '--evidence', evidencePath, '--key', keyPath, '--out', out, '--now', NOW, '--incidents', join(incidents, 'INC-2024-048-create-index-without-concurrently.md'));
    expect(r.err).toBe('');
    expect(r.code).toBe(EXIT.ok);
    expect(r.lines[0]).toMatch(/^risk critical 0\.\d{3} /);
    expect(r.out).toContain('timing');
    expect(r.out).toContain('incident ');
    expect(r.lines.at(-1)).toMatch(/^signed .*risk\.intoto\.json sha256:[0-9a-f]{64}$/);
    expect(existsSync(out)).toBe(true);
  });

  it('explain --json gives score, tier and factors with name, value, weight and contribution that sum to the score', async () => {
    const out = join(dir, 'risk2.intoto.json');
    expect((await cli('risk', 'score', '--evidence', evidencePath, '--key', keyPath, '--out', out, '--now', NOW)).code).toBe(EXIT.ok);
    const r = await cli('risk', 'explain', out, '--key', pubPath, '--now', NOW, '--json');
    expect(r.code).toBe(EXIT.ok);
    const a = JSON.parse(r.out) as RiskAssessment;
    expect(a.tier).toBe('critical');
    expect(a.score).toBeCloseTo(0.6066, 4);
    expect(a.factors.reduce((s, f) => s + f.contribution, 0)).toBe(a.score);
    for (const f of a.factors) expect(Object.keys(f)).toEqual(expect.arrayContaining(['name', 'value', 'weight', 'contribution', 'reason']));
  });

  it('refuses evidence it cannot trust: another key (exit 1), a missing file (exit 2)', async () => {
    const r = await cli('risk', 'score', '--evidence', evidencePath, '--key', keyPath, '--evidence-key', otherPub, '--out', join(dir, 'no.json'), '--now', NOW);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toMatch(/^KEY_UNTRUSTED/);
    expect(existsSync(join(dir, 'no.json'))).toBe(false);
    expect((await cli('risk', 'score', '--evidence', join(dir, 'nope.json'), '--key', keyPath, '--out', join(dir, 'no.json'))).code).toBe(EXIT.config);
  });

  it('explain refuses a risk bundle under another key, and an evidence bundle', async () => {
    const out = join(dir, 'risk3.intoto.json');
    await cli('risk', 'score', '--evidence', evidencePath, '--key', keyPath, '--out', out, '--now', NOW);
    expect((await cli('risk', 'explain', out, '--key', otherPub, '--now', NOW)).code).toBe(EXIT.rejected);
    const r = await cli('risk', 'explain', evidencePath, '--key', pubPath, '--now', NOW);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toMatch(/^PREDICATE_TYPE_MISMATCH/);
  });

  it('names a bad --config key with its line (exit 2)', async () => {
    await writeFile(join(dir, 'risk.yml'), 'weights:\n  timing: -1\n');
    const r = await cli('risk', 'score', '--evidence', evidencePath, '--key', keyPath, '--out', join(dir, 'no.json'), '--now', NOW, '--config', join(dir, 'risk.yml'));
    expect(r.code).toBe(EXIT.config);
    expect(r.err).toMatch(/weights\.timing \(line 2\)/);
  });
});
