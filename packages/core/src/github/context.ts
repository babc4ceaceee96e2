/**
 * The run context: who, what and where this workflow run is, read once from the runner's
 * environment and the event payload, validated, and passed down as plain data.
 *
 * Unlike @actions/github's global `context` (filled from process.env on import, with NaN for a
 * missing number), nothing here reads the process: `normalizeContext` takes the environment and
 * the parsed payload as arguments, and `readContextFromEnv` takes the file reader too.
 */
import { ConfigError, type ConfigErrorCode, docUrl, InternalError } from '../errors.js';

export const SUPPORTED_EVENTS = [
  'pull_request',
  'pull_request_target',
  'merge_group',
  'push',
  'workflow_dispatch',
  'deployment',
  'schedule',
] as const;

export type SupportedEvent = (typeof SUPPORTED_EVENTS)[number];

/** The runner's environment, e.g. `process.env`. Only read, never written. */
export type RunnerEnv = Readonly<Record<string, string | undefined>>;

export interface RepositoryRef {
  readonly owner: string;
  readonly repo: string;
  /** `owner/repo`. */
  readonly fullName: string;
}

export interface PullRequestContext {
  readonly number: number;
  readonly headSha: string;
  readonly baseSha: string;
  readonly headRef: string;
  readonly baseRef: string;
  /** `owner/repo` of the head branch; null when the fork the PR came from has been deleted. */
  readonly headRepoFullName: string | null;
  /** The head branch lives in another repository than the base (or its fork was deleted). */
  readonly isFork: boolean;
  /** Login of the PR's author. Untrusted text: escape before rendering. */
  readonly author: string;
  readonly draft: boolean;
  /** Label names. Untrusted text: escape before rendering. */
  readonly labels: readonly string[];
}

export interface MergeGroupContext {
  readonly headSha: string;
  readonly baseSha: string;
  readonly headRef: string;
  readonly baseRef: string;
}

export interface DeploymentContext {
  readonly id: number;
  readonly environment: string;
  readonly ref: string;
  readonly sha: string;
  readonly task: string;
}

export interface RunContext {
  readonly eventName: SupportedEvent;
  readonly repository: RepositoryRef;
  /** e.g. `https://github.com`, no trailing slash. */
  readonly serverUrl: string;
  /** e.g. `https://api.github.com`, no trailing slash. */
  readonly apiUrl: string;
  readonly runId: number;
  readonly runAttempt: number;
  /** `owner/repo/.github/workflows/file.yml@refs/heads/main` (GITHUB_WORKFLOW_REF). */
  readonly workflowRef: string;
  readonly workflowSha?: string;
  readonly job?: string;
  readonly actor: string;
  readonly triggeringActor?: string;
  /** GITHUB_REF, e.g. `refs/pull/42/merge`, `refs/heads/main`. */
  readonly ref: string;
  /** GITHUB_SHA. For pull_request this is the test merge commit, not the PR head. */
  readonly sha: string;
  /**
   * The commit a gate decides about: the PR head for pull_request(_target), the queue's head for
   * merge_group, the deployed commit for deployment, else GITHUB_SHA.
   */
  readonly subjectSha: string;
  readonly pullRequest?: PullRequestContext;
  readonly mergeGroup?: MergeGroupContext;
  readonly deployment?: DeploymentContext;
  /** workflow_dispatch inputs as GitHub puts them in the payload: all strings. */
  readonly dispatchInputs?: Readonly<Record<string, string>>;
  /**
   * The GITHUB_TOKEN is read-only whatever `permissions:` says: a pull_request event from a fork.
   * Writes (check runs, statuses, comments) would fail with 403, so degrade to summary and outputs.
   *
   * Dependabot runs are read-only only by default (a `permissions:` block can grant writes), so
   * they are not flagged; a 403 there is explained as a missing permission instead.
   */
  readonly isReadOnlyToken: boolean;
}

const CONTEXT_DOC = docUrl('run-context');

// ---------------------------------------------------------------------------------------------
// Problem collection: every bad variable and payload field is reported in one error.

type ProblemCode = Extract<ConfigErrorCode, 'INPUT_MISSING' | 'INPUT_INVALID' | 'FILE_INVALID'>;

interface Problem {
  readonly code: ProblemCode;
  /** The environment variable, or the payload field path (`pull_request.head.sha`). */
  readonly where: string;
  readonly source: 'env' | 'payload';
  readonly message: string;
  readonly expected?: string;
  readonly actual?: string;
}

