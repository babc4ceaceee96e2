export * from './runtime.js';
export * from './run.js';
export * from './inputs.js';
export * from './signing.js';
export * from './verification.js';
export * from './deps.js';
export * from './run-identity.js';
export * from './verify-step.js';
