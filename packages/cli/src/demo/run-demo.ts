/**
 * `genops demo`: the whole product on fixtures, with real signatures. Each
 * capability adds its stage here as it lands. Today: run context -> evidence
 * collected from real-shaped tool outputs and signed -> risk scored from the verified evidence
 * and signed -> policy decision over the verified evidence + risk, signed, with the PR comment
 * -> canary-promote refuses it; a docs-only change is allowed and rolls out through two replayed
 * canary histories (promoted, rolled back), each signed -> verify -> signed receipt -> chain
 * verification -> tampered copies rejected -> the audit ledger of it all: verified, replayed, and a
 * copy with one entry removed rejected.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  appendToLedger,
  LEDGER_PREDICATE_TYPES,
  localLedgerPaths,
  localLedgerStore,
  replayLedger,
  verifyForLedger,
  verifyLedger,
  type LedgerEntry,
  authorizeCanary,
  BlockedError,
  DEFAULT_CANARY_CONFIG,
  fileCanaryStateStore,
  fileMetricsProvider,
  parseWindowFile,
  runCanaryRollout,
  simulatedClock,
  type VerifiedArtifact,
  buildEvidenceStatement,
  buildReceipt,
  buildRiskStatement,
  buildDecisionStatement,
  decisionText,
  defaultPackFiles,
  evaluateGate,
  gateArtifacts,
  gateEnvironment,
  loadPolicyDocuments,
  renderDecisionComment,
  DEFAULT_RISK_CONFIG,
  parseIncidentMarkdown,
  riskExplainText,
  scoreRisk,
  collectEvidence,
  evidenceFindings,
  FILE_SOURCE_KINDS,
  generateSigningKeyPair,
  GENOPS_VERSION,
  keySigner,
  loadPrivateKey,
  loadPublicKey,
  nodeFileSystem,
  normalizeContext,
  PredicateTypes,
  runIdentityOf,
  signStatement,
  VerificationError,
  verifyArtifactBytes,
  verifyChain,
  verifyHandoff,
  writeArtifact,
  InternalError,
  type Clock,
  type CollectRequest,
  type Evidence,
  type FileSourceKind,
  type VerifyPolicy,
} from '@genops/core';

export interface DemoOptions {
  outDir: string;
  fixturesDir: string;
  clock: Clock;
  print: (line: string) => void;
}

export interface DemoResult {
  artifacts: { name: string; path: string; digest: string }[];
  /** The docs-only change's canary artifacts (subject DOCS_ONLY_SHA, signed at simulated time: verify at `verifyAt`). */
  canary: { name: string; path: string; digest: string; outcome: string; subjectSha: string; verifyAt: string }[];
  /** The audit ledger of both changes, and the copy with one entry removed that must fail. */
  ledger: { path: string; size: number; replayed: number; cutPath: string; cutProblem: string };
  rejected: { name: string; code: string }[];
  publicKeyPath: string;
  subjectSha: string;
}