class Problems {
  readonly list: Problem[] = [];
  add(problem: Problem): undefined {
    this.list.push(problem);
    return undefined;
  }
}

const SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const DECIMAL_RE = /^[1-9][0-9]*$/;
const NAME_RE = /^[A-Za-z0-9_.-]+$/;

/** A short, printable description of a value found where something else was expected. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    if (value === '') return 'an empty string';
    const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lookup(root: unknown, path: string): unknown {
  let current = root;
  for (const key of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// Environment readers.

class EnvReader {
  constructor(
    private readonly env: RunnerEnv,
    private readonly problems: Problems,
  ) {}

  /** A value, or undefined when unset or empty (the runner sets some variables to ''). */
  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  required(name: string, expected: string): string | undefined {
    const value = this.optional(name);
    if (value !== undefined) return value;
    return this.problems.add({
      code: 'INPUT_MISSING',
      where: name,
      source: 'env',
      message: `${name} is not set`,
      expected,
      actual: describeValue(this.env[name]),
    });
  }

  invalid(name: string, expected: string, value: unknown): undefined {
    return this.problems.add({
      code: 'INPUT_INVALID',
      where: name,
      source: 'env',
      message: `${name} is not ${expected}`,
      expected,
      actual: describeValue(value),
    });
  }

  positiveInteger(name: string): number | undefined {
    const expected = 'a positive decimal integer';
    const raw = this.required(name, expected);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!DECIMAL_RE.test(raw) || !Number.isSafeInteger(value)) return this.invalid(name, expected, raw);
    return value;
  }

  sha(name: string, required: boolean): string | undefined {
    const expected = 'a commit sha (40 hexadecimal characters)';
    const raw = required ? this.required(name, expected) : this.optional(name);
    if (raw === undefined) return undefined;
    if (!SHA_RE.test(raw)) return this.invalid(name, expected, raw);
    return raw.toLowerCase();
  }

  url(name: string, fallback: string): string | undefined {
    const raw = this.optional(name) ?? fallback;
    const expected = 'an http(s) URL';
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return this.invalid(name, expected, raw);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return this.invalid(name, expected, raw);
    return raw.replace(/\/+$/, '');
  }
}

// ---------------------------------------------------------------------------------------------
// Payload readers.

class PayloadReader {
  constructor(
    private readonly payload: unknown,
    private readonly eventName: string,
    private readonly problems: Problems,
  ) {}

  get(path: string): unknown {
    return lookup(this.payload, path);
  }

  problem(path: string, expected: string, value: unknown): undefined {
    return this.problems.add({
      code: 'FILE_INVALID',
      where: path,
      source: 'payload',
      message:
        value === undefined
          ? `the ${this.eventName} event payload has no ${path}`
          : `${path} in the ${this.eventName} event payload is not ${expected}`,
      expected: `${path}: ${expected}`,
      actual: describeValue(value),
    });
  }

  string(path: string): string | undefined {
    const value = this.get(path);
    if (typeof value === 'string' && value !== '') return value;
    return this.problem(path, 'a non-empty string', value);
  }

  sha(path: string): string | undefined {
    const value = this.get(path);
    if (typeof value === 'string' && SHA_RE.test(value)) return value.toLowerCase();
    return this.problem(path, 'a commit sha (40 hexadecimal characters)', value);
  }

  positiveInteger(path: string): number | undefined {
    const value = this.get(path);
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
    return this.problem(path, 'a positive integer', value);
  }

  optionalBoolean(path: string, fallback: boolean): boolean | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    return this.problem(path, 'true or false', value);
  }
}

// ---------------------------------------------------------------------------------------------

function isSupported(eventName: string): eventName is SupportedEvent {
  return (SUPPORTED_EVENTS as readonly string[]).includes(eventName);
}

function parseRepository(env: EnvReader): RepositoryRef | undefined {
  const expected = 'owner/repo';
  const raw = env.required('GITHUB_REPOSITORY', expected);
  if (raw === undefined) return undefined;
  const parts = raw.split('/');
  const [owner, repo] = parts;
  if (parts.length !== 2 || owner === undefined || repo === undefined || !NAME_RE.test(owner) || !NAME_RE.test(repo)) {
    return env.invalid('GITHUB_REPOSITORY', expected, raw);
  }
  return { owner, repo, fullName: raw };
}

