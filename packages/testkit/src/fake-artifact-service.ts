/**
 * A loopback fake of the runner's artifact service (the "results" service behind upload-artifact@v4+),
 * speaking the Twirp JSON protocol that @actions/artifact 6 uses. Product code reaches it through the real
 * `DefaultArtifactClient` once the env vars in `env` are set.
 *
 * What @actions/artifact 6.2.1 does for `getArtifact(name)` + `downloadArtifact(id, { path })`:
 * - reads ACTIONS_RUNTIME_TOKEN (a JWT; only its `scp` claim is used, never verified client-side: the
 *   `Actions.Results:<workflowRunBackendId>:<workflowJobRunBackendId>` scope names this run and job) and
 *   ACTIONS_RESULTS_URL (only its origin is kept); refuses GHES unless GITHUB_SERVER_URL is github.com,
 *   *.ghe.com or *.localhost;
 * - POST /twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts with `Authorization: Bearer
 *   <token>` and `{ workflow_run_backend_id, workflow_job_run_backend_id, name_filter }` (proto field names,
 *   wrapper types as plain JSON values); an empty `artifacts` list → ArtifactNotFoundError;
 * - ListArtifacts again with `id_filter` (an int64, so a JSON string), then GetSignedArtifactURL with the
 *   *listed artifact's* backend ids (those of the job that uploaded it) and name → `{ signed_url }`;
 * - GET of the signed URL (no Authorization), unzipped with unzip-stream when the Content-Type is
 *   application/zip or the path ends in .zip. A failed GET is retried 5 times, 5 s apart.
 * Twirp failures: 2xx is success; 500/502/503/504/429 are retried (3 s, then ×1.5); any other status fails
 * at once as "Failed to <Method>: Received non-retryable error: Failed request: (<status>) <reason>: <msg>".
 *
 * The fake checks what it receives (the bearer token, the backend ids against the token's scope and the
 * uploading job, field names and types) and answers anything off with a Twirp error JSON
 * (`{ code, msg }`) on a status the client does not retry. Each artifact is served as a real zip, built
 * once at start the way upload-artifact streams it (deflate level 6, data descriptors).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Zip, ZipDeflate } from 'fflate';

export const ARTIFACT_TWIRP_SERVICE = 'github.actions.results.api.v1.ArtifactService';

/** Backend ids in the token by default: this run, and the job that downloads. */
export const FAKE_WORKFLOW_RUN_BACKEND_ID = '6f0a2c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
export const FAKE_WORKFLOW_JOB_RUN_BACKEND_ID = '9d8c7b6a-5f4e-4d3c-9b2a-1f0e9d8c7b6a';
/** The job that uploaded the served artifacts: an upstream job of the same run. */
export const FAKE_UPLOADER_JOB_RUN_BACKEND_ID = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

export interface FakeArtifact {
  /** Artifact name, as given to upload-artifact. */
  readonly name: string;
  /** Paths inside the artifact (relative, `/`-separated) and their content. */
  readonly files: Readonly<Record<string, string | Buffer>>;
}

export interface FakeArtifactServiceOptions {
  readonly artifacts: readonly FakeArtifact[];
  /** The run's backend id, in the token's scope. */
  readonly workflowRunBackendId?: string;
  /** The downloading job's backend id, in the token's scope. */
  readonly workflowJobRunBackendId?: string;
}

