/**
 * The file metrics provider: replays per-window counts from a JSON or CSV file (recorded rollouts,
 * `canary simulate`, tests). It also owns the window document shape that the HTTP provider shares:
 *
 *   { "start": ISO, "end": ISO, "weight"?: %, "canary": {"requests", "errors"?, "slow"?},
 *     "baseline": {...}, "guards"?: {"errorRate", "successRate", "p50Ms", "p99Ms", "qualityScore",
 *     "costPerRequest", "baselineCostPerRequest"} }
 *
 * A JSON file is `{"windows": [...]}` or a bare array of them; a CSV file has one row per window
 * with the columns in CSV_COLUMNS. Problems name the file and line. A requested window is answered
 * by the rows that tile it exactly (one row, or several consecutive ones summed); anything else is
 * a gap: `ok: false`, never a pass.
 */
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parse as parseCsv } from 'csv-parse/sync';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError as JsoncError } from 'jsonc-parser/lib/esm/main.js';
import { ConfigError, docUrl } from '../errors.js';
import { lineColumnAt } from '../evidence/source.js';
import type { ArmCounts, CanaryMetric, GuardReadings, MetricCounts, MetricsProvider, WindowReading, WindowRequest, WindowSample } from './model.js';

// NodeNext default import of a CommonJS `exports.default` package (toolchain notes, pitfall 11).
const Ajv = AjvModule.default;

export interface ArmRow {
  requests: number;
  errors?: number;
  slow?: number;
}

/** One window as a file row or an HTTP reply carries it. */
export interface WindowRow {
  start: string;
  end: string;
  weight?: number;
  canary?: ArmRow;
  baseline?: ArmRow;
  guards?: GuardReadings;
}

const ISO_UTC = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';
const count = { type: 'integer', minimum: 0 };
const fraction = { type: 'number', minimum: 0, maximum: 1 };
const nonNegative = { type: 'number', minimum: 0 };
const armSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['requests'],
  properties: { requests: count, errors: count, slow: count },
};
/** JSON Schema of one window (draft-07, compiled once at first use: it is small). */
export const WINDOW_ROW_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['start', 'end'],
  properties: {
    start: { type: 'string', pattern: ISO_UTC },
    end: { type: 'string', pattern: ISO_UTC },
    weight: { type: 'number', minimum: 0, maximum: 100 },
    canary: armSchema,
    baseline: armSchema,
    guards: {
      type: 'object',
      additionalProperties: false,
      properties: {
        errorRate: fraction,
        successRate: fraction,
        p50Ms: nonNegative,
        p99Ms: nonNegative,
        qualityScore: fraction,
        costPerRequest: nonNegative,
        baselineCostPerRequest: nonNegative,
      },
    },
  },
} as const;
const FILE_SCHEMA = {
  oneOf: [
    { type: 'array', items: WINDOW_ROW_SCHEMA },
    { type: 'object', additionalProperties: false, required: ['windows'], properties: { windows: { type: 'array', items: WINDOW_ROW_SCHEMA } } },
  ],
} as const;

let compiled: { row: ValidateFunction; file: ValidateFunction } | undefined;
function validators(): { row: ValidateFunction; file: ValidateFunction } {
  if (compiled === undefined) {
    const ajv = new Ajv({ allErrors: true, strict: true, logger: false });
    compiled = { row: ajv.compile(WINDOW_ROW_SCHEMA), file: ajv.compile(FILE_SCHEMA) };
  }
  return compiled;
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') return `unknown property "${p.additionalProperty}" (a typo?)`;
  if (e.keyword === 'required' && typeof p.missingProperty === 'string') return `missing required property "${p.missingProperty}"`;
  if (e.keyword === 'pattern') return 'must be an ISO 8601 time with a zone, e.g. 2025-06-02T10:00:00Z';
  return e.message ?? e.keyword;
}

/** The schema problems of one window document, `pointer: message` each ('' = the document). */
export function windowRowProblems(doc: unknown): { pointer: string; message: string }[] {
  const validate = validators().row;
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => ({ pointer: e.instancePath, message: describe(e) }));
}

