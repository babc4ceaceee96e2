/**
 * The one logging interface core code takes. The action layer adapts @actions/core to it
 * (debug → core.debug, warning → core.warning, ...); the CLI uses `consoleLogger`; tests use
 * `memoryLogger()` and assert on the recorded lines.
 *
 * Messages are plain strings. Never pass objects through (they may carry headers or tokens).
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
}

export interface ConsoleLoggerOptions {
  /** Print debug lines too. Default false. */
  debug?: boolean;
}

/**
 * Writes info to stdout, and debug, warning and error to stderr (so stdout stays clean for
 * a command's real output), each prefixed with its level except info.
 */
export function createConsoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const showDebug = options.debug ?? false;
  return {
    debug: (message) => {
      if (showDebug) console.error(`debug: ${message}`);
    },
    info: (message) => console.log(message),
    warning: (message) => console.error(`warning: ${message}`),
    error: (message) => console.error(`error: ${message}`),
  };
}

/** A console logger without debug lines. */
export const consoleLogger: Logger = createConsoleLogger();

/** Drops everything. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
};

export interface MemoryLogger extends Logger {
  /** Every line logged so far, in order. */
  readonly lines: readonly LogLine[];
  /** The messages logged at one level, in order. */
  messages(level: LogLevel): string[];
  clear(): void;
}

/** Records every line in memory; for tests. */
export function memoryLogger(): MemoryLogger {
  const lines: LogLine[] = [];
  const record = (level: LogLevel) => (message: string) => {
    lines.push({ level, message });
  };
  return {
    lines,
    debug: record('debug'),
    info: record('info'),
    warning: record('warning'),
    error: record('error'),
    messages: (level) => lines.filter((l) => l.level === level).map((l) => l.message),
    clear: () => {
      lines.length = 0;
    },
  };
}
