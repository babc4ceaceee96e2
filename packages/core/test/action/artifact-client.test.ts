/**
 * actionsArtifactClient() against a loopback fake of the runner's artifact (results) service, through the
 * real @actions/artifact: Twirp calls, the signed blob URL and unzip-stream all run for real.
 * @actions/artifact reads process.env when called, so each call sets the fake's variables and restores
 * process.env exactly afterwards. @actions/core writes its log lines and workflow commands to stdout;
 * they are captured (and checked) instead of being printed.
 */
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { ARTIFACT_TWIRP_SERVICE, FAKE_UPLOADER_JOB_RUN_BACKEND_ID, FAKE_WORKFLOW_JOB_RUN_BACKEND_ID, FAKE_WORKFLOW_RUN_BACKEND_ID, startFakeArtifactService, type FakeArtifactService } from '@genops/testkit';
import { actionsArtifactClient } from '../../src/action/deps.js';

const decision = `${JSON.stringify({ payloadType: 'application/vnd.in-toto+json', note: 'not verified here' }, null, 2)}\n`;
const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

let service: FakeArtifactService;
let dir: string;
let stdout: string[];

beforeAll(async () => {
  service = await startFakeArtifactService({
    artifacts: [
      { name: 'genops-inventory', files: { 'inventory.intoto.json': '{}' } },
      { name: 'genops-decision', files: { 'decision.intoto.json': decision, 'notes/readme.txt': 'hello\n', 'raw.bin': binary } },
    ],
  });
});
afterAll(async () => {
  await service.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-artifact-client-'));
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
});
afterEach(async () => {
  jest.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** Sets `vars` in process.env for the duration of `fn`, then puts back exactly what was there. */
async function withEnv<T>(vars: Readonly<Record<string, string>>, fn: () => Promise<T>): Promise<T> {
  const saved = new Map(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    }
  }
}

const twirp = (method: string): string => `/twirp/${ARTIFACT_TWIRP_SERVICE}/${method}`;

describe('actionsArtifactClient (real @actions/artifact, fake results service)', () => {
  it('downloads a workflow artifact of this run and returns its files with their content', async () => {
    const envBefore = { ...process.env };
    const destination = join(dir, 'genops-decision');
    const from = service.requests.length;

    const files = await withEnv(service.env, () => actionsArtifactClient().download('genops-decision', destination));

    expect(process.env).toEqual(envBefore);
    expect(files.map((f) => relative(destination, f).split(sep).join('/')).sort()).toEqual(['decision.intoto.json', 'notes/readme.txt', 'raw.bin']);
    expect(await readFile(join(destination, 'decision.intoto.json'), 'utf8')).toBe(decision);
    expect(await readFile(join(destination, 'notes', 'readme.txt'), 'utf8')).toBe('hello\n');
    expect((await readFile(join(destination, 'raw.bin'))).equals(binary)).toBe(true);

    const served = service.artifacts.find((a) => a.name === 'genops-decision')!;
    const ids = { workflow_run_backend_id: FAKE_WORKFLOW_RUN_BACKEND_ID, workflow_job_run_backend_id: FAKE_WORKFLOW_JOB_RUN_BACKEND_ID };
    expect(service.requests.slice(from)).toEqual([
      { method: 'POST', path: twirp('ListArtifacts'), body: { ...ids, name_filter: 'genops-decision' }, status: 200 },
      { method: 'POST', path: twirp('ListArtifacts'), body: { ...ids, id_filter: String(served.id) }, status: 200 },
      {
        method: 'POST',
        path: twirp('GetSignedArtifactURL'),
        // The signed URL is asked for with the uploading job's id, as ListArtifacts reported it.
        body: { workflow_run_backend_id: FAKE_WORKFLOW_RUN_BACKEND_ID, workflow_job_run_backend_id: FAKE_UPLOADER_JOB_RUN_BACKEND_ID, name: 'genops-decision' },
        status: 200,
      },
      { method: 'GET', path: `/blob/${served.id}/genops-decision.zip`, body: undefined, status: 200 },
    ]);
    // The library masks the blob URL's signature and logs the zip's digest.
    const log = stdout.join('');
    expect(log).toMatch(/^::add-mask::[0-9a-f]{32}$/m);
    expect(log).toContain(`SHA256 digest of downloaded artifact is ${served.digest.slice('sha256:'.length)}`);
  });

  it('fails on an artifact name this run does not have, naming it, after one call and without writing anything', async () => {
    const destination = join(dir, 'genops-missing');
    const from = service.requests.length;

    const err = await withEnv(service.env, () => actionsArtifactClient().download('genops-missing', destination)).then(
      () => undefined,
      (e: unknown) => e,
    );

    // @actions/artifact's ArtifactNotFoundError, turned into a verification failure that names the input.
    expect(err).toMatchObject({ code: 'ARTIFACT_NOT_FOUND', details: { input: 'artifact-name' } });
    expect((err as Error).message).toContain('"genops-missing"');
    expect(service.requests.slice(from).map((r) => [r.path, r.status])).toEqual([[twirp('ListArtifacts'), 200]]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('surfaces the service refusing a token of another run (no retry: a 4xx Twirp error fails at once)', async () => {
    const other = await startFakeArtifactService({ artifacts: [], workflowRunBackendId: '00000000-0000-4000-8000-000000000000' });
    await other.close();
    const from = service.requests.length;

    const download = withEnv({ ...service.env, ACTIONS_RUNTIME_TOKEN: other.env.ACTIONS_RUNTIME_TOKEN }, () => actionsArtifactClient().download('genops-decision', join(dir, 'x')));

    await expect(download).rejects.toThrow('Failed to ListArtifacts: Received non-retryable error: Failed request: (401) Unauthorized: missing or unknown bearer token');
    expect(service.requests.slice(from).map((r) => r.status)).toEqual([401]);
  });

  it('fails when the runner environment lacks the artifact service variables', async () => {
    const env = { ...service.env, ACTIONS_RUNTIME_TOKEN: '' };
    await expect(withEnv(env, () => actionsArtifactClient().download('genops-decision', join(dir, 'x')))).rejects.toThrow('Unable to get the ACTIONS_RUNTIME_TOKEN env variable');
  });
});

/** The fake must refuse what the real service refuses, or the happy path above would prove little. */
describe('the fake artifact service refuses calls the real service would refuse', () => {
  const call = async (method: string, body: unknown, token = service.env.ACTIONS_RUNTIME_TOKEN) => {
    const res = await fetch(`${service.url}${twirp(method)}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { code?: string; msg?: string } };
  };
  const ids = { workflow_run_backend_id: FAKE_WORKFLOW_RUN_BACKEND_ID, workflow_job_run_backend_id: FAKE_WORKFLOW_JOB_RUN_BACKEND_ID };

  it('checks backend ids, fields and the token, answering Twirp error JSON on non-retried statuses', async () => {
    expect(await call('ListArtifacts', { ...ids, name_filter: 'genops-decision' })).toMatchObject({ status: 200 });
    expect(await call('ListArtifacts', { workflow_run_backend_id: FAKE_WORKFLOW_RUN_BACKEND_ID })).toEqual({ status: 400, body: { code: 'invalid_argument', msg: 'workflow_job_run_backend_id is required' } });
    expect(await call('ListArtifacts', { ...ids, workflow_run_backend_id: 'another-run' })).toMatchObject({ status: 403, body: { code: 'permission_denied' } });
    expect(await call('ListArtifacts', { ...ids, nameFilter: 'genops-decision' })).toEqual({ status: 400, body: { code: 'malformed', msg: 'unknown field(s): nameFilter' } });
    expect(await call('ListArtifacts', { ...ids, id_filter: 'x' })).toMatchObject({ status: 400, body: { code: 'malformed' } });
    expect(await call('ListArtifacts', ids, 'not-the-token')).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
    // The signed URL belongs to the uploading job: asking with this job's id is refused.
    expect(await call('GetSignedArtifactURL', { ...ids, name: 'genops-decision' })).toMatchObject({ status: 403, body: { code: 'permission_denied' } });
    expect(await call('GetSignedArtifactURL', { ...ids, workflow_job_run_backend_id: FAKE_UPLOADER_JOB_RUN_BACKEND_ID, name: 'nope' })).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await call('CreateArtifact', {})).toMatchObject({ status: 501, body: { code: 'unimplemented' } });
    expect(await call('NoSuchMethod', {})).toMatchObject({ status: 404, body: { code: 'bad_route' } });
  });

  it('serves the zip only at the signed URL it handed out', async () => {
    const { body } = await call('GetSignedArtifactURL', { ...ids, workflow_job_run_backend_id: FAKE_UPLOADER_JOB_RUN_BACKEND_ID, name: 'genops-decision' });
    const signed = new URL((body as { signed_url: string }).signed_url);
    const ok = await fetch(signed);
    expect(ok.headers.get('content-type')).toBe('application/zip');
    expect(Buffer.from(await ok.arrayBuffer()).subarray(0, 4).toString('hex')).toBe('504b0304');
    signed.searchParams.set('sig', '0'.repeat(32));
    expect((await fetch(signed)).status).toBe(403);
  });
});
