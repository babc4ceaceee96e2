/**
 * Loading policy files: every problem named with file, line and column, what was expected and the fix.
 */
import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/errors.js';
import { checkPolicyDocuments, formatPolicyProblem, loadPolicyDocuments, PolicyLoadError } from '../../src/policy/index.js';
import { fixture, ruleSet, src } from './helpers.js';

function problems(text: string, path = 'policies/p.yaml') {
  return checkPolicyDocuments([src(path, text)]).problems;
}

describe('loadPolicyDocuments', () => {
  it('loads a valid set with its defaults', () => {
    const b = loadPolicyDocuments([fixture('baseline.yaml')]);
    expect(b.sets).toHaveLength(1);
    expect(b.sets[0]).toMatchObject({ name: 'fixture-baseline', mode: 'enforce', failurePolicy: 'Fail' });
    expect(b.sets[0]!.rules.map((r) => r.doc.id)).toEqual(['no-critical-vulnerabilities', 'no-friday-deployments', 'critical-service-review', 'branch-naming', 'high-risk-shadow']);
    expect(b.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names a misspelt evidence field with line, column and a suggestion', () => {
    const ps = problems(ruleSet('      decision: deny\n      expression: evidence.chang.approvals.human >= 1.0'));
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ file: 'policies/p.yaml', line: 11, column: 28, where: 'spec.rules[0].expression' });
    expect(ps[0]!.message).toContain('no field "chang"');
    expect(ps[0]!.hint).toContain('Did you mean "change"?');
    expect(formatPolicyProblem(ps[0]!)).toMatch(/^policies\/p\.yaml:11:28: spec\.rules\[0\]\.expression: no field "chang"/);
  });

  it('checks fields through comprehension variables over evidence lists', () => {
    const ps = problems(ruleSet('      decision: deny\n      expression: evidence.change.files.all(f, f.pathh != "x")'));
    expect(ps).toHaveLength(1);
    expect(ps[0]!.message).toContain('no field "pathh"');
    expect(ps[0]!.hint).toContain('"path"');
    expect(ps[0]).toMatchObject({ line: 11, column: 50 });
  });

  it('refuses matches() and points at it', () => {
    const ps = problems(ruleSet('      decision: deny\n      expression: evidence.change.pullRequest.headRef.matches("^(a+)+$")'));
    expect(ps).toHaveLength(1);
    expect(ps[0]!.message).toContain('`matches` is not allowed');
    expect(ps[0]!.expected).toContain('re2Matches');
    expect(ps[0]).toMatchObject({ line: 11 });
    expect(ps[0]!.column).toBeGreaterThanOrEqual(19);
  });

  it('refuses comprehensions nested three deep', () => {
    const ps = problems(ruleSet('      decision: deny\n      expression: evidence.change.files.all(a, evidence.change.files.all(b, evidence.change.files.all(c, c.path != a.path)))'));
    expect(ps).toHaveLength(1);
    expect(ps[0]!.message).toContain('comprehensions nest 3 deep');
    expect(ps[0]).toMatchObject({ line: 11, column: 77 }); // where the third comprehension starts
  });

  it('refuses cel.bind, expressions over 2048 characters, and too many AST nodes', () => {
    expect(problems(ruleSet('      decision: deny\n      expression: cel.bind(a, "x", a + a) == "xx"'))[0]!.message).toContain('cel.bind');
    const long = `true${' && true'.repeat(300)}`;
    const p = problems(ruleSet(`      decision: deny\n      expression: ${long}`))[0]!;
    expect(p.message).toContain(`${String(long.length)} characters`);
    expect(p.expected).toBe('at most 2048 characters');
    const wide = `1.0${' + 1.0'.repeat(250)} > 0.0`;
    expect(problems(ruleSet(`      decision: deny\n      expression: ${wide}`))[0]!.message).toContain('too large or too deeply nested');
  });

  it('stops an alias bomb at the alias limit with a clear error', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const started = Date.now();
    const ps = problems(lines.join('\n'), 'bomb.yaml');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(ps).toHaveLength(1);
    expect(ps[0]!.message).toMatch(/is not valid YAML: .*alias/i);
    expect(ps[0]!.line).toBeDefined();
  });

  it('refuses a document that expands past the size limit with few aliases', () => {
    const lines = ['a: &a [' + Array(400).fill('"x"').join(',') + ']', 'b: &b [' + Array(20).fill('*a').join(',') + ']', 'c: &c [' + Array(20).fill('*b').join(',') + ']'];
    const ps = problems(lines.join('\n'), 'bomb2.yaml');
    expect(ps).toHaveLength(1);
    expect(ps[0]!.message).toContain('expands to more than 100000 values');
  });

  it('lists duplicate rule ids, a bad decision and schema problems together, each with its line', () => {
    const text = [
      'apiVersion: genops.dev/v1',
      'kind: PolicySet',
      'metadata: { name: dup }',
      'spec:',
      '  rules:',
      '    - id: same',
      '      title: A',
      '      message: A',
      '      expression: "true"',
      '      decision: deny',
      '    - id: same',
      '      title: B',
      '      message: B',
      '      expression: "true"',
      '      decision: deny',
      '---',
      'apiVersion: genops.dev/v1',
      'kind: PolicySet',
      'metadata: { name: bad }',
      'spec:',
      '  rules:',
      '    - id: Not_Kebab',
      '      title: C',
      '      message: C',
      '      expression: "true"',
      '      decision: block',
    ].join('\n');
    const ps = problems(text);
    expect(ps.map((p) => [p.where, p.line])).toEqual([
      ['spec.rules[1].id', 11],
      ['(document 2) spec.rules[0].id', 22],
      ['(document 2) spec.rules[0].decision', 26],
    ]);
    expect(ps[0]!.message).toContain('already used by rule 1');
    expect(ps[2]!.message).toBe('must be one of "deny", "require-approval", "warn"');
    let err: unknown;
    try {
      loadPolicyDocuments([src('policies/p.yaml', text)]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyLoadError);
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as PolicyLoadError;
    expect(e.code).toBe('FILE_INVALID');
    expect(e.details).toMatchObject({ file: 'policies/p.yaml', line: 11 });
    expect(e.message).toContain('3 problem(s)');
    expect(e.problems).toHaveLength(3);
  });

  it('rejects unknown functions, unknown variables, undefined params/variables and non-bool expressions', () => {
    const cases: [string, RegExp][] = [
      ['shell("rm -rf /")', /no matching overload/],
      ['user.admin == true', /Unknown variable: user/],
      ['params.nope > 1.0', /params\.nope is not in spec\.params/],
      ['variables.later', /variables\.later is not defined before this expression/],
      ['context.weekday == "Friday"', /context has no field "weekday"/],
      ['context.local.weekdy == "Friday"', /no field "weekdy"/],
      ['"a string"', /gives a string/],
      ['evidence.change.approvals.human >=', /not valid CEL/],
      ['re2Matches("x", "(a")', /pattern does not compile/],
    ];
    for (const [expr, re] of cases) {
      const ps = problems(ruleSet(`      decision: deny\n      expression: '${expr}'`));
      expect(ps.map((p) => p.message).join(' | ')).toMatch(re);
      expect(ps[0]!.line).toBe(11);
    }
  });

  it('maps a problem on a later line of a block scalar to that line', () => {
    const ps = problems(ruleSet('      decision: deny\n      expression: |\n        evidence.change != null &&\n          evidence.change.totalz.files < 10.0'));
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ line: 13, column: 27 });
  });

  it('caps static messages at 4096 characters (schema), naming the key', () => {
    const ps = problems(ruleSet('      decision: deny\n      expression: "true"').replace('message: Rule one failed', `message: ${'x'.repeat(100 * 1024)}`));
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ where: 'spec.rules[0].message', line: 9 });
    expect(ps[0]!.message).toContain('4096');
  });

  it('requires reason, ticket, approvedBy and expiresAt on exceptions and refuses "*"', () => {
    const text = ['apiVersion: genops.dev/v1', 'kind: PolicyException', 'metadata: { name: x }', 'spec:', '  rules: ["*"]', '  reason: because'].join('\n');
    const ps = problems(text);
    expect(ps.map((p) => p.message)).toEqual(
      expect.arrayContaining(['missing required property "ticket"', 'missing required property "approvedBy"', 'missing required property "expiresAt"', expect.stringContaining('must match pattern')]),
    );
  });

  it('gives the same digest whatever the file order', () => {
    const a = src('a.yaml', ruleSet('      decision: deny\n      expression: "true"'));
    const b = src('b.yaml', ruleSet('      decision: warn\n      expression: "true"').replace('name: t', 'name: u'));
    expect(loadPolicyDocuments([a, b]).digest).toBe(loadPolicyDocuments([b, a]).digest);
    expect(loadPolicyDocuments([a]).digest).not.toBe(loadPolicyDocuments([a, b]).digest);
  });
});

describe('positions inside quoted expressions', () => {
  it('maps the column through double and single quoting', () => {
    const dq = checkPolicyDocuments([src('q.yaml', ruleSet('      decision: deny\n      expression: "evidence.service.tier == \\"x\\" && evidence.servic.tier == \\"y\\""'))]).problems;
    expect(dq[0]).toMatchObject({ line: 11, column: 63 });
    const sq = checkPolicyDocuments([src('q.yaml', ruleSet("      decision: deny\n      expression: 'evidence.service.tier == ''x'' && evidence.servic.tier == ''y'''"))]).problems;
    expect(sq[0]).toMatchObject({ line: 11, column: 63 });
  });
});
