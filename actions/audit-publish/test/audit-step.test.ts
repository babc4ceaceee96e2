/**
 * The audit-publish step in-process against the OpenAPI-validated fake GitHub (real git objects,
 * compare-and-swap refs): a fixture run's evidence, risk and decision land on the genops-audit
 * branch as three entries under one signed checkpoint; a second run appends after them; a
 * tampered bundle blocks with nothing appended; two runs racing lose no entry; a token without
 * contents: write is told so; the local store and decision attestations (injected attest).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { FIXTURE_PULL, fixturePullRunContext, fixturePullSeed, fixtureRepoSeed, startFakeGitHub, testKey, type FakeGitHub } from '@genops/testkit';
import {
  AUDIT_STEP_INPUTS,
  AUDIT_STEP_OUTPUTS,
  auditStep,
  buildDecisionStatement,
  buildEvidenceStatement,
  buildRiskStatement,
  changeAuthor,
  createGitHubClient,
  DEFAULT_RISK_CONFIG,
  defaultPackSpec,
  evaluateGate,
  fixedClock,
  gitLedgerStore,
  loadPolicyDocuments,
  localLedgerStore,
  memoryLogger,
  memoryRuntime,
  nodeFileSystem,
  runAction,
  runIdentityOf,
  scoreRisk,
  signStatement,
  verifyLedger,
  writeArtifact,
  type ActionsAttestOptions,
  type AuditDeps,
  type Evidence,
  type LedgerEntry,
  type RunContext,
} from '@genops/core';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..', '..');
const changes = join(root, 'fixtures', 'risk', 'changes');
const FRIDAY = new Date('2026-03-13T16:30:00Z');
const WEDNESDAY = new Date('2026-03-11T09:00:00Z');
const kp = testKey();
const [OWNER, REPO] = FIXTURE_PULL.fullName.split('/') as [string, string];
const HEAD = FIXTURE_PULL.head;
const tick = () => new Promise<void>((r) => setImmediate(r));

let ws: string;
let gh: FakeGitHub | undefined;

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'genops-audit-publish-'));
});
afterAll(() => rm(ws, { recursive: true, force: true }));
afterEach(async () => {
  if (gh !== undefined) {
    expect(gh.rejected).toEqual([]);
    expect(gh.problems).toEqual([]);
    await gh.close();
    gh = undefined;
  }
});

async function startGitHub(): Promise<FakeGitHub> {
  gh = await startFakeGitHub({ seed: { repos: { [FIXTURE_PULL.fullName]: fixtureRepoSeed({ pulls: [fixturePullSeed()] }) } } });
  return gh;
}

/** A run's evidence, risk and decision (default packs over a fixture change), signed as the upstream jobs do. */
async function fixtureRun(ctx: RunContext, change: string, now: Date, tag = '') {
  const evidence = JSON.parse(await readFile(join(changes, `${change}.evidence.json`), 'utf8')) as Evidence;
  const subject = { repository: ctx.repository.fullName, gitCommit: HEAD };
  const header = { toolVersion: '0.1.0', run: runIdentityOf(ctx), now: new Date(now.getTime() - 120_000), ttlSeconds: 3600 };
  const fs = nodeFileSystem(ws);
  const name = `${change}-${String(now.getTime())}${tag}`;
  const ev = await writeArtifact(fs, `${name}.evidence.json`, await signStatement(buildEvidenceStatement(subject, header, evidence), kp.signer));
  const assessment = scoreRisk({ evidence, config: DEFAULT_RISK_CONFIG, now, incidents: [] });
  const risk = await writeArtifact(fs, `${name}.risk.json`, await signStatement(buildRiskStatement(subject, header, { name: ev['artifact-path'], digest: ev['artifact-digest'].slice(7) }, assessment), kp.signer));
  const { body } = evaluateGate({
    bundle: loadPolicyDocuments(defaultPackSpec('default:genops-baseline', 'policies') ?? []),
    evidence,
    risk: assessment,
    key: 'pr',
    environment: 'production',
    change: { repository: ctx.repository.fullName, sha: HEAD, author: changeAuthor(evidence, header.run), pullRequest: 128, evaluatedAt: now.toISOString() },
  });
  const statement = buildDecisionStatement(subject, { ...header, now }, { evidence: { name: ev['artifact-path'], digest: ev['artifact-digest'].slice(7) }, risk: { name: risk['artifact-path'], digest: risk['artifact-digest'].slice(7) } }, body);
  const decision = await writeArtifact(fs, `${name}.decision.json`, await signStatement(statement, kp.signer));
  return { ev, risk, decision, body };
}

