/**
 * Smoke test of the bundled action: dist/index.js runs as a child process (under Node 24 when
 * GENOPS_NODE24 points at it, as in CI) in a fake runner environment, on a pull_request event for
 * the fixture pull request octo-org/payments-api#128, with GITHUB_API_URL on the fake GitHub.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_PULL, fixturePullRunContext, fixtureRepoSeed, githubFixtureJson, runActionProcess, startFakeGitHub, testKey, type FakeGitHub } from '@genops/testkit';
import { normalizeContext, PredicateTypes, verifyArtifactBytes, type EvidencePredicate } from '@genops/core';

const here = fileURLToPath(new URL('.', import.meta.url));
const entry = join(here, '..', 'dist', 'index.js');
const fixtures = join(here, '..', '..', '..', 'fixtures', 'evidence');
const node = process.env.GENOPS_NODE24 ?? process.execPath;
/** GITHUB_SHA of a pull_request run: the test merge commit, not the head. */
const MERGE_SHA = '1111111111111111111111111111111111111111';
const REF = `refs/pull/${String(FIXTURE_PULL.number)}/merge`;
const kp = testKey();

let ws: string;
let gh: FakeGitHub;
/** The `pull_request` webhook payload GitHub sends when #128's head is pushed. */
let payload: Record<string, unknown>;

/** The local sources, copied into the workspace under reports/. */
const INPUTS = {
  sbom: 'reports/sbom/orders-api.head.cdx.json',
  vulnerabilities: 'reports/vulns/grype.json\nreports/vulns/*.sarif',
  junit: 'reports/tests/*.xml',
  coverage: 'reports/coverage/lcov.info',
  metadata: 'reports/metadata/genops.yaml',
};

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'genops-evidence-smoke-'));
  await cp(fixtures, join(ws, 'reports'), { recursive: true });
  gh = await startFakeGitHub({ seed: { repos: { [FIXTURE_PULL.fullName]: fixtureRepoSeed() } } });
  const pull = githubFixtureJson('pull.json');
  payload = {
    action: 'synchronize',
    number: pull.number,
    before: FIXTURE_PULL.base,
    after: pull.head.sha,
    pull_request: pull,
    repository: pull.base.repo,
    sender: pull.user,
  };
});
afterAll(async () => {
  await gh.close();
  await rm(ws, { recursive: true, force: true });
});

function run(inputs: Record<string, string>) {
  return runActionProcess({
    entry,
    node,
    inputs: { 'github-token': 'ghs_fake', 'signing-key': kp.privateKeyPem, ...inputs },
    eventName: 'pull_request',
    eventPayload: payload,
    cwd: ws,
    github: gh,
    repository: FIXTURE_PULL.fullName,
    ref: REF,
    sha: MERGE_SHA,
    timeoutMs: 60_000,
  });
}