/** Checks the schema can't express: times in order, bad events not above requests. Returns problems. */
export function windowRowSemantics(row: WindowRow): { pointer: string; message: string }[] {
  const problems: { pointer: string; message: string }[] = [];
  if (!(Date.parse(row.end) > Date.parse(row.start))) problems.push({ pointer: '/end', message: `must be after start (${row.start})` });
  for (const arm of ['canary', 'baseline'] as const) {
    const a = row[arm];
    if (a === undefined) continue;
    for (const bad of ['errors', 'slow'] as const) {
      const v = a[bad];
      if (v !== undefined && v > a.requests) problems.push({ pointer: `/${arm}/${bad}`, message: `${v} is more than the ${a.requests} requests` });
    }
  }
  return problems;
}

function fileError(file: string, message: string, line: number | undefined, expected: string): ConfigError {
  return new ConfigError('FILE_INVALID', `${file}${line === undefined ? '' : `:${line}`}: ${message}`, {
    file,
    ...(line === undefined ? {} : { line }),
    expected,
    hint: 'Fix the row, or regenerate the file; see the window file format in the docs.',
    docUrl: docUrl('canary', 'file-provider'),
  });
}

const JSON_EXPECTED = 'a JSON array of windows (or {"windows": [...]}) with start, end, canary and baseline counts';

/** Parse a JSON window file. Every problem is reported with its line; the first few go in one error. */
export function parseWindowJson(text: string, file: string): WindowRow[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch {
    const errors: JsoncError[] = [];
    parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    const at = first === undefined ? undefined : lineColumnAt(text, first.offset);
    throw fileError(file, `is not valid JSON${first === undefined ? '' : ` (${printParseErrorCode(first.error)})`}`, at?.line, JSON_EXPECTED);
  }
  const tree = parseTree(text);
  const lineOf = (pointer: string): number | undefined => {
    if (tree === undefined) return undefined;
    const path = pointer === '' ? [] : pointer.slice(1).split('/').map((seg) => {
      const s = seg.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^\d+$/.test(s) ? Number(s) : s;
    });
    let node: JsonNode | undefined;
    for (let n = path.length; n >= 0 && node === undefined; n--) node = findNodeAtLocation(tree, path.slice(0, n));
    return node === undefined ? undefined : lineColumnAt(text, node.offset).line;
  };
  const { file: validateFile } = validators();
  const rows = Array.isArray(doc) ? doc : (doc as { windows?: unknown } | null)?.windows;
  const base = Array.isArray(doc) ? '' : '/windows';
  if (!validateFile(doc)) {
    // oneOf reports both branches; report the problems of the branch the document took.
    const problems: { pointer: string; message: string }[] = [];
    if (Array.isArray(rows)) rows.forEach((r, i) => windowRowProblems(r).forEach((p) => problems.push({ pointer: `${base}/${i}${p.pointer}`, message: p.message })));
    if (problems.length === 0) problems.push({ pointer: '', message: 'must be an array of windows or {"windows": [...]}' });
    throw problemsError(file, problems, lineOf, JSON_EXPECTED);
  }
  const typed = rows as WindowRow[];
  const problems: { pointer: string; message: string }[] = [];
  typed.forEach((r, i) => windowRowSemantics(r).forEach((p) => problems.push({ pointer: `${base}/${i}${p.pointer}`, message: p.message })));
  if (problems.length > 0) throw problemsError(file, problems, lineOf, JSON_EXPECTED);
  checkOrder(file, typed, (i) => lineOf(`${base}/${i}`));
  return typed;
}

function problemsError(
  file: string,
  problems: { pointer: string; message: string }[],
  lineOf: (pointer: string) => number | undefined,
  expected: string,
): ConfigError {
  const located = problems.map((p) => ({ ...p, line: lineOf(p.pointer) }));
  const shown = located.slice(0, 10).map((p) => `line ${p.line ?? '?'} ${p.pointer === '' ? '(root)' : p.pointer}: ${p.message}`);
  if (located.length > 10) shown.push(`... and ${located.length - 10} more`);
  return fileError(file, shown.join('; '), located[0]?.line, expected);
}

