/**
 * GenAI telemetry from OpenTelemetry traces: OTLP/JSON exports (`{ resourceSpans: [ { resource,
 * scopeSpans: [ { scope, spans: [...] } ] } ] }`), or JSON Lines of them as the Collector's file
 * exporter writes. Spans are read with the OpenTelemetry GenAI semantic conventions:
 * - `gen_ai.operation.name`: chat, text_completion, generate_content, embeddings (model calls),
 *   execute_tool (tool calls), invoke_agent, create_agent; OpenLLMetry's `llm.request.type` when
 *   the former is missing;
 * - `gen_ai.request.model`, `gen_ai.response.model` (the response's wins);
 * - `gen_ai.usage.input_tokens` / `gen_ai.usage.output_tokens`, or the older
 *   `gen_ai.usage.prompt_tokens` / `gen_ai.usage.completion_tokens` (and `llm.usage.*`);
 * - `gen_ai.tool.name`.
 * Two attributes have no convention and are read when present, never estimated: the context
 * window (`gen_ai.request.context_window`, `llm.context_window`) and the cost
 * (`gen_ai.usage.cost`, `llm.usage.cost`).
 *
 * Usage and cost are summed over the innermost spans that carry them: an `invoke_agent` span
 * that repeats the total of its model calls (as the conventions allow) is not counted twice.
 */
import type { Parsed, TelemetryEvidence } from '../model.js';
import {
  asArray,
  asBoolean,
  asNumber,
  asRecord,
  asString,
  DEFAULT_LIMITS,
  formatError,
  isRecord,
  limitError,
  ownParser,
  parseJsonText,
  sourceText,
  Warnings,
  type EvidenceLimits,
  type SourceFile,
} from '../source.js';

/** One span of a trace file, with the GenAI attributes genops reads. Non-GenAI spans are kept (they link the tree). */
export interface GenAiSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** startTimeUnixNano, when given. */
  start?: bigint;
  /** `gen_ai.operation.name` (or its OpenLLMetry equivalent), lower-case. */
  operation?: string;
  /** `gen_ai.response.model`, else `gen_ai.request.model`. */
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  toolName?: string;
  contextWindow?: number;
  cost?: number;
}

const EXPECTED = 'OTLP/JSON trace export (`resourceSpans`), or JSON Lines of them (OpenTelemetry Collector file exporter)';
const MODEL_CALLS: ReadonlySet<string> = new Set(['chat', 'text_completion', 'generate_content', 'embeddings']);
/** Model calls that end a run of tool calls: the model deciding what to do next. */
const DECISIONS: ReadonlySet<string> = new Set(['chat', 'text_completion', 'generate_content']);
const LLM_REQUEST_TYPES: Readonly<Record<string, string>> = { chat: 'chat', completion: 'text_completion', embedding: 'embeddings' };
const MAX_MODELS = 1000;
/** A cost above this (USD, per span) is a broken value: left out so sums stay finite. */
const MAX_COST = 1e9;

