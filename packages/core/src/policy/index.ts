export * from './model.js';
export { CEL_LIMITS, MAX_COMPREHENSION_DEPTH, MAX_EXPRESSION_CHARS, MAX_PATTERN_CHARS, compileExpression, type CompiledExpression, type ExpressionProblem } from './cel.js';
export * from './load.js';
export * from './evaluate.js';
export * from './tests.js';
