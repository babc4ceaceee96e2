/**
 * What an action step touches of the runner, as one small interface:
 * inputs, outputs, secrets, log, annotations, job summary. `actionsRuntime()`
 * adapts @actions/core; tests pass `memoryRuntime()`.
 */
import * as core from '@actions/core';
import { memoryLogger, type Logger, type MemoryLogger } from '../logger.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';
export interface AnnotationPlace {
  title?: string;
  file?: string;
  line?: number;
  column?: number;
}

export interface ActionRuntime {
  /** The input's value, trimmed; '' when not set. */
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  /** Masks a value in every later log line. */
  setSecret(value: string): void;
  readonly logger: Logger;
  annotate(level: AnnotationLevel, message: string, place?: AnnotationPlace): void;
  /** Adds markdown to the job summary (written once, by runAction, in `finally`). */
  appendSummary(markdown: string): void;
  writeSummary(): Promise<void>;
  setFailed(message: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** GitHub's limit on one step's summary. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

/** Cuts markdown to a byte budget, with a note saying so (the full report is elsewhere). */
export function capSummary(markdown: string, limit = SUMMARY_LIMIT_BYTES): string {
  if (Buffer.byteLength(markdown) <= limit) return markdown;
  const note = '\n\n> [!WARNING]\n> This summary was cut at GitHub\'s 1 MiB limit; the full report is in the step log and the signed artifact.\n';
  let cut = markdown.slice(0, limit - Buffer.byteLength(note) - 16);
  while (Buffer.byteLength(cut) > limit - Buffer.byteLength(note)) cut = cut.slice(0, -1024);
  return cut + note;
}

/**
 * Masks a secret before anything can log it. The runner masks multi-line values
 * unreliably, so each line of a PEM body is masked too.
 */
export function maskSecret(rt: ActionRuntime, value: string): void {
  if (value === '') return;
  rt.setSecret(value);
  for (const line of value.split(/\r?\n/)) {
    const t = line.trim();
    if (t !== '' && !t.startsWith('-----')) rt.setSecret(t);
  }
}

/**
 * unzip-stream (under @actions/artifact) calls `new Buffer()`. Inside node_modules Node stays
 * quiet about that, but in a bundle it prints DEP0005 on every download, which users read as a
 * genops problem. Drop exactly that warning; every other one still shows.
 */
function silenceBundledBufferDeprecation(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((...args: unknown[]) => {
    const [, typeOrOptions, code] = args;
    const c = typeof typeOrOptions === 'object' && typeOrOptions !== null ? (typeOrOptions as { code?: unknown }).code : code;
    if (c === 'DEP0005') return;
    emit(...args);
  });
}

export function actionsRuntime(): ActionRuntime {
  silenceBundledBufferDeprecation();
  const parts: string[] = [];
  const place = (p?: AnnotationPlace): core.AnnotationProperties => {
    const props: core.AnnotationProperties = {};
    if (p?.title !== undefined) props.title = p.title;
    if (p?.file !== undefined) props.file = p.file;
    if (p?.line !== undefined) props.startLine = p.line;
    if (p?.column !== undefined) props.startColumn = p.column;
    return props;
  };
  return {
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    logger: {
      debug: (m) => core.debug(m),
      info: (m) => core.info(m),
      warning: (m) => core.warning(m),
      error: (m) => core.error(m),
    },
    annotate(level, message, p) {
      const props = place(p);
      if (level === 'error') core.error(message, props);
      else if (level === 'warning') core.warning(message, props);
      else core.notice(message, props);
    },
    appendSummary: (md) => {
      parts.push(md);
    },
    async writeSummary() {
      if (parts.length === 0 || process.env.GITHUB_STEP_SUMMARY === undefined) return;
      await core.summary.addRaw(capSummary(parts.join('\n')), true).write();
      parts.length = 0;
    },
    setFailed: (m) => core.setFailed(m),
    env: process.env,
  };
}

export interface MemoryRuntime extends ActionRuntime {
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  secrets: string[];
  annotations: { level: AnnotationLevel; message: string; place?: AnnotationPlace }[];
  summary: string;
  failed?: string;
  readonly logger: MemoryLogger;
}

/** An in-memory runtime for tests. */
export function memoryRuntime(inputs: Record<string, string> = {}, env: Record<string, string | undefined> = {}): MemoryRuntime {
  const pending: string[] = [];
  const rt: MemoryRuntime = {
    inputs,
    outputs: {},
    secrets: [],
    annotations: [],
    summary: '',
    env,
    getInput: (name) => (inputs[name] ?? '').trim(),
    setOutput: (name, value) => {
      rt.outputs[name] = value;
    },
    setSecret: (v) => {
      rt.secrets.push(v);
    },
    logger: memoryLogger(),
    annotate: (level, message, place) => {
      rt.annotations.push(place === undefined ? { level, message } : { level, message, place });
    },
    appendSummary: (md) => {
      pending.push(md);
    },
    writeSummary: () => {
      rt.summary += capSummary(pending.join('\n'));
      pending.length = 0;
      return Promise.resolve();
    },
    setFailed: (m) => {
      rt.failed = m;
    },
  };
  return rt;
}