/** Finds fixtures/demo: next to the working directory, or next to this program. */
export function findFixturesDir(start: string[] = [process.cwd(), dirname(fileURLToPath(import.meta.url))]): string | undefined {
  for (const s of start) {
    let dir = resolve(s);
    for (;;) {
      const candidate = join(dir, 'fixtures', 'demo');
      if (existsSync(join(candidate, 'event.json'))) return candidate;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return undefined;
}

/** The docs-only change of the demo rolls out as its own commit. */
const DOCS_ONLY_SHA = 'd0c5d0c5d0c5d0c5d0c5d0c5d0c5d0c5d0c5d0c5';

/** One byte of the signed payload changed, the signature left as it was. */
function tamperOneByte(bundleText: string): string {
  const bundle = JSON.parse(bundleText) as { dsseEnvelope: { payload: string } };
  const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
  const at = payload.indexOf(Buffer.from('"size":')) + 7;
  payload[at] = payload[at] === 0x39 ? 0x38 : (payload[at] ?? 0x30) + 1;
  bundle.dsseEnvelope.payload = payload.toString('base64');
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const { print, clock } = opts;
  const started = clock.now();
  const fx = opts.fixturesDir;
  const out = opts.outDir;
  await mkdir(out, { recursive: true });
  const fs = nodeFileSystem();
  const rel = (p: string) => relative(process.cwd(), p) || p;

  // 1. The run, as the runner would describe it.
  const env = JSON.parse(await readFile(join(fx, 'env.json'), 'utf8')) as Record<string, string>;
  const payload: unknown = JSON.parse(await readFile(join(fx, 'event.json'), 'utf8'));
  const ctx = normalizeContext({ ...env, GITHUB_EVENT_PATH: join(fx, 'event.json') }, payload);
  const pr = ctx.pullRequest;
  print(`genops demo ${GENOPS_VERSION}: ${ctx.eventName}${pr === undefined ? '' : ` #${pr.number}`} of ${ctx.repository.fullName}, run ${ctx.runId}.${ctx.runAttempt}`);
  print(`  1 context    gating commit ${ctx.subjectSha} (${pr === undefined ? 'GITHUB_SHA' : 'the PR head, not the merge commit'})`);

  // 2. An ephemeral key: the demo never writes a private key to disk.
  const kp = generateSigningKeyPair();
  const priv = loadPrivateKey(kp.privateKeyPem, 'ephemeral key');
  const pub = loadPublicKey(kp.publicKeyPem, 'ephemeral key');
  const signer = keySigner(priv, pub);
  const publicKeyPath = join(out, 'signing.pub');
  await writeFile(publicKeyPath, kp.publicKeyPem);
  print(`  2 key        ephemeral ECDSA P-256 key ${kp.keyId.slice(0, 16)}…, public half -> ${rel(publicKeyPath)}`);

  // 3. The evidence: every source parsed by its real format, normalized, bound to the commit and the run.
  const workspace = dirname(fx);
  const manifest = JSON.parse(await readFile(join(fx, 'evidence.json'), 'utf8')) as Partial<Record<FileSourceKind, string[]>>;
  const patterns: CollectRequest['patterns'] = {};
  for (const kind of FILE_SOURCE_KINDS) if (manifest[kind] !== undefined) patterns[kind] = manifest[kind];
  const evidence = await collectEvidence(nodeFileSystem(workspace), { patterns, now: clock.now(), workspaceRoot: workspace });
  const run = runIdentityOf(ctx);
  const subject = { repository: ctx.repository.fullName, gitCommit: ctx.subjectSha };
  const signedEvidence = await signStatement(buildEvidenceStatement(subject, { toolVersion: GENOPS_VERSION, run, now: clock.now(), ttlSeconds: 3600 }, evidence), signer);
  const evOut = await writeArtifact(fs, join(out, 'evidence.intoto.json'), signedEvidence);
  print(`  3 evidence   ${String(evidence.sources.length)} files parsed, normalized and signed -> ${rel(evOut['artifact-path'])}`);
  for (const r of evidenceFindings(evidence)) print(`               ${r.kind.padEnd(16)} ${r.found}`);
  if (evidence.absent.length > 0) print(`               ${'absent'.padEnd(16)} ${evidence.absent.join(', ')} (recorded as absent, never guessed)`);
  print(`               artifact-digest ${evOut['artifact-digest']}`);

  // 4. risk-score verifies the evidence it was handed, scores the change and signs the risk.
  const trust = { mode: 'key' as const, keys: [pub] };
  /** What the next job does with an artifact it was handed: verify it, with its digest, before use. */
  const receive = async (o: { 'artifact-path': string; 'artifact-digest': string }, predicateType: string, gitCommit = ctx.subjectSha): Promise<VerifiedArtifact> => {
    const [v] = await verifyHandoff(fs, { files: [o['artifact-path']], expectedDigests: [o['artifact-digest']], policy: { trust, predicateType, subject: { gitCommit }, now: clock.now() } });
    if (v === undefined) throw new InternalError('verifyHandoff returned nothing');
    return v;
  };
  const verifiedEvidence = await receive(evOut, PredicateTypes.evidence);
  print(`  4 risk       ${rel(verifiedEvidence.source)}: signature, key, subject, predicate type, validity, digest and schema OK`);
  const { header: _evidenceHeader, ...verifiedBody } = verifiedEvidence.statement.predicate as unknown as Evidence & { header: unknown };
  const incidentDir = join(workspace, 'risk', 'incidents');
  const incidents = [];
  for (const name of (await readdir(incidentDir)).filter((n) => n.endsWith('.md')).sort()) {
    incidents.push(parseIncidentMarkdown(`risk/incidents/${name}`, await readFile(join(incidentDir, name), 'utf8')));
  }
  const assessment = scoreRisk({ evidence: verifiedBody, config: DEFAULT_RISK_CONFIG, now: clock.now(), incidents });
  const riskSigned = await signStatement(
    buildRiskStatement(subject, { toolVersion: GENOPS_VERSION, run, now: clock.now(), ttlSeconds: 3600 }, { name: verifiedEvidence.source, digest: verifiedEvidence.digest }, assessment),
    signer,
  );
  const riskOut = await writeArtifact(fs, join(out, 'risk.intoto.json'), riskSigned);
  for (const l of riskExplainText(assessment)) print(`               ${l.trim()}`);
  print(`               (timing is judged at this moment, in the service's time zone; ${String(incidents.length)} post-mortems searched)`);
  print(`               signed -> ${rel(riskOut['artifact-path'])} (inputs: evidence ${evOut['artifact-digest'].slice(0, 19)}…)`);

  // 5. policy-gate verifies evidence and risk together (the risk must come from that evidence),
  //    evaluates the default packs, signs the decision, and renders the PR comment developers see.
  const verifiedRisk = await receive(riskOut, PredicateTypes.risk);
  const gateIn = gateArtifacts([verifiedEvidence, verifiedRisk]);
  const bundle = loadPolicyDocuments(defaultPackFiles());
  const change = {
    repository: ctx.repository.fullName,
    sha: ctx.subjectSha,
    author: pr?.author ?? ctx.actor,
    ...(pr === undefined ? {} : { pullRequest: pr.number }),
    evaluatedAt: clock.now().toISOString(),
  };
  const gateFor = (evidence: Evidence, risk: typeof gateIn.risk) =>
    evaluateGate({ bundle, evidence, risk, key: 'pr', environment: gateEnvironment('', evidence), approvalEnvironment: 'production-approval', change });
  const gate = gateFor(gateIn.evidence, gateIn.risk);
  const decisionStatement = buildDecisionStatement(
    subject,
    { toolVersion: GENOPS_VERSION, run, now: clock.now(), ttlSeconds: 3600 },
    { evidence: { name: verifiedEvidence.source, digest: verifiedEvidence.digest }, risk: { name: verifiedRisk.source, digest: verifiedRisk.digest } },
    gate.body,
  );
  const decOut = await writeArtifact(fs, join(out, 'decision.intoto.json'), await signStatement(decisionStatement, signer));
  const commentPath = join(out, 'pr-comment.md');
  const comment = renderDecisionComment(decisionStatement.predicate, { key: 'pr' });
  await writeFile(commentPath, comment);
  const rules = bundle.sets.reduce((n, x) => n + x.rules.length, 0);
  print(`  5 policy     evidence + risk verified together; ${String(bundle.sets.length)} default packs, ${String(rules)} rules (bundle sha256:${bundle.digest.slice(0, 12)}…)`);
  for (const l of decisionText(gate.body)) print(`               ${l.trim()}`);
  print(`               signed -> ${rel(decOut['artifact-path'])}; the sticky PR comment -> ${rel(commentPath)}:`);
  for (const l of comment.split('\n').slice(0, 14)) print(`               | ${l}`);
  print(`               | … (${String(comment.split('\n').length)} lines in all)`);
  const docsOnly = JSON.parse(await readFile(join(workspace, 'risk', 'changes', 'docs-only.evidence.json'), 'utf8')) as Evidence;
  const allowed = gateFor(docsOnly, null);
  print(`               another PR of the repository, docs only (fixtures/risk/changes/docs-only.evidence.json): ${allowed.body.decision.toUpperCase()}, ${String(allowed.body.counts.pass)} rules passed, ${String(allowed.body.counts.skipped)} not applicable`);

  // 6. canary-promote: it refuses the denied PR before any traffic moves; the docs-only change
  //    (its own signed evidence, risk and allow decision) rolls out by replaying two recorded
  //    histories through the file provider, on a simulated clock: a healthy canary is promoted, a
  //    canary with 3x the errors is rolled back. Each rollout signs a canary artifact.
  const verifiedDecisionForCanary = await receive(decOut, PredicateTypes.decision);
  try {
    await authorizeCanary([verifiedDecisionForCanary, verifiedRisk]);
    throw new InternalError('demo: canary-promote accepted a denied decision');
  } catch (e) {
    if (!(e instanceof BlockedError)) throw e;
    print(`  6 canary     this PR: REFUSED ${e.code}, ${e.message}`);
  }
  const docsSubject = { repository: ctx.repository.fullName, gitCommit: DOCS_ONLY_SHA };
  const docsHeader = { toolVersion: GENOPS_VERSION, run, now: clock.now(), ttlSeconds: 30 * 24 * 3600 };
  const docsEvOut = await writeArtifact(fs, join(out, 'docs-only', 'evidence.intoto.json'), await signStatement(buildEvidenceStatement(docsSubject, docsHeader, docsOnly), signer));
  const docsAssessment = scoreRisk({ evidence: docsOnly, config: DEFAULT_RISK_CONFIG, now: clock.now(), incidents });
  const docsRiskOut = await writeArtifact(
    fs,
    join(out, 'docs-only', 'risk.intoto.json'),
    await signStatement(buildRiskStatement(docsSubject, docsHeader, { name: docsEvOut['artifact-path'], digest: docsEvOut['artifact-digest'].slice(7) }, docsAssessment), signer),
  );
  const docsGate = evaluateGate({
    bundle,
    evidence: docsOnly,
    risk: docsAssessment,
    key: 'pr',
    environment: gateEnvironment('', docsOnly),
    approvalEnvironment: 'production-approval',
    change: { repository: ctx.repository.fullName, sha: DOCS_ONLY_SHA, author: docsOnly.change?.author?.login ?? 'docs-author', evaluatedAt: clock.now().toISOString() },
  });
  const docsDecOut = await writeArtifact(
    fs,
    join(out, 'docs-only', 'decision.intoto.json'),
    await signStatement(
      buildDecisionStatement(docsSubject, docsHeader, { evidence: { name: docsEvOut['artifact-path'], digest: docsEvOut['artifact-digest'].slice(7) }, risk: { name: docsRiskOut['artifact-path'], digest: docsRiskOut['artifact-digest'].slice(7) } }, docsGate.body),
      signer,
    ),
  );
  const docsVerified = {
    evidence: await receive(docsEvOut, PredicateTypes.evidence, DOCS_ONLY_SHA),
    risk: await receive(docsRiskOut, PredicateTypes.risk, DOCS_ONLY_SHA),
    decision: await receive(docsDecOut, PredicateTypes.decision, DOCS_ONLY_SHA),
  };
  const auth = await authorizeCanary([docsVerified.decision, docsVerified.risk]);
  print(`               the docs-only change (commit ${DOCS_ONLY_SHA.slice(0, 12)}…): decision ${docsGate.body.decision.toUpperCase()}, risk ${docsAssessment.tier}, plan ${auth.plan.stages.join(' -> ')} % (from ${auth.plan.source})`);
  // The rollouts start on the next whole minute after the decision was signed, so the canary is
  // signed after the decision it names (the chain checks the order).
  const rolloutStart = new Date((Math.floor(clock.now().getTime() / 60_000) + 1) * 60_000);
  const canaryOuts: { name: string; path: string; digest: string; outcome: string; verifyAt: Date }[] = [];
  for (const scenario of ['healthy', 'errors-3x']) {
    const file = join(fx, 'canary', `${scenario}.windows.json`);
    const rows = parseWindowFile(await readFile(file, 'utf8'), file);
    const shift = rolloutStart.getTime() - Date.parse(rows[0]?.start ?? rolloutStart.toISOString());
    const moved = rows.map((r) => ({ ...r, start: new Date(Date.parse(r.start) + shift).toISOString(), end: new Date(Date.parse(r.end) + shift).toISOString() }));
    const weights: number[] = [];
    let rolledBack = '';
    const canaryClock = simulatedClock(rolloutStart);
    const { run: rollout, statement } = await runCanaryRollout({
      auth,
      config: { ...DEFAULT_CANARY_CONFIG, dwellSeconds: 360, stageDeadlineSeconds: 2400, lastStageDeadlineSeconds: 2400 },
      provider: fileMetricsProvider(moved, rel(file)),
      providerKind: 'file',
      traffic: {
        setWeight: (w) => Promise.resolve(void weights.push(w)),
        rollback: (reason) => Promise.resolve(void (rolledBack = reason)),
      },
      trafficKind: 'command',
      clock: canaryClock,
      store: fileCanaryStateStore(join(out, 'docs-only', `canary-${scenario}.state.json`)),
      subject: docsSubject,
      header: { run, ttlSeconds: 30 * 24 * 3600 },
    });
    const canaryOut = await writeArtifact(fs, join(out, 'docs-only', `canary-${scenario}.intoto.json`), await signStatement(statement, signer));
    const minutes = Math.round((Date.parse(rollout.endedAt) - Date.parse(rollout.startedAt)) / 60_000);
    print(`               replay ${rel(file)}: ${rollout.outcome.toUpperCase()} after ${String(minutes)} simulated minutes, weights set ${weights.join(', ')}${rollout.outcome === 'rolled-back' ? ` then 0 (rollback: ${rolledBack.slice(0, 80)})` : ''}`);
    print(`                 ${rollout.rule}: ${rollout.reason.slice(0, 160)}`);
    print(`                 signed -> ${rel(canaryOut['artifact-path'])}`);
    canaryOuts.push({ name: `canary-${scenario}`, path: canaryOut['artifact-path'], digest: canaryOut['artifact-digest'], outcome: rollout.outcome, verifyAt: new Date(canaryClock.now().getTime() + 60_000) });
  }
  for (const c of canaryOuts) {
    const vCanary = verifyArtifactBytes(await readFile(c.path), c.path, { trust, predicateType: PredicateTypes.canary, subject: { gitCommit: DOCS_ONLY_SHA }, now: c.verifyAt, expectedDigest: c.digest });
    verifyChain([docsVerified.evidence, docsVerified.risk, docsVerified.decision, vCanary]);
  }
  print(`               both canary artifacts verified: canary -> decision -> risk -> evidence of the docs-only commit`);

  // 7. The deploy job verifies the decision it was handed, and signs a receipt that names it as input.
  const verifiedDecision = await receive(decOut, PredicateTypes.decision);
  const receipt = await signStatement(buildReceipt(subject, { component: 'verify', toolVersion: GENOPS_VERSION, run, now: clock.now(), ttlSeconds: 3600 }, [verifiedDecision]), signer);
  const recOut = await writeArtifact(fs, join(out, 'receipt.intoto.json'), receipt);
  print(`  7 verify     ${rel(verifiedDecision.source)} verified; receipt signed -> ${rel(recOut['artifact-path'])} (inputs: decision)`);

  // 8. An auditor re-verifies the whole chain from the files alone.
  const policyFor = (predicateType: string, expectedDigest: string): VerifyPolicy => ({ trust, predicateType, subject: { gitCommit: ctx.subjectSha }, now: clock.now(), expectedDigest });
  const evPath = evOut['artifact-path'];
  const evBytes = await readFile(evPath);
  const chain = verifyChain([
    verifyArtifactBytes(evBytes, evPath, policyFor(PredicateTypes.evidence, evOut['artifact-digest'])),
    verifyArtifactBytes(await readFile(riskOut['artifact-path']), riskOut['artifact-path'], policyFor(PredicateTypes.risk, riskOut['artifact-digest'])),
    verifyArtifactBytes(await readFile(decOut['artifact-path']), decOut['artifact-path'], policyFor(PredicateTypes.decision, decOut['artifact-digest'])),
    verifyArtifactBytes(await readFile(recOut['artifact-path']), recOut['artifact-path'], policyFor(PredicateTypes.receipt, recOut['artifact-digest'])),
  ]);
  const links = chain.reduce((n, l) => n + l.inputs.length, 0);
  print(`  8 chain      ${String(chain.length)} artifacts, ${String(links)} link(s) verified: receipt -> decision -> risk -> evidence, one commit, in order`);

  // 9. Tampered and misdirected copies must be rejected, each for its own reason.
  const tamperDir = join(out, 'tampered');
  await mkdir(tamperDir, { recursive: true });
  const tamperedPath = join(tamperDir, 'evidence.intoto.json');
  const tampered = Buffer.from(tamperOneByte(evBytes.toString('utf8')));
  await writeFile(tamperedPath, tampered);
  const otherKey = generateSigningKeyPair();
  const good = policyFor(PredicateTypes.evidence, evOut['artifact-digest']);
  const cases: { name: string; bytes: Buffer; source: string; policy: VerifyPolicy }[] = [
    { name: `one byte of the payload changed (${rel(tamperedPath)})`, bytes: tampered, source: tamperedPath, policy: good },
    { name: 'presented for another commit', bytes: evBytes, source: evPath, policy: { ...good, subject: { gitCommit: ctx.sha } } },
    { name: 'presented as a decision', bytes: evBytes, source: evPath, policy: { ...good, predicateType: PredicateTypes.decision } },
    { name: 'checked with another key', bytes: evBytes, source: evPath, policy: { ...good, trust: { mode: 'key', keys: [loadPublicKey(otherKey.publicKeyPem, 'other key')] } } },
    { name: 'handed over with the receipt\'s digest', bytes: evBytes, source: evPath, policy: { ...good, expectedDigest: recOut['artifact-digest'] } },
    { name: 'verified a day later', bytes: evBytes, source: evPath, policy: { ...good, now: new Date(clock.now().getTime() + 86_400_000) } },
  ];
  const rejected: DemoResult['rejected'] = [];
  print('  9 tamper     every altered or misdirected copy must be rejected:');
  for (const c of cases) {
    try {
      verifyArtifactBytes(c.bytes, c.source, c.policy);
    } catch (e) {
      if (e instanceof VerificationError) {
        rejected.push({ name: c.name, code: e.code });
        print(`               REJECTED ${e.code.padEnd(24)} ${c.name}`);
        continue;
      }
      throw e;
    }
    throw new InternalError(`demo: a ${c.name} copy was ACCEPTED; verification is broken`);
  }
  await copyFile(publicKeyPath, join(tamperDir, 'signing.pub'));

  // 10. audit-publish records every artifact of both changes in a hash-chained ledger with signed
  //     checkpoints; an auditor verifies it offline, replays its decisions, and a copy with one
  //     entry removed fails, naming the entry.
  const ledgerPath = join(out, 'audit', 'ledger.jsonl');
  const origin = `github.com/${ctx.repository.fullName}/genops-audit`;
  const ledgerTrust = { mode: 'key' as const, keys: [pub] };
  const record = async (paths: string[], at: Date) => {
    const files = await Promise.all(paths.map(async (p) => ({ source: p, bytes: await readFile(p) })));
    const verified = verifyForLedger(files, (bytes, source) => verifyArtifactBytes(bytes, source, { trust, predicateType: LEDGER_PREDICATE_TYPES, now: at }));
    return appendToLedger(localLedgerStore(ledgerPath), verified, {}, { signer, now: at, origin });
  };
  await record([evOut['artifact-path'], riskOut['artifact-path'], decOut['artifact-path']], clock.now());
  const lastCanaryAt = canaryOuts.reduce((t, c) => (c.verifyAt > t ? c.verifyAt : t), clock.now());
  await record([docsEvOut['artifact-path'], docsRiskOut['artifact-path'], docsDecOut['artifact-path'], ...canaryOuts.map((c) => c.path)], lastCanaryAt);
  const verifyLedgerAt = async (path: string, onEntry?: (e: LedgerEntry) => void) => {
    const store = localLedgerStore(path);
    return verifyLedger(store.lines(), { checkpointTrust: ledgerTrust, checkpointLines: store.checkpointLines(), artifactTrust: ledgerTrust, ...(onEntry === undefined ? {} : { onEntry }) });
  };
  const entries: LedgerEntry[] = [];
  const ledgerOk = await verifyLedgerAt(ledgerPath, (e) => entries.push(e));
  if (!ledgerOk.ok) throw new InternalError(`demo: the fresh ledger does not verify: ${ledgerOk.problems[0]?.message ?? ''}`);
  print(`  10 audit     ${rel(ledgerPath)}: ${String(ledgerOk.size)} entries (${entries.map((e) => e.artifact.kind).join(', ')}), two appends, each with a signed checkpoint`);
  print(`               audit verify: OK, hash chain, Merkle root ${ledgerOk.rootHash.slice(0, 16)}… = signed checkpoint, ${String(ledgerOk.artifactSignaturesChecked)} artifact signatures re-checked`);
  const replay = replayLedger(entries, [{ source: 'default packs', bundle }]);
  print(`               audit replay: ${String(replay.decisions)} decisions re-evaluated from their recorded evidence and risk: ${String(replay.same)} same, ${String(replay.different)} different`);
  const cut = localLedgerPaths(join(out, 'audit', 'ledger-entry-removed.jsonl'));
  const full = localLedgerPaths(ledgerPath);
  const kept = (await readFile(full.ledger, 'utf8')).split('\n').filter((l, i) => i !== 2);
  await writeFile(cut.ledger, kept.join('\n'));
  await copyFile(full.checkpoints, cut.checkpoints);
  await copyFile(full.state, cut.state);
  const ledgerBad = await verifyLedgerAt(cut.ledger);
  const firstProblem = ledgerBad.problems[0];
  if (ledgerBad.ok || firstProblem === undefined) throw new InternalError('demo: a ledger with an entry removed was ACCEPTED; ledger verification is broken');
  print(`               a copy with line 3 removed (${rel(cut.ledger)}): audit verify FAILS: ${firstProblem.message}`);

  const ms = clock.now().getTime() - started.getTime();
  print('');
  print(`done in ${ms} ms. Re-check any artifact yourself:`);
  print(`  pnpm genops verify ${rel(evOut['artifact-path'])} --key ${rel(publicKeyPath)} --subject ${ctx.subjectSha} --digest ${evOut['artifact-digest']}`);
  print(`  pnpm genops verify ${rel(tamperedPath)} --key ${rel(publicKeyPath)}    # fails: SIGNATURE_INVALID`);
  print(`  pnpm genops evidence show ${rel(evOut['artifact-path'])} --key ${rel(publicKeyPath)}    # the normalized evidence, after verifying it`);
  print(`  pnpm genops risk explain ${rel(riskOut['artifact-path'])} --key ${rel(publicKeyPath)}     # score, factors, incidents, recourse`);
  print(`  pnpm genops verify ${rel(decOut['artifact-path'])} --key ${rel(publicKeyPath)} --predicate-type decision    # the signed decision`);
  print(`  pnpm genops audit verify ${rel(ledgerPath)} --key ${rel(publicKeyPath)}    # the ledger; the copy ${rel(cut.ledger)} fails`);
  return {
    artifacts: [
      { name: 'evidence', path: evOut['artifact-path'], digest: evOut['artifact-digest'] },
      { name: 'risk', path: riskOut['artifact-path'], digest: riskOut['artifact-digest'] },
      { name: 'decision', path: decOut['artifact-path'], digest: decOut['artifact-digest'] },
      { name: 'receipt', path: recOut['artifact-path'], digest: recOut['artifact-digest'] },
    ],
    ledger: { path: ledgerPath, size: ledgerOk.size, replayed: replay.same, cutPath: cut.ledger, cutProblem: firstProblem.message },
    canary: canaryOuts.map((c) => ({ name: c.name, path: c.path, digest: c.digest, outcome: c.outcome, subjectSha: DOCS_ONLY_SHA, verifyAt: c.verifyAt.toISOString() })),
    rejected,
    publicKeyPath,
    subjectSha: ctx.subjectSha,
  };
}
