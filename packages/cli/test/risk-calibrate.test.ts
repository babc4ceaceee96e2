/**
 * `genops risk calibrate <history>` on a small program of its own (a `risk` command with the
 * calibrate subcommand), with an in-memory io and runCli's mapping of errors to exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { calibrationReport, parseHistory, toGenopsError } from '@genops/core';
import { readFileSync } from 'node:fs';
import { EXIT, type CliIO } from '../src/cli.js';
import { registerRiskCalibrate } from '../src/commands/risk-calibrate.js';

const HISTORY = fileURLToPath(new URL('../../../fixtures/risk/history.jsonl', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-calibrate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `risk calibrate ...args` the way runCli does: exit code, stdout and stderr lines. */
async function calibrate(...args: string[]): Promise<{ code: number; out: string; err: string; lines: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIO = { out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
  const program = new Command().name('genops').exitOverride().configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  const risk = program.command('risk').exitOverride();
  registerRiskCalibrate(risk, io);
  for (const c of risk.commands) c.exitOverride();
  let code: number = EXIT.ok;
  try {
    await program.parseAsync(['risk', 'calibrate', ...args], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? EXIT.ok : EXIT.config;
    else {
      const err = toGenopsError(e);
      io.err(err.describe());
      code = err.kind === 'verification' ? EXIT.rejected : err.kind === 'config' ? EXIT.config : EXIT.internal;
    }
  }
  return { code, out: stdout.join('\n'), err: stderr.join('\n'), lines: stdout };
}

describe('genops risk calibrate', () => {
  it('prints Brier score, ROC AUC, the reliability table and the current and fitted thresholds', async () => {
    // Thresholds pinned, so the per-tier rows below don't move with the defaults.
    const r = await calibrate(HISTORY, '--thresholds', '0.25,0.45,0.65');
    expect(r.code).toBe(EXIT.ok);
    expect(r.lines[0]).toBe(`${HISTORY}: 400 scored changes, 57 failures (14.2%)`);
    expect(r.lines).toContain('Brier score  0.1486  (always predicting 14.2%: 0.1222; lower is better)');
    expect(r.lines).toContain('ROC AUC      0.7901');
    expect(r.lines).toContain('  0.30-0.40      100      0.351         9.0%');
    expect(r.lines).toContain('  0.80-0.90        0        n/a          n/a');
    expect(r.lines).toContain('  current    0.250   0.450   0.650');
    expect(r.lines).toContain('  fitted     0.254   0.394   0.508');
    expect(r.lines).toContain('  critical   6 (83.3% fail)       60 (40.0% fail)');
    expect(r.err).toBe('');
  });

  it('--json prints the report object', async () => {
    const r = await calibrate(HISTORY, '--json', '--bins', '5');
    expect(r.code).toBe(EXIT.ok);
    const report = JSON.parse(r.out);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['brier', 'auc', 'reliability', 'thresholds', 'count']));
    expect(report.count).toBe(400);
    expect(report.reliability).toHaveLength(5);
    expect(report.thresholds).toEqual({ current: { medium: 0.2, high: 0.35, critical: 0.55 }, fitted: { medium: 0.254, high: 0.394, critical: 0.508 } });
    const expected = calibrationReport(parseHistory(readFileSync(HISTORY, 'utf8'), HISTORY), { medium: 0.2, high: 0.35, critical: 0.55 }, { bins: 5 });
    expect(report).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('takes the thresholds in use, from --thresholds or a --config file, and other targets', async () => {
    const config = join(dir, 'risk.yaml');
    await writeFile(config, 'thresholds:\n  medium: 0.3\n  high: 0.5\n  critical: 0.7\n');
    const fromConfig = JSON.parse((await calibrate(HISTORY, '--json', '--config', config)).out);
    expect(fromConfig.thresholds.current).toEqual({ medium: 0.3, high: 0.5, critical: 0.7 });
    const r = JSON.parse((await calibrate(HISTORY, '--json', '--config', config, '--thresholds', '0.2,0.4,0.6', '--targets', '0.1,0.2,0.4')).out);
    expect(r.thresholds.current).toEqual({ medium: 0.2, high: 0.4, critical: 0.6 });
    expect(r.fit.targets).toEqual({ medium: 0.1, high: 0.2, critical: 0.4 });
  });

  it('exits 2 naming the file and line of a bad record', async () => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, '{"id":"a","score":0.2,"outcome":"success"}\n{"id":"b","score":0.4,"outcome":"maybe"}\n');
    const r = await calibrate(path);
    expect(r.code).toBe(EXIT.config);
    expect(r.err).toContain(`FILE_INVALID: ${path}:2: "outcome" must be "success" or "failure"`);
    expect(r.err).toContain(`file:     ${path}:2`);
    expect(r.out).toBe('');
  });

  it('exits 2 on a missing file and bad flags', async () => {
    expect((await calibrate(join(dir, 'nope.jsonl'))).err).toContain('FILE_NOT_FOUND');
    for (const args of [['--bins', '0'], ['--bins', 'ten'], ['--thresholds', '0.5,0.4,0.6'], ['--thresholds', '0.1,0.2'], ['--targets', '0,0.1,0.2']]) {
      const r = await calibrate(HISTORY, ...args);
      expect(r.code).toBe(EXIT.config);
      expect(r.err).toContain('INPUT_INVALID');
    }
    expect((await calibrate()).code).toBe(EXIT.config); // missing <history>
  });

  it('says AUC is undefined for a history with one outcome only', async () => {
    const path = join(dir, 'all-good.jsonl');
    await writeFile(path, '{"id":"a","score":0.2,"outcome":"success"}\n{"id":"b","score":0.4,"outcome":"success"}\n');
    const r = await calibrate(path);
    expect(r.code).toBe(EXIT.ok);
    expect(r.lines).toContain('ROC AUC      n/a (needs both successes and failures)');
    expect(JSON.parse((await calibrate(path, '--json')).out).auc).toBeNull();
  });
});