/** The CSV columns, in the order writers should use. Only start and end are required. */
export const CSV_COLUMNS = [
  'start',
  'end',
  'weight',
  'canary_requests',
  'canary_errors',
  'canary_slow',
  'baseline_requests',
  'baseline_errors',
  'baseline_slow',
  'error_rate',
  'success_rate',
  'p50_ms',
  'p99_ms',
  'quality_score',
  'cost_per_request',
  'baseline_cost_per_request',
] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];
const GUARD_COLUMNS: [CsvColumn, keyof GuardReadings][] = [
  ['error_rate', 'errorRate'],
  ['success_rate', 'successRate'],
  ['p50_ms', 'p50Ms'],
  ['p99_ms', 'p99Ms'],
  ['quality_score', 'qualityScore'],
  ['cost_per_request', 'costPerRequest'],
  ['baseline_cost_per_request', 'baselineCostPerRequest'],
];
const CSV_EXPECTED = `a CSV file with a header row of columns from: ${CSV_COLUMNS.join(', ')}`;
const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** Parse a CSV window file (header row required). Empty cells are absent values. */
export function parseWindowCsv(text: string, file: string): WindowRow[] {
  let records: { info: { lines: number }; record: Record<string, string> }[];
  let headerProblem: ConfigError | undefined;
  const checkHeader = (header: string[]): string[] => {
    const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
    if (unknown.length > 0) headerProblem = fileError(file, `unknown column(s) ${unknown.map((u) => JSON.stringify(u)).join(', ')} (a typo?)`, 1, CSV_EXPECTED);
    else if (!header.includes('start') || !header.includes('end')) headerProblem = fileError(file, 'the header row lacks start and end', 1, CSV_EXPECTED);
    if (headerProblem !== undefined) throw headerProblem;
    return header;
  };
  try {
    const parsed: unknown = parseCsv(text, { columns: checkHeader, info: true, skip_empty_lines: true, trim: true, comment: '#', bom: true });
    records = parsed as typeof records;
  } catch (e) {
    if (headerProblem !== undefined) throw headerProblem;
    const line = typeof (e as { lines?: unknown }).lines === 'number' ? (e as { lines: number }).lines : undefined;
    throw fileError(file, `is not valid CSV: ${e instanceof Error ? e.message : String(e)}`, line, CSV_EXPECTED);
  }
  const rows: WindowRow[] = [];
  const lines: number[] = [];
  const problems: { line: number; message: string }[] = [];
  for (const { info, record } of records) {
    const line = info.lines;
    const cell = (c: CsvColumn): string | undefined => {
      const v = record[c];
      return v === undefined || v === '' ? undefined : v;
    };
    const num = (c: CsvColumn): number | string | undefined => {
      const v = cell(c);
      if (v === undefined) return undefined;
      return NUMBER.test(v) ? Number(v) : v; // a non-number stays a string: the schema names it
    };
    const row: Record<string, unknown> = { start: cell('start'), end: cell('end') };
    if (cell('weight') !== undefined) row.weight = num('weight');
    for (const arm of ['canary', 'baseline'] as const) {
      const requests = num(`${arm}_requests`);
      const errors = num(`${arm}_errors`);
      const slow = num(`${arm}_slow`);
      if (requests === undefined) {
        if (errors !== undefined || slow !== undefined) problems.push({ line, message: `${arm}_errors/${arm}_slow given without ${arm}_requests` });
        continue;
      }
      row[arm] = { requests, ...(errors === undefined ? {} : { errors }), ...(slow === undefined ? {} : { slow }) };
    }
    const guards: Record<string, unknown> = {};
    for (const [c, key] of GUARD_COLUMNS) {
      const v = num(c);
      if (v !== undefined) guards[key] = v;
    }
    if (Object.keys(guards).length > 0) row.guards = guards;
    const clean = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined));
    const schema = windowRowProblems(clean);
    const semantic = schema.length === 0 ? windowRowSemantics(clean as unknown as WindowRow) : [];
    for (const p of [...schema, ...semantic]) problems.push({ line, message: `${csvName(p.pointer)}: ${p.message}` });
    rows.push(clean as unknown as WindowRow);
    lines.push(line);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).map((p) => `line ${p.line}: ${p.message}`);
    if (problems.length > 10) shown.push(`... and ${problems.length - 10} more`);
    throw fileError(file, shown.join('; '), problems[0]?.line, CSV_EXPECTED);
  }
  checkOrder(file, rows, (i) => lines[i]);
  return rows;
}

