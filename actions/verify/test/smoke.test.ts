/**
 * Smoke test of the bundled action: dist/index.js runs as a child process
 * (under Node 24 when GENOPS_NODE24 points at it, as in CI) in a fake runner
 * environment, with GITHUB_API_URL on the fake GitHub API.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_PR_HEAD as HEAD, runActionProcess, startFakeGitHub, startSigstoreMock, testKey, writeTestInventory, type FakeGitHub } from '@genops/testkit';
import { PredicateTypes, verifyArtifactBytes } from '@genops/core';

const here = fileURLToPath(new URL('.', import.meta.url));
const entry = join(here, '..', 'dist', 'index.js');
const node = process.env.GENOPS_NODE24 ?? process.execPath;

let ws: string;
let gh: FakeGitHub;
let payload: unknown;
const kp = testKey();
let artifact: { 'artifact-path': string; 'artifact-digest': string };

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'genops-smoke-'));
  gh = await startFakeGitHub();
  payload = JSON.parse(await readFile(join(here, '..', '..', '..', 'fixtures', 'demo', 'event.json'), 'utf8'));
  artifact = await writeTestInventory(join(ws, 'inventory.intoto.json'), { signer: kp.signer });
});
afterAll(async () => {
  await gh.close();
  await rm(ws, { recursive: true, force: true });
});

function run(inputs: Record<string, string>, env: Record<string, string> = {}) {
  return runActionProcess({ entry, node, inputs, env, eventName: 'pull_request', eventPayload: payload, cwd: ws, github: gh, repository: 'acme/payments', ref: 'refs/pull/42/merge', timeoutMs: 60_000 });
}

describe('verify action bundle', () => {
  it('exists (pnpm build writes it)', () => {
    expect(existsSync(entry)).toBe(true);
  });

  it(`verifies an artifact and writes outputs and summary (node ${node === process.execPath ? process.version : 'from GENOPS_NODE24'})`, async () => {
    const r = await run({ artifacts: 'inventory.intoto.json', 'artifact-digest': artifact['artifact-digest'], 'predicate-type': 'inventory', 'public-keys': kp.publicKeyPem });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.outputs['verified-count']).toBe('1');
    expect(r.outputs['verified-digests']).toBe(artifact['artifact-digest']);
    expect(r.summary).toContain('upstream artifact(s) verified');
    expect(gh.rejected).toEqual([]);
  });

  it('fails the step with an annotation and a summary when the artifact is tampered with', async () => {
    const b = JSON.parse(await readFile(artifact['artifact-path'], 'utf8')) as { dsseEnvelope: { payload: string } };
    const p = Buffer.from(b.dsseEnvelope.payload, 'base64');
    p[10] = (p[10] ?? 0) ^ 1;
    b.dsseEnvelope.payload = p.toString('base64');
    await writeFile(join(ws, 'tampered.json'), JSON.stringify(b));
    const r = await run({ artifacts: 'tampered.json', 'artifact-digest': artifact['artifact-digest'], 'predicate-type': 'inventory', 'public-keys': kp.publicKeyPem });
    expect(r.exitCode).toBe(1);
    const errors = r.commands.filter((c) => c.command === 'error');
    expect(errors[0]?.properties.title).toBe('genops verify: SIGNATURE_INVALID');
    expect(errors[0]?.properties.file).toBe('tampered.json');
    expect(r.summary).toContain('SIGNATURE_INVALID');
    expect(r.outputs['verified-count']).toBeUndefined();
  });

  it('reports a configuration problem without a stack trace', async () => {
    const r = await run({});
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('INPUT_MISSING');
    expect(r.stdout).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });

  it('signs a keyless receipt with the job\'s OIDC token (mock Fulcio and Rekor), which verifies against the run identity', async () => {
    const mock = await startSigstoreMock();
    try {
      // What runActionProcess puts in the environment: run 1000001, attempt 1, workflow ci.yml at the PR merge ref.
      const claims = { repository: 'acme/payments', workflowPath: '.github/workflows/ci.yml', ref: 'refs/pull/42/merge', sha: HEAD, runId: '1000001', runAttempt: '1' };
      const r = await run(
        { artifacts: 'inventory.intoto.json', 'artifact-digest': artifact['artifact-digest'], 'predicate-type': 'inventory', 'public-keys': kp.publicKeyPem, 'receipt-path': 'receipt.intoto.json', 'fulcio-url': mock.fulcioUrl, 'rekor-url': mock.rekorUrl },
        mock.oidcEnv(claims),
      );
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(r.outputs['artifact-path']).toBe('receipt.intoto.json');
      expect(mock.requests.map((q) => q.path)).toEqual(['/oidc/token', '/api/v2/signingCert', '/api/v1/log/entries']);
      const receipt = verifyArtifactBytes(await readFile(join(ws, 'receipt.intoto.json')), 'receipt', {
        trust: {
          mode: 'keyless',
          trustedRoot: mock.trustedRoot,
          identity: {
            subjectAlternativeName: 'https://github.com/acme/payments/.github/workflows/ci.yml@refs/pull/42/merge',
            issuer: 'https://token.actions.githubusercontent.com',
            repositoryUri: 'https://github.com/acme/payments',
            runInvocationUri: 'https://github.com/acme/payments/actions/runs/1000001/attempts/1',
          },
        },
        predicateType: PredicateTypes.receipt,
        subject: { gitCommit: HEAD },
        now: mock.clock,
        expectedDigest: r.outputs['artifact-digest']!,
      });
      expect(receipt.statement.predicate.header.inputs[0]?.digest.sha256).toBe(artifact['artifact-digest'].slice(7));
      // Without the OIDC variables (no `id-token: write`), the step says which permission is missing.
      const denied = await run({ artifacts: 'inventory.intoto.json', 'artifact-digest': artifact['artifact-digest'], 'predicate-type': 'inventory', 'public-keys': kp.publicKeyPem, 'receipt-path': 'r2.json', 'fulcio-url': mock.fulcioUrl, 'rekor-url': mock.rekorUrl });
      expect(denied.exitCode).toBe(1);
      expect(denied.commands.find((c) => c.command === 'error')?.properties.title).toBe('genops verify: PERMISSION_MISSING');
    } finally {
      await mock.close();
    }
  });
});
