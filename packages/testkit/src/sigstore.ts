/**
 * Sigstore services for tests: @sigstore/mock's pure Fulcio and Rekor (v1)
 * handlers served on a loopback HTTP server, a trusted root built from the
 * mock keys, and an OIDC token provider that mints GitHub-Actions-shaped
 * tokens. The mock services run on an injected clock, so certificates and
 * log entries are deterministic in time.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, rekorHandler, type HandlerFn } from '@sigstore/mock';

export const MOCK_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';

export interface GitHubOidcClaims {
  repository: string;
  workflowPath: string;
  ref: string;
  sha: string;
  runId: string;
  runAttempt: string;
  eventName?: string;
  issuer?: string;
}

export interface SigstoreMock {
  /** The time the mock CA and log stamp on certificates and entries. */
  clock: Date;
  fulcioUrl: string;
  rekorUrl: string;
  /** A Sigstore trusted root (JSON) for the mock CA, CT log and transparency log. */
  trustedRoot: unknown;
  /** The certificate SAN Fulcio issues for these claims. */
  sanFor(claims: GitHubOidcClaims): string;
  identityProvider(claims: GitHubOidcClaims): { getToken(): Promise<string> };
  /**
   * The runner's OIDC token endpoint, as a job with `id-token: write` sees it: set these
   * variables and @sigstore/sign's CIContextProvider fetches a token for these claims.
   */
  oidcEnv(claims: GitHubOidcClaims): { ACTIONS_ID_TOKEN_REQUEST_URL: string; ACTIONS_ID_TOKEN_REQUEST_TOKEN: string };
  /** Requests served, by path. */
  requests: { path: string }[];
  close(): Promise<void>;
}

function b64url(obj: unknown): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

function viewBytes(v: ArrayBufferView): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * The mock's root certificate is valid from the real time it is created, for a
 * year (@sigstore/mock does not take a clock for it), so the mock's clock must
 * fall in that window: by default the next whole hour. Tests take `clock` from
 * the returned mock and compute every time relative to it.
 */
export async function startSigstoreMock(options: { clock?: Date } = {}): Promise<SigstoreMock> {
  const clock = options.clock ?? new Date(Math.ceil((Date.now() + 1000) / 3_600_000) * 3_600_000);
  const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ctLog = await initializeCTLog(ec(), clock);
  const ca = await initializeCA(ec(), ctLog, clock);
  const requests: { path: string }[] = [];
  const handlers = new Map<string, HandlerFn>();
  // Bearer token -> the OIDC token that the runner's endpoint hands out for it.
  const oidcTokens = new Map<string, string>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      requests.push({ path });
      if (req.method === 'GET' && path === '/oidc/token') {
        const audience = new URL(req.url ?? '', 'http://x').searchParams.get('audience');
        const token = oidcTokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
        if (token === undefined || audience !== 'sigstore') {
          res.writeHead(token === undefined ? 401 : 400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: token === undefined ? 'bad request token' : 'audience must be sigstore' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: 1, value: token }));
        return;
      }
      const fn = req.method === 'POST' ? handlers.get(path) : undefined;
      if (fn === undefined) {
        res.writeHead(404).end('not found');
        return;
      }
      fn(Buffer.concat(chunks).toString('utf8'))
        .then((r) => {
          res.writeHead(r.statusCode, { 'content-type': r.contentType ?? 'text/plain' });
          res.end(typeof r.response === 'string' ? r.response : viewBytes(r.response));
        })
        .catch((e: unknown) => res.writeHead(500).end(String(e)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tlog = await initializeTLog(url, ec(), clock);
  const fulcio = fulcioHandler(ca, { subjectClaim: 'genops_test_san' });
  const rekor = rekorHandler(tlog);
  handlers.set(fulcio.path, fulcio.fn);
  handlers.set(rekor.path, rekor.fn);

  const start = new Date(clock.getTime() - 365 * 24 * 3600 * 1000).toISOString();
  const tlogKey = Buffer.from(tlog.publicKey);
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: tlogKey.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
        logId: { keyId: createHash('sha256').update(tlogKey).digest('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: url,
        certChain: { certificates: [{ rawBytes: viewBytes(ca.rootCertificate).toString('base64') }] },
        validFor: { start },
      },
    ],
    ctlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: Buffer.from(ctLog.publicKey).toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
        logId: { keyId: viewBytes(ctLog.logID).toString('base64') },
      },
    ],
    timestampAuthorities: [],
  };

  const sanFor = (c: GitHubOidcClaims) => `https://github.com/${c.repository}/${c.workflowPath}@${c.ref}`;
  const mintToken = (c: GitHubOidcClaims): string => {
    const claims = {
      iss: c.issuer ?? MOCK_OIDC_ISSUER,
      aud: 'sigstore',
      sub: `repo:${c.repository}:ref:${c.ref}`,
      genops_test_san: sanFor(c),
      repository: c.repository,
      repository_owner: c.repository.split('/')[0],
      ref: c.ref,
      sha: c.sha,
      workflow_ref: `${c.repository}/${c.workflowPath}@${c.ref}`,
      job_workflow_ref: `${c.repository}/${c.workflowPath}@${c.ref}`,
      event_name: c.eventName ?? 'pull_request',
      run_id: c.runId,
      run_attempt: c.runAttempt,
      runner_environment: 'github-hosted',
      iat: Math.floor(clock.getTime() / 1000),
      exp: Math.floor(clock.getTime() / 1000) + 600,
    };
    return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
  };
  return {
    clock,
    fulcioUrl: url,
    rekorUrl: url,
    trustedRoot,
    sanFor,
    requests,
    identityProvider(c) {
      const token = mintToken(c);
      return { getToken: () => Promise.resolve(token) };
    },
    oidcEnv(c) {
      const requestToken = `req-${oidcTokens.size + 1}`;
      oidcTokens.set(requestToken, mintToken(c));
      return { ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/oidc/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken };
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
