/**
 * Smoke test of the bundled action with `artifact-name`: dist/index.js runs as a child process (under
 * Node 24 when GENOPS_NODE24 points at it, as in CI) in a fake runner environment, downloads the workflow
 * artifact through the real @actions/artifact from a loopback fake of the runner's artifact service,
 * then verifies the signed bundle it holds.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runActionProcess, startFakeArtifactService, startFakeGitHub, testKey, writeTestInventory, type FakeArtifactService, type FakeGitHub } from '@genops/testkit';

const here = fileURLToPath(new URL('.', import.meta.url));
const entry = join(here, '..', 'dist', 'index.js');
const node = process.env.GENOPS_NODE24 ?? process.execPath;
const ARTIFACT = 'genops-inventory';
const BUNDLE = 'inventory.intoto.json';

let ws: string;
let gh: FakeGitHub;
let payload: unknown;
const kp = testKey();
let digest: string;
/** Serves the signed bundle as it was written. */
let intact: FakeArtifactService;
/** Serves the same bundle with one payload bit flipped. */
let tampered: FakeArtifactService;

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'genops-smoke-artifact-'));
  gh = await startFakeGitHub();
  payload = JSON.parse(await readFile(join(here, '..', '..', '..', 'fixtures', 'demo', 'event.json'), 'utf8'));
  // The upstream job's side: write the bundle (its bytes are what upload-artifact would zip).
  const out = await writeTestInventory(join(ws, BUNDLE), { signer: kp.signer });
  digest = out['artifact-digest'];
  const bundle = await readFile(out['artifact-path'], 'utf8');
  const b = JSON.parse(bundle) as { dsseEnvelope: { payload: string } };
  const p = Buffer.from(b.dsseEnvelope.payload, 'base64');
  p[10] = (p[10] ?? 0) ^ 1;
  b.dsseEnvelope.payload = p.toString('base64');
  intact = await startFakeArtifactService({ artifacts: [{ name: ARTIFACT, files: { [BUNDLE]: bundle } }] });
  tampered = await startFakeArtifactService({ artifacts: [{ name: ARTIFACT, files: { [BUNDLE]: JSON.stringify(b) } }] });
});
afterAll(async () => {
  await Promise.all([gh.close(), intact.close(), tampered.close()]);
  await rm(ws, { recursive: true, force: true });
});

function run(service: FakeArtifactService, artifactName: string) {
  return runActionProcess({
    entry,
    node,
    inputs: { 'artifact-name': artifactName, 'artifact-digest': digest, 'predicate-type': 'inventory', 'public-keys': kp.publicKeyPem },
    env: service.env,
    eventName: 'pull_request',
    eventPayload: payload,
    cwd: ws,
    github: gh,
    repository: 'acme/payments',
    ref: 'refs/pull/42/merge',
    timeoutMs: 60_000,
  });
}

describe(`verify action bundle with artifact-name (node ${node === process.execPath ? process.version : 'from GENOPS_NODE24'})`, () => {
  it('downloads the workflow artifact from the artifact service and verifies the bundle in it', async () => {
    const from = intact.requests.length;
    const r = await run(intact, ARTIFACT);
    // unzip-stream (in @actions/artifact) calls `new Buffer()`; once bundled, Node would print DEP0005 for
    // it on every download. The runtime drops exactly that warning, so stderr stays empty.
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.outputs['verified-count']).toBe('1');
    expect(r.outputs['verified-digests']).toBe(digest);
    expect(r.summary).toContain('upstream artifact(s) verified');
    expect(r.commands.filter((c) => c.command === 'error')).toEqual([]);
    // ListArtifacts by name, ListArtifacts by id, GetSignedArtifactURL, the zip: all accepted.
    expect(intact.requests.slice(from).map((q) => `${q.method} ${q.path.split('/').pop() ?? ''} ${q.status}`)).toEqual([
      'POST ListArtifacts 200',
      'POST ListArtifacts 200',
      'POST GetSignedArtifactURL 200',
      `GET ${ARTIFACT}.zip 200`,
    ]);
    expect(gh.rejected).toEqual([]);
  });

  it('fails the step with an annotation when the downloaded artifact holds a tampered bundle', async () => {
    const r = await run(tampered, ARTIFACT);
    expect(r.exitCode).toBe(1);
    const errors = r.commands.filter((c) => c.command === 'error');
    expect(errors[0]?.properties.title).toBe('genops verify: SIGNATURE_INVALID');
    expect(errors[0]?.properties.file).toMatch(new RegExp(`[/\\\\]${ARTIFACT}[/\\\\]${BUNDLE.replace(/\./g, '\\.')}$`));
    expect(r.summary).toContain('SIGNATURE_INVALID');
    expect(r.outputs['verified-count']).toBeUndefined();
    expect(tampered.requests.map((q) => q.status)).toEqual([200, 200, 200, 200]);
  });

  it('fails closed, naming the artifact, when this run has no artifact of that name', async () => {
    const r = await run(intact, 'genops-inventory-missing');
    expect(r.exitCode).toBe(1);
    const errors = r.commands.filter((c) => c.command === 'error');
    expect(errors[0]?.message).toContain('genops-inventory-missing');
    expect(errors[0]?.properties.title).toBe('genops verify: ARTIFACT_NOT_FOUND');
    expect(r.outputs['verified-count']).toBeUndefined();
  });
});
