/**
 * Benchmarks (not tests): figures are printed, never asserted. Run with `pnpm bench`.
 *
 *  1. key-mode signing and verification of 1,000 artifacts, against a baseline of the bare
 *     ECDSA P-256 sign/verify of the same payloads in the same process (the ratio is what
 *     genops adds: canonical JSON, schema validation, DSSE/bundle encoding, all the checks);
 *  2. cold start of the bundled verify action (a real verification, as a child process)
 *     against `node -e 0` in the same run;
 *  3. evidence parsing (bench/evidence.ts, in its own process so its peak memory is its own);
 *  4. risk scoring of a 10,000-file change (bench/risk.ts, own process);
 *  5. policy evaluation: default packs + 50 synthetic rules over 5,000 components (bench/policy.ts);
 *  6. the all-in-one root action on the fixture pull request, against `node -e 0` (bench/pr-gate.ts);
 *  7. audit ledger verify and append (bench/audit.ts); 8. the canary test and its comparators
 *     on simulated traffic (bench/canary.ts; BENCH_CANARY_ROLLOUTS / BENCH_CANARY_AB_ROLLOUTS set
 *     the rollouts per cell; the full run takes minutes).
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey, sign as ecSign, verify as ecVerify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  buildHeader,
  buildStatement,
  canonicalJson,
  generateSigningKeyPair,
  keySigner,
  loadPrivateKey,
  loadPublicKey,
  PredicateTypes,
  signStatement,
  verifyArtifactBytes,
  type RunIdentity,
} from '@genops/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_N ?? 1000);
const SHA = '0b9d5e4c3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';
const run: RunIdentity = { repository: 'acme/payments', runId: '1', runAttempt: 1, workflowRef: 'acme/payments/.github/workflows/g.yml@refs/heads/main', event: 'push', ref: 'refs/heads/main', sha: SHA };
const now = new Date();

function statement(i: number) {
  return buildStatement({ repository: 'acme/payments', gitCommit: SHA }, PredicateTypes.inventory, {
    header: buildHeader({ component: 'evidence-collect', toolVersion: '0.1.0', run, now, ttlSeconds: 3600 }),
    files: Array.from({ length: 8 }, (_, j) => ({ path: `evidence/file-${i}-${j}.json`, sha256: (i * 8 + j).toString(16).padStart(64, '0'), size: 1000 + j })),
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function signVerify(): Promise<void> {
  const kp = generateSigningKeyPair();
  const priv = loadPrivateKey(kp.privateKeyPem, 'bench');
  const pub = loadPublicKey(kp.publicKeyPem, 'bench');
  const signer = keySigner(priv, pub);
  const statements = Array.from({ length: N }, (_, i) => statement(i));
  const payloads = statements.map((s) => Buffer.from(canonicalJson(s)));

  // Warm up both paths so JIT and lazy module loading are not measured.
  for (const s of statements.slice(0, 20)) await signStatement(s, signer);

  let t = performance.now();
  const sigs = payloads.map((p) => ecSign('sha256', p, priv));
  const baseSign = performance.now() - t;
  t = performance.now();
  const bundles: Buffer[] = [];
  for (const s of statements) bundles.push(Buffer.from(JSON.stringify((await signStatement(s, signer)).bundle)));
  const genopsSign = performance.now() - t;

  const pubKey = createPublicKey(kp.publicKeyPem);
  t = performance.now();
  let ok = 0;
  payloads.forEach((p, i) => {
    const sig = sigs[i];
    if (sig !== undefined && ecVerify('sha256', p, pubKey, sig)) ok++;
  });
  const baseVerify = performance.now() - t;
  if (ok !== N) throw new Error('baseline verification failed');
  const policy = { trust: { mode: 'key' as const, keys: [pub] }, predicateType: PredicateTypes.inventory, subject: { gitCommit: SHA }, now };
  for (const b of bundles.slice(0, 20)) verifyArtifactBytes(b, 'warm', policy);
  t = performance.now();
  bundles.forEach((b, i) => verifyArtifactBytes(b, `b${i}`, policy));
  const genopsVerify = performance.now() - t;

  console.log(`sign   ${N} artifacts: ${fmt(genopsSign)} (${Math.round((N / genopsSign) * 1000)}/s); bare ECDSA sign ${fmt(baseSign)}; ratio ${(genopsSign / baseSign).toFixed(1)}x`);
  console.log(`verify ${N} artifacts: ${fmt(genopsVerify)} (${Math.round((N / genopsVerify) * 1000)}/s); bare ECDSA verify ${fmt(baseVerify)}; ratio ${(genopsVerify / baseVerify).toFixed(1)}x`);
  console.log(`         (genops verify = size, JSON, bundle, payload type, DSSE signature, canonical form, statement + predicate schemas, type, subject, validity)`);
}

async function coldStart(): Promise<void> {
  const entry = process.env.BENCH_ENTRY ?? join(root, 'actions', 'verify', 'dist', 'index.js');
  if (!existsSync(entry)) {
    console.log('cold start: actions/verify/dist/index.js missing; run pnpm build first');
    return;
  }
  const nodes: [string, string][] = [['node ' + process.version, process.execPath]];
  if (process.env.GENOPS_NODE24 !== undefined) nodes.push(['node 24 (GENOPS_NODE24)', process.env.GENOPS_NODE24]);
  const dir = mkdtempSync(join(tmpdir(), 'genops-bench-'));
  try {
    const kp = generateSigningKeyPair();
    const signer = keySigner(loadPrivateKey(kp.privateKeyPem, 'b'), loadPublicKey(kp.publicKeyPem, 'b'));
    {
      const signed = await signStatement(statement(0), signer);
      writeFileSync(join(dir, 'a.json'), JSON.stringify(signed.bundle));
      const event = join(dir, 'event.json');
      writeFileSync(event, readFileSync(join(root, 'fixtures', 'demo', 'event.json')));
      const out = join(dir, 'out');
      writeFileSync(out, '');
      // A clean runner-like environment; NODE_EXTRA_CA_CERTS is left out (it costs ~0.1 s per start on Node 20).
      const env = {
        PATH: process.env.PATH ?? '',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_EVENT_PATH: event,
        GITHUB_REPOSITORY: 'acme/payments',
        GITHUB_SHA: SHA,
        GITHUB_REF: 'refs/heads/main',
        GITHUB_RUN_ID: '1',
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_WORKFLOW_REF: 'acme/payments/.github/workflows/g.yml@refs/heads/main',
        GITHUB_ACTOR: 'bench',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_API_URL: 'https://api.github.com',
        GITHUB_WORKSPACE: dir,
        GITHUB_OUTPUT: out,
        RUNNER_TEMP: dir,
        INPUT_ARTIFACTS: 'a.json',
        'INPUT_ARTIFACT-DIGEST': `sha256:${signed.digest}`,
        'INPUT_PREDICATE-TYPE': 'inventory',
        'INPUT_PUBLIC-KEYS': kp.publicKeyPem,
      };
      const runs = Number(process.env.BENCH_COLD_RUNS ?? 9);
      for (const [label, bin] of nodes) {
        const time = (args: string[]) => {
          const t0 = performance.now();
          const r = spawnSync(bin, args, { env, cwd: dir, encoding: 'utf8' });
          const ms = performance.now() - t0;
          if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${String(r.status)}: ${r.stdout}${r.stderr}`);
          return ms;
        };
        time(['-e', '0']);
        time([entry]);
        const empty: number[] = [];
        const action: number[] = [];
        for (let i = 0; i < runs; i++) {
          empty.push(time(['-e', '0']));
          action.push(time([entry]));
        }
        console.log(`cold start, ${label}: verify action ${fmt(median(action))} median (min ${fmt(Math.min(...action))}) vs node -e 0 ${fmt(median(empty))}; ratio ${(median(action) / median(empty)).toFixed(1)}x, ${runs} runs each, a real verification included`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`genops bench (${process.platform} ${process.arch}, ${process.version}, N=${N})`);
await signVerify();
await coldStart();
// Each in its own process, so its peak memory and JIT state are its own.
for (const file of ['evidence.ts', 'risk.ts', 'policy.ts', 'pr-gate.ts', 'audit.ts', 'canary.ts']) {
  const r = spawnSync(join(root, 'bench', 'node_modules', '.bin', 'tsx'), [join(root, 'bench', file)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`bench/${file} exited ${String(r.status)}`);
}
