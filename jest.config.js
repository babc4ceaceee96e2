// Jest transforms the TypeScript sources directly (no emit step): see docs/development.md.
// A few dependencies of @sigstore/sign are ESM-only and reached through require(); on Node 20
// Jest cannot require(esm), so those are transformed to CommonJS.
const esm = '(agent-base|http-proxy-agent|https-proxy-agent|socks-proxy-agent|proxy-agent-negotiate)';

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/actions', '<rootDir>/bench'],
  testMatch: ['**/test/**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' } }],
    [`/node_modules/\\.pnpm/${esm}@[^/]+/.+\\.js$`]: ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(\\.pnpm/)?${esm}[@/])`],
  testTimeout: 30000,
};
