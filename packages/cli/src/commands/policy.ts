/**
 * `genops policy test [DIR]` (run PolicyTest cases, kyverno-test / conftest-verify style) and
 * `genops policy lint [DIR]` (load every policy document; list every problem).
 * Exit codes: 0 all good; 1 a test case failed; 2 a file is missing or invalid.
 */
import { createPublicKey } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from '../cli.js';
import {
  buildDecisionStatement,
  changeAuthor,
  checkPolicyDocuments,
  ConfigError,
  decisionText,
  createGitHubClient,
  defaultPackSpec,
  isPolicyTestFile,
  POLICY_YAML_FILE,
  memoryLogger,
  repoPolicyReader,
  type GitHubClient,
  evaluateGate,
  formatPolicyProblem,
  GateBlocked,
  gateArtifacts,
  gateEnvironment,
  GENOPS_VERSION,
  BlockedError,
  keySigner,
  loadPolicyDocuments,
  loadPrivateKey,
  loadPublicKey,
  nodeFileSystem,
  PredicateTypes,
  runPolicyTests,
  signStatement,
  sourceFileOf,
  verifyArtifactBytes,
  writeArtifact,
  type DecisionBody,
  type SourceFile,
} from '@genops/core';
import { collectList, readBundleFile, readInputText } from './files.js';
import { parseNow } from './verify.js';

