export * from './model.js';
export * from './source.js';
export * from './collect.js';
export * from './predicate.js';
