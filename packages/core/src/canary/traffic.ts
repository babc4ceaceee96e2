/**
 * Traffic control for canary-promote: how the canary's share of traffic is changed.
 *
 * - Command hooks: `set-weight-command` runs through `bash -c` with the weight in the environment
 *   variable GENOPS_CANARY_WEIGHT, never in the command string, so no value reaches the shell's
 *   parser. A non-zero exit (or a timeout) throws, which aborts the rollout; the engine then calls
 *   `rollback`. `rollback-command` gets the reason in GENOPS_CANARY_ROLLBACK_REASON; the optional
 *   `confirm-promotion-command` is asked before 100 % (exit 0 = go, any other exit = no).
 * - Webhook: POSTs `{"action":"set-weight","weight":N}` (and `rollback`, `confirm-promotion`) as JSON, optionally
 *   signed with HMAC-SHA256 over the exact body bytes; any non-2xx reply throws.
 * The process runner and `fetch` are injected so tests run real bash and a loopback server.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { ConfigError, docUrl } from '../errors.js';
import type { TrafficControl } from './model.js';
import { errorText, fetchWithRetry, httpUrl, isTimeout, type HttpFetch } from './http-fetch.js';

export const WEIGHT_ENV = 'GENOPS_CANARY_WEIGHT';
export const ROLLBACK_REASON_ENV = 'GENOPS_CANARY_ROLLBACK_REASON';
/** The header carrying `sha256=<hex>` of the webhook body (GitHub's webhook convention). */
export const SIGNATURE_HEADER = 'x-genops-signature-256';

const DEFAULT_TIMEOUT_MS = 300_000;
/** How much of a failing command's stderr goes into the error message. */
const STDERR_TAIL_CHARS = 2_000;
/** Output kept per stream; a chatty hook must not grow memory without bound. */
const MAX_CAPTURE_CHARS = 64_000;

export interface ProcessResult {
  /** Null when the process was ended by a signal. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Runs a shell command; `env` is added to the parent environment. Must not throw for a non-zero exit. */
export interface ProcessRunner {
  run(command: string, env: Readonly<Record<string, string>>, options: { timeoutMs: number }): Promise<ProcessResult>;
}

/**
 * What a hook inherits of genops' own environment: everything but the action's inputs (INPUT_*,
 * which hold the signing key and the GitHub token) and the runner's credentials (the OIDC request
 * token that mints signing identities, the runtime and cache tokens). A hook that needs a token
 * gets it from the step's `env:`, by name.
 */
export function hookEnvironment(base: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined) continue;
    const upper = k.toUpperCase();
    if (upper.startsWith('INPUT_') || upper.startsWith('ACTIONS_ID_TOKEN_REQUEST_') || upper === 'ACTIONS_RUNTIME_TOKEN' || upper === 'ACTIONS_RESULTS_URL' || upper === 'ACTIONS_CACHE_URL' || upper === 'ACTIONS_RUNTIME_URL') continue;
    out[k] = v;
  }
  return out;
}

/** `bash -c COMMAND`, values only in the environment. On timeout: SIGTERM to its process group, then SIGKILL 5 s later. */
export function bashRunner(cwd?: string): ProcessRunner {
  return {
    run: (command, env, { timeoutMs }) =>
      new Promise((resolve, reject) => {
        // Its own process group, so a timeout ends the whole hook (`kubectl ...; sleep`), not just bash.
        const child = spawn('bash', ['-c', command], {
          cwd,
          env: { ...hookEnvironment(process.env), ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
        const killGroup = (signal: NodeJS.Signals) => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, signal);
          } catch {
            child.kill(signal);
          }
        };
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        let killTimer: NodeJS.Timeout | undefined;
        const keepTail = (acc: string, chunk: Buffer) => {
          const next = acc + chunk.toString('utf8');
          return next.length > MAX_CAPTURE_CHARS ? next.slice(-MAX_CAPTURE_CHARS) : next;
        };
        child.stdout.on('data', (c: Buffer) => (stdout = keepTail(stdout, c)));
        child.stderr.on('data', (c: Buffer) => (stderr = keepTail(stderr, c)));
        const timer = setTimeout(() => {
          timedOut = true;
          killGroup('SIGTERM');
          killTimer = setTimeout(() => killGroup('SIGKILL'), 5_000);
        }, timeoutMs);
        child.on('error', (e) => {
          clearTimeout(timer);
          if (killTimer !== undefined) clearTimeout(killTimer);
          reject(e);
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          if (killTimer !== undefined) clearTimeout(killTimer);
          resolve({ exitCode: code, signal, timedOut, stdout, stderr });
        });
      }),
  };
}

