/**
 * A ledger in a local directory: the entries (`NAME.jsonl`), the checkpoint log
 * (`NAME.checkpoints.jsonl`, one signed checkpoint per append) and the head
 * (`NAME.state.json`: size, last entry hash, compact range, latest checkpoint). An append writes
 * a lock file, checks the head against the ledger's last line, appends, then replaces the state:
 * O(log n) work and O(1) reads, however long the ledger. A lone directory cannot prove it was not
 * cut short (delete the tail and the state together): see docs/audit.md#limits.
 */
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { ConfigError, VerificationError } from '../errors.js';
import { decodeLine } from './model.js';
import { parseHead, type LedgerAppend, type LedgerHead, type LedgerStore } from './ledger.js';

/** The file operations a local ledger needs. */
export interface LedgerFileSystem {
  /** The file's text, or undefined when there is no such file. */
  readText(path: string): Promise<string | undefined>;
  append(path: string, text: string): Promise<void>;
  writeAtomic(path: string, text: string): Promise<void>;
  /** The file's lines, streamed (none when there is no such file). */
  lines(path: string): AsyncIterable<string>;
  /** The last non-empty line, read from the end. */
  lastLine(path: string): Promise<string | undefined>;
  /** Takes an exclusive lock (a file created with O_EXCL); returns its release, or undefined when held. */
  tryLock(path: string): Promise<(() => Promise<void>) | undefined>;
}

const isMissing = (e: unknown): boolean => (e as { code?: string }).code === 'ENOENT';

export function nodeLedgerFileSystem(): LedgerFileSystem {
  return {
    async readText(path) {
      try {
        return await readFile(path, 'utf8');
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
    },
    async append(path, text) {
      await mkdir(dirname(path), { recursive: true });
      await appendFile(path, text, 'utf8');
    },
    async writeAtomic(path, text) {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, text, 'utf8');
        await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async *lines(path) {
      // Big chunks split on \n by hand: about twice as fast as readline on a large ledger.
      const stream = createReadStream(path, { highWaterMark: 4 * 1024 * 1024 });
      const opened = await new Promise<boolean>((resolve, reject) => {
        stream.once('open', () => resolve(true));
        stream.once('error', (e) => (isMissing(e) ? resolve(false) : reject(e)));
      });
      if (!opened) return;
      let rest: Buffer = Buffer.alloc(0);
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const buf = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
        let start = 0;
        for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
          yield buf.toString('utf8', start, nl);
          start = nl + 1;
        }
        rest = buf.subarray(start);
      }
      if (rest.length > 0) yield rest.toString('utf8');
    },
    async lastLine(path) {
      let handle;
      try {
        handle = await open(path, 'r');
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
      try {
        const { size } = await handle.stat();
        const chunks: Buffer[] = [];
        let pos = size;
        let text = '';
        // Read backwards in 64 KiB steps until a newline precedes the last line.
        while (pos > 0) {
          const len = Math.min(65_536, pos);
          pos -= len;
          const buf = Buffer.alloc(len);
          await handle.read(buf, 0, len, pos);
          chunks.unshift(buf);
          text = Buffer.concat(chunks).toString('utf8').replace(/\n+$/, '');
          if (text.includes('\n')) break;
        }
        const last = text.slice(text.lastIndexOf('\n') + 1);
        return last === '' ? undefined : last;
      } finally {
        await handle.close();
      }
    },
    async tryLock(path) {
      await mkdir(dirname(path), { recursive: true });
      try {
        const h = await open(path, 'wx');
        await h.close();
      } catch (e) {
        if ((e as { code?: string }).code === 'EEXIST') return undefined;
        throw e;
      }
      return () => rm(path, { force: true });
    },
  };
}

export interface LocalLedgerPaths {
  ledger: string;
  checkpoints: string;
  state: string;
  lock: string;
}

/** `audit/ledger.jsonl` -> its checkpoint log, state and lock beside it. */
export function localLedgerPaths(ledgerPath: string): LocalLedgerPaths {
  const stem = ledgerPath.endsWith('.jsonl') ? ledgerPath.slice(0, -'.jsonl'.length) : ledgerPath;
  return { ledger: ledgerPath, checkpoints: `${stem}.checkpoints.jsonl`, state: `${stem}.state.json`, lock: `${stem}.lock` };
}

export function localLedgerStore(ledgerPath: string, fs: LedgerFileSystem = nodeLedgerFileSystem()): LedgerStore & { paths: LocalLedgerPaths } {
  const paths = localLedgerPaths(ledgerPath);

  async function readHead(): Promise<LedgerHead | undefined> {
    const text = await fs.readText(paths.state);
    const last = await fs.lastLine(paths.ledger);
    if (text === undefined) {
      if (last !== undefined) {
        throw new VerificationError('ARTIFACT_NOT_FOUND', `${paths.ledger} has entries but its state file ${paths.state} is missing`, {
          file: paths.state,
          hint: 'Restore the state file, or start a new ledger; `genops audit verify` checks the entries against the checkpoint log.',
        });
      }
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new VerificationError('ARTIFACT_MALFORMED', `${paths.state} is not JSON`, { file: paths.state, hint: 'The state file was damaged.', cause: e });
    }
    const head = parseHead(json, paths.state);
    // A torn or foreign append shows as a last line that is not the head's last entry.
    const decoded = last === undefined ? undefined : decodeLine(last);
    const lastHash = decoded === undefined ? undefined : decoded.ok ? decoded.storedHash : 'unreadable';
    if (head.size > 0 && lastHash !== head.lastEntryHash) {
      throw new VerificationError('DIGEST_MISMATCH', `${paths.ledger}: its last line is not the entry its state and checkpoint end with (entry ${head.size - 1})`, {
        file: paths.ledger,
        hint: 'The ledger was changed outside genops or an append was interrupted. Run `genops audit verify` before appending again.',
      });
    }
    return head;
  }

  return {
    description: ledgerPath,
    paths,
    readHead,
    async commit(build: (head: LedgerHead | undefined) => Promise<LedgerAppend>): Promise<LedgerAppend> {
      const release = await fs.tryLock(paths.lock);
      if (release === undefined) {
        throw new ConfigError('INPUT_INVALID', `${ledgerPath} is locked by another append (${paths.lock} exists)`, {
          file: paths.lock,
          hint: 'Wait for the other append to finish. If none is running (a crashed append), run `genops audit verify`, then delete the lock file.',
        });
      }
      try {
        const result = await build(await readHead());
        await fs.append(paths.ledger, result.lines.map((l) => `${l}\n`).join(''));
        await fs.append(paths.checkpoints, `${JSON.stringify(result.checkpoint)}\n`);
        await fs.writeAtomic(paths.state, `${JSON.stringify(result.head)}\n`);
        return result;
      } finally {
        await release();
      }
    },
    lines: () => fs.lines(paths.ledger),
    checkpointLines: () => fs.lines(paths.checkpoints),
    async recordedSeq(digest) {
      // A local ledger is read in one pass; no index to keep.
      for await (const line of fs.lines(paths.ledger)) {
        if (!line.includes(digest)) continue;
        const d = decodeLine(line);
        if (d.ok && d.entry.artifact.digest === digest) return d.entry.seq;
      }
      return undefined;
    },
  };
}
