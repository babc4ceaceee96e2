import { Command, CommanderError } from 'commander';
import { GENOPS_VERSION, toGenopsError } from '@genops/core';
import { registerKeygen } from './commands/keygen.js';
import { registerVerify } from './commands/verify.js';
import { registerDemo } from './commands/demo.js';
import { registerEvidence } from './commands/evidence.js';
import { registerRisk } from './commands/risk.js';
import { registerPolicy } from './commands/policy.js';
import { registerCanary } from './commands/canary.js';
import { registerAudit, registerDora } from './commands/audit.js';

/** Exit codes: 0 ok, 1 an artifact failed verification (or the gate blocked), 2 bad input/config, 3 internal error. */
export const EXIT = { ok: 0, rejected: 1, config: 2, internal: 3 } as const;

/** Where commands print: stdout for results, stderr for problems. Injected so tests can read it. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
}

export const processIO: CliIO = {
  out: (l) => {
    process.stdout.write(`${l}\n`);
  },
  err: (l) => {
    process.stderr.write(`${l}\n`);
  },
};

export async function runCli(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const program = new Command()
    .name('genops')
    .description('Governance-first release gates: signed evidence, risk, policy decisions, canary and audit.')
    .version(GENOPS_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError();
  registerKeygen(program, io);
  registerVerify(program, io);
  registerEvidence(program, io);
  registerRisk(program, io);
  registerPolicy(program, io);
  registerCanary(program, io);
  registerAudit(program, io);
  registerDora(program, io);
  registerDemo(program, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.config;
    const err = toGenopsError(e);
    io.err(err.describe());
    if (err.kind === 'internal' && err.details.cause instanceof Error && process.env.GENOPS_DEBUG !== undefined) io.err(err.details.cause.stack ?? '');
    return err.kind === 'verification' || err.kind === 'blocked' ? EXIT.rejected : err.kind === 'config' ? EXIT.config : EXIT.internal;
  }
}
