/**
 * evaluatePolicies: modes, strictest-wins, failurePolicy, messages, variables, params, context,
 * re2Matches, exceptions, the time budget, and hostile text kept as data.
 */
import { describe, expect, it } from '@jest/globals';
import type { Evidence } from '../../src/evidence/model.js';
import { evaluatePolicies, loadPolicyDocuments, MAX_MESSAGE_CHARS, policyContext, type PolicyInput } from '../../src/policy/index.js';
import { runWithTimeLimit } from '../../src/policy/cel.js';
import { CTX, EMPTY, fixture, fixtureEvidence, src } from './helpers.js';

interface RuleSpec {
  id: string;
  expression: string;
  decision?: string;
  mode?: string;
  when?: string;
  messageExpression?: string;
}

function setYaml(name: string, rules: RuleSpec[], opts: { mode?: string; failurePolicy?: string; params?: string; variables?: [string, string][] } = {}): string {
  const lines = ['apiVersion: genops.dev/v1', 'kind: PolicySet', `metadata: { name: ${name} }`, 'spec:'];
  if (opts.mode !== undefined) lines.push(`  mode: ${opts.mode}`);
  if (opts.failurePolicy !== undefined) lines.push(`  failurePolicy: ${opts.failurePolicy}`);
  if (opts.params !== undefined) lines.push(`  params: ${opts.params}`);
  if (opts.variables !== undefined) {
    lines.push('  variables:');
    for (const [n, e] of opts.variables) lines.push(`    - name: ${n}`, `      expression: ${JSON.stringify(e)}`);
  }
  lines.push('  rules:');
  for (const r of rules) {
    lines.push(`    - id: ${r.id}`, `      title: ${r.id} title`, `      message: ${r.id} violated`, `      expression: ${JSON.stringify(r.expression)}`, `      decision: ${r.decision ?? 'deny'}`);
    if (r.mode !== undefined) lines.push(`      mode: ${r.mode}`);
    if (r.when !== undefined) lines.push(`      when: ${JSON.stringify(r.when)}`);
    if (r.messageExpression !== undefined) lines.push(`      messageExpression: ${JSON.stringify(r.messageExpression)}`);
  }
  return lines.join('\n');
}

function evaluate(yaml: string | string[], input: Partial<PolicyInput> = {}) {
  const texts = Array.isArray(yaml) ? yaml : [yaml];
  const bundle = loadPolicyDocuments(texts.map((t, i) => src(`p${String(i)}.yaml`, t)));
  return evaluatePolicies(bundle, { evidence: EMPTY, risk: null, context: CTX, ...input });
}

function exceptionYaml(name: string, spec: Record<string, string>, match = ''): string {
  return ['apiVersion: genops.dev/v1', 'kind: PolicyException', `metadata: { name: ${name} }`, 'spec:', '  rules: [r1]', ...(match === '' ? [] : [`  match: ${match}`]), ...Object.entries(spec).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)].join('\n');
}

const EXC = { reason: 'Hotfix for INC-42', ticket: 'OPS-123', approvedBy: 'sre-lead', expiresAt: '2026-03-20T00:00:00Z' };

describe('modes and strictest-wins', () => {
  it('a violated rule yields its decision in enforce, warn in warn, nothing in audit', () => {
    for (const [mode, effective] of [['enforce', 'deny'], ['warn', 'warn'], ['audit', 'allow']] as const) {
      const d = evaluate(setYaml('s', [{ id: 'r1', expression: 'false' }], { mode }));
      expect(d.decision).toBe(effective);
      expect(d.results[0]).toMatchObject({ outcome: 'violated', mode, decision: 'deny', effective, message: 'r1 violated' });
    }
  });

  it('a rule mode overrides the set mode', () => {
    const d = evaluate(setYaml('s', [{ id: 'r1', expression: 'false', mode: 'audit' }, { id: 'r2', expression: 'false', mode: 'warn' }], { mode: 'enforce' }));
    expect(d.results.map((r) => r.effective)).toEqual(['allow', 'warn']);
    expect(d.decision).toBe('warn');
  });

  it('the strictest effective decision wins across rules and sets', () => {
    const a = setYaml('a', [{ id: 'r1', expression: 'false', decision: 'warn' }, { id: 'r2', expression: 'false', decision: 'require-approval' }]);
    const b = setYaml('b', [{ id: 'r3', expression: 'true', decision: 'deny' }]);
    expect(evaluate([a, b]).decision).toBe('require-approval');
    const c = setYaml('c', [{ id: 'r4', expression: 'false', decision: 'deny' }]);
    expect(evaluate([a, b, c]).decision).toBe('deny');
    expect(evaluate([b]).decision).toBe('allow');
  });

  it('`when` false skips a rule', () => {
    const d = evaluate(setYaml('s', [{ id: 'r1', expression: 'false', when: 'context.environment == "staging"' }]));
    expect(d.results[0]).toMatchObject({ outcome: 'skipped', effective: 'allow' });
    expect(d.decision).toBe('allow');
  });
});

