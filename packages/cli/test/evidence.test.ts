/**
 * `genops evidence collect` and `genops evidence show` through runCli with an in-memory io, on a
 * copy of fixtures/evidence in a temp workspace, signed with a throwaway key.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PredicateTypes, verifyArtifactBytes, type Evidence, type EvidencePredicate } from '@genops/core';
import { FIXTURE_PR_HEAD as SHA, testKey, writeTestInventory } from '@genops/testkit';
import { EXIT, runCli, type CliIO } from '../src/cli.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixtures = join(here, '..', '..', '..', 'fixtures', 'evidence');
const NOW = '2026-03-02T10:00:00.000Z';
const REPO = 'acme/payments';
const OTHER_SHA = 'f'.repeat(40);
const kp = testKey();

/** Every file source, as flags (relative to the workspace). */
const SOURCES = [
  ['--sbom', 'evidence/sbom/orders-api.head.cdx.json'],
  ['--base-sbom', 'evidence/sbom/orders-api.base.cdx.json'],
  ['--vulnerabilities', 'evidence/vulns/grype.json'],
  ['--vulnerabilities', 'evidence/vulns/*.sarif'],
  ['--vex', 'evidence/vex/openvex.json'],
  ['--junit', 'evidence/tests/*.xml'],
  ['--coverage', 'evidence/coverage/lcov.info'],
  ['--diff', 'evidence/diff/change.diff'],
  ['--eval', 'evidence/genai/promptfoo-*.json'],
  ['--traces', 'evidence/genai/*.otlp.json'],
  ['--metadata', 'evidence/metadata/genops.yaml'],
].flat();

/** The files SOURCES matches, sorted. */
const FILES = [
  'evidence/coverage/lcov.info',
  'evidence/diff/change.diff',
  'evidence/genai/agent-trace.otlp.json',
  'evidence/genai/promptfoo-redteam.json',
  'evidence/genai/promptfoo-results.json',
  'evidence/metadata/genops.yaml',
  'evidence/sbom/orders-api.base.cdx.json',
  'evidence/sbom/orders-api.head.cdx.json',
  'evidence/tests/TEST-com.example.payments.LedgerTest.xml',
  'evidence/tests/jest-junit.xml',
  'evidence/tests/pytest-junit.xml',
  'evidence/vex/openvex.json',
  'evidence/vulns/codeql-javascript.sarif',
  'evidence/vulns/grype.json',
  'evidence/vulns/trivy.sarif',
];

let dir: string;
let ws: string;
let keyPath: string;
let pubPath: string;
let otherPubPath: string;
/** The bundle the first collect wrote, and what collect printed about it. */
let bundle: string;
let collected: { out: string[]; digest: string; components: number };

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const io = { stdout: [] as string[], stderr: [] as string[], out: (l: string) => io.stdout.push(l), err: (l: string) => io.stderr.push(l) };
  return io;
}