export interface FakeArtifactRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts`. */
  readonly path: string;
  /** Parsed JSON body of a Twirp call; undefined for a blob GET (or a body that is not JSON). */
  readonly body: unknown;
  /** Status the fake answered with. */
  readonly status: number;
}

/** What the fake serves for one artifact. */
export interface ServedArtifact {
  readonly name: string;
  readonly id: number;
  /** The zip's size and sha256 (`sha256:<hex>`), as ListArtifacts reports them. */
  readonly size: number;
  readonly digest: string;
  readonly zip: Buffer;
}

export interface FakeArtifactService {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Variables @actions/artifact needs: set them in process.env or pass them to a child process. */
  readonly env: {
    readonly ACTIONS_RESULTS_URL: string;
    readonly ACTIONS_RUNTIME_TOKEN: string;
    readonly GITHUB_SERVER_URL: string;
  };
  /** Every request, in order, with the status it got. */
  readonly requests: FakeArtifactRequest[];
  readonly artifacts: readonly ServedArtifact[];
  close(): Promise<void>;
}

const TWIRP_PREFIX = `/twirp/${ARTIFACT_TWIRP_SERVICE}/`;
const BLOB_PREFIX = '/blob/';
const MAX_BODY_BYTES = 1024 * 1024;
const FIRST_ARTIFACT_ID = 1001;
const CREATED_AT = '2026-01-01T00:00:00Z';
/** Local midnight, so the zip's DOS timestamps (local time) are the same bytes in every time zone. */
const ZIP_MTIME = new Date(2026, 0, 1);
/** Fixed key for the blob URLs' `sig`: deterministic, and the fake can still tell a forged one. */
const SIG_KEY = 'genops-fake-artifact-service';

/** Twirp error codes the fake uses, with their HTTP statuses; none of these is retried by the client. */
const TWIRP_STATUS = {
  bad_route: 404,
  malformed: 400,
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  unimplemented: 501,
} as const;
type TwirpCode = keyof typeof TWIRP_STATUS;

class TwirpError extends Error {
  constructor(
    readonly code: TwirpCode,
    message: string,
  ) {
    super(message);
  }
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function json(status: number, value: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) };
}

function twirpError(code: TwirpCode, msg: string): Reply {
  return json(TWIRP_STATUS[code], { code, msg });
}

/** An unsigned JWT (alg none): @actions/artifact only decodes it to read `scp`. */
function runtimeToken(runId: string, jobId: string): string {
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const claims = {
    iss: 'https://token.actions.githubusercontent.com/fake',
    aud: 'vso:fake-artifact-service',
    nbf: 1767225600,
    iat: 1767225600,
    exp: 4102444800,
    scp: `Actions.GenericRead:${runId} Actions.UploadArtifacts:${runId}:${jobId} Actions.Results:${runId}:${jobId}`,
  };
  return `${b64({ typ: 'JWT', alg: 'none' })}.${b64(claims)}.`;
}

function checkFileName(artifact: string, name: string): void {
  const parts = name.split('/');
  if (name === '' || name.startsWith('/') || name.includes('\\') || parts.includes('..') || parts.includes('')) {
    throw new Error(`fake artifact ${JSON.stringify(artifact)}: file name ${JSON.stringify(name)} must be a relative path with / separators`);
  }
}

/** Zips the files as upload-artifact does: deflate level 6, streamed entries (sizes in data descriptors). */
export function zipArtifactFiles(files: Readonly<Record<string, string | Buffer>>): Buffer {
  const chunks: Uint8Array[] = [];
  let failure: Error | undefined;
  let ended = false;
  const zip = new Zip((err, chunk, final) => {
    if (err !== null) failure = err;
    else chunks.push(chunk);
    if (final) ended = true;
  });
  for (const [name, content] of Object.entries(files)) {
    const entry = new ZipDeflate(name, { level: 6 });
    entry.mtime = ZIP_MTIME;
    zip.add(entry);
    entry.push(typeof content === 'string' ? Buffer.from(content, 'utf8') : content, true);
  }
  zip.end();
  if (failure !== undefined) throw failure;
  if (!ended) throw new Error('zip did not finish synchronously');
  return Buffer.concat(chunks);
}

function blobSig(id: number): string {
  return createHash('sha256').update(`${SIG_KEY}:${id}`).digest('hex').slice(0, 32);
}

/** Reads a JSON object with exactly the allowed fields; throws TwirpError otherwise. */
function fields(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TwirpError('malformed', 'the request body must be a JSON object');
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new TwirpError('malformed', `unknown field(s): ${unknown.join(', ')}`);
  return body as Record<string, unknown>;
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (v === undefined || v === '') throw new TwirpError('invalid_argument', `${field} is required`);
  if (typeof v !== 'string') throw new TwirpError('malformed', `${field} must be a string`);
  return v;
}

export async function startFakeArtifactService(options: FakeArtifactServiceOptions): Promise<FakeArtifactService> {
  const runId = options.workflowRunBackendId ?? FAKE_WORKFLOW_RUN_BACKEND_ID;
  const jobId = options.workflowJobRunBackendId ?? FAKE_WORKFLOW_JOB_RUN_BACKEND_ID;
  const token = runtimeToken(runId, jobId);

  const served: ServedArtifact[] = [];
  for (const [i, a] of options.artifacts.entries()) {
    if (a.name === '' || served.some((s) => s.name === a.name)) throw new Error(`fake artifact names must be unique and non-empty: ${JSON.stringify(a.name)}`);
    for (const f of Object.keys(a.files)) checkFileName(a.name, f);
    const zip = zipArtifactFiles(a.files);
    served.push({ name: a.name, id: FIRST_ARTIFACT_ID + i, size: zip.length, digest: `sha256:${createHash('sha256').update(zip).digest('hex')}`, zip });
  }

  const requests: FakeArtifactRequest[] = [];
  let url = '';

  const monolith = (a: ServedArtifact): Record<string, string> => ({
    workflow_run_backend_id: runId,
    workflow_job_run_backend_id: FAKE_UPLOADER_JOB_RUN_BACKEND_ID,
    database_id: String(a.id),
    name: a.name,
    size: String(a.size),
    created_at: CREATED_AT,
    digest: a.digest,
  });

  /** The run and job a call names must be the token's (the service authorizes by the token's scope). */
  const checkScope = (body: Record<string, unknown>, expectedJob: string): void => {
    const run = requiredString(body, 'workflow_run_backend_id');
    const job = requiredString(body, 'workflow_job_run_backend_id');
    if (run !== runId) throw new TwirpError('permission_denied', `workflow_run_backend_id ${run} is not the run in the token's scope`);
    if (job !== expectedJob) throw new TwirpError('permission_denied', `workflow_job_run_backend_id ${job} is not ${expectedJob === jobId ? 'the job in the token\'s scope' : 'the job that uploaded the artifact'}`);
  };

  const methods: Record<string, (body: unknown) => unknown> = {
    ListArtifacts(raw) {
      const body = fields(raw, ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name_filter', 'id_filter']);
      checkScope(body, jobId);
      const { name_filter: name, id_filter: id } = body;
      if (name !== undefined && typeof name !== 'string') throw new TwirpError('malformed', 'name_filter must be a string');
      // An int64 wrapper is a JSON string (a number is accepted too).
      const idFilter = typeof id === 'string' && /^\d+$/.test(id) ? id : typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : undefined;
      if (id !== undefined && idFilter === undefined) throw new TwirpError('malformed', 'id_filter must be an int64');
      const list = served.filter((a) => (name === undefined || a.name === name) && (idFilter === undefined || String(a.id) === idFilter));
      return { artifacts: list.map(monolith) };
    },
    GetSignedArtifactURL(raw) {
      const body = fields(raw, ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name']);
      const name = requiredString(body, 'name');
      const artifact = served.find((a) => a.name === name);
      checkScope(body, FAKE_UPLOADER_JOB_RUN_BACKEND_ID);
      if (artifact === undefined) throw new TwirpError('not_found', `artifact ${name} not found`);
      return { signed_url: `${url}${BLOB_PREFIX}${artifact.id}/${encodeURIComponent(artifact.name)}.zip?sig=${blobSig(artifact.id)}&se=2100-01-01T00%3A00%3A00Z` };
    },
  };

  const twirp = (req: IncomingMessage, path: string, raw: Buffer): { reply: Reply; body: unknown } => {
    let body: unknown;
    try {
      body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    const method = path.slice(TWIRP_PREFIX.length);
    const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (req.method !== 'POST') return { reply: twirpError('bad_route', `unsupported method ${req.method ?? ''} (only POST is allowed)`), body };
    if (handler === undefined) {
      const known = ['CreateArtifact', 'FinalizeArtifact', 'DeleteArtifact', 'MigrateArtifact', 'FinalizeMigratedArtifact'].includes(method);
      return { reply: known ? twirpError('unimplemented', `${method} is not implemented by the fake`) : twirpError('bad_route', `no handler for path ${path}`), body };
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/json') return { reply: twirpError('bad_route', `unexpected Content-Type: ${JSON.stringify(req.headers['content-type'] ?? '')}`), body };
    if (req.headers.authorization !== `Bearer ${token}`) return { reply: twirpError('unauthenticated', 'missing or unknown bearer token'), body };
    if (body === undefined) return { reply: twirpError('malformed', 'the request body is not JSON'), body };
    try {
      return { reply: json(200, handler(body)), body };
    } catch (e) {
      if (e instanceof TwirpError) return { reply: twirpError(e.code, e.message), body };
      throw e;
    }
  };

  const blob = (req: IncomingMessage, path: string, query: URLSearchParams): Reply => {
    const azureError = (status: number, code: string): Reply => ({
      status,
      headers: { 'content-type': 'application/xml' },
      body: Buffer.from(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code></Error>`),
    });
    const m = /^\/blob\/(\d+)\/[^/]+\.zip$/.exec(path);
    const artifact = m === null ? undefined : served.find((a) => String(a.id) === m[1]);
    if (req.method !== 'GET') return azureError(405, 'UnsupportedHttpVerb');
    if (artifact === undefined) return azureError(404, 'BlobNotFound');
    if (query.get('sig') !== blobSig(artifact.id)) return azureError(403, 'AuthenticationFailed');
    return { status: 200, headers: { 'content-type': 'application/zip', 'content-length': String(artifact.zip.length) }, body: artifact.zip };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    }
    const raw = Buffer.concat(chunks);
    const parsed = new URL(req.url ?? '/', 'http://fake');
    const path = parsed.pathname;
    let reply: Reply;
    let body: unknown;
    try {
      if (size > MAX_BODY_BYTES) reply = twirpError('malformed', `request body over ${MAX_BODY_BYTES} bytes`);
      else if (path.startsWith(TWIRP_PREFIX)) ({ reply, body } = twirp(req, path, raw));
      else if (path.startsWith(BLOB_PREFIX)) reply = blob(req, path, parsed.searchParams);
      else reply = twirpError('bad_route', `no handler for path ${path}`);
    } catch (e) {
      reply = json(500, { code: 'internal', msg: `fake artifact service: ${e instanceof Error ? e.message : String(e)}` });
    }
    requests.push({ method: req.method ?? '', path, body, status: reply.status });
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    env: { ACTIONS_RESULTS_URL: `${url}/`, ACTIONS_RUNTIME_TOKEN: token, GITHUB_SERVER_URL: 'https://github.com' },
    requests,
    artifacts: served,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => {
          if (err === undefined) resolve();
          else reject(err);
        });
      }),
  };
}
