// Export rows and DORA figures from a real (signed, verified) ledger built from decisions and
// canary results with known times, so every figure can be worked out by hand.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { testKey, type TestKey } from '@genops/testkit';
import { appendToLedger, verifyLedger } from '../../src/audit/ledger.js';
import { localLedgerStore } from '../../src/audit/store-local.js';
import { csvCell, exportRow, toCsv, EXPORT_COLUMNS } from '../../src/audit/export.js';
import { computeDora, doraText } from '../../src/audit/dora.js';
import type { LedgerEntry } from '../../src/audit/model.js';
import { canaryArtifact, decisionArtifact, keyTrust, ORIGIN, sha, tempDir } from './helpers.js';

let key: TestKey;
let tmp: { dir: string; done: () => Promise<void> };
beforeEach(async () => {
  key = testKey();
  tmp = await tempDir();
});
afterEach(async () => tmp.done());

const H = 3_600_000;
const M = 60_000;
const day0 = Date.parse('2026-03-02T00:00:00Z');

/**
 * Four changes to production over 4 days. Each: evidence seen at t (the first artifact), decision
 * at t + lead, canary ends 10 minutes later. Change 2 rolls back after 12 minutes.
 */
async function ledger(): Promise<LedgerEntry[]> {
  const store = localLedgerStore(join(tmp.dir, 'ledger.jsonl'));
  const plan = [
    { n: 1, t: day0 + 9 * H, lead: 1 * H, outcome: 'promoted' as const, canaryMinutes: 10 },
    { n: 2, t: day0 + 33 * H, lead: 30 * M, outcome: 'rolled-back' as const, canaryMinutes: 12 },
    { n: 3, t: day0 + 57 * H, lead: 3 * H, outcome: 'promoted' as const, canaryMinutes: 10 },
    { n: 4, t: day0 + 81 * H, lead: 50 * M, outcome: 'promoted' as const, canaryMinutes: 10 },
  ];
  for (const p of plan) {
    const first = await decisionArtifact(key, { sha: sha(p.n), at: new Date(p.t), key: 'pr', decision: 'warn', environment: 'production', results: [] });
    await appendToLedger(store, [first], {}, { signer: key.signer, now: new Date(p.t), origin: ORIGIN });
    const deployAt = new Date(p.t + p.lead);
    const gate = await decisionArtifact(key, { sha: sha(p.n), at: deployAt, key: 'deploy-production', decision: 'allow', environment: 'production', results: [] });
    const canary = await canaryArtifact(key, { sha: sha(p.n), outcome: p.outcome, environment: 'production', startedAt: deployAt, finishedAt: new Date(deployAt.getTime() + p.canaryMinutes * M) });
    await appendToLedger(store, [gate], { approver: 'ops-lead', ticket: `CHG-${p.n}` }, { signer: key.signer, now: deployAt, origin: ORIGIN });
    await appendToLedger(store, [canary], {}, { signer: key.signer, now: new Date(deployAt.getTime() + p.canaryMinutes * M), origin: ORIGIN });
  }
  // A denied change: never deployed, must not count.
  await appendToLedger(store, [await decisionArtifact(key, { sha: sha(9), at: new Date(day0 + 90 * H), environment: 'production' })], {}, { signer: key.signer, now: new Date(day0 + 90 * H), origin: ORIGIN });
  const entries: LedgerEntry[] = [];
  const report = await verifyLedger(store.lines(), { checkpointTrust: keyTrust(key), checkpointLines: store.checkpointLines(), onEntry: (e) => entries.push(e) });
  expect(report.ok).toBe(true);
  return entries;
}

describe('DORA figures', () => {
  it('computes the four figures and compares them with the targets', async () => {
    const entries = await ledger();
    const r = computeDora(entries, { environment: 'production' });
    expect(r.deployments.map((d) => d.outcome)).toEqual(['success', 'failed', 'success', 'success']);
    // Lead times of the successful ones: 1 h + 10 min, 3 h + 10 min, 50 min + 10 min -> median 70 min.
    expect(r.leadTimeMedianSeconds).toBe(70 * 60);
    expect(r.changeFailureRate).toBe(0.25);
    expect(r.timeToRestoreMedianSeconds).toBe(12 * 60);
    expect(r.successRate).toBe(0.75);
    // First deployment at day0 + 10 h 10 min, last at day0 + 82 h: 71 h 50 min, 4 deployments.
    const days = (82 * H - (10 * H + 10 * M)) / (24 * H);
    expect(r.days).toBeCloseTo(days, 9);
    expect(r.deploymentsPerDay).toBeCloseTo(4 / days, 9);
    expect(r.figures.map((f) => [f.name, f.met])).toEqual([
      ['deployment frequency', undefined],
      ['lead time for changes (median)', true],
      ['change failure rate', false],
      ['time to restore (median)', true],
      ['deployment success rate', false],
    ]);
    const text = doraText(r).join('\n');
    expect(text).toContain('change failure rate');
    expect(text).toContain('25.0% (1 of 4)');
    expect(text).toContain('< 5.0%');
    expect(text).toContain('NOT MET');
  });

  it('a window keeps only deployments inside it; another environment has no data', async () => {
    const entries = await ledger();
    const r = computeDora(entries, { environment: 'production', from: new Date(day0 + 48 * H), to: new Date(day0 + 96 * H) });
    expect(r.deployments).toHaveLength(2);
    expect(r.changeFailureRate).toBe(0);
    expect(r.days).toBe(2);
    const none = computeDora(entries, { environment: 'staging' });
    expect(none.deployments).toEqual([]);
    expect(none.figures.every((f) => f.met === undefined)).toBe(true);
  });
});

describe('export', () => {
  it('one row per entry: who changed what, who approved, which policy allowed it', async () => {
    const entries = await ledger();
    const rows = entries.map(exportRow);
    const gate = rows.find((r) => r.gate === 'deploy-production' && r.gitSha === sha(2))!;
    expect(gate).toMatchObject({ kind: 'decision', decision: 'allow', environment: 'production', author: 'dev-alice', approver: 'ops-lead', ticket: 'CHG-2', exception: true, policySets: 'supply-chain; metadata' });
    expect(gate.exceptions).toBe('gpl-tooling (SEC-42, approved by sec-lead)');
    const csv = toCsv(rows);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(EXPORT_COLUMNS.join(','));
    expect(lines).toHaveLength(entries.length + 1);
  });

  it('CSV cells: quotes, and formulas neutralized', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
  });
});
