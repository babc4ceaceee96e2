import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError } from '../../src/errors.js';
import { buildCoverageEvidence, matchFiles, normalizeCoveragePath, parseCoverageFile, toRanges } from '../../src/evidence/coverage/index.js';
import { parseDiffFile } from '../../src/evidence/diff.js';
import type { CoverageReport, DiffFile } from '../../src/evidence/model.js';
import type { SourceFile } from '../../src/evidence/source.js';
import { fixture, mutatedFixtureText, returnsOrConfigError, sourceFile } from './helpers.js';

const text = (content: string, path = 'coverage/lcov.info'): SourceFile => sourceFile(path, content);
function diffFile(path: string, addedLines: number[], extra: Partial<DiffFile> = {}): DiffFile {
  return { path, status: 'modified', additions: addedLines.length, deletions: 0, addedLines, ...extra };
}

const lcov = (): CoverageReport => parseCoverageFile(fixture('coverage/lcov.info')).value;
const cobertura = (): CoverageReport => parseCoverageFile(fixture('coverage/coverage.xml')).value;

describe('parseCoverageFile: lcov', () => {
  it('reads an istanbul (Jest) tracefile: line maps and branches per file', () => {
    const parsed = parseCoverageFile(fixture('coverage/lcov.info'));
    expect(parsed.format).toBe('lcov');
    expect(parsed.parser.name).toBe('genops/lcov');
    expect(parsed.warnings).toEqual([]);
    const files = parsed.value.files;
    expect(files.map((f) => f.path)).toEqual(['src/payments/authorise.ts', 'src/payments/capture.ts', 'src/util/format.ts', 'src/util/money.ts']);
    const authorise = files[0]!;
    expect(authorise.lines.size).toBe(11);
    expect(authorise.lines.get(19)).toBe(0);
    expect(authorise.lines.get(15)).toBe(9);
    expect(authorise.lines.has(16)).toBe(false); // a comment: not instrumented
    expect(authorise.branches?.get(18)).toEqual({ covered: 1, total: 2 });
    expect(parsed.value.branches).toEqual({ covered: 5, total: 6 });
  });

  it('sums hits of a file recorded twice, and branch counts per branch', () => {
    const report = parseCoverageFile(
      text(['SF:src/a.ts', 'DA:1,0', 'DA:2,3', 'BRDA:2,0,0,0', 'BRDA:2,0,1,-', 'end_of_record', 'SF:src/a.ts', 'DA:1,2', 'DA:3,0', 'BRDA:2,0,0,1', 'end_of_record', ''].join('\n')),
    ).value;
    expect(report.files).toHaveLength(1);
    expect([...report.files[0]!.lines]).toEqual([
      [1, 2],
      [2, 3],
      [3, 0],
    ]);
    expect(report.branches).toEqual({ covered: 1, total: 2 });
  });

  it('takes BRF/BRH when a record has no BRDA lines; CRLF and lcov 2 tags are fine', () => {
    const report = parseCoverageFile(text('VER:2.0\r\nTN:\r\nSF:lib/x.c\r\nFNL:0,3,9\r\nDA:3,1\r\nBRF:4\r\nBRH:3\r\nend_of_record\r\n')).value;
    expect(report.files[0]?.lines.get(3)).toBe(1);
    expect(report.branches).toEqual({ covered: 3, total: 4 });
  });

  it('warns about what it skips instead of failing', () => {
    const parsed = parseCoverageFile(text('SF:a.js\nDA:x,1\nDA:2,-1\nDA:3,1\ngarbage\nSF:b.js\nDA:1,1\n'));
    expect(parsed.value.files.map((f) => [f.path, f.lines.size])).toEqual([
      ['a.js', 1],
      ['b.js', 1],
    ]);
    expect(parsed.warnings).toEqual([
      'line 2: DA:x,1 is not <line>,<hits>; skipped',
      'line 3: DA:2,-1 is not <line>,<hits>; skipped',
      'line 6: a record has no end_of_record before the next SF',
      'the last record has no end_of_record (truncated file?)',
      '1 lines that are not lcov were ignored',
    ]);
  });
});

