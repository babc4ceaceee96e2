/**
 * `genops audit replay` on the fixture ledgers (fixtures/audit: generate.ts), on a commander
 * program built here: the honest ledger replays clean (exit 0); the forged one names exactly its
 * forged entry and the rules that differ (exit 1, REPLAY_MISMATCH); decisions that cannot be
 * replayed exit 2; a ledger that does not verify is refused before anything is replayed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { toGenopsError } from '@genops/core';
import { registerAudit } from '../src/commands/audit.js';

const fixtures = fileURLToPath(new URL('../../../fixtures/audit/', import.meta.url));
const pub = join(fixtures, 'signing.pub');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-replay-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  const program = new Command().exitOverride().configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerAudit(program, io);
  let code = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else {
      const g = toGenopsError(e);
      err.push(`${g.code}: ${g.message}`);
      code = g.kind === 'verification' || g.kind === 'blocked' ? 1 : g.kind === 'config' ? 2 : 3;
    }
  }
  return { code, lines: out, err: err.join('\n') };
}

describe('genops audit replay', () => {
  it('replays an honest ledger clean', async () => {
    const r = await cli('audit', 'replay', join(fixtures, 'replay', 'honest.jsonl'), '--key', pub);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toEqual(['same         entry 2: allow (policies: default)', 'same         entry 5: deny (policies: default)', '2 decision(s): 2 same, 0 different, 0 not replayable']);
  });

  it('reports exactly the forged decision and its rules, exit 1', async () => {
    const r = await cli('audit', 'replay', join(fixtures, 'replay', 'forged.jsonl'), '--key', pub, '--policies', 'default:genops-baseline');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^REPLAY_MISMATCH: .*forged\.jsonl: 1 of 2 recorded decision\(s\) do not follow from their recorded inputs: entry 5 \(recorded allow, replayed deny\)$/);
    expect(r.lines.filter((l) => !l.startsWith('same'))).toEqual([
      'DIFFERENT    entry 5: recorded allow, replayed deny (policies: default)',
      '  - genops-baseline/no-late-friday-or-weekend-deploys: recorded pass -> allow, replayed violated -> deny',
      '  - genops-baseline/migration-code-owner-review: recorded pass -> allow, replayed violated -> require-approval',
      '2 decision(s): 1 same, 1 different, 0 not replayable',
    ]);
  });

  it('--json gives the report', async () => {
    const r = await cli('audit', 'replay', join(fixtures, 'replay', 'forged.jsonl'), '--key', pub, '--json');
    const report = JSON.parse(r.lines.join('\n')) as { different: number; results: { seq: number; status: string }[] };
    expect(report.different).toBe(1);
    expect(report.results.map((x) => [x.seq, x.status])).toEqual([[2, 'same'], [5, 'different']]);
  });

  it('decisions that cannot be replayed (no recorded evidence) exit 2, saying why', async () => {
    const r = await cli('audit', 'replay', join(fixtures, 'ledger.jsonl'), '--key', pub);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^FILE_NOT_FOUND: .*ledger\.jsonl: 5 decision\(s\) cannot be replayed/);
    expect(r.lines.filter((l) => l.startsWith('UNAVAILABLE'))).toHaveLength(5);
    expect(r.lines[0]).toBe('UNAVAILABLE  entry 0: cannot be replayed: the decision names no evidence artifact among its inputs');
  });

  it('a ledger that does not verify is refused before anything is replayed', async () => {
    for (const ext of ['.jsonl', '.checkpoints.jsonl', '.state.json']) await copyFile(join(fixtures, 'replay', `honest${ext}`), join(dir, `cut${ext}`));
    const lines = (await readFile(join(dir, 'cut.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');
    await writeFile(join(dir, 'cut.jsonl'), [...lines.slice(0, 3), ...lines.slice(4)].map((l) => `${l}\n`).join(''));
    const r = await cli('audit', 'replay', join(dir, 'cut.jsonl'), '--key', pub);
    expect(r.code).toBe(1);
    expect(r.err).toContain('entry 3 is missing');
    expect(r.lines).toEqual([]);
  });
});
