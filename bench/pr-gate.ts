/**
 * The all-in-one root action (actions/pr-gate/dist/index.js, what `uses: <repo>@v1` runs) on the
 * fixture pull request octo-org/payments-api#128: collect evidence from the fixture files and the
 * (fake, loopback) GitHub API, score, evaluate the default packs, sign three artifacts, publish the
 * check run and the sticky comment. Total wall time per run as a child process, median of
 * BENCH_GATE_RUNS (default 7), against `node -e 0` in the same run: the ratio is what the whole
 * gate costs over starting Node. Figures are printed, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { FIXTURE_PULL, fixtureRepoSeed, githubFixtureJson, runActionProcess, startFakeGitHub, testKey } from '@genops/testkit';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'actions', 'pr-gate', 'dist', 'index.js');
const RUNS = Number(process.env.BENCH_GATE_RUNS ?? 7);
const node = process.env.GENOPS_NODE24 ?? process.execPath;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

if (!existsSync(entry)) {
  console.log('pr-gate: actions/pr-gate/dist/index.js missing; run pnpm build first');
  process.exit(0);
}

const ws = await mkdtemp(join(tmpdir(), 'genops-bench-gate-'));
await cp(join(root, 'fixtures', 'evidence'), join(ws, 'reports'), { recursive: true });
const gh = await startFakeGitHub({ seed: { repos: { [FIXTURE_PULL.fullName]: fixtureRepoSeed() } } });
const kp = testKey();
const pull = githubFixtureJson('pull.json') as { number: number; base: { repo: unknown }; user: unknown };
try {
  const gate: number[] = [];
  const empty: number[] = [];
  let decision = '';
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    spawnSync(node, ['-e', '0']);
    empty.push(performance.now() - t);
    t = performance.now();
    const r = await runActionProcess({
      entry,
      node,
      inputs: {
        'github-token': 'ghs_fake',
        'signing-key': kp.privateKeyPem,
        sbom: 'reports/sbom/orders-api.head.cdx.json',
        vulnerabilities: 'reports/vulns/grype.json\nreports/vulns/*.sarif',
        junit: 'reports/tests/*.xml',
        coverage: 'reports/coverage/lcov.info',
        metadata: 'reports/metadata/genops.yaml',
        policies: 'default',
        'output-dir': `run-${String(i)}`,
      },
      eventName: 'pull_request',
      eventPayload: { action: 'synchronize', number: pull.number, pull_request: pull, repository: pull.base.repo, sender: pull.user },
      cwd: ws,
      github: gh,
      repository: FIXTURE_PULL.fullName,
      ref: `refs/pull/${String(FIXTURE_PULL.number)}/merge`,
      sha: '1111111111111111111111111111111111111111',
      timeoutMs: 120_000,
    });
    gate.push(performance.now() - t);
    decision = r.outputs.decision ?? `none (exit ${String(r.exitCode)}: ${r.stderr.slice(0, 200)})`;
  }
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  console.log(
    `pr-gate (all-in-one action, ${node === process.execPath ? `node ${process.version}` : 'GENOPS_NODE24'}): ${fmt(median(gate))} median (min ${fmt(Math.min(...gate))}) vs node -e 0 ${fmt(median(empty))}; ratio ${(median(gate) / median(empty)).toFixed(1)}x, ${String(RUNS)} runs; decision ${decision}; fake GitHub on loopback served ${String(gh.requests.length)} requests`,
  );
} finally {
  await gh.close();
  await rm(ws, { recursive: true, force: true });
}