describe('failurePolicy', () => {
  const nullRead = { id: 'r1', expression: 'evidence.sbom.totals.components > 10.0', decision: 'warn' };
  it('Fail: reading a null section is an error that denies', () => {
    const d = evaluate(setYaml('s', [nullRead], { failurePolicy: 'Fail' }));
    expect(d.results[0]).toMatchObject({ outcome: 'error', effective: 'deny' });
    expect(d.results[0]!.error).toMatch(/null|no such key|totals/i);
    expect(d.decision).toBe('deny');
  });
  it('Fail is capped by the mode (warn -> warn, audit -> allow)', () => {
    expect(evaluate(setYaml('s', [nullRead], { mode: 'warn' })).decision).toBe('warn');
    expect(evaluate(setYaml('s', [nullRead], { mode: 'audit' })).decision).toBe('allow');
  });
  it('Ignore: the error is recorded and yields nothing', () => {
    const d = evaluate(setYaml('s', [nullRead], { failurePolicy: 'Ignore' }));
    expect(d.results[0]).toMatchObject({ outcome: 'error', effective: 'allow' });
    expect(d.results[0]!.error).toBeDefined();
    expect(d.decision).toBe('allow');
  });
  it('a guarded rule passes on absent evidence', () => {
    expect(evaluate(setYaml('s', [{ id: 'r1', expression: 'evidence.sbom == null || evidence.sbom.totals.components < 10.0' }])).decision).toBe('allow');
  });
});

