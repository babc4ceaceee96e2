/**
 * A minimal scripted HTTP server on the loopback interface, for client tests: each request
 * takes the next scripted reply for its `METHOD path` (the last one repeats), else a 404.
 * (packages/testkit's OpenAPI-validated fake GitHub is the richer alternative.)
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface LocalServer {
  url: string;
  requests: SeenRequest[];
  /** Queue replies for `METHOD /path`. */
  reply(route: string, ...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function startLocalServer(): Promise<LocalServer> {
  const scripts = new Map<string, Reply[]>();
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const method = req.method ?? 'GET';
      requests.push({ method, path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const queue = scripts.get(`${method} ${path}`);
      const reply: Reply =
        queue === undefined || queue.length === 0
          ? { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } }
          : queue.length === 1
            ? (queue[0] as Reply)
            : (queue.shift() as Reply);
      const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-request-id': `F00D:${requests.length}`,
        ...reply.headers,
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply(route, ...replies) {
      scripts.set(route, replies);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err === undefined ? resolve() : reject(err)));
      }),
  };
}
