import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_LIMITS, type SourceFile } from '../../src/evidence/source.js';
import { locationInText, mergeTestEvidence, parseJunitFile } from '../../src/evidence/tests/junit.js';
import { fixture as evidenceFixture, mutatedFixtureText, returnsOrConfigError, sourceFile } from './helpers.js';

const fixture = (name: string): SourceFile => evidenceFixture(`tests/${name}`);
const xml = (text: string, path = 'reports/junit.xml'): SourceFile => sourceFile(path, text);

describe('parseJunitFile: real reports', () => {
  it('jest-junit: a retried test counts once, as passed and flaky; failures point at the test file', () => {
    const parsed = parseJunitFile(fixture('jest-junit.xml'));
    expect(parsed.format).toBe('junit-xml');
    expect(parsed.parser.name).toBe('genops/junit');
    expect(parsed.warnings).toEqual([]);
    const t = parsed.value;
    expect({ total: t.total, passed: t.passed, failed: t.failed, errored: t.errored, skipped: t.skipped, flaky: t.flaky, suites: t.suites }).toEqual({
      total: 7,
      passed: 5,
      failed: 1,
      errored: 0,
      skipped: 1,
      flaky: 1,
      suites: 2,
    });
    expect(t.durationSeconds).toBe(4.127);
    expect(t.flakyTests).toEqual([{ suite: 'authorise', name: 'authorise retries a gateway timeout', attempts: 2 }]);
    // The first frame outside node_modules is the test's own line.
    expect(t.failures).toEqual([
      {
        suite: 'authorise',
        name: 'authorise gives up after the retry budget',
        message: 'Error: thrown: "Exceeded timeout of 1000 ms for a test.',
        file: '/home/runner/work/payments/payments/src/payments/authorise.test.ts',
        line: 48,
      },
    ]);
  });

  it('Maven Surefire: flakyFailure is a flaky pass, rerunFailure a failure that was retried', () => {
    const t = parseJunitFile(fixture('TEST-com.example.payments.LedgerTest.xml')).value;
    expect([t.total, t.passed, t.failed, t.errored, t.skipped, t.flaky, t.suites]).toEqual([5, 2, 1, 1, 1, 1, 1]);
    expect(t.durationSeconds).toBe(1.532);
    expect(t.flakyTests).toEqual([{ suite: 'com.example.payments.LedgerTest', name: 'settlesAfterRetry', attempts: 2 }]);
    expect(t.failures).toEqual([
      {
        suite: 'com.example.payments.LedgerTest',
        name: 'rejectsNegativeAmount',
        message: 'Expected java.lang.IllegalArgumentException to be thrown, but nothing was thrown.',
        file: 'LedgerTest.java',
        line: 71,
      },
      // The frame of the test class, not LedgerExporter's or the JDK's.
      { suite: 'com.example.payments.LedgerTest', name: 'exportsToCsv', message: '/tmp/ledger.csv (Permission denied)', file: 'LedgerTest.java', line: 84 },
    ]);
  });

  it('pytest: xfail and skip are skipped, setup errors are errors, locations come from the traceback', () => {
    const parsed = parseJunitFile(fixture('pytest-junit.xml'));
    expect(parsed.warnings).toEqual([]);
    const t = parsed.value;
    expect([t.total, t.passed, t.failed, t.errored, t.skipped, t.flaky, t.suites]).toEqual([7, 3, 1, 1, 2, 0, 1]);
    expect(t.durationSeconds).toBe(0.412);
    expect(t.failures[0]).toEqual({
      suite: 'tests.test_accounts',
      name: 'test_close_account_with_balance',
      message: "AssertionError: assert 'closed' == 'frozen'\n  \n  - frozen\n  + closed",
      file: 'tests/test_accounts.py',
      line: 27,
    });
    expect(t.failures[1]).toMatchObject({ suite: 'tests.test_export', name: 'test_export_csv', file: 'tests/conftest.py', line: 14 });
  });
});