function defaultApiUrl(serverUrl: string): string {
  return serverUrl === 'https://github.com' ? 'https://api.github.com' : `${serverUrl}/api/v3`;
}

function parsePullRequest(p: PayloadReader): PullRequestContext | undefined {
  if (!isRecord(p.get('pull_request'))) {
    return p.problem('pull_request', 'an object', p.get('pull_request'));
  }
  const number = p.positiveInteger('pull_request.number');
  const headSha = p.sha('pull_request.head.sha');
  const baseSha = p.sha('pull_request.base.sha');
  const headRef = p.string('pull_request.head.ref');
  const baseRef = p.string('pull_request.base.ref');
  const baseRepoFullName = p.string('pull_request.base.repo.full_name');
  const author = p.string('pull_request.user.login');
  const draft = p.optionalBoolean('pull_request.draft', false);

  // head.repo is null when the fork has been deleted; missing means we cannot tell whether this
  // is a fork, and fork-ness decides what the token can do: refuse to guess.
  const headRepo = p.get('pull_request.head.repo');
  let headRepoFullName: string | null | undefined;
  if (headRepo === null) headRepoFullName = null;
  else if (isRecord(headRepo)) headRepoFullName = p.string('pull_request.head.repo.full_name');
  else headRepoFullName = p.problem('pull_request.head.repo', 'an object or null', headRepo);

  const rawLabels = p.get('pull_request.labels');
  let labels: string[] | undefined = [];
  if (rawLabels !== undefined && rawLabels !== null) {
    if (!Array.isArray(rawLabels)) {
      labels = p.problem('pull_request.labels', 'an array of labels', rawLabels);
    } else {
      for (const [i, label] of rawLabels.entries()) {
        const name = lookup(label, 'name');
        if (typeof name === 'string') labels.push(name);
        else {
          labels = p.problem(`pull_request.labels.${i}.name`, 'a string', name);
          break;
        }
      }
    }
  }

  if (
    number === undefined ||
    headSha === undefined ||
    baseSha === undefined ||
    headRef === undefined ||
    baseRef === undefined ||
    baseRepoFullName === undefined ||
    headRepoFullName === undefined ||
    author === undefined ||
    draft === undefined ||
    labels === undefined
  ) {
    return undefined;
  }
  const isFork = headRepoFullName === null || headRepoFullName.toLowerCase() !== baseRepoFullName.toLowerCase();
  return { number, headSha, baseSha, headRef, baseRef, headRepoFullName, isFork, author, draft, labels };
}

function parseMergeGroup(p: PayloadReader): MergeGroupContext | undefined {
  if (!isRecord(p.get('merge_group'))) return p.problem('merge_group', 'an object', p.get('merge_group'));
  const headSha = p.sha('merge_group.head_sha');
  const baseSha = p.sha('merge_group.base_sha');
  const headRef = p.string('merge_group.head_ref');
  const baseRef = p.string('merge_group.base_ref');
  if (headSha === undefined || baseSha === undefined || headRef === undefined || baseRef === undefined) return undefined;
  return { headSha, baseSha, headRef, baseRef };
}

function parseDeployment(p: PayloadReader): DeploymentContext | undefined {
  if (!isRecord(p.get('deployment'))) return p.problem('deployment', 'an object', p.get('deployment'));
  const id = p.positiveInteger('deployment.id');
  const environment = p.string('deployment.environment');
  const ref = p.string('deployment.ref');
  const sha = p.sha('deployment.sha');
  // GitHub fills in 'deploy' when the creator gave no task.
  const task = p.get('deployment.task') === undefined ? 'deploy' : p.string('deployment.task');
  if (id === undefined || environment === undefined || ref === undefined || sha === undefined || task === undefined) {
    return undefined;
  }
  return { id, environment, ref, sha, task };
}

/** Dispatch inputs arrive as strings; booleans and numbers are stringified as GitHub does. */
function parseDispatchInputs(p: PayloadReader): Record<string, string> | undefined {
  const raw = p.get('inputs');
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) return p.problem('inputs', 'an object of input names to values', raw);
  const inputs: Record<string, string> = {};
  let ok = true;
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') inputs[name] = value;
    else if (typeof value === 'boolean' || typeof value === 'number') inputs[name] = String(value);
    else {
      p.problem(`inputs.${name}`, 'a string', value);
      ok = false;
    }
  }
  return ok ? inputs : undefined;
}

