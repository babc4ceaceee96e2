import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError } from '../../src/errors.js';
import { parseDiffFile, parseUnifiedDiff, unquoteC } from '../../src/evidence/diff.js';
import type { DiffFile } from '../../src/evidence/model.js';
import type { SourceFile } from '../../src/evidence/source.js';
import { fixture, fixtureText, mutatedFixtureText, returnsOrConfigError, sourceFile } from './helpers.js';

const FIXTURE = 'diff/change.diff';

const diff = (text: string, path = 'change.diff'): SourceFile => sourceFile(path, text);
function byPath(files: DiffFile[]): Record<string, DiffFile> {
  return Object.fromEntries(files.map((f) => [f.path, f]));
}

describe('parseDiffFile: a real `git diff base...head`', () => {
  const parsed = parseDiffFile(fixture(FIXTURE));
  const files = byPath(parsed.value);

  it('lists every file with its status, in order', () => {
    expect(parsed.format).toBe('unified-diff');
    expect(parsed.parser.name).toBe('genops/unified-diff');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.value.map((f) => [f.path, f.status])).toEqual([
      ['README.md', 'modified'],
      ['assets/logo.png', 'added'],
      ['docs/café.md', 'modified'],
      ['docs/release notes.md', 'modified'],
      ['src/legacy/old.ts', 'removed'],
      ['src/payments/authorise.ts', 'modified'],
      ['src/payments/capture.test.ts', 'modified'],
      ['src/payments/refund.ts', 'added'],
      ['src/util/format.ts', 'renamed'],
      ['src/util/identifiers.ts', 'renamed'],
      ['src/util/money.ts', 'modified'],
    ]);
  });

  it('added lines on the new side, across hunks', () => {
    expect(files['src/payments/authorise.ts']).toEqual({
      path: 'src/payments/authorise.ts',
      status: 'modified',
      additions: 7,
      deletions: 1,
      addedLines: [3, 15, 16, 17, 18, 19, 20],
      // Most frequent first, ties in code-unit order; keywords (`const`, `await`, `new`) and English function words (`only`, `are`) left out.
      identifiers: ['budget', 'attempts', 'gateway', 'req', 'res', 'retryBudget', 'withRetry', 'Error', 'after', 'authorise', 'decline', 'key', 'merchant', 'retried', 'retry', 'status', 'timed', 'timeout', 'timeouts'],
    });
    expect(files['src/payments/refund.ts']?.addedLines).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(files['src/payments/capture.test.ts']?.addedLines).toEqual([6, 7, 8, 9, 10]);
  });

  it('`\\ No newline at end of file` does not add a line (parse-diff records it as a copy of the change before)', () => {
    expect(files['src/util/money.ts']).toEqual({ path: 'src/util/money.ts', status: 'modified', additions: 4, deletions: 0, addedLines: [4, 5, 6, 7], identifiers: ['cents', 'fromCents'] });
  });

  it('renames keep the old path; a pure rename adds nothing', () => {
    expect(files['src/util/format.ts']).toEqual({ path: 'src/util/format.ts', previousPath: 'src/util/fmt.ts', status: 'renamed', additions: 1, deletions: 1, addedLines: [4], identifiers: ['DIGITS', 'padStart', 'toFixed'] });
    expect(files['src/util/identifiers.ts']).toEqual({ path: 'src/util/identifiers.ts', previousPath: 'src/util/ids.ts', status: 'renamed', additions: 0, deletions: 0, addedLines: [] });
  });

  it('binary, deleted, C-quoted and space-containing paths', () => {
    expect(files['assets/logo.png']).toEqual({ path: 'assets/logo.png', status: 'added', additions: 0, deletions: 0, addedLines: [], binary: true });
    expect(files['src/legacy/old.ts']).toEqual({ path: 'src/legacy/old.ts', status: 'removed', additions: 0, deletions: 4, addedLines: [] });
    // git writes "b/docs/caf\303\251.md"; parse-diff would keep the escapes.
    expect(files['docs/café.md']?.addedLines).toEqual([2]);
    // git ends `+++ b/docs/release notes.md` with a tab when the name has a space.
    expect(files['docs/release notes.md']?.addedLines).toEqual([2]);
  });
});