type Run = Awaited<ReturnType<typeof fixtureRun>>;

function deps(ctx: RunContext, now: Date, extra: Partial<AuditDeps> = {}): AuditDeps {
  return {
    context: ctx,
    fs: nodeFileSystem(ws),
    clock: fixedClock(now),
    tempDir: join(ws, 'tmp'),
    workspace: ws,
    sleep: tick,
    github: (token) => createGitHubClient({ token, baseUrl: gh!.url, logger: memoryLogger(), retryAfterBaseValue: 1, throttle: { spaceRequests: false } }),
    ...extra,
  };
}

async function publish(ctx: RunContext, now: Date, run: Run, inputs: Record<string, string> = {}, extra: Partial<AuditDeps> = {}) {
  const rt = memoryRuntime({
    // The decision first: the ledger still records them in the order the run made them.
    artifacts: [run.decision, run.ev, run.risk].map((a) => a['artifact-path']).join('\n'),
    'artifact-digest': [run.ev, run.risk, run.decision].map((a) => a['artifact-digest']).join('\n'),
    'public-keys': kp.publicKeyPem,
    'signing-key': kp.privateKeyPem,
    'github-token': 'ghs_fake',
    ...inputs,
  });
  const ok = await runAction(rt, 'audit-publish', async () => {
    await auditStep(rt, deps(ctx, now, extra));
  });
  return { rt, ok };
}

function reader() {
  const client = createGitHubClient({ token: 'ghs_fake', baseUrl: gh!.url, logger: memoryLogger(), retryAfterBaseValue: 1, throttle: { spaceRequests: false } });
  return gitLedgerStore(client, { owner: OWNER, repo: REPO });
}

async function verifyBranch(): Promise<{ ok: boolean; size: number; problems: unknown[]; entries: LedgerEntry[] }> {
  const store = reader();
  const head = await store.readHead();
  const entries: LedgerEntry[] = [];
  const report = await verifyLedger(store.lines(), {
    checkpointTrust: { mode: 'key', keys: [kp.publicKey] },
    checkpointLines: store.checkpointLines(),
    ...(head?.checkpoint === undefined ? {} : { latestCheckpoint: head.checkpoint }),
    artifactTrust: { mode: 'key', keys: [kp.publicKey] },
    onEntry: (e) => entries.push(e),
  });
  return { ok: report.ok, size: report.size, problems: report.problems, entries };
}

