/**
 * The fake GitHub REST API: a loopback HTTP server that product code reaches through a real Octokit
 * (`baseUrl: gh.url`). Every request is checked against GitHub's OpenAPI description before any
 * handler runs; requests that do not fit are answered 400 and listed in `rejected`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BUILTIN_HANDLERS, errorBody } from './handlers.js';
import { getOpenApiIndex, type Operation, type OpenApiIndex } from './openapi.js';
import { acceptedPermissionsHeader, isGranted, permissionFor } from './permissions.js';
import { FakeGitHubState } from './state.js';
import type {
  FailNextOptions,
  FakeGitHubOptions,
  FakeHandler,
  FakeRequest,
  FakeResponse,
  GitHubPermission,
  PermissionLevel,
  RecordedRequest,
  RejectedRequest,
} from './types.js';

/** Something wrong on the fake's side: a handler threw, or a response broke the OpenAPI schema. */
export interface FakeProblem {
  readonly operationId: string;
  readonly status: number;
  readonly problems: readonly string[];
}

interface PendingFailure {
  readonly status: number;
  remaining: number;
  readonly options: FailNextOptions;
}

const DOCS = 'https://docs.github.com/rest';
const SECONDARY_RATE_LIMIT =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.';

/** Starts the fake on 127.0.0.1 (a free port). Loads the OpenAPI description on first use. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const gh = new FakeGitHub(options, getOpenApiIndex());
  await gh.listen();
  return gh;
}

export class FakeGitHub {
  /** `http://127.0.0.1:<port>`: use as Octokit's `baseUrl` and as `GITHUB_API_URL`. */
  url = '';
  /** Requests that passed validation, in order, with the status they got. */
  readonly requests: RecordedRequest[] = [];
  /** Requests refused for not fitting the OpenAPI description (answered 400). */
  readonly rejected: RejectedRequest[] = [];
  /** Problems on the fake's side; a test can assert this stays empty. */
  readonly problems: FakeProblem[] = [];
  readonly state: FakeGitHubState;

  private readonly server: Server;
  private readonly handlers = new Map<string, FakeHandler>();
  private readonly failures = new Map<string, PendingFailure[]>();
  private readonly permissions = new Map<GitHubPermission, PermissionLevel>();
  private defaultPermission: PermissionLevel = 'write';
  private rateRemaining = 5000;

  constructor(
    private readonly options: FakeGitHubOptions,
    private readonly api: OpenApiIndex,
  ) {
    this.state = new FakeGitHubState({
      ...(options.user === undefined ? {} : { tokenUser: options.user }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.autoCreateRepos === undefined ? {} : { autoCreateRepos: options.autoCreateRepos }),
    });
    if (options.seed !== undefined) this.state.seed(options.seed);
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  /** @internal Called by {@link startFakeGitHub}. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  /**
   * Answers `operationId` with `handler` instead of the built-in one (which the handler can still
   * call through `context.next()`). Throws on an operationId GitHub does not have.
   */
  on(operationId: string, handler: FakeHandler): this {
    this.requireOperation(operationId);
    this.handlers.set(operationId, handler);
    return this;
  }

  /**
   * The next `times` valid requests for `operationId` (`'*'`: any) fail with `status`. 403 and 429
   * look like GitHub's secondary rate limit (message and `retry-after`); 5xx like a server error.
   */
  failNext(operationId: string, status: number, times = 1, options: FailNextOptions = {}): this {
    if (operationId !== '*') this.requireOperation(operationId);
    const queue = this.failures.get(operationId) ?? [];
    queue.push({ status, remaining: times, options });
    this.failures.set(operationId, queue);
    return this;
  }

  /** The token loses `permission` entirely: operations needing it answer 403, as on GitHub. */
  denyPermission(permission: GitHubPermission): this {
    return this.setPermission(permission, 'none');
  }

  /** Sets one permission's level, or every permission's with `'*'` (e.g. a fork PR: `setPermission('*', 'read')`). */
  setPermission(permission: GitHubPermission | '*', level: PermissionLevel): this {
    if (permission === '*') {
      this.permissions.clear();
      this.defaultPermission = level;
    } else {
      this.permissions.set(permission, level);
    }
    return this;
  }

  /** Recorded (valid) requests for one operation. */
  calls(operationId: string): RecordedRequest[] {
    this.requireOperation(operationId);
    return this.requests.filter((r) => r.operationId === operationId);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let operationId = '(none)';
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks);
      const url = req.url ?? '/';
      const parsed = new URL(url, 'http://fake.invalid');
      const method = (req.method ?? 'GET').toUpperCase();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      const base = { method, path: parsed.pathname, url, headers };

      const reject = (reason: string, op?: Operation, body?: unknown): void => {
        this.rejected.push({ ...base, reason, operationId: op?.operationId, template: op?.template, body: body ?? (raw.length > 0 ? raw.toString('utf8') : undefined), status: 400 });
        this.send(res, { status: 400, body: { message: reason, documentation_url: op?.docUrl ?? DOCS, status: '400' } });
      };

      // 1. Route: path template, method, path parameters.
      const match = this.api.match(method, parsed.pathname);
      if (match.kind === 'no-path') return reject(`No GitHub REST operation matches the path ${parsed.pathname}`);
      if (match.kind === 'no-method') {
        return reject(`${method} is not defined for ${match.templates[0] ?? parsed.pathname} (allowed: ${match.allowed.join(', ')})`);
      }
      let chosen: { op: Operation; params: Record<string, unknown> } | undefined;
      let firstProblem: { op: Operation; problems: readonly string[] } | undefined;
      for (const c of match.candidates) {
        const v = this.api.validatePath(c.operation, c.rawParams);
        if (v.ok) {
          chosen = { op: c.operation, params: v.value };
          break;
        }
        firstProblem ??= { op: c.operation, problems: v.problems };
      }
      if (chosen === undefined) {
        const fp = firstProblem as { op: Operation; problems: readonly string[] };
        return reject(`${fp.op.operationId}: ${fp.problems.join('; ')}`, fp.op);
      }
      const { op } = chosen;
      operationId = op.operationId;

      // 2. Headers GitHub insists on, query parameters, body.
      if (headers['user-agent'] === undefined || headers['user-agent'] === '') {
        return reject(`${op.operationId}: missing User-Agent header (GitHub answers 403 without one)`, op);
      }
      const q = this.api.validateQuery(op, parsed.searchParams);
      if (!q.ok) return reject(`${op.operationId}: ${q.problems.join('; ')}`, op);
      const query: Record<string, unknown> = Object.fromEntries(parsed.searchParams);
      Object.assign(query, q.value);

      let body: unknown;
      const present = raw.length > 0;
      const jsonBody = op.requestBody === undefined || op.requestBody.contentTypes.includes('application/json');
      if (present) {
        const text = raw.toString('utf8');
        if (jsonBody) {
          try {
            body = JSON.parse(text) as unknown;
          } catch {
            return reject(`${op.operationId}: Problems parsing JSON`, op, text);
          }
        } else {
          body = text;
        }
      }
      const b = this.api.validateBody(op, body, present, this.options.allowUnknownBodyFields === true);
      if (!b.ok) return reject(`${op.operationId}: ${b.problems.join('; ')}`, op, body);

      const record: RecordedRequest = { ...base, operationId: op.operationId, template: op.template, params: chosen.params, query, body, status: 0 };
      this.requests.push(record);
      const respond = (r: FakeResponse): void => {
        record.status = r.status;
        this.send(res, r);
      };

      // 3. Authentication and permissions.
      const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(headers['authorization'] ?? '');
      if (auth === null) return respond(errorBody(401, 'Requires authentication', op.docUrl));
      if (this.options.token !== undefined && auth[1] !== this.options.token) return respond(errorBody(401, 'Bad credentials', op.docUrl));
      const need = permissionFor(op);
      if (!isGranted(need, (p) => this.permissions.get(p) ?? this.defaultPermission)) {
        const denied = errorBody(403, 'Resource not accessible by integration', op.docUrl);
        return respond({ ...denied, headers: { 'x-accepted-github-permissions': acceptedPermissionsHeader(need) } });
      }

      // 4. Injected failures.
      const failure = this.takeFailure(op.operationId);
      if (failure !== undefined) return respond(failure);

      // 5. Handler.
      const request: FakeRequest = { method, path: parsed.pathname, operationId: op.operationId, template: op.template, params: chosen.params, query, body, headers, user: this.state.tokenUser };
      const builtin = BUILTIN_HANDLERS[op.operationId];
      const builtinResponses = new WeakSet<FakeResponse>();
      const next = async (): Promise<FakeResponse> => {
        if (builtin === undefined) {
          return errorBody(
            501,
            `The fake GitHub has no handler for ${op.operationId} (${method} ${op.template}); register one with gh.on('${op.operationId}', handler)`,
            op.docUrl,
          );
        }
        const r = builtin(request, { state: this.state, urls: { api: this.url, web: this.options.serverUrl ?? 'https://github.com' }, docUrl: op.docUrl });
        builtinResponses.add(r);
        return Promise.resolve(r);
      };
      const custom = this.handlers.get(op.operationId);
      const response = custom === undefined ? await next() : await custom(request, { state: this.state, baseUrl: this.url, next });

      // 6. Response shape.
      const mode = this.options.validateResponses ?? 'builtin';
      if (mode === 'all' || (mode === 'builtin' && builtinResponses.has(response))) {
        const v = this.api.validateResponse(op, response.status, response.body);
        if (!v.ok) {
          this.problems.push({ operationId: op.operationId, status: response.status, problems: v.problems });
          return respond(errorBody(500, `The fake GitHub's ${response.status} response for ${op.operationId} does not match the OpenAPI schema: ${v.problems.join('; ')}`, op.docUrl));
        }
      }
      return respond(response);
    } catch (e) {
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      this.problems.push({ operationId, status: 500, problems: [message] });
      if (!res.headersSent) this.send(res, errorBody(500, `The fake GitHub crashed: ${message}`, DOCS));
    }
  }

  private takeFailure(operationId: string): FakeResponse | undefined {
    for (const key of [operationId, '*']) {
      const queue = this.failures.get(key);
      const next = queue?.[0];
      if (queue === undefined || next === undefined) continue;
      if (--next.remaining <= 0) queue.shift();
      const { status, options } = next;
      const rateLimited = status === 403 || status === 429;
      const body =
        options.body ??
        (rateLimited
          ? { message: SECONDARY_RATE_LIMIT, documentation_url: `${DOCS}/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits` }
          : { message: status >= 500 ? 'Server Error' : 'Injected failure', documentation_url: DOCS, status: String(status) });
      const headers: Record<string, string> = { ...(rateLimited ? { 'retry-after': String(options.retryAfter ?? 1) } : {}), ...options.headers };
      return { status, body, headers };
    }
    return undefined;
  }

  private send(res: ServerResponse, r: FakeResponse): void {
    this.rateRemaining = Math.max(0, this.rateRemaining - 1);
    const headers: Record<string, string> = {
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': `FAKE:${this.requests.length + this.rejected.length}`,
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(this.rateRemaining),
      'x-ratelimit-used': String(5000 - this.rateRemaining),
      'x-ratelimit-resource': 'core',
      'x-ratelimit-reset': '1767229200',
      ...r.headers,
    };
    if (r.body === undefined || r.status === 204 || r.status === 304) {
      res.writeHead(r.status, headers).end();
      return;
    }
    const text = JSON.stringify(r.body);
    res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers }).end(text);
  }

  private requireOperation(operationId: string): void {
    if (this.api.operation(operationId) !== undefined) return;
    const near = this.api
      .operationIds()
      .map((id) => ({ id, d: editDistance(id, operationId) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 3)
      .map((x) => x.id);
    throw new Error(`Unknown GitHub operationId '${operationId}'; did you mean ${near.join(', ')}?`);
  }
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
