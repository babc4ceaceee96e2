import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from '../cli.js';
import { ConfigError, systemClock } from '@genops/core';
import { findFixturesDir, runDemo } from '../demo/run-demo.js';

export function registerDemo(program: Command, io: CliIO): void {
  program
    .command('demo')
    .description('Run genops end to end on the bundled fixtures with an ephemeral key; writes artifacts to --out.')
    .option('--out <dir>', 'where to write the artifacts and the public key', 'genops-out')
    .option('--fixtures <dir>', 'fixture set to use (default: fixtures/demo of this checkout)')
    .action(async (opts: { out: string; fixtures?: string }) => {
      const fixturesDir = opts.fixtures ?? findFixturesDir();
      if (fixturesDir === undefined) {
        throw new ConfigError('FILE_NOT_FOUND', 'cannot find fixtures/demo', { input: '--fixtures', hint: 'Run from the genops checkout, or pass --fixtures DIR.' });
      }
      await runDemo({ outDir: resolve(opts.out), fixturesDir, clock: systemClock, print: (l) => { io.out(l); } });
    });
}
