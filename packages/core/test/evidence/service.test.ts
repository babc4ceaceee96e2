import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError, type GenopsError } from '../../src/errors.js';
import { parseServiceMetadataFile } from '../../src/evidence/service.js';
import type { SourceFile } from '../../src/evidence/source.js';
import { evidenceDef, fixture as evidenceFixture, fixtureText, sourceFile } from './helpers.js';

const fixture = (name: string): SourceFile => evidenceFixture(`metadata/${name}`);

// The evidence JSON Schema: what this produces must be signable as is.
const serviceSchemaProblems = evidenceDef('service');

function failure(fn: () => unknown): GenopsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('genops.yaml', () => {
  it('reads the fixture: every key, percentages and percent strings as ratios', () => {
    const parsed = parseServiceMetadataFile(fixture('genops.yaml'));
    expect(parsed.format).toBe('genops-service@1');
    expect(parsed.parser.name).toBe('genops/service-metadata');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.value).toEqual({
      source: 'genops',
      app: 'payments-api',
      environment: 'production',
      owner: '@octo-org/payments',
      costCenter: 'CC-4711',
      tier: 'critical',
      timezone: 'Europe/Berlin',
      slos: [
        { name: 'availability', objective: 0.9995, window: '30d', errorBudgetRemaining: 0.42 },
        { name: 'p99-latency-under-300ms', objective: 0.99, window: '4w', errorBudgetRemaining: -0.125 },
      ],
      dependents: ['checkout-web', 'billing-worker'],
      freezeWindows: [{ start: '2026-12-21T00:00:00+01:00', end: '2027-01-04T00:00:00+01:00', reason: 'Year-end change freeze' }],
    });
    expect(serviceSchemaProblems(parsed.value)).toEqual([]);
  });

  it('missing required keys: one FILE_INVALID error listing all of them, with the YAML to add', () => {
    const err = failure(() => parseServiceMetadataFile(fixture('genops.incomplete.yaml')));
    expect(err.code).toBe('FILE_INVALID');
    expect(err.message).toBe(
      'fixtures/evidence/metadata/genops.incomplete.yaml: is missing required service metadata:\n  - missing environment\n  - missing costCenter',
    );
    expect(err.details.file).toBe('fixtures/evidence/metadata/genops.incomplete.yaml');
    expect(err.details.expected).toBe('a genops.yaml with environment, costCenter');
    expect(err.details.hint).toBe(
      'Add to fixtures/evidence/metadata/genops.incomplete.yaml:\n\nenvironment: <environment, e.g. production>\ncostCenter: <cost center, e.g. CC-4711>',
    );
  });

  it('the same file passes when only app and owner are required', () => {
    const parsed = parseServiceMetadataFile(fixture('genops.incomplete.yaml'), ['app', 'owner']);
    expect(parsed.value).toEqual({ source: 'genops', app: 'payments-api', owner: '@octo-org/payments', tier: 'high', slos: [], dependents: [], freezeWindows: [] });
  });

  it('app and owner stay required whatever `required` says; an unknown required key is INPUT_INVALID', () => {
    expect(failure(() => parseServiceMetadataFile(sourceFile('genops.yaml', 'app: x\n'), [])).message).toContain('missing owner');
    const err = failure(() => parseServiceMetadataFile(sourceFile('genops.yaml', 'app: x\nowner: y\n'), ['app', 'cost_center']));
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.message).toBe('Unknown required service metadata key: cost_center');
  });

  it('wrong values name the key and its line, all at once', () => {
    const text = [
      'app: payments-api', // 1
      'environment: production', // 2
      'owner: "@octo-org/payments"', // 3
      'costCenter: CC-1', // 4
      'tier: urgent', // 5
      'timezone: Mars/Olympus_Mons', // 6
      'slos:', // 7
      '  - name: availability', // 8
      '    objective: 250', // 9
      '    window: monthly', // 10
      'freezeWindows:', // 11
      '  - start: 2026-12-21T00:00:00', // 12
      '    end: "2026-12-20T00:00:00Z"', // 13
      'dependents: checkout-web', // 14
    ].join('\n');
    const err = failure(() => parseServiceMetadataFile(sourceFile('svc/genops.yaml', text)));
    expect(err.code).toBe('FILE_INVALID');
    expect(err.details.line).toBe(5);
    expect(err.message.split('\n')).toEqual([
      'svc/genops.yaml: has invalid service metadata:',
      '  - tier (line 5): "urgent" is not one of critical, high, medium, low',
      '  - timezone (line 6): "Mars/Olympus_Mons": must be an IANA time zone name such as Europe/Berlin or UTC',
      '  - slos[0].objective (line 9): 250: must be a ratio in (0, 1], a percentage in (1, 100], or a string such as "99.9%"',
      '  - slos[0].window (line 10): "monthly" is not a duration such as 30d, 4w or 720h',
      '  - dependents (line 14): must be a list of names, found the string "checkout-web"',
      '  - freezeWindows[0].start (line 12): "2026-12-21T00:00:00" is not an RFC 3339 date-time with Z or an offset (e.g. 2026-12-21T00:00:00+01:00)',
    ]);
  });

  it('a freeze window must end after it starts; objectives accept ratios, percentages and percent strings', () => {
    const base = 'app: a\nowner: b\nenvironment: prod\ncostCenter: c\n';
    const err = failure(() => parseServiceMetadataFile(sourceFile('g.yaml', `${base}freezeWindows:\n  - start: "2026-12-21T00:00:00Z"\n    end: "2026-12-20T00:00:00Z"\n`)));
    expect(err.message).toContain('freezeWindows[0].end (line 7): 2026-12-20T00:00:00Z is not after start 2026-12-21T00:00:00Z');
    const slos = parseServiceMetadataFile(
      sourceFile('g.yaml', `${base}slos:\n  - {name: a, objective: 1}\n  - {name: b, objective: "99.9%"}\n  - {name: c, objective: 99.9}\n  - {name: d, objective: 0.5}\n`),
    ).value.slos;
    expect(slos.map((s) => s.objective)).toEqual([1, 0.999, 0.999, 0.5]);
    const zero = failure(() => parseServiceMetadataFile(sourceFile('g.yaml', `${base}slos:\n  - {name: a, objective: 0}\n`)));
    expect(zero.message).toContain('slos[0].objective (line 6): 0: must be a ratio in (0, 1]');
  });

  it('canonical time zone names; numbers where strings belong are kept as text with a warning; unknown keys warn', () => {
    const parsed = parseServiceMetadataFile(sourceFile('g.yaml', 'app: a\nowner: b\nenvironment: prod\ncostCenter: 4711\ntimezone: utc\ncost_centre: x\nTier: low\n'));
    expect(parsed.value.timezone).toBe('UTC');
    expect(parsed.value.costCenter).toBe('4711');
    expect(parsed.value.tier).toBeUndefined();
    expect(parsed.warnings).toEqual([
      'unknown key "cost_centre": ignored',
      'unknown key "Tier" (did you mean tier?): ignored',
      'costCenter is the number 4711; quote it if it should keep leading zeros or a format',
    ]);
  });
});