describe('parseDiffFile: other writers and shapes', () => {
  it('plain `diff -u` output with timestamps, two files, no `diff` lines', () => {
    const files = parseUnifiedDiff(
      [
        '--- a/lib/x.py\t2026-03-01 10:00:00.000000000 +0000',
        '+++ b/lib/x.py\t2026-03-02 10:00:00.000000000 +0000',
        '@@ -1,2 +1,3 @@',
        ' import os',
        '+import sys',
        ' print(os.name)',
        '--- a/lib/y.py\t2026-03-01 10:00:00.000000000 +0000',
        '+++ b/lib/y.py\t2026-03-02 10:00:00.000000000 +0000',
        '@@ -5 +5 @@',
        '--- old comment',
        '+-- new comment',
        '',
      ].join('\n'),
    );
    expect(files).toEqual([
      { path: 'lib/x.py', status: 'modified', additions: 1, deletions: 0, addedLines: [2], identifiers: ['sys'] },
      // A removed line reading `-- old comment` is `--- old comment` in the hunk: not a new file header.
      { path: 'lib/y.py', status: 'modified', additions: 1, deletions: 1, addedLines: [5], identifiers: ['comment'] },
    ]);
  });

  it('empty new files, mode changes, --no-prefix and mnemonic prefixes', () => {
    const files = parseUnifiedDiff(
      [
        'diff --git a/my empty file b/my empty file',
        'new file mode 100644',
        'index 0000000..e69de29',
        'diff --git a/bin/run.sh b/bin/run.sh',
        'old mode 100644',
        'new mode 100755',
        'diff --git src/a.ts src/a.ts',
        'index 1111111..2222222 100644',
        '--- src/a.ts',
        '+++ src/a.ts',
        '@@ -0,0 +1 @@',
        '+x',
        'diff --git i/b.ts w/b.ts',
        '--- i/b.ts',
        '+++ w/b.ts',
        '@@ -1 +1,2 @@',
        ' y',
        '+z',
      ].join('\n'),
    );
    expect(files.map((f) => [f.path, f.status, f.addedLines])).toEqual([
      ['my empty file', 'added', []],
      ['bin/run.sh', 'modified', []],
      ['src/a.ts', 'modified', [1]],
      ['b.ts', 'modified', [2]],
    ]);
  });

  it('CRLF line ends (a diff saved on Windows) read the same', () => {
    const text = fixtureText(FIXTURE).replace(/\n/g, '\r\n');
    expect(parseDiffFile(diff(text)).value).toEqual(parseDiffFile(sourceFile('x', fixture(FIXTURE).bytes)).value);
  });

  it('a truncated hunk and a combined (merge) diff are warnings', () => {
    const parsed = parseDiffFile(
      diff(['diff --cc merged.ts', 'index 1,2..3', '@@@ -1,1 -1,1 +1,2 @@@', '  a', '++b', 'diff --git a/t.ts b/t.ts', '--- a/t.ts', '+++ b/t.ts', '@@ -1,3 +1,4 @@', ' a', '+b'].join('\n')),
    );
    expect(parsed.value).toEqual([{ path: 't.ts', status: 'modified', additions: 1, deletions: 0, addedLines: [2] }]);
    expect(parsed.warnings).toEqual(['line 1: combined (merge) diff sections are not read', 'the last hunk ends before the line counts of its header say (truncated diff?)']);
  });

  it('an empty diff is no files; text that is not a diff, or a broken hunk header, is an error', () => {
    expect(parseDiffFile(diff('')).value).toEqual([]);
    expect(parseDiffFile(diff('\n\n')).value).toEqual([]);
    expect(() => parseDiffFile(diff('hello\nworld\n'))).toThrow(/is not a unified diff/);
    try {
      parseDiffFile(diff('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,two @@\n', 'pr.diff'));
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).details).toMatchObject({ file: 'pr.diff', line: 4 });
    }
    expect(() => parseDiffFile(diff('@@ -1 +1 @@\n+x\n'))).toThrow(/before any file header/);
  });

  it('unquoteC decodes git quoting', () => {
    expect(unquoteC('"a/t\\303\\251st \\"x\\".txt"', 0)).toEqual({ value: 'a/tést "x".txt', end: 25 });
    expect(unquoteC('"tab\\there"', 0)?.value).toBe('tab\there');
    expect(unquoteC('"broken', 0)).toBeUndefined();
    expect(unquoteC('"bad\\q"', 0)).toBeUndefined();
  });
});