function toError(problems: readonly Problem[], env: RunnerEnv): ConfigError | InternalError {
  const [first] = problems;
  if (first === undefined) return new InternalError('run context: a field was left unset without a recorded problem');
  const eventPath = env['GITHUB_EVENT_PATH'];
  const hasEnv = problems.some((p) => p.source === 'env');
  const hasPayload = problems.some((p) => p.source === 'payload');
  const hints: string[] = [];
  if (hasEnv) {
    hints.push(
      'These variables are set by the GitHub Actions runner. Outside a runner (local runs, tests) set them yourself.',
    );
  }
  if (hasPayload) {
    hints.push(
      `The event payload does not have the fields a ${env['GITHUB_EVENT_NAME'] ?? ''} event carries. ` +
        'Outside a runner, check that GITHUB_EVENT_NAME matches the payload file in GITHUB_EVENT_PATH.',
    );
  }
  const message =
    problems.length === 1
      ? `Cannot read the run context: ${first.message}`
      : `Cannot read the run context (${problems.length} problems):\n${problems.map((p) => `  - ${p.message}`).join('\n')}`;
  return new ConfigError(first.code, message, {
    ...(first.source === 'env' ? { input: first.where } : { input: 'GITHUB_EVENT_PATH' }),
    ...(first.source === 'payload' && eventPath !== undefined && eventPath !== '' ? { file: eventPath } : {}),
    ...(first.expected === undefined ? {} : { expected: first.expected }),
    ...(first.actual === undefined ? {} : { actual: first.actual }),
    hint: hints.join(' '),
    docUrl: CONTEXT_DOC,
  });
}

/**
 * Build the run context from the runner's environment and the parsed event payload
 * (the JSON at GITHUB_EVENT_PATH). Throws one ConfigError listing every problem found:
 * CONTEXT_UNSUPPORTED for an event genops does not handle, INPUT_MISSING / INPUT_INVALID for a
 * variable, FILE_INVALID for a payload that lacks a field the event must carry.
 */