describe('parseCoverageFile: Cobertura', () => {
  it('reads coverage.py XML, joining filenames to the one <source>', () => {
    const parsed = parseCoverageFile(fixture('coverage/coverage.xml'));
    expect(parsed.format).toBe('cobertura-xml');
    expect(parsed.warnings).toEqual([]);
    const files = parsed.value.files;
    expect(files.map((f) => f.path)).toEqual([
      '/home/runner/work/ledger/ledger/src/ledger/__init__.py',
      '/home/runner/work/ledger/ledger/src/ledger/accounts.py',
      '/home/runner/work/ledger/ledger/src/ledger/io/export.py',
    ]);
    expect(files.reduce((n, f) => n + f.lines.size, 0)).toBe(17);
    expect(files[1]!.lines.get(8)).toBe(0);
    expect(files[1]!.branches?.get(5)).toEqual({ covered: 1, total: 2 });
    expect(parsed.value.branches).toEqual({ covered: 3, total: 6 });
  });

  it('merges classes of one file (Java inner classes) and keeps filenames relative with several sources', () => {
    const parsed = parseCoverageFile(
      text(
        `<?xml version="1.0"?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage line-rate="0.5" branch-rate="0" version="1.9" timestamp="1">
  <sources><source>src/main/java</source><source>src/generated/java</source></sources>
  <packages><package name="com.x"><classes>
    <class name="com.x.A" filename="com/x/A.java"><methods><method name="m" signature="()V"><lines><line number="3" hits="99"/></lines></method></methods>
      <lines><line number="3" hits="1"/><line number="4" hits="0"/></lines></class>
    <class name="com.x.A$Inner" filename="com/x/A.java"><lines><line number="4" hits="2"/><line number="9" hits="0"/></lines></class>
  </classes></package></packages>
</coverage>`,
        'build/cobertura.xml',
      ),
    );
    expect(parsed.value.files).toHaveLength(1);
    expect(parsed.value.files[0]!.path).toBe('com/x/A.java');
    expect([...parsed.value.files[0]!.lines]).toEqual([
      [3, 1],
      [4, 2],
      [9, 0],
    ]);
    expect(parsed.warnings).toEqual(['2 <source> roots: class filenames are kept relative and matched to repository paths by suffix']);
  });

  it('names the formats it reads when given another one', () => {
    const cases: [string, RegExp][] = [
      ['<?xml version="1.0"?><report name="jacoco"><counter type="LINE" missed="1" covered="2"/></report>', /JaCoCo/],
      ['<coverage generated="1" clover="4.4.1"><project/></coverage>', /Clover/],
      ['{"total":{"lines":{"pct":80}}}', /lcov \(lcov.info\) or Cobertura XML/],
      ['mode: set\ngithub.com/x/y/a.go:3.2,4.3 1 1\n', /lcov \(lcov.info\) or Cobertura XML/],
    ];
    for (const [content, expected] of cases) {
      try {
        parseCoverageFile(text(content, 'cov.out'));
        throw new Error('expected a ConfigError');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        const err = e as ConfigError;
        expect(err.details.file).toBe('cov.out');
        expect(`${err.message} ${err.details.expected ?? ''} ${err.details.hint ?? ''}`).toMatch(expected);
      }
    }
  });
});