describe('Backstage catalog-info.yaml', () => {
  it('reads the Component of a multi-document file; annotations carry the genops keys', () => {
    const parsed = parseServiceMetadataFile(fixture('catalog-info.yaml'));
    expect(parsed.format).toBe('backstage-catalog@v1alpha1');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.value).toEqual({
      source: 'backstage',
      app: 'payments-api',
      environment: 'production',
      owner: 'group:default/payments',
      costCenter: 'CC-4711',
      tier: 'high',
      timezone: 'America/New_York',
      slos: [],
      dependents: ['component:default/checkout-web', 'component:default/billing-worker'],
      freezeWindows: [],
    });
    expect(serviceSchemaProblems(parsed.value)).toEqual([]);
  });

  const component = (annotations: string, lifecycle = ''): string =>
    [
      'apiVersion: backstage.io/v1alpha1',
      'kind: Component',
      'metadata:',
      '  name: payments-api',
      ...(annotations === '' ? [] : ['  annotations:', annotations]),
      'spec:',
      '  type: service',
      ...(lifecycle === '' ? [] : [`  lifecycle: ${lifecycle}`]),
      '  owner: group:default/payments',
    ].join('\n');

  it('missing keys: the snippet to add is in Backstage form (nested annotations)', () => {
    const err = failure(() => parseServiceMetadataFile(sourceFile('catalog-info.yaml', component(''))));
    expect(err.code).toBe('FILE_INVALID');
    expect(err.message).toBe(
      'catalog-info.yaml: is missing required service metadata:\n' +
        '  - missing environment (metadata.annotations.genops.dev/environment)\n' +
        '  - missing costCenter (metadata.annotations.genops.dev/cost-center)',
    );
    expect(err.details.hint).toBe(
      'Add to catalog-info.yaml:\n\nmetadata:\n  annotations:\n    genops.dev/environment: <environment, e.g. production>\n    genops.dev/cost-center: <cost center, e.g. CC-4711>',
    );
  });

  it('environment falls back to spec.lifecycle, with a warning; a bad tier annotation names its line', () => {
    const parsed = parseServiceMetadataFile(sourceFile('c.yaml', component('    genops.dev/cost-center: CC-9', 'production')));
    expect(parsed.value.environment).toBe('production');
    expect(parsed.warnings).toEqual([
      'environment taken from spec.lifecycle ("production"); set the genops.dev/environment annotation to name the environment explicitly',
    ]);
    const err = failure(() => parseServiceMetadataFile(sourceFile('c.yaml', component('    genops.dev/cost-center: CC-9\n    genops.dev/tier: tier-1', 'production'))));
    expect(err.message).toContain('metadata.annotations.genops.dev/tier (line 7): "tier-1" is not one of critical, high, medium, low');
    expect(err.details.line).toBe(7);
  });

  it('SLOs cannot be required of a Backstage file', () => {
    const err = failure(() => parseServiceMetadataFile(sourceFile('c.yaml', component('    genops.dev/environment: prod')), ['slos']));
    expect(err.message).toContain('slos: slos is required, but a Backstage catalog file cannot carry it: give a genops.yaml instead');
  });

  it('no Component, or several: which one is meant cannot be guessed', () => {
    const system = 'apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: payments\n';
    expect(failure(() => parseServiceMetadataFile(sourceFile('c.yaml', system))).message).toBe('c.yaml: has no kind: Component entity (found: System payments)');
    const two = `${component('')}\n---\n${component('').replace('payments-api', 'refunds-api')}`;
    expect(failure(() => parseServiceMetadataFile(sourceFile('c.yaml', two))).message).toBe(
      'c.yaml: has 2 kind: Component entities (Component payments-api, Component refunds-api); genops cannot tell which one this repository deploys',
    );
  });
});

