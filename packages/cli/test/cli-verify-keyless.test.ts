import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSigstoreMock, type SigstoreMock } from '@genops/testkit';
import { buildHeader, buildStatement, keylessSigner, nodeFileSystem, PredicateTypes, signStatement, writeArtifact } from '@genops/core';
import { runCli, EXIT } from '../src/cli.js';

const SHA = '0b9d5e4c3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';
const claims = { repository: 'acme/payments', workflowPath: '.github/workflows/gate.yml', ref: 'refs/heads/main', sha: SHA, runId: '77', runAttempt: '2' };
let mock: SigstoreMock;
let dir: string;
let bundle: string;
let root: string;

beforeAll(async () => {
  mock = await startSigstoreMock();
  dir = await mkdtemp(join(tmpdir(), 'genops-cli-keyless-'));
  root = join(dir, 'trusted_root.json');
  await writeFile(root, JSON.stringify(mock.trustedRoot));
  const run = { repository: 'acme/payments', runId: '77', runAttempt: 2, workflowRef: 'acme/payments/.github/workflows/gate.yml@refs/heads/main', event: 'push', ref: 'refs/heads/main', sha: SHA };
  const st = buildStatement({ repository: 'acme/payments', gitCommit: SHA }, PredicateTypes.inventory, {
    header: buildHeader({ component: 'evidence-collect', toolVersion: '0.1.0', run, now: mock.clock, ttlSeconds: 600 }),
    files: [],
  });
  const signer = keylessSigner({ fulcioUrl: mock.fulcioUrl, rekorUrl: mock.rekorUrl, identityProvider: mock.identityProvider(claims), retries: 0 });
  bundle = (await writeArtifact(nodeFileSystem(), join(dir, 'inv.json'), await signStatement(st, signer)))['artifact-path'];
});
afterAll(async () => {
  await mock.close();
  await rm(dir, { recursive: true, force: true });
});

async function verify(...args: string[]) {
  const err: string[] = [];
  const out: string[] = [];
  const code = await runCli(['verify', bundle, '--trusted-root', root, '--now', mock.clock.toISOString(), ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('genops verify, keyless', () => {
  const identity = 'https://github.com/acme/payments/.github/workflows/gate.yml@refs/heads/main';

  it('accepts the exact workflow identity, repository and run', async () => {
    const r = await verify('--certificate-identity', identity, '--certificate-repository', 'acme/payments', '--run-invocation', 'https://github.com/acme/payments/actions/runs/77/attempts/2', '--subject', SHA);
    expect(r.err).toBe('');
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain(`signed by:      ${identity}`);
  });

  it('rejects another identity, issuer or repository, and a missing trusted root file', async () => {
    expect((await verify('--certificate-identity', identity.replace('gate.yml', 'deploy.yml'))).err).toMatch(/^IDENTITY_MISMATCH: /);
    expect((await verify('--certificate-identity', identity, '--certificate-oidc-issuer', 'https://accounts.example')).code).toBe(EXIT.rejected);
    expect((await verify('--certificate-identity', identity, '--certificate-repository', 'evil/payments')).err).toMatch(/^IDENTITY_MISMATCH: /);
    const missing = await runCli(['verify', bundle, '--certificate-identity', identity, '--trusted-root', join(dir, 'nope.json')], { out: () => undefined, err: () => undefined });
    expect(missing).toBe(EXIT.config);
  });

  it('rejects it against the public-good root (the mock CA is not trusted there)', async () => {
    const r = await runCli(['verify', bundle, '--certificate-identity', identity, '--now', mock.clock.toISOString()], { out: () => undefined, err: () => undefined });
    expect(r).toBe(EXIT.rejected);
  });
});
