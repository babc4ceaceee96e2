// Test helpers shared by every package's tests. Never imported by runtime code.
export * from './sigstore.js';
export * from './fake-github/index.js';
export * from './fake-runner.js';
export * from './codes.js';
export * from './fake-artifact-service.js';
export * from './artifacts.js';
export * from './evidence-synthetic.js';
export * from './evidence-synthetic-sarif.js';
export * from './evidence-github.js';
export * from './prometheus.js';
export * from './canary-scenarios.js';
export * from './decision.js';