/** Parse one trace file (OTLP/JSON, or JSON Lines of OTLP/JSON exports). */
export function parseTraceFile(file: SourceFile, limits: EvidenceLimits = DEFAULT_LIMITS): Parsed<GenAiSpan[]> {
  const text = sourceText(file, EXPECTED);
  const warnings = new Warnings(limits.maxWarnings);
  const { exports, lines } = readExports(file, text);
  const spans: GenAiSpan[] = [];
  let unrecognized = 0;
  let other = 0;
  let incomplete = 0;
  let unnamedModelSpans = 0;
  let recognized = 0;
  for (const doc of exports) {
    const rec = asRecord(doc);
    if (rec === undefined || !Array.isArray(rec.resourceSpans)) {
      if (rec !== undefined && (rec.resourceMetrics !== undefined || rec.resourceLogs !== undefined)) other++;
      else unrecognized++;
      continue;
    }
    recognized++;
    for (const rs of rec.resourceSpans) {
      const r = asRecord(rs);
      // `instrumentationLibrarySpans`: the name before OTLP 0.15 (some old exporters still write it).
      for (const ss of [...asArray(r?.scopeSpans), ...asArray(r?.instrumentationLibrarySpans)]) {
        for (const s of asArray(asRecord(ss)?.spans)) {
          if (spans.length >= limits.maxSpans) throw limitError(file, 'spans', limits.maxSpans, 'max-spans');
          const span = readSpan(s);
          if (span === undefined) {
            incomplete++;
            continue;
          }
          if (span.operation === undefined && span.model !== undefined) unnamedModelSpans++;
          spans.push(span);
        }
      }
    }
  }
  if (recognized === 0) {
    throw formatError(file, 'has no OTLP trace data (`resourceSpans`)', {
      expected: EXPECTED,
      hint: 'Export traces as OTLP/JSON (e.g. the Collector `file` exporter, or an OTLP JSON file from the SDK); Jaeger and Zipkin JSON are not read.',
    });
  }
  if (other > 0) warnings.add(`${String(other)} metrics or logs exports in the file were ignored`);
  if (unrecognized > 0) warnings.add(`${String(unrecognized)} ${lines ? 'lines' : 'entries'} without resourceSpans were ignored`);
  if (incomplete > 0) warnings.add(`${String(incomplete)} spans without a traceId or spanId were skipped`);
  if (unnamedModelSpans > 0) {
    warnings.add(`${String(unnamedModelSpans)} spans name a model but no gen_ai.operation.name: not counted as model calls (their token usage is counted)`);
  }
  return { value: spans, format: lines ? 'otlp-jsonl' : 'otlp-json', parser: ownParser('otlp'), warnings: warnings.done() };
}

/** The telemetry section over the spans of every trace file. */
export function buildTelemetryEvidence(all: GenAiSpan[]): TelemetryEvidence {
  const byKey = new Map<string, GenAiSpan>();
  const spans: GenAiSpan[] = [];
  for (const s of all) {
    const key = spanKey(s.traceId, s.spanId);
    if (byKey.has(key)) continue; // the same span exported twice
    byKey.set(key, s);
    spans.push(s);
  }
  const parentOf = (s: GenAiSpan): GenAiSpan | undefined => (s.parentSpanId === undefined ? undefined : byKey.get(spanKey(s.traceId, s.parentSpanId)));

  let llmCalls = 0;
  let toolCalls = 0;
  const models = new Set<string>();
  for (const s of spans) {
    if (s.operation !== undefined && MODEL_CALLS.has(s.operation)) {
      llmCalls++;
      if (s.model !== undefined && models.size < MAX_MODELS) models.add(s.model.slice(0, 1024));
    } else if (s.operation === 'execute_tool') toolCalls++;
  }

  const usageInside = ancestorsOf(spans, (s) => s.inputTokens !== undefined || s.outputTokens !== undefined, parentOf);
  const costInside = ancestorsOf(spans, (s) => s.cost !== undefined, parentOf);
  let input = 0;
  let output = 0;
  let cost: number | null = null;
  let contextWindowUse: number | null = null;
  for (const s of spans) {
    if ((s.inputTokens !== undefined || s.outputTokens !== undefined) && !usageInside.has(s)) {
      input = Math.min(Number.MAX_SAFE_INTEGER, input + (s.inputTokens ?? 0));
      output = Math.min(Number.MAX_SAFE_INTEGER, output + (s.outputTokens ?? 0));
    }
    if (s.cost !== undefined && !costInside.has(s)) cost = (cost ?? 0) + s.cost;
    if (s.inputTokens !== undefined && s.contextWindow !== undefined && s.contextWindow > 0) {
      const use = s.inputTokens / s.contextWindow;
      if (contextWindowUse === null || use > contextWindowUse) contextWindowUse = use;
    }
  }

  const run = longestToolRun(spans, parentOf);
  const out: TelemetryEvidence = {
    spans: spans.length,
    llmCalls,
    toolCalls,
    models: [...models].sort(),
    tokens: { prompt: input, completion: output, total: Math.min(Number.MAX_SAFE_INTEGER, input + output) },
    cost,
    maxConsecutiveToolCalls: run.length,
    contextWindowUse,
    promptCompletionRatio: output === 0 ? null : input / output,
  };
  if (run.length > 0 && run.traceId !== undefined) out.maxConsecutiveToolCallsTrace = run.traceId.slice(0, 256);
  return out;
}

// ---------------------------------------------------------------------------------------------

function spanKey(traceId: string, spanId: string): string {
  return `${traceId}/${spanId}`;
}

