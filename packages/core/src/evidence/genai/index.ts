/** GenAI evidence: promptfoo evaluations and OpenTelemetry GenAI traces. */
export { mergeEval, parseEvalFile } from './promptfoo.js';
export { buildTelemetryEvidence, parseTraceFile, type GenAiSpan } from './otlp.js';