/**
 * The weight as the hooks see it: a plain decimal in [0, 100] with at most 4 decimals, never in
 * exponent form. Anything else (NaN, Infinity, out of range) is refused before a hook runs.
 */
export function formatWeight(weight: number): string {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
    throw new ConfigError('INPUT_INVALID', `canary weight ${String(weight)} is not a percentage`, {
      expected: 'a finite number from 0 to 100',
      actual: String(weight),
      hint: 'Stage weights are percentages of traffic, e.g. 1, 5, 25, 50, 100.',
    });
  }
  const fixed = weight.toFixed(4).replace(/\.?0+$/, '');
  return fixed === '' || fixed === '-0' ? '0' : fixed;
}

/** Environment values cannot hold NUL; other characters pass unchanged (they never meet a parser). */
function envValue(s: string): string {
  return s.replace(/\0/g, '');
}

function tail(s: string, n: number): string {
  const t = s.trimEnd();
  return t.length > n ? `...${t.slice(-n)}` : t;
}

export interface CommandTrafficOptions {
  /** Run with GENOPS_CANARY_WEIGHT set; a non-zero exit aborts the rollout. */
  setWeightCommand: string;
  /** Run with GENOPS_CANARY_ROLLBACK_REASON set. Without one, rollback sets the weight to 0. */
  rollbackCommand?: string;
  /** Asked before the 100 % step, with GENOPS_CANARY_WEIGHT=100: exit 0 = go. */
  confirmPromotionCommand?: string;
  /** Added to every hook's environment (after the parent's, before genops' own variables). */
  env?: Readonly<Record<string, string>>;
  /** Per command. Default 300 000 ms. */
  timeoutMs?: number;
  runner?: ProcessRunner;
}

/** TrafficControl through shell command hooks. */
export function commandTrafficControl(options: CommandTrafficOptions): TrafficControl {
  const runner = options.runner ?? bashRunner();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const extraEnv = options.env ?? {};
  for (const [input, command] of [
    ['set-weight-command', options.setWeightCommand],
    ['rollback-command', options.rollbackCommand],
    ['confirm-promotion-command', options.confirmPromotionCommand],
  ] as const) {
    if (command !== undefined && command.trim() === '') {
      throw new ConfigError('INPUT_INVALID', `${input} is empty`, {
        input,
        expected: 'a bash command that reads the weight from $GENOPS_CANARY_WEIGHT',
        hint: `Leave ${input} out instead of giving an empty string.`,
      });
    }
  }

  const run = (command: string, env: Record<string, string>): Promise<ProcessResult> => runner.run(command, { ...extraEnv, ...env }, { timeoutMs });
  const failure = (input: string, what: string, r: ProcessResult) => {
    const how = r.timedOut ? `timed out after ${timeoutMs} ms` : r.exitCode === null ? `was killed by ${r.signal ?? 'a signal'}` : `exited with ${r.exitCode}`;
    const stderr = tail(r.stderr, STDERR_TAIL_CHARS);
    return new ConfigError('API_UNAVAILABLE', `${input} ${how} while ${what}${stderr === '' ? '' : `; stderr: ${stderr}`}`, {
      input,
      expected: 'exit status 0',
      actual: how,
      hint: `Run the command by hand with ${WEIGHT_ENV} set to see why it failed; the rollout was stopped.`,
      docUrl: docUrl('canary', 'traffic-control'),
    });
  };

  const setWeight = async (weight: number): Promise<void> => {
    const w = formatWeight(weight);
    const r = await run(options.setWeightCommand, { [WEIGHT_ENV]: w });
    if (r.exitCode !== 0 || r.timedOut) throw failure('set-weight-command', `setting the canary weight to ${w} %`, r);
  };

  const control: TrafficControl = {
    setWeight,
    async rollback(reason: string): Promise<void> {
      if (options.rollbackCommand === undefined) {
        await setWeight(0);
        return;
      }
      const r = await run(options.rollbackCommand, { [WEIGHT_ENV]: '0', [ROLLBACK_REASON_ENV]: envValue(reason) });
      if (r.exitCode !== 0 || r.timedOut) throw failure('rollback-command', 'rolling back', r);
    },
  };
  const confirm = options.confirmPromotionCommand;
  if (confirm !== undefined) {
    control.confirmPromotion = async (): Promise<boolean> => {
      const r = await run(confirm, { [WEIGHT_ENV]: '100' });
      // A timeout is "not confirmed", never a go.
      return r.exitCode === 0 && !r.timedOut;
    };
  }
  return control;
}

