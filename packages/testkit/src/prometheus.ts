/**
 * A real Prometheus for tests: finds the `prometheus` and `promtool` binaries (Debian package
 * `prometheus`), turns OpenMetrics text into TSDB blocks with `promtool tsdb create-blocks-from
 * openmetrics`, starts `prometheus` on 127.0.0.1 with a free port and a temp dir, waits for
 * `/-/ready`, and stops it and removes the dir afterwards.
 *
 * `describePrometheus` runs a suite only where Prometheus is installed: absent outside CI, the
 * suite is skipped with a loud message; absent with CI=true, the suite FAILS (CI installs it).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where the Debian package (and a manual install) put the binaries, searched after PATH. */
export const PROMETHEUS_FALLBACK_DIRS: readonly string[] = ['/usr/bin', '/usr/local/bin'];

/** The binaries from PATH, then the fallback dirs; undefined when either is missing. */
export function findPrometheus(env: NodeJS.ProcessEnv = process.env, fallbackDirs: readonly string[] = PROMETHEUS_FALLBACK_DIRS): PrometheusBinaries | undefined {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...fallbackDirs];
  const find = (name: string) => dirs.map((d) => join(d, name)).find(executable);
  const prometheus = find('prometheus');
  const promtool = find('promtool');
  return prometheus === undefined || promtool === undefined ? undefined : { prometheus, promtool };
}

export function prometheusAvailable(env: NodeJS.ProcessEnv = process.env, fallbackDirs: readonly string[] = PROMETHEUS_FALLBACK_DIRS): boolean {
  return findPrometheus(env, fallbackDirs) !== undefined;
}

function run(file: string, args: string[], timeoutMs = 120_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-4000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** `prometheus --version`'s first line, e.g. `prometheus, version 2.42.0+ds (...)`. */
export async function prometheusVersion(binaries: PrometheusBinaries): Promise<string> {
  const { stdout, stderr } = await run(binaries.prometheus, ['--version']);
  return (stdout || stderr).split('\n')[0]?.trim() ?? '';
}

/** Write `openMetrics` to a file in `workDir` and backfill it into `dataDir` as TSDB blocks. */
export async function createBlocksFromOpenMetrics(promtool: string, openMetrics: string, workDir: string, dataDir: string): Promise<void> {
  if (!openMetrics.trimEnd().endsWith('# EOF')) throw new Error('OpenMetrics text must end with "# EOF"');
  const file = join(workDir, 'history.om');
  await writeFile(file, openMetrics);
  await run(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir]);
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released for the child to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningPrometheus {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  dir: string;
  /** Everything the server logged so far (for failure messages). */
  log(): string;
  /** Instant query; returns the parsed API document. */
  query(promql: string, time: Date): Promise<unknown>;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** History to load before starting (OpenMetrics text ending in `# EOF`). */
  openMetrics?: string;
  binaries?: PrometheusBinaries;
  /** How long to wait for /-/ready. Default 30 000 ms. */
  readyTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // SIGKILL if it has not exited 10 s after SIGTERM; the timer must not outlive the child.
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Start a Prometheus with `openMetrics` loaded, on a free loopback port, in a fresh temp dir. */
export async function startPrometheus(options: StartPrometheusOptions = {}): Promise<RunningPrometheus> {
  const binaries = options.binaries ?? findPrometheus();
  if (binaries === undefined) throw new Error('prometheus/promtool not found: apt-get install prometheus (see .ci/run)');
  const dir = await mkdtemp(join(tmpdir(), 'genops-prom-'));
  const dataDir = join(dir, 'data');
  try {
    if (options.openMetrics !== undefined) await createBlocksFromOpenMetrics(binaries.promtool, options.openMetrics, dir, dataDir);
    const config = join(dir, 'prometheus.yml');
    // Nothing is scraped: the server only answers queries over the backfilled blocks.
    await writeFile(config, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
    let lastError: Error | undefined;
    // The port is released before prometheus binds it; retry if another process took it meanwhile.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const started = await launch(binaries.prometheus, config, dataDir, port, options.readyTimeoutMs ?? 30_000);
      if ('child' in started) {
        const { child, logText } = started;
        const url = `http://127.0.0.1:${port}`;
        return {
          url,
          port,
          dir,
          log: logText,
          async query(promql, time) {
            const body = new URLSearchParams({ query: promql, time: (time.getTime() / 1000).toString() });
            const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body });
            return (await res.json());
          },
          async stop() {
            await stopChild(child);
            await rm(dir, { recursive: true, force: true });
          },
        };
      }
      lastError = started.error;
      if (!/address already in use/i.test(started.error.message)) break;
    }
    throw lastError ?? new Error('prometheus did not start');
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

async function launch(
  bin: string,
  config: string,
  dataDir: string,
  port: number,
  readyTimeoutMs: number,
): Promise<{ child: ChildProcess; logText: () => string } | { error: Error }> {
  const child = spawn(
    bin,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Retention counts back from the newest block; the fixtures are in the past, keep them all.
      '--storage.tsdb.retention.time=100y',
      '--log.level=info',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (c: Buffer) => {
    log = (log + c.toString('utf8')).slice(-64_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exited) return { error: new Error(`prometheus exited before it was ready:\n${log.slice(-4000)}`) };
    try {
      const res = await fetch(`http://127.0.0.1:${port}/-/ready`);
      if (res.status === 200) return { child, logText: () => log };
      await res.arrayBuffer();
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stopChild(child);
  return { error: new Error(`prometheus was not ready within ${readyTimeoutMs} ms:\n${log.slice(-4000)}`) };
}

interface JestGlobals {
  describe: ((name: string, fn: () => void) => void) & { skip: (name: string, fn: () => void) => void };
  it: (name: string, fn: () => void) => void;
}

/**
 * A describe() that needs a real Prometheus. Present: runs `body` with the binaries. Absent and
 * CI=true: one failing test saying how to install it. Absent elsewhere: skipped, with a loud
 * message. (Jest's globals are read at call time so that importing testkit outside Jest works.)
 */
export function describePrometheus(
  name: string,
  body: (binaries: PrometheusBinaries) => void,
  options: { env?: NodeJS.ProcessEnv; fallbackDirs?: readonly string[] } = {},
): void {
  const env = options.env ?? process.env;
  const jest = globalThis as unknown as Partial<JestGlobals>;
  const { describe, it } = jest;
  if (describe === undefined || it === undefined) throw new Error('describePrometheus runs inside Jest only');
  const binaries = findPrometheus(env, options.fallbackDirs);
  if (binaries !== undefined) {
    describe(name, () => body(binaries));
    return;
  }
  if (env.CI === 'true') {
    describe(name, () => {
      it('needs Prometheus (CI=true)', () => {
        throw new Error('prometheus and promtool are not installed, and CI=true: .ci/run must install the Debian package `prometheus` (apt-get install -y prometheus).');
      });
    });
    return;
  }
  const bar = '!'.repeat(78);
  console.warn(
    `${bar}\n!! SKIPPED "${name}": prometheus/promtool not found on PATH or in /usr/bin.\n` +
      `!! These tests read canary metrics from a real Prometheus. Install it (Debian/Ubuntu):\n` +
      `!!   sudo apt-get install -y prometheus     (CI=true makes this a failure, not a skip)\n${bar}`,
  );
  describe.skip(name, () => body({ prometheus: 'prometheus', promtool: 'promtool' }));
}