describe('limits of the evidence schema', () => {
  it('values too long to sign are errors, not truncated', () => {
    const err = failure(() => parseServiceMetadataFile(sourceFile('g.yaml', `app: ${'x'.repeat(1025)}\nowner: o\nenvironment: e\ncostCenter: c\nslos:\n  - {name: a, objective: 99, window: ${'9'.repeat(70)}d}\n`)));
    expect(err.message).toContain('app (line 1): is 1025 characters long, more than 1024');
    expect(err.message).toContain('slos[0].window (line 6): is 71 characters long, more than 64');
  });
});

describe('files that are not service metadata', () => {
  it.each([
    ['empty', '', 'e.yaml: is empty'],
    ['only a comment', '# nothing\n', 'e.yaml: is empty'],
    ['a list', '- a\n- b\n', 'e.yaml: is a YAML list, not a mapping of keys'],
    ['two plain documents', 'app: a\n---\napp: b\n', 'e.yaml: has 2 YAML documents and none is a Backstage entity'],
  ])('%s', (_name, text, message) => {
    const err = failure(() => parseServiceMetadataFile(sourceFile('e.yaml', text)));
    expect(err.code).toBe('FILE_INVALID');
    expect(err.message).toBe(message);
  });

  it('invalid YAML gives the line and column', () => {
    const err = failure(() => parseServiceMetadataFile(sourceFile('e.yaml', 'app: a\nowner: [b\n')));
    expect(err.message).toMatch(/^e\.yaml: is not valid YAML: /);
    expect(err.details.line).toBe(3);
  });

  it('invalid UTF-8 is FILE_INVALID', () => {
    expect(failure(() => parseServiceMetadataFile(sourceFile('e.yaml', new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x80])))).code).toBe('FILE_INVALID');
  });
});