export function normalizeContext(env: RunnerEnv, eventPayload: unknown): RunContext {
  const problems = new Problems();
  const e = new EnvReader(env, problems);

  const eventName = e.required('GITHUB_EVENT_NAME', `one of ${SUPPORTED_EVENTS.join(', ')}`);
  if (eventName !== undefined && !isSupported(eventName)) {
    throw new ConfigError('CONTEXT_UNSUPPORTED', `genops does not support the '${eventName}' event`, {
      input: 'GITHUB_EVENT_NAME',
      expected: `one of ${SUPPORTED_EVENTS.join(', ')}`,
      actual: describeValue(eventName),
      hint:
        'Trigger the workflow on a supported event (e.g. `on: pull_request`), or skip this step on others ' +
        "with an `if:` condition such as `if: github.event_name == 'pull_request'`.",
      docUrl: CONTEXT_DOC,
    });
  }

  const repository = parseRepository(e);
  const serverUrl = e.url('GITHUB_SERVER_URL', 'https://github.com');
  const apiUrl = serverUrl === undefined ? undefined : e.url('GITHUB_API_URL', defaultApiUrl(serverUrl));
  const runId = e.positiveInteger('GITHUB_RUN_ID');
  const runAttempt = e.positiveInteger('GITHUB_RUN_ATTEMPT');
  const workflowRefRaw = e.required('GITHUB_WORKFLOW_REF', 'owner/repo/.github/workflows/<file>@<ref>');
  const workflowRef =
    workflowRefRaw === undefined || /^[^/\s]+\/[^/\s]+\/[^@\s]+@\S+$/.test(workflowRefRaw)
      ? workflowRefRaw
      : e.invalid('GITHUB_WORKFLOW_REF', 'owner/repo/.github/workflows/<file>@<ref>', workflowRefRaw);
  const workflowSha = e.sha('GITHUB_WORKFLOW_SHA', false);
  const job = e.optional('GITHUB_JOB');
  const actor = e.required('GITHUB_ACTOR', 'the login of the user who started the run');
  const triggeringActor = e.optional('GITHUB_TRIGGERING_ACTOR');
  const refRaw = e.required('GITHUB_REF', 'a fully-formed ref, e.g. refs/heads/main');
  const ref =
    refRaw === undefined || refRaw.startsWith('refs/')
      ? refRaw
      : e.invalid('GITHUB_REF', 'a fully-formed ref starting with refs/', refRaw);
  const sha = e.sha('GITHUB_SHA', true);

  if (eventName === undefined) throw toError(problems.list, env);

  // The payload. `schedule` carries almost nothing, but it is still an object.
  const p = new PayloadReader(eventPayload, eventName, problems);
  if (!isRecord(eventPayload)) {
    p.problem('(root)', 'a JSON object', eventPayload);
    throw toError(problems.list, env);
  }
  const payloadRepo = p.get('repository.full_name');
  if (
    repository !== undefined &&
    typeof payloadRepo === 'string' &&
    payloadRepo.toLowerCase() !== repository.fullName.toLowerCase()
  ) {
    p.problem('repository.full_name', `the repository in GITHUB_REPOSITORY (${repository.fullName})`, payloadRepo);
  }

  let pullRequest: PullRequestContext | undefined;
  let mergeGroup: MergeGroupContext | undefined;
  let deployment: DeploymentContext | undefined;
  let dispatchInputs: Record<string, string> | undefined;
  switch (eventName) {
    case 'pull_request':
    case 'pull_request_target':
      pullRequest = parsePullRequest(p);
      break;
    case 'merge_group':
      mergeGroup = parseMergeGroup(p);
      break;
    case 'deployment':
      deployment = parseDeployment(p);
      break;
    case 'workflow_dispatch':
      dispatchInputs = parseDispatchInputs(p);
      break;
    case 'push':
    case 'schedule':
      break;
  }

  if (
    problems.list.length > 0 ||
    repository === undefined ||
    serverUrl === undefined ||
    apiUrl === undefined ||
    runId === undefined ||
    runAttempt === undefined ||
    workflowRef === undefined ||
    actor === undefined ||
    ref === undefined ||
    sha === undefined
  ) {
    throw toError(problems.list, env);
  }

  const subjectSha = pullRequest?.headSha ?? mergeGroup?.headSha ?? deployment?.sha ?? sha;
  return {
    eventName,
    repository,
    serverUrl,
    apiUrl,
    runId,
    runAttempt,
    workflowRef,
    ...(workflowSha === undefined ? {} : { workflowSha }),
    ...(job === undefined ? {} : { job }),
    actor,
    ...(triggeringActor === undefined ? {} : { triggeringActor }),
    ref,
    sha,
    subjectSha,
    ...(pullRequest === undefined ? {} : { pullRequest }),
    ...(mergeGroup === undefined ? {} : { mergeGroup }),
    ...(deployment === undefined ? {} : { deployment }),
    ...(dispatchInputs === undefined ? {} : { dispatchInputs }),
    isReadOnlyToken: eventName === 'pull_request' && pullRequest?.isFork === true,
  };
}

/** Reads a whole file as UTF-8 text, e.g. `(path) => fs.readFile(path, 'utf8')`. */
export type ReadTextFile = (path: string) => Promise<string>;

/**
 * Adapter for the runner: reads the event payload at GITHUB_EVENT_PATH through `readFile`, parses
 * it, and calls `normalizeContext`. The only function here that touches a file, and only through
 * the reader it is given.
 */
export async function readContextFromEnv(env: RunnerEnv, readFile: ReadTextFile): Promise<RunContext> {
  const eventPath = env['GITHUB_EVENT_PATH'];
  if (eventPath === undefined || eventPath === '') {
    throw new ConfigError('INPUT_MISSING', 'Cannot read the run context: GITHUB_EVENT_PATH is not set', {
      input: 'GITHUB_EVENT_PATH',
      expected: 'the path of the JSON file holding the webhook payload of the event that started the run',
      hint: 'The GitHub Actions runner sets GITHUB_EVENT_PATH. Outside a runner, point it at a payload file.',
      docUrl: CONTEXT_DOC,
    });
  }
  let text: string;
  try {
    text = await readFile(eventPath);
  } catch (cause) {
    const notFound = isRecord(cause) && cause['code'] === 'ENOENT';
    throw new ConfigError(
      notFound ? 'FILE_NOT_FOUND' : 'FILE_INVALID',
      `Cannot read the event payload at ${eventPath}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { input: 'GITHUB_EVENT_PATH', file: eventPath, cause, docUrl: CONTEXT_DOC },
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(
      'FILE_INVALID',
      `The event payload at ${eventPath} is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      { input: 'GITHUB_EVENT_PATH', file: eventPath, expected: 'a JSON webhook payload', cause, docUrl: CONTEXT_DOC },
    );
  }
  return normalizeContext(env, payload);
}