function readExports(file: SourceFile, text: string): { exports: unknown[]; lines: boolean } {
  try {
    const doc = JSON.parse(text) as unknown;
    return { exports: Array.isArray(doc) ? doc : [doc], lines: false };
  } catch {
    // JSON Lines: one export per line. Otherwise report where the JSON breaks.
  }
  const rows = text.split('\n');
  const firstIndex = rows.findIndex((l) => l.trim() !== '');
  const first = rows[firstIndex];
  if (first === undefined || !parsesAsObject(first) || rows.filter((l) => l.trim() !== '').length < 2) {
    parseJsonText(file, text, EXPECTED);
    throw formatError(file, 'is not valid JSON', { expected: EXPECTED }); // parseJsonText threw already
  }
  const exports: unknown[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] ?? '';
    if (row.trim() === '') continue;
    try {
      exports.push(JSON.parse(row) as unknown);
    } catch {
      throw formatError(file, `line ${String(i + 1)} is not valid JSON (JSON Lines: one OTLP export per line)`, { expected: EXPECTED, line: i + 1 });
    }
  }
  return { exports, lines: true };
}

function parsesAsObject(line: string): boolean {
  try {
    return isRecord(JSON.parse(line));
  } catch {
    return false;
  }
}

function readSpan(value: unknown): GenAiSpan | undefined {
  const s = asRecord(value);
  const traceId = asString(s?.traceId);
  const spanId = asString(s?.spanId);
  if (s === undefined || traceId === undefined || spanId === undefined) return undefined;
  const span: GenAiSpan = { traceId: traceId.slice(0, 256), spanId: spanId.slice(0, 256), name: asString(s.name)?.slice(0, 1024) ?? '' };
  const parent = asString(s.parentSpanId);
  if (parent !== undefined) span.parentSpanId = parent.slice(0, 256);
  const start = nanos(s.startTimeUnixNano);
  if (start !== undefined) span.start = start;

  let operation: string | undefined;
  let requestType: string | undefined;
  let requestModel: string | undefined;
  let responseModel: string | undefined;
  let inputTokens: number | undefined;
  let promptTokens: number | undefined;
  let outputTokens: number | undefined;
  let completionTokens: number | undefined;
  let contextWindow: number | undefined;
  let cost: number | undefined;
  for (const a of asArray(s.attributes)) {
    const attr = asRecord(a);
    const key = asString(attr?.key);
    if (key === undefined || (!key.startsWith('gen_ai.') && !key.startsWith('llm.'))) continue;
    const v = scalar(attr?.value);
    switch (key) {
      case 'gen_ai.operation.name':
        operation = typeof v === 'string' ? v.toLowerCase() : operation;
        break;
      case 'llm.request.type':
        requestType = typeof v === 'string' ? v.toLowerCase() : requestType;
        break;
      case 'gen_ai.request.model':
        requestModel = typeof v === 'string' ? v : requestModel;
        break;
      case 'gen_ai.response.model':
        responseModel = typeof v === 'string' ? v : responseModel;
        break;
      case 'gen_ai.usage.input_tokens':
        inputTokens = tokens(v) ?? inputTokens;
        break;
      case 'gen_ai.usage.prompt_tokens':
      case 'llm.usage.prompt_tokens':
        promptTokens = tokens(v) ?? promptTokens;
        break;
      case 'gen_ai.usage.output_tokens':
        outputTokens = tokens(v) ?? outputTokens;
        break;
      case 'gen_ai.usage.completion_tokens':
      case 'llm.usage.completion_tokens':
        completionTokens = tokens(v) ?? completionTokens;
        break;
      case 'gen_ai.tool.name':
        if (typeof v === 'string') span.toolName = v.slice(0, 1024);
        break;
      case 'gen_ai.request.context_window':
      case 'llm.context_window':
        contextWindow = tokens(v) ?? contextWindow;
        break;
      case 'gen_ai.usage.cost':
      case 'llm.usage.cost': {
        const n = asNumber(v);
        if (n !== undefined && n >= 0 && n <= MAX_COST) cost = n;
        break;
      }
      default:
        break;
    }
  }
  const op = operation ?? (requestType === undefined ? undefined : LLM_REQUEST_TYPES[requestType]);
  if (op !== undefined) span.operation = op.slice(0, 64);
  const model = responseModel ?? requestModel;
  if (model !== undefined) span.model = model;
  const input = inputTokens ?? promptTokens;
  const output = outputTokens ?? completionTokens;
  if (input !== undefined) span.inputTokens = input;
  if (output !== undefined) span.outputTokens = output;
  if (contextWindow !== undefined) span.contextWindow = contextWindow;
  if (cost !== undefined) span.cost = cost;
  return span;
}