describe('parseJunitFile: shapes and edge cases', () => {
  it('pytest-rerunfailures style repeats: the last attempt decides; a failure after a pass is not flaky', () => {
    const t = parseJunitFile(
      xml(`<testsuites><testsuite name="pytest" tests="3">
        <testcase classname="t" name="flaky"><failure message="boom"/></testcase>
        <testcase classname="t" name="flaky"><failure message="boom"/></testcase>
        <testcase classname="t" name="flaky"/>
        <testcase classname="t" name="broken"/>
        <testcase classname="t" name="broken"><failure message="still broken"/></testcase>
        <testcase classname="t" name="fine"/>
      </testsuite></testsuites>`),
    ).value;
    expect([t.total, t.passed, t.failed, t.flaky]).toEqual([3, 2, 1, 0 + 1]);
    expect(t.flakyTests).toEqual([{ suite: 't', name: 'flaky', attempts: 3 }]);
    expect(t.failures).toEqual([{ suite: 't', name: 'broken', message: 'still broken' }]);
  });

  it('the same names in two suites are two tests, not retries', () => {
    const t = parseJunitFile(
      xml(`<testsuites>
        <testsuite name="a"><testcase classname="x" name="works"><failure>no</failure></testcase></testsuite>
        <testsuite name="b"><testcase classname="x" name="works"/></testsuite>
      </testsuites>`),
    ).value;
    expect([t.total, t.passed, t.failed, t.flaky, t.suites]).toEqual([2, 1, 1, 0, 2]);
  });

  it('nested suites (PHPUnit) are walked; only suites with test cases count', () => {
    const t = parseJunitFile(
      xml(`<testsuites><testsuite name="all" tests="3" failures="1">
        <testsuite name="Unit" tests="2" failures="1">
          <testsuite name="App\\MoneyTest" file="/app/tests/Unit/MoneyTest.php" tests="2" failures="1">
            <testcase name="testAdd" class="App\\MoneyTest" classname="App.MoneyTest" file="/app/tests/Unit/MoneyTest.php" line="12"/>
            <testcase name="testSplit" class="App\\MoneyTest" classname="App.MoneyTest" file="/app/tests/Unit/MoneyTest.php" line="20">
              <failure type="PHPUnit\\Framework\\ExpectationFailedException">Failed asserting that 3 matches expected 4.

/app/tests/Unit/MoneyTest.php:24</failure>
            </testcase>
          </testsuite>
        </testsuite>
        <testsuite name="Feature" tests="1"><testcase name="testCheckout" classname="App.CheckoutTest"/></testsuite>
      </testsuite></testsuites>`),
    );
    expect(t.warnings).toEqual([]);
    expect([t.value.total, t.value.passed, t.value.failed, t.value.suites]).toEqual([3, 2, 1, 2]);
    // The text names the same file as the attribute, so its line (where it failed) wins over the test's line.
    expect(t.value.failures[0]).toMatchObject({ file: '/app/tests/Unit/MoneyTest.php', line: 24 });
  });

  it("go-junit-report: the `file_test.go:12:` location of Go's testing output", () => {
    const t = parseJunitFile(
      xml(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="2" failures="1">
  <testsuite name="github.com/acme/ledger/money" tests="2" failures="1" errors="0" id="0" hostname="runner" time="0.004" timestamp="2026-03-02T10:20:00Z">
    <properties><property name="go.version" value="go1.24.1"></property></properties>
    <testcase name="TestSplit" classname="github.com/acme/ledger/money" time="0.000">
      <failure message="Failed"><![CDATA[    split_test.go:31: Split(10, 3) = [3 3 3], want [4 3 3]]]></failure>
    </testcase>
    <testcase name="TestAdd" classname="github.com/acme/ledger/money" time="0.000"></testcase>
  </testsuite>
</testsuites>`),
    );
    expect(t.warnings).toEqual([]);
    expect(t.value.failures).toEqual([{ suite: 'github.com/acme/ledger/money', name: 'TestSplit', message: 'Failed', file: 'split_test.go', line: 31 }]);
  });

  it('file and line attributes are used when the text names no file', () => {
    const t = parseJunitFile(xml(`<testsuite name="s"><testcase name="n" file="spec/a_spec.rb" line="7"><failure message="expected true"/></testcase></testsuite>`)).value;
    expect(t.failures).toEqual([{ suite: 's', name: 'n', message: 'expected true', file: 'spec/a_spec.rb', line: 7 }]);
  });

  it('suite attributes that disagree with the test cases are a warning, never the totals', () => {
    const parsed = parseJunitFile(xml(`<testsuite name="s" tests="10" failures="0"><testcase name="a"><failure/></testcase><testcase name="b"/></testsuite>`));
    expect(parsed.value.total).toBe(2);
    expect(parsed.value.failed).toBe(1);
    expect(parsed.warnings).toEqual(['suite "s": tests="10" but 2 counted, failures="0" but 1 counted; totals are counted from the test cases']);
  });

  it('an empty report has no tests, and says so', () => {
    const parsed = parseJunitFile(xml('<?xml version="1.0"?><testsuites/>'));
    expect(parsed.value).toEqual({ total: 0, passed: 0, failed: 0, errored: 0, skipped: 0, flaky: 0, suites: 0, failures: [], flakyTests: [] });
    expect(parsed.warnings).toEqual(['the report has no <testcase> elements']);
  });

  it('failures are capped at 100, counts are not', () => {
    const cases = Array.from({ length: 150 }, (_, i) => `<testcase name="t${String(i)}"><failure/></testcase>`).join('');
    const t = parseJunitFile(xml(`<testsuite name="s">${cases}</testsuite>`)).value;
    expect(t.failed).toBe(150);
    expect(t.failures).toHaveLength(100);
  });

  it('refuses a file that is not JUnit, naming the file and what was found', () => {
    try {
      parseJunitFile(xml('<coverage line-rate="1"/>', 'out/coverage.xml'));
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const err = e as ConfigError;
      expect(err.code).toBe('FILE_INVALID');
      expect(err.details.file).toBe('out/coverage.xml');
      expect(err.details.actual).toBe('<coverage>');
    }
  });

  it('refuses malformed XML with a line number, and DTD entities', () => {
    expect(() => parseJunitFile(xml('<testsuite>\n<testcase name="a">\n</testsuite>'))).toThrow(ConfigError);
    try {
      parseJunitFile(xml('<testsuite>\n<testcase name="a">\n</testsuite>'));
    } catch (e) {
      expect((e as ConfigError).details.line).toBeGreaterThan(1);
    }
    expect(() => parseJunitFile(xml('<!DOCTYPE x [<!ENTITY a "aaaa">]><testsuite name="&a;"/>'))).toThrow(ConfigError);
  });

  it('enforces maxTestCases', () => {
    const cases = Array.from({ length: 11 }, (_, i) => `<testcase name="t${String(i)}"/>`).join('');
    expect(() => parseJunitFile(xml(`<testsuite>${cases}</testsuite>`), { ...DEFAULT_LIMITS, maxTestCases: 10 })).toThrow(/more than 10 test cases/);
  });
});

describe('locationInText', () => {
  it('reads the common stack and traceback shapes', () => {
    expect(locationInText('Error\n    at Object.<anonymous> (/w/src/a.test.ts:3:9)')).toEqual({ file: '/w/src/a.test.ts', line: 3 });
    expect(locationInText('Error\n    at file:///w/src/a.test.mjs:4:1')).toEqual({ file: '/w/src/a.test.mjs', line: 4 });
    expect(locationInText('    at org.junit.Assert.fail(Assert.java:89)\n    at com.x.FooTest.bar(FooTest.java:42)', 'com.x.FooTest')).toEqual({ file: 'FooTest.java', line: 42 });
    expect(locationInText('Traceback (most recent call last):\n  File "tests/test_x.py", line 12, in test_y\n    assert 0')).toEqual({ file: 'tests/test_x.py', line: 12 });
    expect(locationInText('expected 3 got 4 (see pkg/money/split_test.go:31)')).toEqual({ file: 'pkg/money/split_test.go', line: 31 });
  });

  it('does not mistake times, URLs, library frames or bare names for files', () => {
    expect(locationInText('finished at 12:30:01.5 on https://ci.example.com:8443/run/12')).toBeUndefined();
    expect(locationInText('at it (/w/node_modules/jest-circus/build/index.js:3:1)\nat process (node:internal/x:1:1)')).toBeUndefined();
    expect(locationInText('at org.junit.Assert.fail(Assert.java:89)', 'com.x.FooTest')).toBeUndefined();
    expect(locationInText('value was README:3')).toBeUndefined();
  });
});

describe('mergeTestEvidence', () => {
  it('sums counts; duration only when every file has one', () => {
    const a = parseJunitFile(fixture('jest-junit.xml')).value;
    const b = parseJunitFile(fixture('pytest-junit.xml')).value;
    const m = mergeTestEvidence([a, b]);
    expect([m.total, m.passed, m.failed, m.errored, m.skipped, m.flaky, m.suites]).toEqual([14, 8, 2, 1, 3, 1, 3]);
    expect(m.durationSeconds).toBe(4.539);
    expect(m.failures.map((f) => f.name)).toEqual(['authorise gives up after the retry budget', 'test_close_account_with_balance', 'test_export_csv']);
    const { durationSeconds: _ignored, ...noDuration } = b;
    expect(mergeTestEvidence([a, noDuration]).durationSeconds).toBeUndefined();
    expect(mergeTestEvidence([])).toEqual({ total: 0, passed: 0, failed: 0, errored: 0, skipped: 0, flaky: 0, suites: 0, failures: [], flakyTests: [] });
  });
});

describe('parseJunitFile: property tests', () => {
  const junitNames = ['testsuites', 'testsuite', 'testcase', 'failure', 'error', 'skipped', 'flakyFailure', 'rerunError', 'stackTrace', 'system-out'];
  const attrNames = ['name', 'classname', 'tests', 'failures', 'time', 'file', 'line', 'message'];
  const attrValue = fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String), fc.constantFrom('-1', 'NaN', '1e400', '0', '3.5', '1,234.5'));
  const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const element: fc.Memo<string> = fc.memo((depth) =>
    fc
      .record({
        tag: fc.constantFrom(...junitNames),
        attrs: fc.uniqueArray(fc.tuple(fc.constantFrom(...attrNames), attrValue), { maxLength: 4, selector: (a) => a[0] }),
        children: depth <= 1 ? fc.constant([]) : fc.array(element(depth - 1), { maxLength: 4 }),
        text: fc.string({ maxLength: 40 }),
      })
      .map(({ tag, attrs, children, text }) => `<${tag}${attrs.map(([k, v]) => ` ${k}="${escape(v)}"`).join('')}>${escape(text)}${children.join('')}</${tag}>`),
  );

  it('random bytes: a value or a ConfigError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => returnsOrConfigError(() => parseJunitFile(sourceFile('r.xml', bytes)))),
      { numRuns: 200, seed: 42 },
    );
  });

  it('random JUnit-shaped XML: consistent totals, schema-sized fields', () => {
    fc.assert(
      fc.property(element(5), (doc) => {
        try {
          const t = parseJunitFile(xml(doc)).value;
          expect(t.passed + t.failed + t.errored + t.skipped).toBe(t.total);
          expect(t.flaky).toBeLessThanOrEqual(t.passed);
          expect(t.failures.length).toBeLessThanOrEqual(Math.min(100, t.failed + t.errored));
          for (const f of t.failures) if (f.line !== undefined) expect(f.line).toBeGreaterThanOrEqual(1);
          for (const f of t.flakyTests) expect(f.attempts).toBeGreaterThanOrEqual(2);
          if (t.durationSeconds !== undefined) expect(t.durationSeconds).toBeGreaterThanOrEqual(0);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('mutated fixtures: a value or a ConfigError', () => {
    const damaged = mutatedFixtureText('tests/jest-junit.xml', 'tests/TEST-com.example.payments.LedgerTest.xml', 'tests/pytest-junit.xml');
    fc.assert(
      fc.property(damaged, (text) => returnsOrConfigError(() => parseJunitFile(xml(text)))),
      { numRuns: 200, seed: 42 },
    );
  });

  it('long hostile failure texts are scanned in linear time (a backtracking regex would hit the test timeout)', () => {
    const hostile = ':'.repeat(100_000) + ' ' + 'a/'.repeat(50_000) + ' ' + '1'.repeat(100_000);
    parseJunitFile(xml(`<testsuite><testcase name="x"><failure>${hostile}</failure></testcase></testsuite>`));
  });

  it('20,000 test cases parse completely (a quadratic step would hit the test timeout)', () => {
    const cases = Array.from({ length: 20_000 }, (_, i) => `<testcase classname="c${String(i % 100)}" name="t${String(i)}" time="0.001"/>`).join('');
    const t = parseJunitFile(xml(`<testsuite name="big">${cases}</testsuite>`)).value;
    expect(t.total).toBe(20_000);
  });
});