/** Largest policy, test, evidence or risk file read. */
const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Some test cases failed: a rejection (exit 1), not a configuration problem. */
class PolicyTestsFailed extends BlockedError {
  constructor(message: string) {
    super('POLICY_TEST_FAILED', message, { hint: 'Fix the policy or the expectation of each FAIL case above.' });
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
    .filter((e) => e.isFile() && POLICY_YAML_FILE.test(e.name))
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
  return isPolicyTestFile(path, await readFile(path, 'utf8').catch(() => ''));
}

/**
 * A client for `github:` policy specs: the token from GITHUB_TOKEN (or GH_TOKEN), the API root
 * from GITHUB_API_URL (GitHub Enterprise), as the gh CLI and the actions read them.
 */
function policyRepoClient(env: Readonly<Record<string, string | undefined>>): GitHubClient {
  const token = env.GITHUB_TOKEN ?? env.GH_TOKEN ?? '';
  if (token === '') {
    throw new ConfigError('INPUT_MISSING', '--policies github:…: no GitHub token', {
      input: '--policies',
      expected: 'a token with contents: read on the policy repository in GITHUB_TOKEN or GH_TOKEN',
      hint: 'export GITHUB_TOKEN=$(gh auth token), or check the policy repository out and pass its folder.',
    });
  }
  return createGitHubClient({ token, baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com', logger: memoryLogger() });
}

/**
 * `default`, `default:<pack>`, a directory (its YAML files, tests excluded), a YAML file, or
 * another repository at one commit (`github:OWNER/REPO[/PATH][@REF]`, as the actions read it).
 */
async function policySources(specs: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  const readRemote = repoPolicyReader(() => policyRepoClient(env), '--policies');
  for (const spec of specs) {
    const packs = defaultPackSpec(spec, '--policies');
    const remote = packs === undefined ? await readRemote(spec) : undefined;
    if (packs !== undefined) files.push(...packs);
    else if (remote !== undefined) files.push(...remote);
    else if (await stat(spec).then((st) => st.isDirectory(), () => false)) {
      for (const f of await yamlFiles(spec)) if (!(await isTestFile(f))) files.push(readSource(f));
    } else files.push(readSource(spec));
  }
  return files;
}

interface EvaluateOptions {
  evidence: string;
  risk?: string;
  policies?: string[];
  key: string;
  out: string;
  trustKey?: string[];
  gate: string;
  environment?: string;
  approvalEnvironment: string;
  now?: string;
  json?: boolean;
}

export async function policyEvaluate(opts: EvaluateOptions, io: CliIO): Promise<DecisionBody> {
  const now = parseNow(opts.now);
  const priv = loadPrivateKey(await readInputText(opts.key, '--key'), opts.key);
  const pub = createPublicKey(priv);
  const keys = opts.trustKey === undefined ? [pub] : await Promise.all(opts.trustKey.map(async (p) => loadPublicKey(await readInputText(p, '--trust-key'), p)));
  const verified = [];
  for (const [flag, path, type] of [['--evidence', opts.evidence, PredicateTypes.evidence], ['--risk', opts.risk, PredicateTypes.risk]] as const) {
    if (path === undefined) continue;
    verified.push(verifyArtifactBytes(await readBundleFile(path, flag), path, { trust: { mode: 'key', keys }, predicateType: type, now }));
  }
  const inputs = gateArtifacts(verified, '--evidence');
  const bundle = loadPolicyDocuments(await policySources(opts.policies ?? ['default']));
  const sha = inputs.evidenceArtifact.statement.subject.find((s) => s.digest.gitCommit !== undefined)?.digest.gitCommit ?? inputs.run.sha;
  const pr = inputs.evidence.change?.pullRequest?.number;
  const { body } = evaluateGate({
    bundle,
    evidence: inputs.evidence,
    risk: inputs.risk,
    key: opts.gate,
    environment: gateEnvironment(opts.environment ?? '', inputs.evidence),
    approvalEnvironment: opts.approvalEnvironment,
    change: { repository: inputs.run.repository, sha, author: changeAuthor(inputs.evidence, inputs.run), ...(pr === undefined ? {} : { pullRequest: pr }), evaluatedAt: now.toISOString() },
  });
  const statement = buildDecisionStatement(
    { repository: inputs.run.repository, gitCommit: sha },
    { toolVersion: GENOPS_VERSION, run: { ...inputs.run }, now, ttlSeconds: 7 * 24 * 3600 },
    { evidence: { name: opts.evidence, digest: inputs.evidenceArtifact.digest }, ...(inputs.riskArtifact === undefined ? {} : { risk: { name: opts.risk ?? '', digest: inputs.riskArtifact.digest } }) },
    body,
  );
  const out = await writeArtifact(nodeFileSystem(), resolve(opts.out), await signStatement(statement, keySigner(priv, pub)));
  if (opts.json === true) io.out(JSON.stringify(body, null, 2));
  else for (const l of decisionText(body)) io.out(l);
  const signedLine = `signed ${opts.out} ${out['artifact-digest']}`;
  if (opts.json === true) io.err(signedLine);
  else io.out(signedLine);
  return body;
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
    .command('evaluate')
    .description('Verify the evidence (and risk) bundles, evaluate the policies, sign the decision. Exit 1 on deny.')
    .requiredOption('--evidence <bundle>', 'the signed evidence (genops evidence collect / evidence-collect)')
    .option('--risk <bundle>', 'the signed risk artifact computed from that evidence (genops risk score / risk-score)')
    .option('--policies <dir|file|default[:pack]|github:OWNER/REPO[/PATH][@REF]>', 'policy documents (repeatable): default packs, a directory, a YAML file or a policy repository (token in GITHUB_TOKEN)', collectList)
    .requiredOption('--key <private.pem>', 'PEM ECDSA P-256 private key to sign the decision with')
    .requiredOption('--out <file>', 'where to write the signed decision bundle')
    .option('--trust-key <pub.pem>', 'trusted key of the evidence and risk (repeatable); default: the public half of --key', collectList)
    .option('--gate <key>', 'gate key (one sticky comment and check run per key)', 'pr')
    .option('--environment <name>', 'environment the decision is for (default: the service metadata, else production)')
    .option('--approval-environment <name>', 'protected environment to route to on require-approval', 'production-approval')
    .option('--now <iso8601>', 'evaluate as of this time (deploy windows) and sign with it')
    .option('--json', 'print the decision body as JSON')
    .action(async (opts: EvaluateOptions) => {
      const body = await policyEvaluate(opts, io);
      if (body.decision === 'deny') throw new GateBlocked(`the policies deny this change (${String(body.counts.violated + body.counts.error)} blocking result(s))`, 'Each violated rule above says what to change; a PolicyException or break-glass covers the exceptional case.');
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
