import { mkdir, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from '../cli.js';
import { ConfigError, generateSigningKeyPair } from '@genops/core';

export function registerKeygen(program: Command, io: CliIO): void {
  program
    .command('keygen')
    .description('Create an ECDSA P-256 key pair for key-mode signing (signing.key, signing.pub).')
    .requiredOption('--out <dir>', 'directory to write the key pair to')
    .option('--force', 'overwrite an existing key pair')
    .action(async (opts: { out: string; force?: boolean }) => {
      const keyPath = join(opts.out, 'signing.key');
      const pubPath = join(opts.out, 'signing.pub');
      if (opts.force !== true) {
        for (const p of [keyPath, pubPath]) {
          const exists = await access(p).then(() => true, () => false);
          if (exists) throw new ConfigError('INPUT_INVALID', `${p} exists; refusing to overwrite a key`, { input: '--out', file: p, hint: 'Choose another --out, or pass --force.' });
        }
      }
      const kp = generateSigningKeyPair();
      await mkdir(opts.out, { recursive: true });
      await writeFile(keyPath, kp.privateKeyPem, { mode: 0o600 });
      await writeFile(pubPath, kp.publicKeyPem, { mode: 0o644 });
      io.out(`wrote ${keyPath} (private, mode 0600) and ${pubPath}`);
      io.out(`key id: ${kp.keyId}`);
      io.out('Store signing.key as a repository secret (e.g. GENOPS_SIGNING_KEY); give signing.pub to the verifying steps.');
    });
}