describe('buildCoverageEvidence', () => {
  it('totals, and changed-line coverage of the fixture diff: covered, uncovered, not instrumented, unmeasured', () => {
    const diff = parseDiffFile(fixture('diff/change.diff')).value;
    const evidence = buildCoverageEvidence([lcov()], diff, {});
    expect(evidence.lines).toEqual({ covered: 18, total: 22, ratio: 18 / 22 });
    expect(evidence.branches).toEqual({ covered: 5, total: 6, ratio: 5 / 6 });
    expect(evidence.files).toBe(4);
    expect(evidence.changedLines).toEqual({
      // authorise.ts 3, 15, 17, 18 and format.ts 4 covered; authorise.ts 19 and money.ts 6 not.
      covered: 5,
      total: 7,
      ratio: 5 / 7,
      // authorise.ts 16 (comment) and 20 (brace), money.ts 4, 5, 7, capture.test.ts 6-10,
      // refund.ts 1-7, README.md 3, docs/café.md 2, docs/release notes.md 2.
      notInstrumented: 20,
      uncovered: [
        { path: 'src/payments/authorise.ts', ranges: [[19, 19]] },
        { path: 'src/util/money.ts', ranges: [[6, 6]] },
      ],
      // A test file and docs are not "unmeasured source": only refund.ts, which no test loaded.
      unmeasuredFiles: ['src/payments/refund.ts'],
    });
  });

  it('without a diff there is no changed-line coverage; with an empty one the ratio is null', () => {
    expect(buildCoverageEvidence([lcov()], null, {}).changedLines).toBeNull();
    expect(buildCoverageEvidence([lcov()], [], {}).changedLines).toEqual({ covered: 0, total: 0, ratio: null, notInstrumented: 0, uncovered: [] });
    expect(buildCoverageEvidence([], null, {})).toEqual({ lines: { covered: 0, total: 0, ratio: null }, files: 0, changedLines: null });
  });

  it('strips the workspace root from absolute Cobertura paths; finds them by suffix without it', () => {
    const diff = [diffFile('src/ledger/io/export.py', [4, 5, 6, 7, 8]), diffFile('src/ledger/accounts.py', [12, 13])];
    const withRoot = buildCoverageEvidence([cobertura()], diff, { workspaceRoot: '/home/runner/work/ledger/ledger/' });
    const bySuffix = buildCoverageEvidence([cobertura()], diff, {});
    for (const evidence of [withRoot, bySuffix]) {
      expect(evidence.lines).toEqual({ covered: 13, total: 17, ratio: 13 / 17 });
      expect(evidence.branches).toEqual({ covered: 3, total: 6, ratio: 0.5 });
      expect(evidence.changedLines).toEqual({
        covered: 3,
        total: 6,
        ratio: 0.5,
        notInstrumented: 1,
        uncovered: [{ path: 'src/ledger/io/export.py', ranges: [[5, 7]] }],
      });
    }
  });

  it('a line is covered when any report covers it; the same branches are not counted twice', () => {
    const a: CoverageReport = { files: [{ path: '/ci/ws/src/a.ts', lines: new Map([[1, 0], [2, 0]]), branches: new Map([[2, { covered: 0, total: 2 }]]) }], branches: { covered: 0, total: 2 } };
    const b: CoverageReport = { files: [{ path: './src/a.ts', lines: new Map([[1, 4], [3, 0]]), branches: new Map([[2, { covered: 1, total: 2 }]]) }], branches: { covered: 1, total: 2 } };
    const evidence = buildCoverageEvidence([a, b], [diffFile('src/a.ts', [1, 2, 3, 4])], { workspaceRoot: '/ci/ws' });
    expect(evidence.files).toBe(1);
    expect(evidence.lines).toEqual({ covered: 1, total: 3, ratio: 1 / 3 });
    expect(evidence.branches).toEqual({ covered: 1, total: 2, ratio: 0.5 });
    expect(evidence.changedLines).toMatchObject({ covered: 1, total: 3, notInstrumented: 1, uncovered: [{ path: 'src/a.ts', ranges: [[2, 3]] }] });
  });

  it('ambiguous suffix matches match nothing (monorepo packages with the same relative path)', () => {
    const measured = new Map<string, unknown>([
      ['/w/packages/a/src/index.ts', 1],
      ['/w/packages/b/src/index.ts', 1],
      ['lib/util.py', 1],
      ['cli.py', 1],
    ]);
    const m = matchFiles(['src/index.ts', 'packages/b/src/index.ts', 'src/lib/util.py', 'tools/cli.py', 'scripts/cli.py'], measured);
    expect([...m]).toEqual([
      ['packages/b/src/index.ts', '/w/packages/b/src/index.ts'],
      ['src/lib/util.py', 'lib/util.py'],
    ]);
  });

  it('caps the uncovered list at 200 files and removed or binary files are not measured', () => {
    const files = Array.from({ length: 250 }, (_, i) => ({ path: `src/f${String(i)}.ts`, lines: new Map([[1, 0]]) }));
    const diff = [...files.map((f) => diffFile(f.path, [1])), diffFile('src/gone.ts', [1], { status: 'removed' }), diffFile('img/x.png', [1], { binary: true })];
    const evidence = buildCoverageEvidence([{ files }], diff, {});
    expect(evidence.changedLines?.total).toBe(250);
    expect(evidence.changedLines?.uncovered).toHaveLength(200);
    expect(evidence.changedLines?.notInstrumented).toBe(0);
  });
});

