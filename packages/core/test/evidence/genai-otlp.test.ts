import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError } from '../../src/errors.js';
import { buildTelemetryEvidence, parseTraceFile, type GenAiSpan } from '../../src/evidence/genai/index.js';
import { DEFAULT_LIMITS, type SourceFile } from '../../src/evidence/source.js';
import { fixture, fixtureText, mutatedFixtureText, returnsOrConfigError, sourceFile } from './helpers.js';

const FIXTURE = 'genai/agent-trace.otlp.json';
const AGENT_TRACE = '5b8aa5a2d2c872e8321cf37308d69df2';

const text = (content: string, path = 'traces/otel.json'): SourceFile => sourceFile(path, content);
type Attr = { key: string; value: Record<string, unknown> };
const str = (key: string, v: string): Attr => ({ key, value: { stringValue: v } });
const int = (key: string, v: number): Attr => ({ key, value: { intValue: String(v) } });
/** An OTLP/JSON span. */
function span(traceId: string, spanId: string, parent: string | undefined, startMs: number | undefined, attributes: Attr[]): Record<string, unknown> {
  return {
    traceId,
    spanId,
    ...(parent === undefined ? {} : { parentSpanId: parent }),
    name: spanId,
    kind: 1,
    ...(startMs === undefined ? {} : { startTimeUnixNano: String(1_740_000_000_000_000_000n + BigInt(startMs) * 1_000_000n) }),
    attributes,
  };
}
function exportOf(spans: Record<string, unknown>[]): Record<string, unknown> {
  return { resourceSpans: [{ resource: { attributes: [str('service.name', 'svc')] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] };
}
const op = (name: string): Attr => str('gen_ai.operation.name', name);

describe('parseTraceFile + buildTelemetryEvidence: an agent loop', () => {
  const parsed = parseTraceFile(fixture(FIXTURE));

  it('reads every span, GenAI or not', () => {
    expect(parsed.format).toBe('otlp-json');
    expect(parsed.parser.name).toBe('genops/otlp');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.value).toHaveLength(15);
    const firstChat = parsed.value.find((s) => s.spanId === '1a2b3c4d5e6f7081');
    expect(firstChat).toEqual({
      traceId: AGENT_TRACE,
      spanId: '1a2b3c4d5e6f7081',
      parentSpanId: '051581bf3cb55c13',
      name: 'chat gpt-4.1',
      start: 1740910000010000000n,
      operation: 'chat',
      model: 'gpt-4.1-2025-04-14',
      inputTokens: 1200,
      outputTokens: 85,
      contextWindow: 128000,
      cost: 0.00308,
    });
    // The older gen_ai.usage.prompt_tokens / completion_tokens names.
    expect(parsed.value.find((s) => s.model === 'gpt-4.1-mini')).toMatchObject({ inputTokens: 640, outputTokens: 96 });
  });

  it('counts calls, tools, models and tokens without counting the agent span\'s totals twice', () => {
    const t = buildTelemetryEvidence(parsed.value);
    expect(t).toEqual({
      spans: 15,
      llmCalls: 5, // three chat calls of the agent, one embeddings and one chat call of the summariser
      toolCalls: 7,
      models: ['gpt-4.1-2025-04-14', 'gpt-4.1-mini', 'text-embedding-3-small'],
      tokens: { prompt: 6152, completion: 511, total: 6663 },
      cost: expect.closeTo(0.01372, 12),
      // chat, 2 tools, chat, 4 tools, chat: the longest run is 4, in the agent's trace.
      maxConsecutiveToolCalls: 4,
      maxConsecutiveToolCallsTrace: AGENT_TRACE,
      contextWindowUse: 2150 / 128000,
      promptCompletionRatio: 6152 / 511,
    });
  });

  it('JSON Lines from the Collector file exporter read the same; metrics lines are skipped', () => {
    const doc = JSON.parse(fixtureText(FIXTURE)) as { resourceSpans: unknown[] };
    const lines = [...doc.resourceSpans.map((rs) => JSON.stringify({ resourceSpans: [rs] })), JSON.stringify({ resourceMetrics: [] }), ''].join('\n');
    const jsonl = parseTraceFile(text(lines, 'traces/otel.jsonl'));
    expect(jsonl.format).toBe('otlp-jsonl');
    expect(jsonl.warnings).toEqual(['1 metrics or logs exports in the file were ignored']);
    expect(buildTelemetryEvidence(jsonl.value)).toEqual(buildTelemetryEvidence(parsed.value));
  });

  it('the same spans from two files count once', () => {
    expect(buildTelemetryEvidence([...parsed.value, ...parsed.value])).toEqual(buildTelemetryEvidence(parsed.value));
  });
});

describe('buildTelemetryEvidence: loops and conventions', () => {
  it('a nested agent is a loop of its own; spans are ordered by start time, not file order', () => {
    const T = 'a'.repeat(32);
    const spans = [
      span(T, 'root', undefined, 0, [op('invoke_agent')]),
      span(T, 't3', 'root', 30, [op('execute_tool')]),
      span(T, 'c1', 'root', 10, [op('chat')]),
      span(T, 't1', 'root', 20, [op('execute_tool')]),
      span(T, 'sub', 'root', 25, [op('invoke_agent')]),
      span(T, 's1', 'sub', 26, [op('execute_tool')]),
      span(T, 's2', 'sub', 27, [op('execute_tool')]),
      span(T, 's3', 'sub', 28, [op('execute_tool')]),
      span(T, 'sc', 'sub', 29, [op('chat')]),
      span(T, 'http', 't3', 31, []),
      span(T, 't4', 'http', 32, [op('execute_tool')]),
      span(T, 'c2', 'root', 40, [op('chat')]),
      // embeddings do not end a run of tools: no decision was made
      span(T, 'e1', 'root', 33, [op('embeddings')]),
      span(T, 't5', 'root', 34, [op('execute_tool')]),
    ];
    const t = buildTelemetryEvidence(parseTraceFile(text(JSON.stringify(exportOf(spans)))).value);
    // Main loop: c1, t1, t3, t4, t5, c2 -> run of 4 (the sub-agent's own 3 tools do not join it).
    expect(t.maxConsecutiveToolCalls).toBe(4);
    expect(t.toolCalls).toBe(7);
    expect(t.llmCalls).toBe(4);
  });

  it('without an agent span, a trace is the loop; without a start time, file order decides', () => {
    const spans = [
      span('t1', 'a', undefined, undefined, [op('execute_tool')]),
      span('t1', 'b', undefined, undefined, [op('execute_tool')]),
      span('t2', 'c', undefined, 5, [op('execute_tool')]),
      span('t2', 'd', undefined, 1, [op('chat')]),
      span('t2', 'e', undefined, 9, [op('execute_tool')]),
      span('t2', 'f', undefined, 7, [op('execute_tool')]),
    ];
    const t = buildTelemetryEvidence(parseTraceFile(text(JSON.stringify(exportOf(spans)))).value);
    expect(t.maxConsecutiveToolCalls).toBe(3);
    expect(t.maxConsecutiveToolCallsTrace).toBe('t2');
  });

  it('OpenLLMetry llm.request.type; a model span without an operation is a warning, its tokens still count', () => {
    const spans = [
      span('t', 'a', undefined, 1, [str('llm.request.type', 'completion'), str('gen_ai.request.model', 'm1'), int('llm.usage.prompt_tokens', 10), int('llm.usage.completion_tokens', 2)]),
      span('t', 'b', undefined, 2, [str('gen_ai.system', 'openai'), str('gen_ai.request.model', 'old-model'), int('gen_ai.usage.prompt_tokens', 5), int('gen_ai.usage.completion_tokens', 1)]),
    ];
    const parsed = parseTraceFile(text(JSON.stringify(exportOf(spans))));
    expect(parsed.value[0]?.operation).toBe('text_completion');
    expect(parsed.warnings).toEqual(['1 spans name a model but no gen_ai.operation.name: not counted as model calls (their token usage is counted)']);
    const t = buildTelemetryEvidence(parsed.value);
    expect([t.llmCalls, t.models, t.tokens]).toEqual([1, ['m1'], { prompt: 15, completion: 3, total: 18 }]);
    expect(t.cost).toBeNull();
    expect(t.contextWindowUse).toBeNull();
  });

  it('no spans: zeros and nulls, no trace named', () => {
    expect(buildTelemetryEvidence([])).toEqual({
      spans: 0,
      llmCalls: 0,
      toolCalls: 0,
      models: [],
      tokens: { prompt: 0, completion: 0, total: 0 },
      cost: null,
      maxConsecutiveToolCalls: 0,
      contextWindowUse: null,
      promptCompletionRatio: null,
    });
  });

  it('parent cycles in crafted input end', () => {
    const spans: GenAiSpan[] = [
      { traceId: 't', spanId: 'a', parentSpanId: 'b', name: 'a', operation: 'execute_tool', inputTokens: 1 },
      { traceId: 't', spanId: 'b', parentSpanId: 'a', name: 'b', operation: 'execute_tool', outputTokens: 1 },
    ];
    const t = buildTelemetryEvidence(spans);
    expect(t.toolCalls).toBe(2);
  });
});

describe('parseTraceFile: errors and limits', () => {
  it('refuses files without OTLP traces, naming the formats', () => {
    const jaeger = JSON.stringify({ data: [{ traceID: 'x', spans: [{ traceID: 'x', spanID: 'y', operationName: 'op' }] }] });
    try {
      parseTraceFile(text(jaeger, 'traces/jaeger.json'));
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).details.file).toBe('traces/jaeger.json');
      expect((e as ConfigError).details.hint).toMatch(/Jaeger and Zipkin JSON are not read/);
    }
  });

  it('gives the line of a broken JSON Lines entry, and the position of broken JSON', () => {
    const good = JSON.stringify(exportOf([span('t', 's', undefined, 1, [])]));
    try {
      parseTraceFile(text(`${good}\n${good}\n{"resourceSpans": [\n`));
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect((e as ConfigError).details.line).toBe(3);
    }
    try {
      parseTraceFile(text('{\n  "resourceSpans": [\n    {,\n'));
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect((e as ConfigError).details.line).toBe(3);
    }
  });

  it('enforces maxSpans and skips spans without ids', () => {
    const many = exportOf(Array.from({ length: 11 }, (_, i) => span('t', `s${String(i)}`, undefined, i, [])));
    expect(() => parseTraceFile(text(JSON.stringify(many)), { ...DEFAULT_LIMITS, maxSpans: 10 })).toThrow(/more than 10 spans/);
    const parsed = parseTraceFile(text(JSON.stringify(exportOf([{ name: 'no ids' }, span('t', 's', undefined, 1, [])]))));
    expect(parsed.value).toHaveLength(1);
    expect(parsed.warnings).toEqual(['1 spans without a traceId or spanId were skipped']);
  });
});