describe('properties: any input returns or throws a ConfigError', () => {
  const outcome = (file: SourceFile): void => {
    try {
      parseServiceMetadataFile(file);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
    }
  };

  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => outcome(sourceFile('r.yaml', bytes))), { numRuns: 200, seed: 42 });
  });

  it('random JSON values (JSON is YAML), also under the genops keys', () => {
    const keys = fc.constantFrom('app', 'owner', 'environment', 'costCenter', 'tier', 'timezone', 'slos', 'dependents', 'freezeWindows', 'apiVersion', 'kind', 'metadata', 'spec');
    const doc = fc.oneof(fc.jsonValue(), fc.dictionary(keys, fc.jsonValue(), { maxKeys: 9 }));
    fc.assert(fc.property(doc, (v) => outcome(sourceFile('r.yaml', JSON.stringify(v)))), { numRuns: 200, seed: 42 });
  });

  it('whatever parses fits the evidence schema', () => {
    const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('99.9%', '42%', '2026-01-01T00:00:00Z'), fc.double(), fc.integer(), fc.boolean());
    // Mostly valid values (so that most runs parse), sometimes anything.
    const field = <T,>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: scalar, weight: 1 });
    const name = fc.string({ minLength: 1, maxLength: 20 }).filter((x) => x.trim() !== '');
    const slo = fc.record(
      {
        name: field(name),
        objective: field(fc.oneof(fc.double({ min: 0.001, max: 100, noNaN: true }), fc.constantFrom('99.9%', '50%'))),
        window: field(fc.constantFrom('30d', '4w', '720h')),
        errorBudgetRemaining: field(fc.oneof(fc.double({ min: -3, max: 1, noNaN: true }), fc.constantFrom('-20%', '42%'))),
      },
      { requiredKeys: ['name', 'objective'] },
    );
    const freeze = fc.record({
      start: field(fc.constantFrom('2026-12-21T00:00:00Z', '2026-12-21T00:00:00.123+01:00')),
      end: field(fc.constantFrom('2027-01-04T00:00:00Z', '2027-01-04T09:30:00-05:00')),
      reason: field(name),
    });
    const doc = fc.record(
      {
        app: field(name),
        owner: field(name),
        environment: field(name),
        costCenter: field(fc.oneof(name, fc.integer())),
        tier: field(fc.constantFrom('critical', 'high', 'medium', 'low', 'HIGH')),
        timezone: field(fc.constantFrom('UTC', 'Europe/Berlin', 'asia/tokyo', 'America/Argentina/Buenos_Aires')),
        slos: fc.array(slo, { maxLength: 3 }),
        dependents: fc.array(field(name), { maxLength: 3 }),
        freezeWindows: fc.array(freeze, { maxLength: 2 }),
      },
      { requiredKeys: ['app', 'owner'] },
    );
    let parsedRuns = 0;
    fc.assert(
      fc.property(doc, (d) => {
        try {
          const parsed = parseServiceMetadataFile(sourceFile('g.yaml', JSON.stringify(d)), ['app', 'owner']);
          expect(serviceSchemaProblems(parsed.value)).toEqual([]);
          parsedRuns++;
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
        }
      }),
      { numRuns: 200, seed: 42 },
    );
    expect(parsedRuns).toBeGreaterThan(30);
  });

  it('mutated fixtures', () => {
    const texts = ['genops.yaml', 'catalog-info.yaml', 'genops.incomplete.yaml'].map((n) => fixtureText(`metadata/${n}`));
    const mutation = fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 20 }), fc.string({ maxLength: 8 }), fc.nat({ max: 2 }));
    fc.assert(
      fc.property(mutation, ([which, at, cut, insert, extra]) => {
        const t = texts[which % texts.length] as string;
        const i = at % (t.length + 1);
        const mutated = `${t.slice(0, i)}${insert}${t.slice(i + cut)}${'\n---\n'.repeat(extra)}`;
        outcome(sourceFile('m.yaml', mutated));
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('deep nesting and alias bombs are refused, not followed', () => {
    const deep = `${'['.repeat(200)}${']'.repeat(200)}`;
    expect(failure(() => parseServiceMetadataFile(sourceFile('d.yaml', deep))).code).toBe('FILE_INVALID');
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n');
    expect(failure(() => parseServiceMetadataFile(sourceFile('b.yaml', bomb))).code).toBe('FILE_INVALID');
  });
});
