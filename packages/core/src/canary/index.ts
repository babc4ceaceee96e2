/**
 * canary-promote: the statistical core (e-processes, guards, the stage walker), its configuration,
 * the trace and its renderers, and simulated traffic. Providers and traffic control live beside these
 * files and are exported by the package barrel separately.
 */
export * from './model.js';
export * from './eprocess.js';
export * from './guards.js';
export * from './config.js';
export * from './trace.js';
export * from './engine.js';
export * from './simulate.js';
export * from './prometheus.js';
export * from './file-provider.js';
export * from './http-fetch.js';
export * from './http-provider.js';
export * from './traffic.js';
export * from './predicate.js';