/** An OTLP AnyValue's scalar: string, int (a string in OTLP/JSON), double or bool. */
function scalar(value: unknown): string | number | boolean | undefined {
  const v = asRecord(value);
  if (v === undefined) return undefined;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (v.intValue !== undefined) return asNumber(v.intValue);
  if (v.doubleValue !== undefined) return asNumber(v.doubleValue);
  if (v.boolValue !== undefined) return asBoolean(v.boolValue);
  return undefined;
}

function tokens(v: unknown): number | undefined {
  const n = asNumber(v);
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function nanos(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > 20) return undefined;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return BigInt(v);
}

/** The spans that have a descendant matching `has` (so their own value repeats a total). */
function ancestorsOf(spans: readonly GenAiSpan[], has: (s: GenAiSpan) => boolean, parentOf: (s: GenAiSpan) => GenAiSpan | undefined): Set<GenAiSpan> {
  const marked = new Set<GenAiSpan>();
  for (const s of spans) {
    if (!has(s)) continue;
    let p = parentOf(s);
    // Stops at a span already marked (its ancestors are too): linear overall, and safe on cycles.
    while (p !== undefined && !marked.has(p)) {
      marked.add(p);
      p = parentOf(p);
    }
  }
  return marked;
}

/**
 * The longest run of tool calls not interrupted by a model call, within one agent loop: the
 * spans under one `invoke_agent` span (nested agents are loops of their own), or one trace when
 * no agent span encloses them, ordered by start time.
 */
function longestToolRun(spans: readonly GenAiSpan[], parentOf: (s: GenAiSpan) => GenAiSpan | undefined): { length: number; traceId?: string } {
  const agentOf = new Map<GenAiSpan, GenAiSpan | null>();
  const nearestAgent = (s: GenAiSpan): GenAiSpan | null => {
    const path: GenAiSpan[] = [];
    let p = parentOf(s);
    let found: GenAiSpan | null = null;
    const seen = new Set<GenAiSpan>();
    while (p !== undefined && !seen.has(p)) {
      const known = agentOf.get(p); // memoized: the nearest agent at or above p (null: none)
      if (known !== undefined) {
        found = known;
        break;
      }
      if (p.operation === 'invoke_agent') {
        found = p;
        break;
      }
      seen.add(p);
      path.push(p);
      p = parentOf(p);
    }
    for (const q of path) agentOf.set(q, found);
    return found;
  };

  const loops = new Map<string, { traceId: string; steps: { span: GenAiSpan; index: number }[] }>();
  spans.forEach((s, index) => {
    if (s.operation !== 'execute_tool' && (s.operation === undefined || !DECISIONS.has(s.operation))) return;
    const agent = nearestAgent(s);
    const key = agent === null ? `trace\u0000${s.traceId}` : `agent\u0000${spanKey(agent.traceId, agent.spanId)}`;
    let loop = loops.get(key);
    if (loop === undefined) {
      loop = { traceId: s.traceId, steps: [] };
      loops.set(key, loop);
    }
    loop.steps.push({ span: s, index });
  });

  let best = 0;
  let bestTrace: string | undefined;
  for (const loop of loops.values()) {
    loop.steps.sort(byStart);
    let runLength = 0;
    for (const { span } of loop.steps) {
      if (span.operation === 'execute_tool') {
        runLength++;
        if (runLength > best) {
          best = runLength;
          bestTrace = loop.traceId;
        }
      } else runLength = 0;
    }
  }
  return bestTrace === undefined ? { length: best } : { length: best, traceId: bestTrace };
}

/** By start time; spans without one after those with, in file order. */
function byStart(a: { span: GenAiSpan; index: number }, b: { span: GenAiSpan; index: number }): number {
  const x = a.span.start;
  const y = b.span.start;
  if (x !== undefined && y !== undefined && x !== y) return x < y ? -1 : 1;
  if (x === undefined && y !== undefined) return 1;
  if (x !== undefined && y === undefined) return -1;
  return a.index - b.index;
}
