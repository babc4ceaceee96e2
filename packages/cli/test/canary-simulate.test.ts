/**
 * `genops canary simulate` through its exported function and through commander (registerCanary on a
 * program of its own), with an in-memory io.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '@genops/core';
import type { CliIO } from '../src/cli.js';
import { canarySimulate, registerCanary } from '../src/commands/canary.js';

function memoryIO(): CliIO & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (l) => out_.push(l), err: (l) => err_.push(l) };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genops-canary-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('genops canary simulate', () => {
  it('one healthy run prints the trace, stage by stage, ending promoted', async () => {
    const io = memoryIO();
    const s = await canarySimulate({ errorRatio: '1', rpm: '20000', seed: '1' }, io);
    expect(s).toMatchObject({ runs: 1, promoted: 1, rolledBack: 0, inconclusive: 0 });
    expect(io.out_[0]).toBe('canary promoted at 100 % (promote-full): all 4 compared stage(s) passed; canary at 100 %');
    expect(io.out_[1]).toBe('method share, alpha 0.05, stages 1 -> 5 -> 25 -> 50 -> 100, R_max errors 1.5, latency 1.25');
    expect(io.out_.filter((l) => l.startsWith('stage '))).toHaveLength(4);
    expect(io.out_.some((l) => l.includes('-> promote (promote-noninferiority)'))).toBe(true);
  });

  it('many runs print outcome rates; --json gives the counts', async () => {
    const io = memoryIO();
    const s = await canarySimulate({ errorRatio: '3', runs: '20', seed: '100', json: true }, io);
    const printed = JSON.parse(io.out_.join('\n')) as Record<string, unknown>;
    expect(printed).toMatchObject({ runs: 20, promoted: 0 });
    expect((printed.rolledBack as number) + (printed.inconclusive as number)).toBe(20);
    expect(printed.rolledBack).toBeGreaterThanOrEqual(18);
    expect(printed.run).toBeUndefined();
    expect(s.rolledBack).toBe(printed.rolledBack);

    const text = memoryIO();
    await canarySimulate({ errorRatio: '3', runs: '20', seed: '100' }, text);
    expect(text.out_[0]).toMatch(/^20 simulated rollouts \(share, stages 1 -> 5 -> 25 -> 50 -> 100, 2000 requests\/min/);
    expect(text.out_[2]).toMatch(new RegExp(`^rolled back\\s+${String(s.rolledBack)}\\s`));
  });

  it('is deterministic by seed, and the method and overdispersion options are used', async () => {
    const a = await canarySimulate({ errorRatio: '1.5', runs: '5', seed: '9', overdispersion: 'per-arm', method: 'binomial', json: true }, memoryIO());
    const b = await canarySimulate({ errorRatio: '1.5', runs: '5', seed: '9', overdispersion: 'per-arm', method: 'binomial', json: true }, memoryIO());
    expect(a).toEqual(b);
    expect(a.settings).toMatchObject({ method: 'binomial', overdispersion: 'per-arm', errorRatio: 1.5 });
  });

  it('reads a config file and warns when the minimum requests are out of reach', async () => {
    const file = join(dir, 'canary.yaml');
    await writeFile(file, 'alpha: 0.01\nmetrics: [errors]\nstageDeadline: 10m\n');
    const io = memoryIO();
    const s = await canarySimulate({ errorRatio: '1', rpm: '300', config: file, json: true }, io);
    expect(s.run?.settings).toMatchObject({ alpha: 0.01, metrics: ['errors'] });
    expect(io.err_[0]).toMatch(/^warning: stage 1 %: needs 100 canary requests but expects about 24 at 300 requests\/min/);
  });

  it('rejects bad options with INPUT_INVALID naming the flag', async () => {
    const bad = [
      [{ errorRatio: 'x' }, '--error-ratio'],
      [{ errorRatio: '1', overdispersion: 'lots' }, '--overdispersion'],
      [{ errorRatio: '1', method: 'z-test' }, '--method'],
      [{ errorRatio: '1', runs: '0' }, '--runs'],
      [{ errorRatio: '1', stages: '5,1,100' }, '--stages'],
      [{ errorRatio: '1', errorRate: '2' }, '--error-rate'],
    ] as const;
    for (const [opts, flag] of bad) {
      const e = await canarySimulate(opts, memoryIO()).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).details.input).toBe(flag);
    }
  });

  it('is registered as `canary simulate` on a commander program', async () => {
    const io = memoryIO();
    const program = new Command().name('genops').exitOverride();
    registerCanary(program, io);
    await program.parseAsync(['canary', 'simulate', '--error-ratio', '1', '--rpm', '20000', '--runs', '3', '--json'], { from: 'user' });
    expect(JSON.parse(io.out_.join('\n'))).toMatchObject({ runs: 3 });
  });
});
