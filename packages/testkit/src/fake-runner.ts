/**
 * Runs a bundled action (`dist/index.js`) as a child process in an environment shaped like a GitHub
 * Actions runner: the file-command files, INPUT_* variables named as @actions/core reads them, the
 * GITHUB_* context variables, and nothing else from the parent environment but PATH and HOME.
 * Returns what the step produced: outputs, summary, env/state/path files and workflow commands.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface RunActionOptions {
  /** Path of the script to run, e.g. `actions/gate/dist/index.js`. */
  readonly entry: string;
  /** Node binary. Default: the current one (`process.execPath`). */
  readonly node?: string;
  /** Action inputs by their `action.yml` name (`fail-on`, `github-token`, ...). */
  readonly inputs?: Readonly<Record<string, string>>;
  /** Extra variables; these win over the defaults. `undefined` removes a default (e.g. GITHUB_SHA). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** GITHUB_EVENT_NAME. Default `pull_request`. */
  readonly eventName?: string;
  /** Written as JSON to GITHUB_EVENT_PATH. Default `{}`. */
  readonly eventPayload?: unknown;
  /** Working directory and GITHUB_WORKSPACE. Default: a fresh `workspace/` in the temp dir. */
  readonly cwd?: string;
  /** Kill the process (SIGKILL) after this long. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** GITHUB_API_URL: pass the fake GitHub (`gh` or its `url`). Default `https://api.github.com`. */
  readonly github?: { readonly url: string } | string;
  /** GITHUB_REPOSITORY. Default `octo-org/octo-repo`. */
  readonly repository?: string;
  /** GITHUB_SHA. Default a fixed 40-hex value. */
  readonly sha?: string;
  /** GITHUB_REF. Default `refs/heads/main`. */
  readonly ref?: string;
}

export interface WorkflowCommand {
  /** `error`, `warning`, `notice`, `debug`, `add-mask`, `group`, ... */
  readonly command: string;
  /** `file`, `line`, `col`, `title`, ... with the runner's escaping reversed. */
  readonly properties: Readonly<Record<string, string>>;
  readonly message: string;
}

export interface ActionRunResult {
  /** Null when the process was killed by a signal (see `signal`, `timedOut`). */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** From GITHUB_OUTPUT (`name=value` lines and `name<<DELIM` heredocs). */
  readonly outputs: Record<string, string>;
  /** GITHUB_STEP_SUMMARY's content. */
  readonly summary: string;
  /** Variables exported through GITHUB_ENV. */
  readonly exportedEnv: Record<string, string>;
  /** Values saved through GITHUB_STATE. */
  readonly state: Record<string, string>;
  /** Lines added to GITHUB_PATH. */
  readonly path: string[];
  /** `::command props::message` lines from stdout, honouring `::stop-commands::`. */
  readonly commands: WorkflowCommand[];
  readonly durationMs: number;
}

export const DEFAULT_RUN_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