describe('messages, variables, params, context', () => {
  const ev = fixtureEvidence('evidence/friday-migration.json');

  it('messageExpression computes the message; a failing one falls back to message', () => {
    const d = evaluate(
      setYaml('s', [
        { id: 'r1', expression: 'evidence.change.totals.files < 3.0', messageExpression: '"changed " + string(int(evidence.change.totals.files)) + " files"' },
        { id: 'r2', expression: 'false', messageExpression: 'string(evidence.vex.statements.size())' },
      ]),
      { evidence: ev },
    );
    expect(d.results[0]!.message).toBe(`changed ${String(ev.change!.totals.files)} files`);
    expect(d.results[1]!.message).toMatch(/^r2 violated \(messageExpression failed: /);
  });

  it('variables are evaluated in order and params are read', () => {
    const yaml = setYaml('s', [{ id: 'r1', expression: 'variables.files <= params.maxFiles', messageExpression: '"too many files for a " + variables.tier + " service"' }], {
      params: '{ maxFiles: 2 }',
      variables: [
        ['tier', 'evidence.service == null ? "unknown" : evidence.service.tier'],
        ['files', 'variables.tier == "critical" ? evidence.change.totals.files : 0.0'],
      ],
    });
    const d = evaluate(yaml, { evidence: ev });
    expect(d.results[0]).toMatchObject({ outcome: 'violated', message: 'too many files for a critical service' });
    expect(evaluate(yaml.replace('maxFiles: 2', 'maxFiles: 100'), { evidence: ev }).decision).toBe('allow');
  });

  it('a failing variable errors only the rules that read it', () => {
    const d = evaluate(setYaml('s', [{ id: 'r1', expression: 'variables.bad' }, { id: 'r2', expression: 'true' }], { variables: [['bad', 'evidence.sbom.components.size() > 0']] }));
    expect(d.results.map((r) => r.outcome)).toEqual(['error', 'pass']);
    expect(d.results[0]!.error).toContain('variable bad could not be evaluated');
  });

  it('context.local is Friday 17:30 in Europe/Berlin for 16:30 UTC on 2026-03-13', () => {
    const now = new Date('2026-03-13T16:30:00Z');
    expect(policyContext(ev, { ...CTX, now })).toEqual({
      now: '2026-03-13T16:30:00.000Z',
      environment: 'production',
      repository: 'acme/shop',
      author: 'lena',
      local: { weekday: 'Friday', hour: 17, minute: 30, date: '2026-03-13', timezone: 'Europe/Berlin' },
    });
    const d = evaluate(fixture('baseline.yaml').bytes.toString(), { evidence: ev, context: { ...CTX, now } });
    expect(d.results.find((r) => r.rule === 'no-friday-deployments')).toMatchObject({ outcome: 'violated', effective: 'deny' });
    const thursday = evaluate(fixture('baseline.yaml').bytes.toString(), { evidence: ev, context: { ...CTX, now: new Date('2026-03-12T16:30:00Z') } });
    expect(thursday.results.find((r) => r.rule === 'no-friday-deployments')!.outcome).toBe('pass');
  });

  it('re2Matches matches in linear time; a bad pattern at evaluation is an error', () => {
    const d = evaluate(
      setYaml('s', [
        { id: 'r1', expression: 're2Matches(evidence.change.pullRequest.headRef, "^pr-[0-9]+$")' },
        { id: 'r2', expression: 're2Matches(evidence.change.pullRequest.headRef, "^feat/")' },
        { id: 'r3', expression: 're2Matches("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "^(a+)+$")' },
        { id: 'r4', expression: 're2Matches("x", evidence.change.pullRequest.title + "(")' },
      ]),
      { evidence: ev },
    );
    expect(d.results.map((r) => r.outcome)).toEqual(['pass', 'violated', 'violated', 'error']);
  });
});

describe('exceptions', () => {
  const set = setYaml('s', [{ id: 'r1', expression: 'false' }, { id: 'r2', expression: 'false', decision: 'warn' }]);

  it('an exception approved by someone else, in date, excuses the rule', () => {
    const d = evaluate([set, exceptionYaml('hotfix', EXC, '{ repository: acme/shop, environment: production }')]);
    expect(d.results[0]).toMatchObject({ rule: 'r1', outcome: 'excepted', effective: 'allow', exception: 'hotfix' });
    expect(d.results[1]).toMatchObject({ rule: 'r2', outcome: 'violated', effective: 'warn' });
    expect(d.decision).toBe('warn');
    expect(d.exceptions.applied).toEqual([{ name: 'hotfix', file: 'p1.yaml', rules: ['r1'], ticket: 'OPS-123', approvedBy: 'sre-lead', expiresAt: '2026-03-20T00:00:00Z', excused: ['s/r1'] }]);
  });

  it('does not apply when the match fields differ', () => {
    expect(evaluate([set, exceptionYaml('hotfix', EXC, '{ environment: staging }')]).decision).toBe('deny');
    expect(evaluate([set, exceptionYaml('hotfix', EXC, '{ repository: acme/other }')]).exceptions.applied).toEqual([]);
  });

  it('an expired exception is listed and does not apply', () => {
    const d = evaluate([set, exceptionYaml('old', { ...EXC, expiresAt: '2026-03-01T00:00:00Z' })]);
    expect(d.decision).toBe('deny');
    expect(d.exceptions.expired.map((e) => e.name)).toEqual(['old']);
  });

  it('an exception approved by the author is refused', () => {
    const d = evaluate([set, exceptionYaml('self', { ...EXC, approvedBy: '@Lena' })]);
    expect(d.decision).toBe('deny');
    expect(d.exceptions.invalid[0]).toMatchObject({ name: 'self' });
    expect(d.exceptions.invalid[0]!.problem).toContain("change's author");
  });

  it('an exception running more than 90 days is refused', () => {
    const d = evaluate([set, exceptionYaml('long', { ...EXC, expiresAt: '2026-07-01T00:00:00Z' })]);
    expect(d.decision).toBe('deny');
    expect(d.exceptions.invalid[0]!.problem).toMatch(/expires 112 days after now; at most 90/);
    const created = evaluate([set, exceptionYaml('long', { ...EXC, createdAt: '2026-01-01T00:00:00Z', expiresAt: '2026-04-15T00:00:00Z' })]);
    expect(created.exceptions.invalid[0]!.problem).toContain('after createdAt');
  });

  it('vulnerabilities narrow an exception to evidence whose open findings are all listed', () => {
    const ev = fixtureEvidence('evidence/friday-migration.json');
    const vset = setYaml('v', [{ id: 'r1', expression: 'evidence.vulnerabilities.findings.size() == 0' }]);
    expect(evaluate([vset, exceptionYaml('cve', EXC, '{ vulnerabilities: [GHSA-aaaa-bbbb-cccc] }')], { evidence: ev }).decision).toBe('allow');
    expect(evaluate([vset, exceptionYaml('cve', EXC, '{ vulnerabilities: [CVE-2099-0001] }')], { evidence: ev }).decision).toBe('deny');
  });
});

describe('hostile input', () => {
  it('truncates a 100 KB computed message to 4 KB with a note; evidence text stays data', () => {
    const ev: Evidence = { ...EMPTY, change: { ...fixtureEvidence('evidence/friday-migration.json').change!, labels: ['${{ secrets.TOKEN }} <script>x</script>' + 'A'.repeat(100 * 1024)] } };
    const d = evaluate(setYaml('s', [{ id: 'r1', expression: 'false', messageExpression: 'evidence.change.labels[0]' }]), { evidence: ev });
    const msg = d.results[0]!.message;
    expect(msg.startsWith('${{ secrets.TOKEN }} <script>x</script>AAA')).toBe(true);
    expect(msg.length).toBeLessThan(MAX_MESSAGE_CHARS + 100);
    expect(msg).toMatch(/… \(truncated: 102439 characters in all\)$/);
  });

  it('a quadratic comprehension over a large list is stopped by the budget; later rules are not run', () => {
    const base = fixtureEvidence('evidence/friday-migration.json');
    const files = Array.from({ length: 5000 }, (_, i) => ({ path: `f${String(i)}`, status: 'added', additions: 1, deletions: 0, owners: [], categories: [] }));
    const ev = { ...base, change: { ...base.change!, files } } as Evidence;
    const started = Date.now();
    const d = evaluate(
      setYaml('s', [
        { id: 'r1', expression: 'evidence.change.files.all(a, evidence.change.files.exists(b, b.path == a.path))' },
        { id: 'r2', expression: 'true' },
      ]),
      { evidence: ev, budgetMs: 100 },
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(d.results[0]).toMatchObject({ outcome: 'error', effective: 'deny' });
    expect(d.results[0]!.error).toContain('budget of 100 ms');
    expect(d.results[1]!.error).toContain('not evaluated');
    expect(d.decision).toBe('deny');
  });

  it('a quadratic loop over a computed variable is stopped by the budget too', () => {
    const base = fixtureEvidence('evidence/friday-migration.json');
    const files = Array.from({ length: 3000 }, (_, i) => ({ path: `f${String(i)}`, status: 'added', additions: 1, deletions: 0, owners: [], categories: [] }));
    const ev = { ...base, change: { ...base.change!, files } } as Evidence;
    const d = evaluate(
      setYaml('s', [{ id: 'r1', expression: 'variables.paths.all(a, !variables.paths.exists(b, b == a + "x"))' }], { variables: [['paths', 'evidence.change.files.map(f, f.path)']] }),
      { evidence: ev, budgetMs: 50 },
    );
    expect(d.results[0]).toMatchObject({ outcome: 'error', effective: 'deny' });
    expect(d.results[0]!.error).toContain('budget of 50 ms');
  });

  it('evaluation leaves the evidence as it was and reads lists of every size', () => {
    const base = fixtureEvidence('evidence/friday-migration.json');
    const files = Array.from({ length: 200 }, (_, i) => ({ path: `f${String(i)}`, status: 'added', additions: i, deletions: 0, owners: [`@o${String(i % 3)}`], categories: [] }));
    const ev = { ...base, change: { ...base.change!, files } } as Evidence;
    const before = JSON.stringify(ev);
    const d = evaluate(
      setYaml('s', [
        { id: 'r1', expression: 'evidence.change.files.filter(f, f.additions > 100.0).size() == 99' },
        { id: 'r2', expression: 'evidence.change.files.exists(f, "@o1" in f.owners && f.path == "f199")' },
        { id: 'r3', expression: 'size(evidence.change.files) == 200' },
      ]),
      { evidence: ev },
    );
    expect(d.results.map((r) => r.outcome)).toEqual(['pass', 'pass', 'pass']);
    expect(JSON.stringify(ev)).toBe(before);
  });

  it('a variable doubling itself is stopped at the size cap', () => {
    const vars: [string, string][] = [['v0', '"0123456789abcdef"']];
    for (let i = 1; i < 40; i++) vars.push([`v${String(i)}`, `variables.v${String(i - 1)} + variables.v${String(i - 1)}`]);
    const started = Date.now();
    const d = evaluate(setYaml('s', [{ id: 'r1', expression: 'variables.v39.size() > 0' }], { variables: vars }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(d.results[0]!.outcome).toBe('error');
    expect(d.results[0]!.error).toMatch(/variable v39 could not be evaluated: variable v\d+ failed/);
  });
});

describe('runWithTimeLimit (the budget watchdog)', () => {
  it('stops work that reads nothing (a busy loop, a backtracking regex), returns results otherwise, and passes errors on', () => {
    expect(
      runWithTimeLimit(() => {
        for (;;) {
          // spins until the watchdog terminates it
        }
      }, 30),
    ).toBe(false);
    expect(runWithTimeLimit(() => void /^(a+)+$/.test(`${'a'.repeat(40)}b`), 30)).toBe(false);
    let value = 0;
    expect(runWithTimeLimit(() => void (value = 42), 1000)).toBe(true);
    expect(value).toBe(42);
    expect(() => runWithTimeLimit(() => { throw new TypeError('boom'); }, 1000)).toThrow(TypeError);
  });
});
