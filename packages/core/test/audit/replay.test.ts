// Replaying the fixture ledgers (fixtures/audit/replay, made by generate.ts from real evidence,
// real risk scores and the default packs): the honest one replays clean; in the forged one exactly
// the decision signed as allow over denying evidence comes out different, naming its rules; a
// decision whose policy bundle or evidence is not available is reported as not replayable.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPublicKey } from '../../src/artifact/keys.js';
import { verifyLedger } from '../../src/audit/ledger.js';
import type { LedgerEntry } from '../../src/audit/model.js';
import { replayLedger, replayText, ruleDifferences, type ReplayPolicyBundle } from '../../src/audit/replay.js';
import { localLedgerStore } from '../../src/audit/store-local.js';
import { loadPolicyDocuments } from '../../src/policy/load.js';
import { defaultPackFiles } from '../../src/policy/sources.js';
import type { PolicyResult } from '../../src/policy/model.js';
import { FORGED_DECISION_SEQ } from '../../../../fixtures/audit/generate.js';

const dir = fileURLToPath(new URL('../../../../fixtures/audit/', import.meta.url));
const pub = loadPublicKey(readFileSync(join(dir, 'signing.pub'), 'utf8'), 'signing.pub');
const defaults: ReplayPolicyBundle[] = [{ source: 'default', bundle: loadPolicyDocuments(defaultPackFiles()) }];

async function entriesOf(name: string): Promise<LedgerEntry[]> {
  const store = localLedgerStore(join(dir, 'replay', `${name}.jsonl`));
  const entries: LedgerEntry[] = [];
  const r = await verifyLedger(store.lines(), { checkpointTrust: { mode: 'key', keys: [pub] }, checkpointLines: store.checkpointLines(), artifactTrust: { mode: 'key', keys: [pub] }, onEntry: (e) => entries.push(e) });
  expect(r.problems).toEqual([]);
  return entries;
}

describe('audit replay', () => {
  it('an honest ledger replays clean: every decision comes out as recorded', async () => {
    const entries = await entriesOf('honest');
    expect(entries.map((e) => e.artifact.kind)).toEqual(['evidence', 'risk', 'decision', 'evidence', 'risk', 'decision']);
    const report = replayLedger(entries, defaults);
    expect(report).toMatchObject({ decisions: 2, same: 2, different: 0, unavailable: 0 });
    expect(report.results.map((r) => (r.status === 'same' ? [r.seq, r.decision] : r.status))).toEqual([[2, 'allow'], [5, 'deny']]);
  });

  it('reports exactly the decision signed as allow over evidence the default packs deny, and which rules differ', async () => {
    const report = replayLedger(await entriesOf('forged'), defaults);
    expect(report).toMatchObject({ decisions: 2, same: 1, different: 1, unavailable: 0 });
    const bad = report.results.filter((r) => r.status !== 'same');
    expect(bad).toHaveLength(1);
    const r = bad[0]!;
    if (r.status !== 'different') throw new Error(`expected different, got ${r.status}`);
    expect(r).toMatchObject({ seq: FORGED_DECISION_SEQ, recorded: 'allow', replayed: 'deny', breakGlass: false });
    expect(r.rules.map((d) => [d.rule, d.recorded?.outcome, d.replayed?.outcome, d.replayed?.effective])).toEqual([
      ['genops-baseline/no-late-friday-or-weekend-deploys', 'pass', 'violated', 'deny'],
      ['genops-baseline/migration-code-owner-review', 'pass', 'violated', 'require-approval'],
    ]);
    const text = replayText(report);
    expect(text.filter((l) => l.startsWith('DIFFERENT'))).toEqual([`DIFFERENT    entry ${String(FORGED_DECISION_SEQ)}: recorded allow, replayed deny (policies: default)`]);
    expect(text.at(-1)).toBe('2 decision(s): 1 same, 1 different, 0 not replayable');
  });

  it('a decision whose policy bundle is not given is not replayable, naming the recorded digest', async () => {
    const entries = await entriesOf('honest');
    const onlyGenai = [{ source: 'default:genai', bundle: loadPolicyDocuments(defaultPackFiles('genai')) }];
    const report = replayLedger(entries, onlyGenai);
    expect(report).toMatchObject({ decisions: 2, same: 0, different: 0, unavailable: 2 });
    const digest = defaults[0]!.bundle.digest;
    for (const r of report.results) expect(r).toMatchObject({ status: 'unavailable', reason: expect.stringContaining(`sha256:${digest}`) });
  });

  it('a decision whose evidence is not in the ledger is not replayable', async () => {
    const entries = (await entriesOf('honest')).filter((e) => e.seq !== 3);
    const report = replayLedger(entries, defaults);
    expect(report.results.map((r) => [r.seq, r.status])).toEqual([[2, 'same'], [5, 'unavailable']]);
    expect(report.results[1]).toMatchObject({ reason: expect.stringMatching(/^its evidence artifact sha256:[0-9a-f]{64} .* is not in the ledger$/) });
  });

  it('rule differences: changed outcome or contribution, and rules only on one side', () => {
    const r = (rule: string, outcome: PolicyResult['outcome'], effective: PolicyResult['effective']): PolicyResult => ({ set: 's', rule, title: rule, outcome, mode: 'enforce', decision: 'deny', effective, message: '' });
    expect(ruleDifferences([r('a', 'pass', 'allow'), r('b', 'violated', 'deny'), r('c', 'pass', 'allow')], [r('a', 'pass', 'allow'), r('b', 'violated', 'warn'), r('d', 'pass', 'allow')])).toEqual([
      { rule: 's/b', recorded: { outcome: 'violated', effective: 'deny' }, replayed: { outcome: 'violated', effective: 'warn' } },
      { rule: 's/c', recorded: { outcome: 'pass', effective: 'allow' } },
      { rule: 's/d', replayed: { outcome: 'pass', effective: 'allow' } },
    ]);
  });
});