/** A schema pointer in CSV column words: /canary/errors -> canary_errors. */
function csvName(pointer: string): string {
  if (pointer === '') return 'row';
  const parts = pointer.slice(1).split('/');
  if (parts[0] === 'guards' && parts[1] !== undefined) return GUARD_COLUMNS.find(([, k]) => k === parts[1])?.[0] ?? parts[1];
  return parts.join('_');
}

/** Rows must not overlap (two answers for one moment). They need not be sorted. */
function checkOrder(file: string, rows: WindowRow[], lineOf: (index: number) => number | undefined): void {
  const order = rows.map((r, i) => ({ s: Date.parse(r.start), e: Date.parse(r.end), i })).sort((a, b) => a.s - b.s || a.e - b.e);
  for (let k = 1; k < order.length; k++) {
    const prev = order[k - 1];
    const cur = order[k];
    if (prev !== undefined && cur !== undefined && cur.s < prev.e) {
      throw fileError(
        file,
        `the window starting ${rows[cur.i]?.start ?? ''} (line ${lineOf(cur.i) ?? '?'}) overlaps the one starting ${rows[prev.i]?.start ?? ''} (line ${lineOf(prev.i) ?? '?'})`,
        lineOf(cur.i),
        'windows that do not overlap',
      );
    }
  }
}

/** `json` or `csv` from the file name; anything else is refused. */
export function windowFileFormat(file: string): 'json' | 'csv' {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.csv')) return 'csv';
  throw new ConfigError('INPUT_INVALID', `metrics file ${file} is neither .json nor .csv`, {
    input: 'metrics-file',
    expected: 'a file ending in .json or .csv',
    docUrl: docUrl('canary', 'file-provider'),
  });
}

export function parseWindowFile(text: string, file: string, format: 'json' | 'csv' = windowFileFormat(file)): WindowRow[] {
  return format === 'json' ? parseWindowJson(text, file) : parseWindowCsv(text, file);
}

const METRIC_FIELD: Record<CanaryMetric, 'errors' | 'slow'> = { errors: 'errors', latency: 'slow' };

/** Counts of one metric, when both arms carry them. */
function metricOf(row: WindowRow, metric: CanaryMetric): MetricCounts | undefined {
  const field = METRIC_FIELD[metric];
  const arm = (a: ArmRow | undefined): ArmCounts | undefined => {
    const bad = a?.[field];
    return a === undefined || bad === undefined ? undefined : { requests: a.requests, bad };
  };
  const canary = arm(row.canary);
  const baseline = arm(row.baseline);
  return canary === undefined || baseline === undefined ? undefined : { canary, baseline };
}

/**
 * The sample for a window made of `rows` (consecutive, tiling it). Counts are summed (a metric
 * missing from any row is missing); p50/p99 take the largest row value, which bounds the quantile
 * of the union from above; other readings are averaged, weighted by canary requests.
 */