/** The variable @actions/core's getInput reads for an input: `INPUT_` + upper case, spaces → `_`. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export async function runActionProcess(options: RunActionOptions): Promise<ActionRunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'genops-runner-'));
  try {
    const files = {
      output: join(dir, 'github_output'),
      summary: join(dir, 'step_summary.md'),
      env: join(dir, 'github_env'),
      state: join(dir, 'github_state'),
      path: join(dir, 'github_path'),
      event: join(dir, 'event.json'),
    };
    const workspace = options.cwd ?? join(dir, 'workspace');
    const runnerTemp = join(dir, 'runner_temp');
    const toolCache = join(dir, 'tool_cache');
    for (const d of [runnerTemp, toolCache, ...(options.cwd === undefined ? [workspace] : [])]) await mkdir(d, { recursive: true });
    for (const f of [files.output, files.summary, files.env, files.state, files.path]) await writeFile(f, '');
    await writeFile(files.event, JSON.stringify(options.eventPayload ?? {}));

    const repository = options.repository ?? 'octo-org/octo-repo';
    const ref = options.ref ?? 'refs/heads/main';
    const apiUrl = options.github === undefined ? 'https://api.github.com' : typeof options.github === 'string' ? options.github : options.github.url;
    const env: Record<string, string | undefined> = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_ENV: files.env,
      GITHUB_STATE: files.state,
      GITHUB_PATH: files.path,
      GITHUB_EVENT_PATH: files.event,
      GITHUB_EVENT_NAME: options.eventName ?? 'pull_request',
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: runnerTemp,
      RUNNER_TOOL_CACHE: toolCache,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'genops-fake-runner',
      RUNNER_ENVIRONMENT: 'github-hosted',
      GITHUB_REPOSITORY: repository,
      GITHUB_REPOSITORY_OWNER: repository.split('/')[0],
      GITHUB_SHA: options.sha ?? DEFAULT_RUN_SHA,
      GITHUB_REF: ref,
      GITHUB_REF_NAME: ref.replace(/^refs\/(heads|tags)\//, ''),
      GITHUB_RUN_ID: '1000001',
      GITHUB_RUN_NUMBER: '1',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: 'CI',
      GITHUB_WORKFLOW_REF: `${repository}/.github/workflows/ci.yml@${ref}`,
      GITHUB_JOB: 'gate',
      GITHUB_ACTION: '__run',
      GITHUB_ACTOR: 'octocat',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: apiUrl,
      GITHUB_GRAPHQL_URL: `${apiUrl.replace(/\/$/, '')}/graphql`,
    };
    for (const [name, value] of Object.entries(options.inputs ?? {})) env[inputEnvName(name)] = value;
    Object.assign(env, options.env ?? {});
    const childEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));

    const started = performance.now();
    const { exitCode, signal, timedOut, stdout, stderr } = await spawnNode(options.node ?? process.execPath, options.entry, workspace, childEnv, options.timeoutMs ?? 30_000);
    const durationMs = performance.now() - started;

    const read = (f: string): Promise<string> => readFile(f, 'utf8');
    return {
      exitCode,
      signal,
      timedOut,
      stdout,
      stderr,
      outputs: parseFileCommands(await read(files.output)),
      summary: await read(files.summary),
      exportedEnv: parseFileCommands(await read(files.env)),
      state: parseFileCommands(await read(files.state)),
      path: (await read(files.path)).split(/\r?\n/).filter((l) => l !== ''),
      commands: parseWorkflowCommands(stdout),
      durationMs,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function spawnNode(
  node: string,
  entry: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; timedOut: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [entry], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, timedOut, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/**
 * Parses a GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE file as the runner does: `name=value` lines and
 * `name<<DELIMITER` … `DELIMITER` blocks. A later value for the same name wins. Throws on an
 * unterminated heredoc (the runner fails the step then).
 */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const heredoc = line.indexOf('<<');
    const equals = line.indexOf('=');
    if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      const value: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        value.push(lines[i] as string);
      }
      if (!closed) throw new Error(`Unterminated heredoc for '${name}': no line '${delimiter}'`);
      out[name] = value.join('\n');
    } else if (equals > 0) {
      out[line.slice(0, equals)] = line.slice(equals + 1);
    } else {
      throw new Error(`Invalid file command line: '${line}'`);
    }
  }
  return out;
}

/** Reverses the runner's escaping of command data (`%25`, `%0D`, `%0A`) and properties (also `%3A`, `%2C`). */
function unescape(s: string, property: boolean): string {
  return s.replace(property ? /%(25|0D|0A|3A|2C)/gi : /%(25|0D|0A)/gi, (_, code: string) => String.fromCharCode(parseInt(code, 16)));
}

/** Workflow commands (`::name k=v,k=v::message`) in stdout, skipping those between `::stop-commands::T` and `::T::`. */
export function parseWorkflowCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  let stopToken: string | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      continue;
    }
    const m = /^::([A-Za-z][\w-]*)(?: ([^:]*))?::(.*)$/.exec(line);
    if (m === null) continue;
    const [, command = '', props, data = ''] = m;
    if (command === 'stop-commands') {
      stopToken = data;
      continue;
    }
    const properties: Record<string, string> = {};
    for (const pair of (props ?? '').split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq).trim()] = unescape(pair.slice(eq + 1), true);
    }
    commands.push({ command, properties, message: unescape(data, false) });
  }
  return commands;
}
