import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '@genops/core';
import { findFixturesDir, runDemo } from '../src/demo/run-demo.js';
import { runCli } from '../src/cli.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('genops demo', () => {
  it('signs a verifiable chain and rejects every tampered or misdirected copy', async () => {
    const out = await mkdtemp(join(tmpdir(), 'genops-demo-'));
    dirs.push(out);
    const fixturesDir = findFixturesDir();
    expect(fixturesDir).toBeDefined();
    const lines: string[] = [];
    const now = '2026-03-02T10:00:00.000Z';
    const r = await runDemo({ outDir: out, fixturesDir: fixturesDir!, clock: fixedClock(now), print: (l) => lines.push(l) });
    expect(r.artifacts.map((a) => a.name)).toEqual(['evidence', 'risk', 'decision', 'receipt']);
    expect(lines.join('\n')).toMatch(/5 policy .*\n.*decision DENY for /);
    expect(lines.join('\n')).toMatch(/docs only .*: ALLOW/);
    // canary-promote refuses the denied PR; the docs-only change rolls out through two replayed histories.
    expect(lines.join('\n')).toMatch(/6 canary +this PR: REFUSED POLICY_DENIED/);
    expect(r.canary.map((c) => [c.name, c.outcome])).toEqual([
      ['canary-healthy', 'promoted'],
      ['canary-errors-3x', 'rolled-back'],
    ]);
    for (const c of r.canary) {
      const code = await runCli(['verify', c.path, '--key', r.publicKeyPath, '--subject', c.subjectSha, '--digest', c.digest, '--now', c.verifyAt, '--predicate-type', 'canary'], { out: () => undefined, err: () => undefined });
      expect(code).toBe(0);
    }
    expect(r.rejected.map((x) => x.code)).toEqual(['SIGNATURE_INVALID', 'SUBJECT_MISMATCH', 'PREDICATE_TYPE_MISMATCH', 'KEY_UNTRUSTED', 'DIGEST_MISMATCH', 'EXPIRED']);
    // What it wrote can be re-checked with the CLI and the public key it left behind.
    for (const a of r.artifacts) {
      const code = await runCli(['verify', a.path, '--key', r.publicKeyPath, '--subject', r.subjectSha, '--digest', a.digest, '--now', now], { out: () => undefined, err: () => undefined });
      expect(code).toBe(0);
    }
    expect(await runCli(['verify', join(out, 'tampered', 'evidence.intoto.json'), '--key', r.publicKeyPath, '--now', now], { out: () => undefined, err: () => undefined })).toBe(1);
    expect(lines.join('\n')).toContain('REJECTED SIGNATURE_INVALID');
    // The audit ledger of both changes verifies and replays; the copy with an entry removed does not verify.
    expect(r.ledger).toMatchObject({ size: 8, replayed: 2 });
    expect(r.ledger.cutProblem).toMatch(/^entry 2 is missing/);
    expect(await runCli(['audit', 'verify', r.ledger.path, '--key', r.publicKeyPath], { out: () => undefined, err: () => undefined })).toBe(0);
    expect(await runCli(['audit', 'verify', r.ledger.cutPath, '--key', r.publicKeyPath], { out: () => undefined, err: () => undefined })).toBe(1);
  });
});