describe('audit-publish action', () => {
  it('declares exactly the inputs and outputs the step reads and writes', async () => {
    const yml = load(await readFile(join(here, '..', 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown>; runs: unknown };
    expect(Object.keys(yml.inputs).sort()).toEqual([...AUDIT_STEP_INPUTS].sort());
    expect(Object.keys(yml.outputs).sort()).toEqual([...AUDIT_STEP_OUTPUTS].sort());
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('appends a run\'s evidence, risk and decision to the genops-audit branch; a second run appends after them', async () => {
    await startGitHub();
    const ctx = fixturePullRunContext(gh!);
    const first = await fixtureRun(ctx, 'friday-migration', FRIDAY);
    expect(first.body.decision).toBe('deny');
    const a = await publish(ctx, FRIDAY, first);
    expect(a.rt.failed).toBeUndefined();
    expect(a.rt.outputs).toMatchObject({ entries: '3', 'first-seq': '0', 'last-seq': '2', 'checkpoint-size': '3', 'ledger-ref': 'refs/heads/genops-audit', 'ledger-path': 'ledger', attestations: '' });
    expect(a.rt.outputs['checkpoint-root']).toMatch(/^[0-9a-f]{64}$/);
    expect(a.rt.summary).toContain('| 0 | evidence |');
    expect(a.rt.summary).toContain('| 2 | decision |');
    expect(a.rt.summary).toContain('| deny | pr |');
    expect(a.rt.summary).toContain(a.rt.outputs['checkpoint-root']);

    const repo = gh!.state.findRepo(OWNER, REPO)!;
    expect(repo.git.refs.has('refs/heads/genops-audit')).toBe(true);
    let v = await verifyBranch();
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.entries.map((e) => [e.seq, e.artifact.kind, e.artifact.digest])).toEqual([
      [0, 'evidence', first.ev['artifact-digest'].slice(7)],
      [1, 'risk', first.risk['artifact-digest'].slice(7)],
      [2, 'decision', first.decision['artifact-digest'].slice(7)],
    ]);
    expect(v.entries[2]!.decision).toMatchObject({ decision: 'deny', key: 'pr' });
    expect(v.entries[0]!.origin).toBe(`github.com/${FIXTURE_PULL.fullName}/genops-audit`);

    const second = await fixtureRun(ctx, 'docs-only', WEDNESDAY);
    const b = await publish(ctx, WEDNESDAY, second, { approver: 'ops-lead', ticket: 'CHG-7' });
    expect(b.rt.failed).toBeUndefined();
    expect(b.rt.outputs).toMatchObject({ entries: '3', 'first-seq': '3', 'last-seq': '5', 'checkpoint-size': '6' });
    v = await verifyBranch();
    expect(v.ok).toBe(true);
    expect(v.size).toBe(6);
    expect(v.entries[5]).toMatchObject({ approver: 'ops-lead', ticket: 'CHG-7', decision: { decision: second.body.decision } });
    expect(v.entries[3]!.prevHash).toBe(v.entries[2]!.entryHash);
  });

  it('a re-run of the same job records nothing again: each artifact is found in the ledger through its index and entry', async () => {
    await startGitHub();
    const ctx = fixturePullRunContext(gh!);
    const run = await fixtureRun(ctx, 'friday-migration', FRIDAY);
    const a = await publish(ctx, FRIDAY, run);
    expect(a.rt.outputs).toMatchObject({ entries: '3', 'checkpoint-size': '3' });
    const again = await publish(ctx, FRIDAY, run);
    expect(again.rt.failed).toBeUndefined();
    expect(again.rt.outputs).toMatchObject({ entries: '0', 'first-seq': '', 'last-seq': '', 'checkpoint-size': '3', 'checkpoint-root': a.rt.outputs['checkpoint-root'] });
    expect(again.rt.summary).toContain('nothing was appended');
    const v = await verifyBranch();
    expect(v.ok).toBe(true);
    expect(v.size).toBe(3);
    // A pointer that names the wrong entry is not trusted: the artifact is recorded (again), never skipped.
    const store = reader();
    expect(await store.recordedSeq(run.decision['artifact-digest'].slice(7))).toBe(2);
    expect(await store.recordedSeq('0'.repeat(64))).toBeUndefined();
  });

  it('local store: a re-run records nothing again', async () => {
    await startGitHub();
    const ctx = fixturePullRunContext(gh!);
    const run = await fixtureRun(ctx, 'docs-only', WEDNESDAY);
    const first = await publish(ctx, WEDNESDAY, run, { store: 'local', 'ledger-path': 'audit/rerun.jsonl' });
    expect(first.rt.outputs).toMatchObject({ entries: '3' });
    const second = await publish(ctx, WEDNESDAY, run, { store: 'local', 'ledger-path': 'audit/rerun.jsonl' });
    expect(second.rt.outputs).toMatchObject({ entries: '0', 'checkpoint-size': '3' });
    const lines = (await readFile(join(ws, 'audit/rerun.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(3);
  });

  it('a tampered bundle blocks, naming it and why, and nothing is appended', async () => {
    await startGitHub();
    const ctx = fixturePullRunContext(gh!);
    const run = await fixtureRun(ctx, 'friday-migration', FRIDAY);
    // The risk score edited inside the signed payload: the signature no longer covers it.
    const path = join(ws, run.risk['artifact-path']);
    const bundle = JSON.parse(await readFile(path, 'utf8')) as { dsseEnvelope: { payload: string } };
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8');
    bundle.dsseEnvelope.payload = Buffer.from(payload.replace(/"score":[0-9.]+/, '"score":1')).toString('base64');
    await writeFile(path, JSON.stringify(bundle));
    const { rt, ok } = await publish(ctx, FRIDAY, run);
    expect(ok).toBe(false);
    expect(rt.failed).toMatch(/^SIGNATURE_INVALID: /);
    expect(rt.failed).toContain(run.risk['artifact-path']);
    expect(rt.outputs.entries).toBeUndefined();
    expect(gh!.state.findRepo(OWNER, REPO)!.git.refs.has('refs/heads/genops-audit')).toBe(false);
    expect(gh!.calls('git/create-tree')).toHaveLength(0);
  });

  it('a bundle that is not one of the handed-over digests blocks too, with every bad artifact named', async () => {
    await startGitHub();
    const ctx = fixturePullRunContext(gh!);
    const run = await fixtureRun(ctx, 'docs-only', WEDNESDAY);
    const other = await fixtureRun(ctx, 'docs-only', WEDNESDAY, '-other');
    const { rt } = await publish(ctx, WEDNESDAY, run, { artifacts: [run.ev, run.risk, run.decision, other.decision].map((a) => a['artifact-path']).join('\n') });
    expect(rt.failed).toMatch(/^DIGEST_MISMATCH: /);
    expect(rt.failed).toContain(other.decision['artifact-path']);
    expect(gh!.state.findRepo(OWNER, REPO)!.git.refs.has('refs/heads/genops-audit')).toBe(false);
  });

  it('two runs appending at once lose no entry: the loser rebuilds on the winner\'s head', async () => {
    await startGitHub();
    const ctx = fixturePullRunContext(gh!);
    const ctx2 = { ...ctx, runId: 9002 };
    const [r1, r2] = await Promise.all([fixtureRun(ctx, 'friday-migration', FRIDAY), fixtureRun(ctx2, 'docs-only', FRIDAY, '-b')]);
    const random = (seed: number) => () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const [a, b] = await Promise.all([publish(ctx, FRIDAY, r1, {}, { random: random(1) }), publish(ctx2, FRIDAY, r2, {}, { random: random(2) })]);
    expect(a.rt.failed).toBeUndefined();
    expect(b.rt.failed).toBeUndefined();
    const v = await verifyBranch();
    expect(v.problems).toEqual([]);
    expect(v.size).toBe(6);
    const digests = [r1, r2].flatMap((r) => [r.ev, r.risk, r.decision].map((x) => x['artifact-digest'].slice(7)));
    expect(new Set(v.entries.map((e) => e.artifact.digest))).toEqual(new Set(digests));
    // Each run's three entries stay together, in run order, whoever won.
    const firsts = [a, b].map((x) => Number(x.rt.outputs['first-seq'])).sort();
    expect(firsts).toEqual([0, 3]);
    expect(gh!.calls('git/update-ref').filter((c) => c.status === 422).length + gh!.calls('git/create-ref').filter((c) => c.status === 422).length).toBeGreaterThan(0);
  });

  it('a token without contents: write is told which permission to add', async () => {
    await startGitHub();
    gh!.setPermission('contents', 'read');
    const ctx = fixturePullRunContext(gh!);
    const run = await fixtureRun(ctx, 'docs-only', WEDNESDAY);
    const { rt } = await publish(ctx, WEDNESDAY, run);
    expect(rt.failed).toMatch(/^PERMISSION_MISSING: /);
    expect(rt.failed).toContain('contents: write');
  });

  it('local store: appends to a file, and attests each decision entry through the injected attest', async () => {
    const ctx = fixturePullRunContext({ url: 'http://127.0.0.1:9' });
    const run = await fixtureRun(ctx, 'friday-migration', FRIDAY, '-local');
    const calls: ActionsAttestOptions[] = [];
    const attest = (o: ActionsAttestOptions) => {
      calls.push(o);
      return Promise.resolve({ bundle: {}, certificate: 'PEM', tlogID: '77', attestationID: `att-${String(calls.length)}` });
    };
    const { rt } = await publish(ctx, FRIDAY, run, { store: 'local', 'ledger-path': 'audit/ledger.jsonl', attest: 'true', origin: 'example.com/acme/ledger' }, { attest, github: () => ({ request: () => Promise.reject(new Error('no GitHub in this test')) }) as never });
    expect(rt.failed).toBeUndefined();
    expect(rt.outputs).toMatchObject({ entries: '3', 'checkpoint-size': '3', 'ledger-ref': '', 'ledger-path': join(ws, 'audit/ledger.jsonl'), attestations: 'att-1' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.subjects).toContainEqual({ name: 'genops-decision-pr', digest: { sha256: run.decision['artifact-digest'].slice(7) } });
    expect(calls[0]!.token).toBe('ghs_fake');
    const store = localLedgerStore(join(ws, 'audit/ledger.jsonl'));
    const report = await verifyLedger(store.lines(), { checkpointTrust: { mode: 'key', keys: [kp.publicKey] }, checkpointLines: store.checkpointLines() });
    expect(report).toMatchObject({ ok: true, size: 3, origin: 'example.com/acme/ledger' });
  });

  it('names every input problem at once', async () => {
    const ctx = fixturePullRunContext({ url: 'http://127.0.0.1:9' });
    const rt = memoryRuntime({ store: 'svn', branch: 'a..b', 'committed-at': 'yesterday' });
    await runAction(rt, 'audit-publish', async () => {
      await auditStep(rt, deps(ctx, FRIDAY));
    });
    for (const input of ['artifacts', 'artifact-digest', 'store', 'branch', 'committed-at']) expect(rt.failed).toContain(`- ${input}:`);
  });
});