describe('evidence-collect action bundle', () => {
  it('exists (pnpm build writes it)', () => {
    expect(existsSync(entry)).toBe(true);
  });

  it('has an event payload the runner context accepts as the fixture pull request', () => {
    const ctx = normalizeContext(
      {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REPOSITORY: FIXTURE_PULL.fullName,
        GITHUB_RUN_ID: '9001',
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_WORKFLOW_REF: `${FIXTURE_PULL.fullName}/.github/workflows/gate.yml@${REF}`,
        GITHUB_ACTOR: 'kaiya-dev',
        GITHUB_REF: REF,
        GITHUB_SHA: MERGE_SHA,
        GITHUB_API_URL: gh.url,
      },
      payload,
    );
    const expected = fixturePullRunContext(gh);
    expect(ctx.subjectSha).toBe(FIXTURE_PULL.head);
    expect(ctx.pullRequest).toEqual(expected.pullRequest);
    expect(ctx.repository).toEqual(expected.repository);
  });

  it(`collects files, the pull request and the deployments, and signs the evidence (node ${node === process.execPath ? process.version : 'from GENOPS_NODE24'})`, async () => {
    const before = Date.now();
    const r = await run({ ...INPUTS, environment: 'production' });
    const after = Date.now();
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.commands.filter((c) => c.command === 'error')).toEqual([]);
    expect(gh.rejected).toEqual([]);
    // The signing key never reaches the log unmasked.
    const keyBody = kp.privateKeyPem.split('\n').find((l) => l.length > 40)!;
    expect(r.commands.some((c) => c.command === 'add-mask')).toBe(true);
    expect(r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain(keyBody);

    expect(r.outputs['artifact-path']).toBe('genops/evidence.intoto.json');
    expect(r.outputs['artifact-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    const v = verifyArtifactBytes(await readFile(join(ws, 'genops', 'evidence.intoto.json')), 'evidence', {
      trust: { mode: 'key', keys: [kp.publicKey] },
      predicateType: PredicateTypes.evidence,
      subject: { gitCommit: FIXTURE_PULL.head },
      now: new Date(),
      expectedDigest: r.outputs['artifact-digest']!,
    });
    expect(v.statement.subject).toContainEqual(expect.objectContaining({ digest: { gitCommit: FIXTURE_PULL.head } }));
    const p = v.statement.predicate as unknown as EvidencePredicate;
    const created = Date.parse(p.header.createdAt);
    expect(created).toBeGreaterThanOrEqual(before - 1000);
    expect(created).toBeLessThanOrEqual(after + 1000);
    expect(p.header.run).toMatchObject({ repository: FIXTURE_PULL.fullName, event: 'pull_request', ref: REF, sha: MERGE_SHA, runId: '1000001', runAttempt: 1 });

    // Files and API reads are all sources and header inputs, bound by their digests.
    expect(p.sources.filter((s) => s.kind === 'github').map((s) => s.path)).toEqual(['github:deployments/production', `github:pulls/${String(FIXTURE_PULL.number)}`]);
    expect(p.header.inputs).toHaveLength(p.sources.length);
    const sbomSha = createHash('sha256').update(await readFile(join(ws, INPUTS.sbom))).digest('hex');
    expect(p.header.inputs).toContainEqual({ name: INPUTS.sbom, kind: 'file', mediaType: 'cyclonedx-json@1.6', digest: { sha256: sbomSha } });
    expect(p.absent.sort()).toEqual(['base-sbom', 'diff', 'eval', 'provenance', 'traces', 'vex']);

    // The pull request and deployment history as the fake GitHub served them.
    expect(p.change).toMatchObject({ source: 'github', totals: { files: 9, additions: 296, deletions: 12 }, approvals: { human: 3, bot: 1, codeOwner: 3, changesRequested: 1 } });
    expect(p.deployments?.counts).toMatchObject({ success: 2, failure: 1 });
    // The API's patches stand in for a diff: changed lines are known, though lcov.info covers none of them.
    expect(p.coverage?.changedLines).toMatchObject({ total: 0, ratio: null });
    expect(p.coverage?.changedLines?.notInstrumented).toBeGreaterThan(0);

    // Outputs are the evidence's counts.
    expect(r.outputs.components).toBe('80');
    expect(p.sbom?.totals.components).toBe(80);
    const t = p.vulnerabilities!.totals;
    expect(JSON.parse(r.outputs.vulnerabilities!)).toEqual(t);
    expect(r.outputs['vulnerabilities-critical']).toBe(String(t.critical));
    expect(r.outputs['vulnerabilities-high']).toBe(String(t.high));
    expect(r.outputs['vulnerabilities-medium']).toBe(String(t.medium));
    expect(r.outputs['vulnerabilities-low']).toBe(String(t.low));
    expect(t.critical).toBe(3);
    expect(r.outputs['tests-failed']).toBe('5');
    expect(r.outputs['changed-lines-coverage']).toBe('');
    expect(r.outputs['absent-sources']!.split(',').sort()).toEqual(p.absent);

    expect(r.summary).toContain('### genops evidence');
    expect(r.summary).toContain(`Signed evidence: \`genops/evidence.intoto.json\` \`${r.outputs['artifact-digest']!}\``);
  });

  it('fails the step with an annotation naming the file when the SBOM is malformed, and writes nothing', async () => {
    await writeFile(join(ws, 'broken.cdx.json'), '{\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.6",\n  "components": [\n    { "name": }\n  ]\n}\n');
    const r = await run({ ...INPUTS, sbom: 'broken.cdx.json', 'output-path': 'out/broken.intoto.json' });
    expect(r.exitCode).not.toBe(0);
    expect(r.exitCode).toBe(1);
    // The annotation on the file, then the step's failure message.
    const errors = r.commands.filter((c) => c.command === 'error');
    expect(errors[0]?.properties).toEqual({ title: 'genops evidence-collect: FILE_INVALID', file: 'broken.cdx.json', line: '5' });
    expect(errors[0]?.message).toMatch(/^broken\.cdx\.json: is not valid JSON/);
    expect(errors.at(-1)?.message).toMatch(/^FILE_INVALID: broken\.cdx\.json/);
    expect(r.stdout).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    expect(r.outputs['artifact-digest']).toBeUndefined();
    expect(existsSync(join(ws, 'out', 'broken.intoto.json'))).toBe(false);
    expect(gh.rejected).toEqual([]);
  });
});