describe('parseDiffFile: property tests and hostile input', () => {
  const diffLine = fc.oneof(
    fc.constantFrom(
      'diff --git a/x.ts b/x.ts',
      'diff --git "a/q\\303\\251" "b/q\\303\\251"',
      'diff --git a/a b c/d e',
      'new file mode 100644',
      'deleted file mode 100644',
      'rename from x.ts',
      'rename to y.ts',
      'Binary files a/x and b/x differ',
      'GIT binary patch',
      '--- a/x.ts',
      '+++ b/x.ts',
      '--- /dev/null',
      '+++ /dev/null',
      '@@ -1,2 +1,3 @@',
      '@@ -0,0 +1 @@',
      '@@ -3 +3,0 @@',
      '@@@ -1 -1 +1 @@@',
      '\\ No newline at end of file',
      '',
    ),
    fc.string({ maxLength: 8 }).map((s) => `+${s}`),
    fc.string({ maxLength: 8 }).map((s) => `-${s}`),
    fc.string({ maxLength: 8 }).map((s) => ` ${s}`),
    fc.string({ maxLength: 20 }),
  );

  it('random bytes: a value or a ConfigError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => returnsOrConfigError(() => parseDiffFile(sourceFile('d', bytes)))),
      { numRuns: 200, seed: 42 },
    );
  });

  it('random diff-like lines: added lines sorted, unique, positive, never more than the additions', () => {
    fc.assert(
      fc.property(fc.array(diffLine, { maxLength: 40 }), (lines) => {
        try {
          for (const f of parseDiffFile(diff(lines.join('\n'))).value) {
            expect(f.path.length).toBeGreaterThan(0);
            for (let i = 0; i < f.addedLines.length; i++) {
              expect(f.addedLines[i]).toBeGreaterThanOrEqual(1);
              if (i > 0) expect(f.addedLines[i]).toBeGreaterThan(f.addedLines[i - 1]!);
            }
            expect(f.addedLines.length).toBeLessThanOrEqual(f.additions);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('mutated fixture: a value or a ConfigError', () => {
    fc.assert(
      fc.property(mutatedFixtureText(FIXTURE), (text) => returnsOrConfigError(() => parseDiffFile(diff(text)))),
      { numRuns: 200, seed: 42 },
    );
  });

  it('long crafted header lines do not make the regexes backtrack', () => {
    expect(returnsOrConfigError(() => parseDiffFile(diff(`diff --git ${'a/'.repeat(100_000)}\n`)))).toBe(true);
    expect(returnsOrConfigError(() => parseDiffFile(diff(`diff --git a/x b/x\n@@ -${'1'.repeat(200_000)}x\n`)))).toBe(true);
    expect(returnsOrConfigError(() => parseDiffFile(diff(`diff --git a/x b/x\n@@ -1 +1 @@ ${'a/'.repeat(100_000)}\n+x\n`)))).toBe(true);
  });

  it('a 200,000-line diff parses completely (a quadratic step would hit the test timeout)', () => {
    const parts: string[] = [];
    for (let f = 0; f < 2000; f++) {
      parts.push(`diff --git a/src/f${String(f)}.ts b/src/f${String(f)}.ts`, 'index 1111111..2222222 100644', `--- a/src/f${String(f)}.ts`, `+++ b/src/f${String(f)}.ts`);
      parts.push('@@ -1,48 +1,96 @@');
      for (let i = 0; i < 48; i++) parts.push(` line ${String(i)}`, `+added ${String(i)}`);
    }
    const files = parseDiffFile(diff(parts.join('\n'))).value;
    expect(files).toHaveLength(2000);
    expect(files[0]?.addedLines).toHaveLength(48);
  });
});

describe('identifiers of added lines', () => {
  const one = (lines: string[], path = 'src/a.ts'): DiffFile | undefined =>
    parseUnifiedDiff([`diff --git a/${path} b/${path}`, `--- a/${path}`, `+++ b/${path}`, `@@ -1,0 +1,${String(lines.length)} @@`, ...lines.map((l) => `+${l}`)].join('\n'))[0];

  it('the fixture: prose and code alike; none for binary, removed and purely renamed files', () => {
    const files = byPath(parseDiffFile(fixture(FIXTURE)).value);
    expect(files['README.md']?.identifiers).toEqual(['Authorise', 'capture', 'card', 'payments', 'refund']);
    expect(files['src/payments/refund.ts']?.identifiers).toEqual(['cents', 'gateway', 'refund', 'paymentId', 'res', 'Error', 'Promise', 'amount', 'positive', 'refunded', 'status']);
    for (const p of ['assets/logo.png', 'src/legacy/old.ts', 'src/util/identifiers.ts', 'docs/café.md']) expect(files[p]?.identifiers).toBeUndefined();
  });

  it('tokens starting with a digit, shorter than 3 or longer than 64 characters, keywords and bare underscores are not identifiers', () => {
    const f = one([`const poolSize = 0x1f + 404ms + ab; // ___ ${'x'.repeat(65)} ${'y'.repeat(64)}`, 'return new Pool(poolSize) as unknown']);
    expect(f?.identifiers).toEqual(['poolSize', 'Pool', 'y'.repeat(64)]);
  });

  it('only added lines count, not context or removed lines', () => {
    const files = parseUnifiedDiff(['diff --git a/a.py b/a.py', '--- a/a.py', '+++ b/a.py', '@@ -1,2 +1,2 @@', ' context_name = 1', '-removed_name = 2', '+added_name = 3'].join('\n'));
    expect(files[0]?.identifiers).toEqual(['added_name']);
  });

  it('at most 50 per file, most frequent first, ties in code-unit order', () => {
    const names = Array.from({ length: 60 }, (_, i) => `name${String(i).padStart(2, '0')}`);
    const f = one([...names, 'name59 name59', 'name58']);
    expect(f?.identifiers).toHaveLength(50);
    expect(f?.identifiers?.slice(0, 4)).toEqual(['name59', 'name58', 'name00', 'name01']);
    expect(f?.identifiers?.at(-1)).toBe('name47');
  });

  it('lock files and generated bundles are skipped', () => {
    for (const path of ['package-lock.json', 'web/pnpm-lock.yaml', 'go.sum', 'dist/app.min.js', 'src/__snapshots__/a.test.ts.snap']) {
      expect(one(['"resolved": "https://registry.npmjs.org/left-pad"'], path)?.identifiers).toBeUndefined();
    }
    expect(one(['"resolved": "https://registry.npmjs.org/left-pad"'], 'package.json')?.identifiers).toEqual(['https', 'left', 'npmjs', 'org', 'pad', 'registry', 'resolved']);
  });

  it('random added lines: identifiers are unique, word-shaped, 3 to 64 characters, at most 50', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { minLength: 1, maxLength: 30 }), (lines) => {
        const f = one(lines.map((l) => l.replace(/[\r\n]/g, ' ')));
        const ids = f?.identifiers ?? [];
        expect(ids.length).toBeLessThanOrEqual(50);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_]{2,63}$/);
      }),
      { numRuns: 200, seed: 42 },
    );
  });
});