export function sampleFromRows(rows: WindowRow[], start: string, end: string): WindowSample {
  const metrics: Partial<Record<CanaryMetric, MetricCounts>> = {};
  for (const metric of ['errors', 'latency'] as const) {
    const parts = rows.map((r) => metricOf(r, metric));
    if (parts.length === 0 || parts.some((p) => p === undefined)) continue;
    const sum = (f: (m: MetricCounts) => number) => (parts as MetricCounts[]).reduce((acc, m) => acc + f(m), 0);
    metrics[metric] = {
      canary: { requests: sum((m) => m.canary.requests), bad: sum((m) => m.canary.bad) },
      baseline: { requests: sum((m) => m.baseline.requests), bad: sum((m) => m.baseline.bad) },
    };
  }
  const guards: GuardReadings = {};
  const weightOf = (r: WindowRow) => (rows.every((x) => x.canary !== undefined) ? (r.canary?.requests ?? 0) : 1);
  for (const key of ['qualityScore', 'costPerRequest', 'baselineCostPerRequest', 'errorRate', 'successRate'] as const) {
    const given = rows.map((r) => r.guards?.[key]);
    if (given.some((v) => v === undefined)) continue;
    const totalWeight = rows.reduce((acc, r) => acc + weightOf(r), 0);
    guards[key] = totalWeight === 0 ? (given[0] as number) : rows.reduce((acc, r, i) => acc + weightOf(r) * (given[i] as number), 0) / totalWeight;
  }
  for (const key of ['p50Ms', 'p99Ms'] as const) {
    const given = rows.map((r) => r.guards?.[key]).filter((v) => v !== undefined);
    if (given.length === rows.length) guards[key] = Math.max(...given);
  }
  // Rates from counts when the file gave none: the canary's own errors over its requests.
  const errors = metrics.errors;
  if (errors !== undefined && errors.canary.requests > 0) {
    guards.errorRate ??= errors.canary.bad / errors.canary.requests;
    guards.successRate ??= 1 - errors.canary.bad / errors.canary.requests;
  }
  return { start, end, metrics, guards };
}

/** A MetricsProvider over parsed rows; `source` names the file in reasons. */
export function fileMetricsProvider(rows: readonly WindowRow[], source: string): MetricsProvider {
  const sorted = rows.map((r) => ({ row: r, s: Date.parse(r.start), e: Date.parse(r.end) })).sort((a, b) => a.s - b.s);
  return {
    kind: 'file',
    read(window: WindowRequest): Promise<WindowReading> {
      const ws = window.start.getTime();
      const we = window.end.getTime();
      const label = `${window.start.toISOString()}..${window.end.toISOString()}`;
      const inside = sorted.filter((r) => r.s >= ws && r.e <= we);
      let cursor = ws;
      for (const r of inside) {
        if (r.s !== cursor) break;
        cursor = r.e;
      }
      if (inside.length === 0 || cursor !== we) {
        const why = inside.length === 0 ? 'no row' : `rows cover it only up to ${new Date(cursor).toISOString()}`;
        return Promise.resolve({ ok: false, reason: `${source}: no data for window ${label} (${why})` });
      }
      const sample = sampleFromRows(
        inside.map((r) => r.row),
        window.start.toISOString(),
        window.end.toISOString(),
      );
      if (Object.keys(sample.metrics).length === 0) {
        return Promise.resolve({ ok: false, reason: `${source}: window ${label} has no canary and baseline counts (a gap)` });
      }
      return Promise.resolve({ ok: true, sample });
    },
  };
}

/** Where files come from (the workspace file system in an action, a map in tests). */
export interface WindowFileReader {
  readFile(path: string): Promise<Uint8Array>;
}

/** Read, parse and wrap a window file. */
export async function loadFileMetricsProvider(reader: WindowFileReader, path: string): Promise<MetricsProvider> {
  const format = windowFileFormat(path);
  let bytes: Uint8Array;
  try {
    bytes = await reader.readFile(path);
  } catch (e) {
    throw new ConfigError('FILE_NOT_FOUND', `metrics file ${path} cannot be read`, {
      input: 'metrics-file',
      file: path,
      hint: 'Check the path (relative to the workspace).',
      cause: e,
    });
  }
  return fileMetricsProvider(parseWindowFile(new TextDecoder('utf-8', { fatal: false }).decode(bytes), path, format), path);
}