describe('path helpers', () => {
  it('normalizeCoveragePath', () => {
    expect(normalizeCoveragePath('./src//a.ts')).toBe('src/a.ts');
    expect(normalizeCoveragePath('C:\\a\\ws\\src\\b.ts', 'C:\\a\\ws')).toBe('src/b.ts');
    expect(normalizeCoveragePath('/home/r/ws/src/a.ts', '/home/r/ws/')).toBe('src/a.ts');
    expect(normalizeCoveragePath('/home/r/wsx/a.ts', '/home/r/ws')).toBe('/home/r/wsx/a.ts');
  });

  it('toRanges', () => {
    expect(toRanges([1, 2, 3, 5, 7, 8])).toEqual([
      [1, 3],
      [5, 5],
      [7, 8],
    ]);
    expect(toRanges([])).toEqual([]);
  });
});

describe('coverage: property tests and scale', () => {
  const lcovLine = fc.oneof(
    fc.constantFrom('TN:', 'end_of_record', 'SF:src/a.ts', 'SF:', 'LF:3', 'BRF:2', 'BRH:9', 'FN:1,f', ''),
    fc.tuple(fc.integer({ min: -2, max: 30 }), fc.oneof(fc.integer({ min: -1, max: 5 }).map(String), fc.constantFrom('-', 'x', '1e999', '2.5'))).map(([l, h]) => `DA:${String(l)},${h}`),
    fc.tuple(fc.integer({ min: 0, max: 30 }), fc.nat(3), fc.nat(3), fc.constantFrom('-', '0', '4', 'q')).map(([l, b, r, t]) => `BRDA:${String(l)},${String(b)},${String(r)},${t}`),
    fc.string({ maxLength: 30 }),
  );

  it('random bytes: a value or a ConfigError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => returnsOrConfigError(() => parseCoverageFile(sourceFile('c', bytes)))),
      { numRuns: 200, seed: 42 },
    );
  });

  it('random lcov-like lines: sane reports; evidence ratios within [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(lcovLine, { maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 20 }), (lines, added) => {
        const t = ['SF:src/a.ts', ...lines].join('\n');
        const report = parseCoverageFile(text(t)).value;
        for (const f of report.files) for (const [line, hits] of f.lines) expect(line >= 1 && hits >= 0).toBe(true);
        const e = buildCoverageEvidence([report], [diffFile('src/a.ts', [...new Set(added)].sort((a, b) => a - b))], {});
        for (const r of [e.lines, e.branches, e.changedLines]) {
          if (r === undefined || r === null) continue;
          expect(r.covered).toBeLessThanOrEqual(r.total);
          if (r.ratio !== null) expect(r.ratio >= 0 && r.ratio <= 1).toBe(true);
        }
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('mutated fixtures: a value or a ConfigError', () => {
    fc.assert(
      fc.property(mutatedFixtureText('coverage/lcov.info', 'coverage/coverage.xml'), (t) => returnsOrConfigError(() => parseCoverageFile(text(t)))),
      { numRuns: 200, seed: 42 },
    );
  });

  it('20,000 covered files against a 5,000-file diff completely (a quadratic step would hit the test timeout)', () => {
    const lines = new Map(Array.from({ length: 50 }, (_, i) => [i + 1, i % 3] as [number, number]));
    const files = Array.from({ length: 20_000 }, (_, i) => ({ path: `/home/runner/work/r/r/packages/p${String(i % 40)}/src/m${String(i)}/file.ts`, lines }));
    const diff = Array.from({ length: 5_000 }, (_, i) => diffFile(`packages/p${String((i * 4) % 40)}/src/m${String(i * 4)}/file.ts`, [1, 2, 3, 4, 60]));
    const evidence = buildCoverageEvidence([{ files }], diff, {});
    expect(evidence.changedLines?.total).toBe(20_000);
    expect(evidence.changedLines?.notInstrumented).toBe(5_000);
  });
});
