/**
 * `genops policy test [DIR]` (run PolicyTest cases, kyverno-test / conftest-verify style) and
 * `genops policy lint [DIR]` (load every policy document; list every problem).
 * Exit codes: 0 all good; 1 a test case failed; 2 a file is missing or invalid.
 */
import { readdir, readFile } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from '../cli.js';
import {
  checkPolicyDocuments,
  ConfigError,
  formatPolicyProblem,
  GenopsError,
  runPolicyTests,
  sourceFileOf,
  type SourceFile,
  type VerificationErrorCode,
} from '@genops/core';

const YAML_FILE = /\.ya?ml$/i;
const TEST_FILE = /\.test\.ya?ml$/i;
const POLICY_TEST_KIND = /^kind:\s*["']?PolicyTest["']?\s*$/m;
/** Largest policy, test, evidence or risk file read. */
const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Some test cases failed: a rejection (exit 1), not a configuration problem. */
class PolicyTestsFailed extends GenopsError {
  readonly kind = 'verification' as const;
  constructor(message: string) {
    // No closed-union code fits "a policy test failed"; SCHEMA_INVALID is the nearest rejection.
    super('SCHEMA_INVALID' satisfies VerificationErrorCode, message, { hint: 'Fix the policy or the expectation of each FAIL case above.' });
    this.name = 'PolicyTestsFailed';
  }
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

async function yamlFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (e) {
    throw new ConfigError('FILE_NOT_FOUND', `cannot read the directory ${dir}`, { input: '[DIR]', file: dir, cause: e, hint: 'Pass the directory that holds the policy YAML files.' });
  }
  return entries
    .filter((e) => e.isFile() && YAML_FILE.test(e.name))
    .map((e) => toPosix(relative(process.cwd(), join(e.parentPath, e.name))))
    .sort();
}

function readSource(path: string): SourceFile {
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) throw new ConfigError('FILE_INVALID', `${path} is ${String(size)} bytes`, { file: path, expected: `at most ${String(MAX_FILE_BYTES)} bytes` });
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError('FILE_NOT_FOUND', `cannot read ${path}`, { file: path, cause: e });
  }
  return sourceFileOf(path, bytes);
}

async function isTestFile(path: string): Promise<boolean> {
  if (TEST_FILE.test(path)) return true;
  return POLICY_TEST_KIND.test(await readFile(path, 'utf8').catch(() => ''));
}

export function registerPolicy(program: Command, io: CliIO): void {
  const policy = program.command('policy').description('Check and test policy packs (PolicySet, PolicyException, PolicyTest YAML).');

  policy
    .command('test')
    .description('Run the PolicyTest cases (*.test.yaml, or documents of kind PolicyTest) under DIR.')
    .argument('[dir]', 'directory to search', 'policies')
    .action(async (dir: string) => {
      const files = await yamlFiles(dir);
      const tests: SourceFile[] = [];
      for (const f of files) if (await isTestFile(f)) tests.push(readSource(f));
      if (tests.length === 0) throw new ConfigError('FILE_NOT_FOUND', `no policy tests under ${dir}`, { input: '[DIR]', file: dir, expected: '*.test.yaml files with kind: PolicyTest' });
      const { cases } = runPolicyTests(tests, readSource);
      let failed = 0;
      for (const c of cases) {
        if (c.passed) io.out(`PASS ${c.name}`);
        else {
          failed++;
          io.out(`FAIL ${c.name}: ${c.message}`);
          io.out(`     in ${c.file}`);
        }
      }
      io.out(`${String(cases.length - failed)} passed, ${String(failed)} failed`);
      if (failed > 0) throw new PolicyTestsFailed(`${String(failed)} of ${String(cases.length)} policy test case(s) failed`);
    });

  policy
    .command('lint')
    .description('Load every policy document under DIR (schema, CEL checks, duplicate ids) and list every problem.')
    .argument('[dir]', 'directory to search', 'policies')
    .action(async (dir: string) => {
      const files = (await yamlFiles(dir)).map(readSource);
      if (files.length === 0) throw new ConfigError('FILE_NOT_FOUND', `no YAML files under ${dir}`, { input: '[DIR]', file: dir });
      const { bundle, problems } = checkPolicyDocuments(files);
      for (const p of problems) io.out(formatPolicyProblem(p));
      if (problems.length > 0) {
        throw new ConfigError('FILE_INVALID', `${String(problems.length)} problem(s) in ${String(new Set(problems.map((p) => p.file)).size)} policy file(s) under ${dir}`, {
          file: dir,
          hint: 'Fix each problem listed above (file:line:column).',
          docUrl: 'docs/policies.md',
        });
      }
      const rules = bundle.sets.reduce((n, s) => n + s.rules.length, 0);
      io.out(`ok: ${String(files.length)} file(s), ${String(bundle.sets.length)} policy set(s), ${String(rules)} rule(s), ${String(bundle.exceptions.length)} exception(s), ${String(bundle.tests.length)} test document(s)`);
      io.out(`bundle sha256:${bundle.digest}`);
    });
}
