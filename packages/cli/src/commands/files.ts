/** Reading what a CLI flag names, with the error every command gives for it. */
import { readFile, stat } from 'node:fs/promises';
import { ConfigError, nodeFileSystem, readArtifactFile } from '@genops/core';

/** commander accumulator for a repeatable option. */
export const collectList = (v: string, prev: string[] = []): string[] => [...prev, v];

/** The file a flag names; FILE_NOT_FOUND naming the flag when it can't be read. */
export async function readInputFile(path: string, flag: string): Promise<Buffer> {
  return readFile(path).catch((e: unknown) => {
    throw new ConfigError('FILE_NOT_FOUND', `cannot read ${path}`, { input: flag, file: path, cause: e });
  });
}

export async function readInputText(path: string, flag: string): Promise<string> {
  return (await readInputFile(path, flag)).toString('utf8');
}

/**
 * An artifact bundle to verify: a missing file is FILE_NOT_FOUND (exit 2, the caller's to fix),
 * checked before readArtifactFile's size limit and its own errors (exit 1, the artifact's).
 */
export async function readBundleFile(path: string, flag: string, maxBytes?: number): Promise<Buffer> {
  if (!(await stat(path).then((s) => s.isFile(), () => false))) throw new ConfigError('FILE_NOT_FOUND', `no such file: ${path}`, { input: flag, file: path });
  return readArtifactFile(nodeFileSystem(), path, maxBytes);
}