async function cli(...argv: string[]) {
  const io = capture();
  const code = await runCli(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n'), lines: io.stdout };
}

/** `evidence collect` with the deterministic defaults; `extra` adds (or repeats) flags. */
function collect(out: string, ...extra: string[]) {
  return cli('evidence', 'collect', '--subject', SHA, '--key', keyPath, '--out', out, '--repository', REPO, '--workspace', ws, '--now', NOW, ...extra);
}

function show(file: string, ...extra: string[]) {
  return cli('evidence', 'show', file, '--key', pubPath, '--now', NOW, ...extra);
}

const sha256 = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-cli-evidence-'));
  ws = join(dir, 'ws');
  await cp(fixtures, join(ws, 'evidence'), { recursive: true });
  keyPath = join(dir, 'signing.key');
  await writeFile(keyPath, kp.privateKeyPem);
  pubPath = join(dir, 'signing.pub');
  await writeFile(pubPath, kp.publicKeyPem);
  otherPubPath = join(dir, 'other.pub');
  await writeFile(otherPubPath, testKey().publicKeyPem);

  bundle = join(dir, 'out', 'evidence.intoto.json');
  const r = await collect(bundle, ...SOURCES);
  if (r.code !== EXIT.ok) throw new Error(`collect failed (${String(r.code)}): ${r.err}`);
  const digest = /^signed .+ (sha256:[0-9a-f]{64})$/.exec(r.lines.at(-1) ?? '')?.[1];
  const components = /^sbom\s+(\d+) components/m.exec(r.out)?.[1];
  if (digest === undefined || components === undefined) throw new Error(`unexpected collect output:\n${r.out}`);
  collected = { out: r.lines, digest, components: Number(components) };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('genops evidence collect', () => {
  it('parses every source, prints one line per source kind, and signs the bundle', () => {
    const kinds = collected.out.map((l) => l.split(/\s+/)[0]);
    expect(kinds).toEqual(['sbom', 'base-sbom', 'vulnerabilities', 'vex', 'tests', 'coverage', 'eval', 'traces', 'metadata', 'change', 'absent', 'signed']);
    const line = (kind: string) => collected.out.find((l) => l.startsWith(`${kind} `)) ?? '';
    // The kind is padded to one column, so the findings line up.
    for (const l of collected.out.slice(0, -1)) expect([l.charAt(16), l.charAt(17)]).toEqual([' ', expect.stringMatching(/\S/)]);
    expect(line('sbom')).toMatch(/^sbom +80 components \(5 direct, 75 transitive, 0 unknown scope\)/);
    expect(line('base-sbom')).toContain('1 upgraded');
    expect(line('vulnerabilities')).toMatch(/^vulnerabilities +14 findings: 3 critical, 7 high, 2 medium, 1 low; 1 suppressed by VEX$/);
    expect(line('vex')).toMatch(/4 statements$/);
    expect(line('tests')).toMatch(/^tests +19 tests: 10 passed, 3 failed, 2 errored, 4 skipped, 2 flaky$/);
    expect(line('coverage')).toMatch(/changed lines 71\.4 % \(5\/7\)$/);
    expect(line('eval')).toContain('12 eval tests');
    expect(line('traces')).toContain('5 model calls');
    expect(line('metadata')).toContain('payments-api (production)');
    // The diff stands in for the pull request: the change is described from it.
    expect(line('change')).toMatch(/^change +11 files \(\+27 −7\)/);
    expect(line('absent')).toMatch(/^absent +provenance, github$/);
    expect(collected.out.at(-1)).toBe(`signed ${bundle} ${collected.digest}`);
    expect(collected.components).toBe(80);
  });

  it('writes a bundle that verifies as evidence about the subject, with the printed digest', async () => {
    const v = verifyArtifactBytes(await readFile(bundle), bundle, {
      trust: { mode: 'key', keys: [kp.publicKey] },
      predicateType: PredicateTypes.evidence,
      subject: { gitCommit: SHA },
      now: new Date(NOW),
      expectedDigest: collected.digest,
    });
    expect(v.statement.subject).toContainEqual(expect.objectContaining({ digest: { gitCommit: SHA } }));
  });

  it('prints the evidence as JSON with --json, and still writes the bundle', async () => {
    const out = join(dir, 'json.intoto.json');
    const r = await collect(out, ...SOURCES, '--json');
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toMatch(/^signed .*json\.intoto\.json sha256:[0-9a-f]{64}$/); // the digest, kept off stdout
    const ev = JSON.parse(r.out) as Evidence & { header?: unknown };
    expect(ev.header).toBeUndefined();
    expect(ev.sbom?.totals.components).toBe(collected.components);
    expect(ev.tests?.total).toBe(19);
    expect(ev.vulnerabilities?.totals).toMatchObject({ critical: 3, high: 7, medium: 2, low: 1 });
    expect(ev.absent).toEqual(['provenance', 'github']);
    expect(ev.sources.map((s) => s.path).sort()).toEqual(FILES);
    expect(existsSync(out)).toBe(true);
  });

  it('is deterministic with --now: the same inputs give the same statement digest and createdAt', async () => {
    const again = await collect(join(dir, 'again.intoto.json'), ...SOURCES);
    expect(again.code).toBe(EXIT.ok);
    expect(again.lines.at(-1)).toBe(`signed ${join(dir, 'again.intoto.json')} ${collected.digest}`);
    const p = JSON.parse((await show(join(dir, 'again.intoto.json'))).out) as EvidencePredicate;
    expect(p.header.createdAt).toBe(NOW);
    expect(p.header.expiresAt).toBe('2026-03-09T10:00:00.000Z');
    // A different time is a different statement.
    const later = await collect(join(dir, 'later.intoto.json'), ...SOURCES, '--now', '2026-03-02T11:00:00Z');
    expect(later.lines.at(-1)).not.toContain(collected.digest);
  });

  it('sets the expiry from --ttl', async () => {
    const out = join(dir, 'ttl.intoto.json');
    expect((await collect(out, '--sbom', 'evidence/sbom/orders-api.head.cdx.json', '--ttl', '3600')).code).toBe(EXIT.ok);
    const p = JSON.parse((await show(out)).out) as EvidencePredicate;
    expect(p.header.expiresAt).toBe('2026-03-02T11:00:00.000Z');
    // Expired an hour later.
    const r = await cli('evidence', 'show', out, '--key', pubPath, '--now', '2026-03-02T11:00:01Z');
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toMatch(/^EXPIRED: /);
  });

  it('records a glob that matches nothing as absent, and signs anyway', async () => {
    const out = join(dir, 'empty.intoto.json');
    const r = await collect(out, '--sbom', 'reports/**/*.cdx.json');
    expect(r.code).toBe(EXIT.ok);
    expect(r.lines[0]).toMatch(/^absent +sbom, base-sbom, vulnerabilities, vex, tests, coverage, diff, provenance, eval, traces, metadata, github$/);
    expect(existsSync(out)).toBe(true);
  });

  describe('the repository', () => {
    const saved = process.env.GITHUB_REPOSITORY;
    afterEach(() => {
      if (saved === undefined) delete process.env.GITHUB_REPOSITORY;
      else process.env.GITHUB_REPOSITORY = saved;
    });

    it('exits 2 without --repository and without GITHUB_REPOSITORY', async () => {
      delete process.env.GITHUB_REPOSITORY;
      const out = join(dir, 'norepo.intoto.json');
      const r = await cli('evidence', 'collect', '--subject', SHA, '--key', keyPath, '--out', out, '--workspace', ws, '--now', NOW, '--sbom', 'evidence/sbom/orders-api.head.cdx.json');
      expect(r.code).toBe(EXIT.config);
      expect(r.err).toMatch(/^INPUT_MISSING: /);
      expect(r.err).toContain('--repository');
      expect(existsSync(out)).toBe(false);
    });

    it('falls back to GITHUB_REPOSITORY', async () => {
      process.env.GITHUB_REPOSITORY = 'octo-org/payments-api';
      const out = join(dir, 'envrepo.intoto.json');
      const r = await cli('evidence', 'collect', '--subject', SHA, '--key', keyPath, '--out', out, '--workspace', ws, '--now', NOW, '--sbom', 'evidence/sbom/orders-api.head.cdx.json');
      expect(r.code).toBe(EXIT.ok);
      const p = JSON.parse((await show(out)).out) as EvidencePredicate;
      expect(p.header.run.repository).toBe('octo-org/payments-api');
    });
  });

  it('exits 2 on a malformed file, naming the file and the line, and writes nothing', async () => {
    await writeFile(join(ws, 'broken.sarif'), '{\n  "version": "2.1.0",\n  "runs": [\n    { "tool": }\n  ]\n}\n');
    const out = join(dir, 'broken.intoto.json');
    const r = await collect(out, '--sbom', 'evidence/sbom/orders-api.head.cdx.json', '--vulnerabilities', 'broken.sarif');
    expect(r.code).toBe(EXIT.config);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^FILE_INVALID: broken\.sarif/);
    expect(r.err).toMatch(/file: +broken\.sarif:4\b/);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['a `..` segment', () => ['--sbom', '../ws/evidence/sbom/orders-api.head.cdx.json'], /^INPUT_INVALID: sbom: .* points outside the workspace/],
    ['a `..` inside the pattern', () => ['--junit', 'evidence/../evidence/tests/*.xml'], /^INPUT_INVALID: junit: .* points outside the workspace/],
    ['an absolute path', () => ['--sbom', join(fixtures, 'sbom', 'orders-api.head.cdx.json')], /^INPUT_INVALID: sbom: .* points outside the workspace/],
    ['a missing literal path', () => ['--sbom', 'evidence/sbom/nope.cdx.json'], /^FILE_NOT_FOUND: sbom: /],
    ['two files for a one-file source', () => ['--metadata', 'evidence/metadata/*.yaml'], /^INPUT_INVALID: metadata: matches 3 files/],
    ['a file over --max-file-bytes', () => ['--sbom', 'evidence/sbom/orders-api.head.cdx.json', '--max-file-bytes', '100'], /^FILE_INVALID: /],
    ['a bad --subject (short)', () => ['--subject', 'e4c2a9b'], /^INPUT_INVALID: --subject "e4c2a9b" is not a commit sha/],
    ['a bad --subject (upper case)', () => ['--subject', SHA.toUpperCase()], /^INPUT_INVALID: --subject /],
    ['a bad --now', () => ['--now', 'yesterday'], /^INPUT_INVALID: --now /],
    ['a bad --ttl', () => ['--ttl', '10'], /^INPUT_INVALID: --ttl 10 /],
    ['a bad --max-file-bytes', () => ['--max-file-bytes', 'lots'], /^INPUT_INVALID: --max-file-bytes /],
    ['a --ttl past 90 days', () => ['--ttl', '99999999999999'], /^INPUT_INVALID: --ttl 99999999999999 /],
    ['a bad --subject-digest', () => ['--subject-digest', 'xyz'], /^INPUT_INVALID: --subject-digest "xyz" /],
    ['a --workspace that does not exist', () => ['--workspace', join(dir, 'nowhere'), '--sbom', '*.json'], /^FILE_NOT_FOUND: --workspace /],
    ['a --repository that is not owner/repo', () => ['--repository', 'nope'], /^INPUT_INVALID: --repository "nope" /],
    ['a missing key file', () => ['--key', join(dir, 'nope.key')], /^FILE_NOT_FOUND: /],
    ['a public key to sign with', () => ['--key', join(dir, 'signing.pub')], /^KEY_INVALID: /],
  ])('exits 2 on %s', async (_name, extra, message) => {
    const out = join(dir, 'refused.intoto.json');
    const r = await collect(out, ...extra());
    expect(r.code).toBe(EXIT.config);
    expect(r.err).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 when a required option is missing', async () => {
    const r = await cli('evidence', 'collect', '--subject', SHA, '--key', keyPath, '--repository', REPO);
    expect(r.code).toBe(EXIT.config);
    expect(r.err).toContain('--out');
  });
});