export interface WebhookTrafficOptions {
  url: string;
  /** HMAC-SHA256 key: the body's signature goes in `x-genops-signature-256: sha256=<hex>`. */
  secret?: string;
  /** Extra headers, e.g. an Authorization header. */
  headers?: Readonly<Record<string, string>>;
  /** Ask the webhook before 100 %: POST {"action":"confirm-promotion"}; a 2xx reply with `{"confirm": true}` = go. */
  confirmPromotion?: boolean;
  /** Per request. Default 30 000 ms. */
  timeoutMs?: number;
  fetch?: HttpFetch;
}

/** The signature header value for `body` (exported so receivers and tests compute it the same way). */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** TrafficControl through an HTTP webhook. */
export function webhookTrafficControl(options: WebhookTrafficOptions): TrafficControl {
  const url = httpUrl(options.url);
  if (url === undefined) {
    throw new ConfigError('INPUT_INVALID', 'traffic webhook URL is not an http(s) URL', {
      input: 'traffic-webhook-url',
      expected: 'an https:// (or http:// on a private network) URL',
      hint: 'Give the full URL of the endpoint that changes the canary weight.',
    });
  }
  const doFetch: HttpFetch = options.fetch ?? (globalThis.fetch);
  const timeoutMs = options.timeoutMs ?? 30_000;

  const post = async (payload: Record<string, unknown>, what: string): Promise<string> => {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = { ...options.headers, 'content-type': 'application/json' };
    if (options.secret !== undefined) headers[SIGNATURE_HEADER] = webhookSignature(options.secret, body);
    let status: number;
    let text: string;
    try {
      const res = await fetchWithRetry(doFetch, url.href, { method: 'POST', headers, body }, timeoutMs);
      status = res.status;
      text = await res.text();
    } catch (e) {
      throw new ConfigError('API_UNAVAILABLE', `traffic webhook failed while ${what}: ${isTimeout(e) ? `no reply within ${timeoutMs} ms` : errorText(e)}`, {
        input: 'traffic-webhook-url',
        hint: 'Check that the webhook is reachable from the runner; the rollout was stopped.',
        docUrl: docUrl('canary', 'traffic-control'),
        cause: e,
      });
    }
    if (status < 200 || status > 299) {
      throw new ConfigError('API_UNAVAILABLE', `traffic webhook answered HTTP ${status} while ${what}: ${tail(text, 500)}`, {
        input: 'traffic-webhook-url',
        expected: 'a 2xx reply',
        actual: `HTTP ${status}`,
        hint: 'The rollout was stopped; see the webhook service logs.',
        docUrl: docUrl('canary', 'traffic-control'),
      });
    }
    return text;
  };

  const control: TrafficControl = {
    async setWeight(weight: number): Promise<void> {
      // The weight goes as a JSON number, rounded the same way the command hook's string is.
      await post({ action: 'set-weight', weight: Number(formatWeight(weight)) }, `setting the canary weight to ${formatWeight(weight)} %`);
    },
    async rollback(reason: string): Promise<void> {
      await post({ action: 'rollback', weight: 0, reason }, 'rolling back');
    },
  };
  if (options.confirmPromotion === true) {
    control.confirmPromotion = async (): Promise<boolean> => {
      let text: string;
      try {
        text = await post({ action: 'confirm-promotion', weight: 100 }, 'asking to confirm promotion');
      } catch {
        return false;
      }
      try {
        const doc = JSON.parse(text) as unknown;
        return typeof doc === 'object' && doc !== null && (doc as { confirm?: unknown }).confirm === true;
      } catch {
        return false;
      }
    };
  }
  return control;
}
