/** Node implementations of the small I/O interfaces domain code takes. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, realpath, rename, stat, writeFile, rm } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { glob } from 'tinyglobby';
import type { ArtifactFileSystem } from './artifact/handoff.js';

/** Writes a temporary file beside `path`, then renames it over: readers see the old or the new file, never half. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Relative paths are taken from `cwd` (in an action, GITHUB_WORKSPACE), for every operation alike. */
export function nodeFileSystem(cwd: string = process.cwd()): ArtifactFileSystem {
  const at = (path: string) => resolve(cwd, path);
  return {
    async size(path) {
      try {
        const s = await stat(at(path));
        return s.isFile() ? s.size : undefined;
      } catch {
        return undefined;
      }
    },
    readFile: (path) => readFile(at(path)),
    writeFileAtomic: (relPath, data) => writeFileAtomic(at(relPath), data),
    glob: (pattern) => glob(pattern, { cwd, absolute: false, onlyFiles: true, expandDirectories: false }),
    async confine(path) {
      try {
        const [root, real] = await Promise.all([realpath(cwd), realpath(at(path))]);
        const rel = relative(root, real);
        if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
        return rel.split(sep).join('/');
      } catch {
        return undefined;
      }
    },
  };
}

/** The clock, injected everywhere time matters. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
export function fixedClock(at: Date | string): Clock {
  const t = new Date(at);
  return { now: () => new Date(t) };
}
