/**
 * Traffic control hooks: real bash commands writing to a temp file (weights in order, the weight
 * only in the environment, non-zero exits, timeouts, hostile strings), and the webhook variant
 * against a loopback server (JSON body, HMAC-SHA256 signature, non-2xx and confirmation).
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/errors.js';
import {
  bashRunner,
  commandTrafficControl,
  formatWeight,
  SIGNATURE_HEADER,
  webhookSignature,
  webhookTrafficControl,
  type ProcessRunner,
} from '../../src/canary/traffic.js';

let dir: string;
let log: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-traffic-'));
  log = join(dir, 'weights.log');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const lines = async (): Promise<string[]> => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConfigError) return `${e.code}: ${e.message}`;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('command hooks (real bash)', () => {
  it('runs set-weight-command with each weight in GENOPS_CANARY_WEIGHT, in order', async () => {
    const t = commandTrafficControl({ setWeightCommand: 'printf "%s\\n" "$GENOPS_CANARY_WEIGHT" >> "$LOG"', env: { LOG: log } });
    for (const w of [1, 5, 25, 50, 100]) await t.setWeight(w);
    await t.setWeight(12.5);
    expect(await lines()).toEqual(['1', '5', '25', '50', '100', '12.5']);
  });

  it('passes the rollback reason only through the environment, with weight 0', async () => {
    const t = commandTrafficControl({
      setWeightCommand: 'true',
      rollbackCommand: 'printf "%s|%s\\n" "$GENOPS_CANARY_WEIGHT" "$GENOPS_CANARY_ROLLBACK_REASON" >> "$LOG"',
      env: { LOG: log },
    });
    const hostile = `errors R>=3 $(touch ${join(dir, 'pwned')}); \`touch ${join(dir, 'pwned2')}\` "'; exit 7`;
    await t.rollback(hostile);
    expect(await lines()).toEqual([`0|${hostile}`]);
    await expect(readFile(join(dir, 'pwned'))).rejects.toThrow(/ENOENT/);
    await expect(readFile(join(dir, 'pwned2'))).rejects.toThrow(/ENOENT/);
  });

  it('without a rollback-command, rollback sets the weight to 0', async () => {
    const t = commandTrafficControl({ setWeightCommand: 'echo "$GENOPS_CANARY_WEIGHT" >> "$LOG"', env: { LOG: log } });
    await t.setWeight(25);
    await t.rollback('guard p99');
    expect(await lines()).toEqual(['25', '0']);
  });

  it('a non-zero exit throws with the exit status and the tail of stderr, and stops there', async () => {
    const t = commandTrafficControl({
      setWeightCommand: 'echo "$GENOPS_CANARY_WEIGHT" >> "$LOG"; if [ "$GENOPS_CANARY_WEIGHT" = 25 ]; then echo "kubectl: forbidden" >&2; exit 3; fi',
      env: { LOG: log },
    });
    await t.setWeight(1);
    await t.setWeight(5);
    expect(await codeOf(t.setWeight(25))).toBe('API_UNAVAILABLE: set-weight-command exited with 3 while setting the canary weight to 25 %; stderr: kubectl: forbidden');
    expect(await lines()).toEqual(['1', '5', '25']);
  });

  it('keeps only the tail of a long stderr', async () => {
    const t = commandTrafficControl({ setWeightCommand: 'for i in $(seq 1 2000); do echo "line $i" >&2; done; exit 1' });
    const message = await codeOf(t.setWeight(1));
    expect(message).toContain('line 2000');
    expect(message).not.toContain('line 1\n');
    expect(message.length).toBeLessThan(2_300);
  });

  it('a command that outlives its timeout fails as timed out (killed)', async () => {
    const t = commandTrafficControl({ setWeightCommand: 'sleep 5', timeoutMs: 200 });
    expect(await codeOf(t.setWeight(1))).toBe('API_UNAVAILABLE: set-weight-command timed out after 200 ms while setting the canary weight to 1 %');
  });

  it('a timeout ends the whole hook, not just bash (nothing runs after it)', async () => {
    const t = commandTrafficControl({ setWeightCommand: '(sleep 1; echo late >> "$LOG") & wait', env: { LOG: log }, timeoutMs: 200 });
    expect(await codeOf(t.setWeight(1))).toMatch(/timed out after 200 ms/);
    expect(await lines()).toEqual([]);
  });

  it('confirm-promotion: exit 0 is go, anything else (or a timeout) is no', async () => {
    const yes = commandTrafficControl({ setWeightCommand: 'true', confirmPromotionCommand: '[ "$GENOPS_CANARY_WEIGHT" = 100 ]' });
    const no = commandTrafficControl({ setWeightCommand: 'true', confirmPromotionCommand: 'exit 1' });
    const slow = commandTrafficControl({ setWeightCommand: 'true', confirmPromotionCommand: 'sleep 5', timeoutMs: 200 });
    expect(await yes.confirmPromotion?.()).toBe(true);
    expect(await no.confirmPromotion?.()).toBe(false);
    expect(await slow.confirmPromotion?.()).toBe(false);
    expect(commandTrafficControl({ setWeightCommand: 'true' }).confirmPromotion).toBeUndefined();
  });

  it('refuses weights that are not percentages before any command runs', async () => {
    const t = commandTrafficControl({ setWeightCommand: 'echo ran >> "$LOG"', env: { LOG: log } });
    for (const w of [Number.NaN, Number.POSITIVE_INFINITY, -1, 100.5, '5; rm -rf /' as unknown as number]) {
      expect(await codeOf(t.setWeight(w))).toMatch(/^INPUT_INVALID: canary weight .* is not a percentage$/);
    }
    expect(await lines()).toEqual([]);
  });

  it('formats weights as plain decimals, never in exponent form', () => {
    expect([0, 1, 2.5, 33.333333, 1e-7, 100].map(formatWeight)).toEqual(['0', '1', '2.5', '33.3333', '0', '100']);
  });

  it('genops variables win over the configured env', async () => {
    const t = commandTrafficControl({ setWeightCommand: 'echo "$GENOPS_CANARY_WEIGHT" >> "$LOG"', env: { LOG: log, GENOPS_CANARY_WEIGHT: '99' } });
    await t.setWeight(5);
    expect(await lines()).toEqual(['5']);
  });

  it('an empty command is a config error naming the input', () => {
    expect(() => commandTrafficControl({ setWeightCommand: '  ' })).toThrow('set-weight-command is empty');
  });

  it('the runner is injectable: it gets the command unchanged and the values in env', async () => {
    const seen: { command: string; env: Readonly<Record<string, string>> }[] = [];
    const runner: ProcessRunner = {
      run: (command, env) => {
        seen.push({ command, env });
        return Promise.resolve({ exitCode: 0, signal: null, timedOut: false, stdout: '', stderr: '' });
      },
    };
    const t = commandTrafficControl({ setWeightCommand: 'deploy --weight "$GENOPS_CANARY_WEIGHT"', runner });
    await t.setWeight(50);
    expect(seen).toEqual([{ command: 'deploy --weight "$GENOPS_CANARY_WEIGHT"', env: { GENOPS_CANARY_WEIGHT: '50' } }]);
  });

  it('bashRunner keeps the action inputs and the runner credentials out of a hook', async () => {
    const keys = ['INPUT_SIGNING-KEY', 'INPUT_GITHUB-TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'GENOPS_TEST_KEEP'];
    const saved = keys.map((k) => [k, process.env[k]] as const);
    for (const k of keys) process.env[k] = `secret-${k}`;
    try {
      const r = await bashRunner().run('env', { GENOPS_CANARY_WEIGHT: '5' }, { timeoutMs: 5_000 });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).not.toContain('secret-INPUT');
      expect(r.stdout).not.toContain('secret-ACTIONS');
      expect(r.stdout).toContain('GENOPS_TEST_KEEP=secret-GENOPS_TEST_KEEP');
      expect(r.stdout).toContain('GENOPS_CANARY_WEIGHT=5');
    } finally {
      for (const [k, v] of saved) {
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- restoring the environment as it was
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('bashRunner reports a signal death as exitCode null', async () => {
    const r = await bashRunner().run('kill -9 $$', {}, { timeoutMs: 5_000 });
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false });
  });
});

describe('webhook', () => {
  let server: Server;
  let url: string;
  const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
  let replies: { status: number; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const reply = replies.shift() ?? { status: 204, body: '' };
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(reply.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/weights`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    seen.length = 0;
    replies = [];
  });

  it('POSTs the weights as JSON in order, signed with HMAC-SHA256 over the exact body', async () => {
    const t = webhookTrafficControl({ url, secret: 's3cret', headers: { authorization: 'Bearer tok' } });
    await t.setWeight(1);
    await t.setWeight(12.5);
    await t.rollback('errors: e-value 41 >= 40');
    expect(seen.map((s) => JSON.parse(s.body) as unknown)).toEqual([
      { action: 'set-weight', weight: 1 },
      { action: 'set-weight', weight: 12.5 },
      { action: 'rollback', weight: 0, reason: 'errors: e-value 41 >= 40' },
    ]);
    for (const s of seen) {
      expect(s.headers[SIGNATURE_HEADER]).toBe(webhookSignature('s3cret', s.body));
      expect(s.headers.authorization).toBe('Bearer tok');
      expect(s.headers['content-type']).toBe('application/json');
    }
    // A known vector: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
    expect(webhookSignature('key', 'The quick brown fox jumps over the lazy dog')).toBe('sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
  });

  it('no secret, no signature header', async () => {
    await webhookTrafficControl({ url }).setWeight(5);
    expect(seen[0]?.headers[SIGNATURE_HEADER]).toBeUndefined();
  });

  it('a non-2xx reply throws with the status and the body tail', async () => {
    replies = [{ status: 409, body: '{"error":"rollout locked"}' }];
    expect(await codeOf(webhookTrafficControl({ url }).setWeight(5))).toBe('API_UNAVAILABLE: traffic webhook answered HTTP 409 while setting the canary weight to 5 %: {"error":"rollout locked"}');
  });

  it('an unreachable webhook throws', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await codeOf(webhookTrafficControl({ url: `http://127.0.0.1:${port}/` }).setWeight(5))).toMatch(/^API_UNAVAILABLE: traffic webhook failed while setting the canary weight to 5 %/);
  });

  it('confirm-promotion: only a 2xx reply with {"confirm": true} is go', async () => {
    const t = webhookTrafficControl({ url, confirmPromotion: true });
    replies = [
      { status: 200, body: '{"confirm":true}' },
      { status: 200, body: '{"confirm":"yes"}' },
      { status: 500, body: '{"confirm":true}' },
      { status: 200, body: 'not json' },
    ];
    expect(await t.confirmPromotion?.()).toBe(true);
    expect(await t.confirmPromotion?.()).toBe(false);
    expect(await t.confirmPromotion?.()).toBe(false);
    expect(await t.confirmPromotion?.()).toBe(false);
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ action: 'confirm-promotion', weight: 100 });
    expect(webhookTrafficControl({ url }).confirmPromotion).toBeUndefined();
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => webhookTrafficControl({ url: 'file:///etc/passwd' })).toThrow('traffic webhook URL is not an http(s) URL');
    expect(() => webhookTrafficControl({ url: 'not a url' })).toThrow('traffic webhook URL is not an http(s) URL');
  });
});