describe('parseTraceFile: property tests and scale', () => {
  const anyValue = fc.oneof(
    fc.record({ stringValue: fc.oneof(fc.constantFrom('chat', 'execute_tool', 'invoke_agent', 'embeddings', 'CHAT'), fc.string({ maxLength: 8 })) }),
    fc.record({ intValue: fc.oneof(fc.integer().map(String), fc.constantFrom('9007199254740993', '-5', 'x', '1e3')) }),
    fc.record({ doubleValue: fc.oneof(fc.double(), fc.constantFrom('NaN', 'Infinity')) }),
    fc.record({ boolValue: fc.boolean() }),
    fc.record({ arrayValue: fc.record({ values: fc.array(fc.record({ stringValue: fc.string() }), { maxLength: 2 }) }) }),
    fc.string(),
  );
  const keys = fc.constantFrom(
    'gen_ai.operation.name',
    'gen_ai.request.model',
    'gen_ai.response.model',
    'gen_ai.usage.input_tokens',
    'gen_ai.usage.output_tokens',
    'gen_ai.usage.prompt_tokens',
    'gen_ai.tool.name',
    'gen_ai.request.context_window',
    'gen_ai.usage.cost',
    'llm.request.type',
    'http.method',
  );
  const ids = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
  const rawSpan = fc.record(
    {
      traceId: fc.oneof(fc.constantFrom('t1', 't2'), fc.integer()),
      spanId: ids,
      parentSpanId: fc.oneof(ids, fc.constant('')),
      startTimeUnixNano: fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 19n }).map(String), fc.integer(), fc.constant('-1'), fc.string({ maxLength: 3 })),
      attributes: fc.oneof(fc.array(fc.record({ key: keys, value: anyValue }), { maxLength: 6 }), fc.string()),
    },
    { requiredKeys: [] },
  );

  it('random bytes and random JSON: a value or a ConfigError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (bytes) => returnsOrConfigError(() => parseTraceFile(sourceFile('t.json', bytes)))),
      { numRuns: 200, seed: 42 },
    );
    fc.assert(
      fc.property(fc.json(), (json) => returnsOrConfigError(() => parseTraceFile(text(json)))),
      { numRuns: 200, seed: 42 },
    );
  });

  it('random spans: sane evidence', () => {
    fc.assert(
      fc.property(fc.array(rawSpan, { maxLength: 25 }), (spans) => {
        const t = buildTelemetryEvidence(parseTraceFile(text(JSON.stringify(exportOf(spans)))).value);
        expect(t.maxConsecutiveToolCalls).toBeLessThanOrEqual(t.toolCalls);
        expect(t.llmCalls + t.toolCalls).toBeLessThanOrEqual(t.spans);
        for (const n of [t.tokens.prompt, t.tokens.completion, t.tokens.total]) expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
        for (const r of [t.cost, t.contextWindowUse, t.promptCompletionRatio]) if (r !== null) expect(Number.isFinite(r) && r >= 0).toBe(true);
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('mutated fixture: a value or a ConfigError', () => {
    fc.assert(
      fc.property(mutatedFixtureText(FIXTURE), (t) => returnsOrConfigError(() => buildTelemetryEvidence(parseTraceFile(text(t)).value))),
      { numRuns: 200, seed: 42 },
    );
  });

  it('100,000 spans in deep agent loops build completely (a quadratic step would hit the test timeout)', () => {
    const spans: GenAiSpan[] = [];
    for (let trace = 0; trace < 100; trace++) {
      const traceId = `trace${String(trace)}`;
      spans.push({ traceId, spanId: 'agent', name: 'agent', operation: 'invoke_agent', start: 0n });
      let parent = 'agent';
      for (let i = 1; i < 1000; i++) {
        // a chain 1,000 deep: every span is the parent of the next
        const spanId = `s${String(i)}`;
        spans.push({ traceId, spanId, parentSpanId: parent, name: spanId, operation: i % 5 === 0 ? 'chat' : 'execute_tool', start: BigInt(i), inputTokens: 10, outputTokens: 1 });
        parent = spanId;
      }
    }
    const t = buildTelemetryEvidence(spans);
    expect(t.spans).toBe(100_000);
    expect(t.maxConsecutiveToolCalls).toBe(4);
    // Only the deepest span of each chain counts: every other one has a descendant with usage.
    expect(t.tokens).toEqual({ prompt: 1000, completion: 100, total: 1100 });
  });
});