describe('genops evidence show', () => {
  it('verifies the bundle and prints the predicate: counts as collect reported, inputs bound by sha256', async () => {
    const r = await show(bundle, '--subject', SHA);
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toBe('');
    const p = JSON.parse(r.out) as EvidencePredicate;
    expect(p.sbom?.totals.components).toBe(collected.components);
    expect(p.header.createdAt).toBe(NOW);
    expect(p.header.tool).toMatchObject({ name: 'genops', component: 'evidence-collect' });
    expect(p.header.run).toMatchObject({ repository: REPO, sha: SHA, event: 'cli' });
    // Every file read is a header input, named by its workspace path and bound by the sha256 of its bytes.
    expect(p.header.inputs.map((i) => i.name).sort()).toEqual(FILES);
    const head = 'evidence/sbom/orders-api.head.cdx.json';
    expect(p.header.inputs).toContainEqual({ name: head, kind: 'file', mediaType: 'cyclonedx-json@1.6', digest: { sha256: await sha256(join(fixtures, 'sbom', 'orders-api.head.cdx.json')) } });
    for (const input of p.header.inputs) expect(input.digest.sha256).toBe(await sha256(join(ws, input.name ?? '')));
    expect(p.sources.map((s) => s.sha256).sort()).toEqual(p.header.inputs.map((i) => i.digest.sha256).sort());
  });

  it('exits 1 with the wrong key', async () => {
    const r = await cli('evidence', 'show', bundle, '--key', otherPubPath, '--now', NOW);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^KEY_UNTRUSTED: /);
  });

  it('exits 1 for another commit', async () => {
    const r = await show(bundle, '--subject', OTHER_SHA);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^SUBJECT_MISMATCH: /);
    expect(r.err).toContain(OTHER_SHA);
  });

  it('exits 1 on a tampered bundle', async () => {
    const b = JSON.parse(await readFile(bundle, 'utf8')) as { dsseEnvelope: { payload: string } };
    const payload = Buffer.from(b.dsseEnvelope.payload, 'base64');
    payload[payload.length - 3] = (payload[payload.length - 3] ?? 0) ^ 1;
    b.dsseEnvelope.payload = payload.toString('base64');
    const t = join(dir, 'tampered.json');
    await writeFile(t, JSON.stringify(b));
    const r = await show(t);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toMatch(/^SIGNATURE_INVALID: /);
  });

  it('exits 1 on a signed artifact that is not evidence', async () => {
    const inv = await writeTestInventory(join(dir, 'inventory.json'), { signer: kp.signer, now: new Date(NOW) });
    const r = await show(inv['artifact-path']);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toMatch(/^PREDICATE_TYPE_MISMATCH: /);
  });

  it('exits 2 without a trust anchor, on a missing file, and on a bad --now', async () => {
    const noKey = await cli('evidence', 'show', bundle, '--now', NOW);
    expect(noKey.code).toBe(EXIT.config);
    expect(noKey.err).toMatch(/^INPUT_MISSING: /);
    const missing = await show(join(dir, 'nope.json'));
    expect(missing.code).toBe(EXIT.config);
    expect(missing.err).toMatch(/^FILE_NOT_FOUND: /);
    expect((await show(bundle, '--now', 'yesterday')).code).toBe(EXIT.config);
  });
});
