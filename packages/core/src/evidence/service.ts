/**
 * Service metadata: who owns the service, where it runs, how critical it is, its SLOs and freeze
 * windows. Read from genops's own `genops.yaml`, or from a Backstage `catalog-info.yaml`.
 *
 * genops.yaml (one YAML document; `app` and `owner` always required, see `required` for more):
 *
 * ```yaml
 * app: payments-api                 # service name
 * environment: production           # the environment this repository deploys to
 * owner: "@octo-org/payments"       # owning team or person, as your organisation names them
 * costCenter: CC-4711               # quote it if it has leading zeros
 * tier: critical                    # critical | high | medium | low
 * timezone: Europe/Berlin           # IANA time zone name (for freeze windows and business hours)
 * slos:
 *   - name: availability
 *     objective: 99.95              # percent (0-100], a ratio (0-1], or a string "99.95%"
 *     window: 30d                   # a duration: number + m, h, d or w
 *     errorBudgetRemaining: 0.42    # ratio of the budget left (<= 1, negative when overspent), or "42%"
 * dependents: [checkout-web, billing-worker]   # services that depend on this one
 * freezeWindows:
 *   - start: "2026-12-21T00:00:00+01:00"      # RFC 3339 date-time with Z or an offset
 *     end: "2027-01-04T00:00:00+01:00"
 *     reason: Year-end freeze
 * ```
 *
 * Backstage `catalog-info.yaml` (apiVersion backstage.io/*, the one `kind: Component` document of
 * the file): metadata.name is the app, spec.owner the owner, spec.dependencyOf the dependents;
 * the rest comes from annotations `genops.dev/environment` (else spec.lifecycle, with a warning),
 * `genops.dev/cost-center`, `genops.dev/tier` and `genops.dev/timezone`. Backstage has no SLOs or
 * freeze windows: give a genops.yaml for those.
 *
 * Missing required keys are a FILE_INVALID error (not INPUT_MISSING: the input was given, and it is
 * the file's content the user must fix, with the file's path and line). It lists every missing
 * key and every wrong value at once, and shows the YAML to add in the file's own dialect.
 */
import { CORE_SCHEMA, loadAll, YAMLException } from 'js-yaml';
import { ConfigError } from '../errors.js';
import type { Parsed, ServiceMetadata } from './model.js';
import {
  asString,
  DEFAULT_LIMITS,
  type EvidenceLimits,
  formatError,
  isRecord,
  ownParser,
  type SourceFile,
  sourceText,
  Warnings,
  yamlKeyLines,
} from './source.js';

const EXPECTED = 'a genops.yaml service metadata file, or a Backstage catalog-info.yaml with a kind: Component entity';

/** Keys a caller may require. `app` and `owner` are always required (the model has no place without them). */
export const SERVICE_METADATA_KEYS = [
  'app',
  'environment',
  'owner',
  'costCenter',
  'tier',
  'timezone',
  'slos',
  'dependents',
  'freezeWindows',
] as const;
export type ServiceMetadataKey = (typeof SERVICE_METADATA_KEYS)[number];

export const DEFAULT_REQUIRED_METADATA: readonly ServiceMetadataKey[] = ['app', 'environment', 'owner', 'costCenter'];

export const TIERS = ['critical', 'high', 'medium', 'low'] as const;
type Tier = (typeof TIERS)[number];

type Slo = ServiceMetadata['slos'][number];
type FreezeWindow = ServiceMetadata['freezeWindows'][number];

/** A problem with one key: its path (`slos.1.objective`) and what is wrong. */
interface Problem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** What a dialect says about a key: where it lives, and a placeholder for the snippet. */
interface KeySpot {
  /** The YAML path in this dialect, e.g. `['metadata', 'annotations', 'genops.dev/tier']`. */
  readonly path: readonly string[];
  readonly placeholder: string;
}

const PLACEHOLDERS: Readonly<Record<ServiceMetadataKey, string>> = {
  app: '<service name, e.g. payments-api>',
  environment: '<environment, e.g. production>',
  owner: '<owning team, e.g. "@octo-org/payments">',
  costCenter: '<cost center, e.g. CC-4711>',
  tier: '<critical | high | medium | low>',
  timezone: '<IANA time zone, e.g. Europe/Berlin>',
  slos: '[{ name: availability, objective: 99.9, window: 30d }]',
  dependents: '[<service name>, ...]',
  freezeWindows: '[{ start: "2026-12-21T00:00:00Z", end: "2027-01-04T00:00:00Z", reason: <why> }]',
};

const GENOPS_SPOTS: Readonly<Partial<Record<ServiceMetadataKey, KeySpot>>> = Object.fromEntries(
  SERVICE_METADATA_KEYS.map((k): [string, KeySpot] => [k, { path: [k], placeholder: PLACEHOLDERS[k] }]),
);

/** The Backstage annotations genops reads service metadata from (one home: the suggestions use it too). */
export const BACKSTAGE_ANNOTATIONS = {
  environment: 'genops.dev/environment',
  costCenter: 'genops.dev/cost-center',
  tier: 'genops.dev/tier',
  timezone: 'genops.dev/timezone',
} as const;

const annotationSpot = (key: keyof typeof BACKSTAGE_ANNOTATIONS): KeySpot => ({
  path: ['metadata', 'annotations', BACKSTAGE_ANNOTATIONS[key]],
  placeholder: PLACEHOLDERS[key],
});

const BACKSTAGE_SPOTS: Readonly<Partial<Record<ServiceMetadataKey, KeySpot>>> = {
  app: { path: ['metadata', 'name'], placeholder: PLACEHOLDERS.app },
  owner: { path: ['spec', 'owner'], placeholder: '<owning group, e.g. group:default/payments>' },
  dependents: { path: ['spec', 'dependencyOf'], placeholder: '[component:default/<service name>]' },
  environment: annotationSpot('environment'),
  costCenter: annotationSpot('costCenter'),
  tier: annotationSpot('tier'),
  timezone: annotationSpot('timezone'),
};

/**
 * Parse service metadata. `required` lists keys that must be present (default: app, environment,
 * owner, costCenter); an unknown key name there is the caller's configuration error (INPUT_INVALID).
 */
export function parseServiceMetadataFile(
  file: SourceFile,
  required: readonly string[] = DEFAULT_REQUIRED_METADATA,
  limits: EvidenceLimits = DEFAULT_LIMITS,
): Parsed<ServiceMetadata> {
  const requiredKeys = checkRequired(required);
  const text = sourceText(file, EXPECTED);
  const documents = parseYamlDocuments(file, text);
  const present = documents.map((doc, index) => ({ doc, index })).filter((d) => d.doc !== null && d.doc !== undefined);
  if (present.length === 0) {
    throw formatError(file, 'is empty', { expected: EXPECTED, hint: `Write the service metadata, e.g.\n\n${genopsSnippet(requiredKeys)}` });
  }
  const warnings = new Warnings(limits.maxWarnings);
  const backstage = present.filter((d) => isRecord(d.doc) && asString(d.doc['apiVersion'])?.startsWith('backstage.io/') === true);
  if (backstage.length > 0) return parseBackstage(file, text, backstage, requiredKeys, warnings);

  const [first] = present;
  if (present.length > 1 || first === undefined) {
    throw formatError(file, `has ${String(present.length)} YAML documents and none is a Backstage entity`, {
      expected: EXPECTED,
      hint: 'A genops.yaml is one YAML document (no `---` separators between documents).',
    });
  }
  if (!isRecord(first.doc)) {
    throw formatError(file, `is a YAML ${Array.isArray(first.doc) ? 'list' : 'scalar'}, not a mapping of keys`, {
      expected: EXPECTED,
      hint: `Supported formats: genops.yaml (keys app, owner, environment, ...) and Backstage catalog-info.yaml. For example:\n\n${genopsSnippet(requiredKeys)}`,
    });
  }
  return parseGenops(file, text, first.doc, first.index, requiredKeys, warnings);
}

function checkRequired(required: readonly string[]): ServiceMetadataKey[] {
  const known = new Set<string>(SERVICE_METADATA_KEYS);
  const unknown = required.filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new ConfigError('INPUT_INVALID', `Unknown required service metadata key${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`, {
      expected: `keys among ${SERVICE_METADATA_KEYS.join(', ')}`,
      actual: unknown.join(', '),
      hint: 'Name required service metadata keys as genops.yaml spells them (camelCase, e.g. costCenter).',
    });
  }
  const keys = new Set<ServiceMetadataKey>(['app', 'owner']);
  for (const k of required) keys.add(k as ServiceMetadataKey);
  return SERVICE_METADATA_KEYS.filter((k) => keys.has(k));
}

/**
 * All YAML documents of a file (js-yaml's loadAll), with parseYamlSource's safety settings: core
 * schema (no custom tags, dates stay strings), bounded aliases and depth.
 */
export function parseYamlDocuments(file: SourceFile, text: string): unknown[] {
  try {
    return loadAll(text, { schema: CORE_SCHEMA, filename: file.path, maxAliases: 100, maxDepth: 64 });
  } catch (e) {
    if (e instanceof YAMLException) {
      throw formatError(file, `is not valid YAML: ${e.reason}`, {
        expected: EXPECTED,
        ...(e.mark === undefined ? {} : { line: e.mark.line + 1, column: e.mark.column + 1 }),
      });
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// genops.yaml

function parseGenops(
  file: SourceFile,
  text: string,
  doc: Record<string, unknown>,
  docIndex: number,
  required: readonly ServiceMetadataKey[],
  warnings: Warnings,
): Parsed<ServiceMetadata> {
  const problems: Problem[] = [];
  const known = new Set<string>(SERVICE_METADATA_KEYS);
  const squash = (k: string): string => k.toLowerCase().replace(/[-_ ]/g, '');
  for (const key of Object.keys(doc)) {
    if (known.has(key)) continue;
    const near = SERVICE_METADATA_KEYS.find((k) => squash(k) === squash(key));
    warnings.add(`unknown key ${JSON.stringify(key)}${near === undefined ? '' : ` (did you mean ${near}?)`}: ignored`);
  }
  const reader = new FieldReader(problems, warnings);
  const app = reader.text(doc['app'], ['app']);
  const environment = reader.text(doc['environment'], ['environment']);
  const owner = reader.text(doc['owner'], ['owner']);
  const costCenter = reader.text(doc['costCenter'], ['costCenter']);
  const tier = reader.tier(doc['tier'], ['tier']);
  const timezone = reader.timezone(doc['timezone'], ['timezone']);
  const slos = reader.slos(doc['slos']);
  const dependents = reader.names(doc['dependents'], ['dependents']);
  const freezeWindows = reader.freezeWindows(doc['freezeWindows']);
  const values: Record<ServiceMetadataKey, unknown> = { app, environment, owner, costCenter, tier, timezone, slos, dependents, freezeWindows };
  const missing = required.filter((k) => values[k] === undefined && problems.every((p) => p.path[0] !== k));
  if (problems.length > 0 || missing.length > 0) {
    throw metadataError(file, text, docIndex, 'genops', problems, missing, GENOPS_SPOTS);
  }
  return {
    value: build('genops', { app, environment, owner, costCenter, tier, timezone, slos, dependents, freezeWindows }),
    format: 'genops-service@1',
    parser: ownParser('service-metadata'),
    warnings: warnings.done(),
  };
}

// ---------------------------------------------------------------------------------------------
// Backstage catalog-info.yaml

function parseBackstage(
  file: SourceFile,
  text: string,
  entities: readonly { doc: unknown; index: number }[],
  required: readonly ServiceMetadataKey[],
  warnings: Warnings,
): Parsed<ServiceMetadata> {
  const components = entities.filter((e) => isRecord(e.doc) && e.doc['kind'] === 'Component');
  const describe = (e: { doc: unknown }): string => {
    const d = isRecord(e.doc) ? e.doc : {};
    const metadata = isRecord(d['metadata']) ? d['metadata'] : {};
    return `${asString(d['kind']) ?? '(no kind)'} ${asString(metadata['name']) ?? '(no name)'}`;
  };
  const [component] = components;
  if (component === undefined || components.length > 1) {
    throw formatError(
      file,
      component === undefined
        ? `has no kind: Component entity (found: ${entities.map(describe).join(', ')})`
        : `has ${String(components.length)} kind: Component entities (${components.map(describe).join(', ')}); genops cannot tell which one this repository deploys`,
      {
        expected: EXPECTED,
        hint: 'Give genops a catalog-info.yaml with exactly one Component (the service this repository deploys), or a genops.yaml.',
      },
    );
  }
  const doc = component.doc as Record<string, unknown>;
  const apiVersion = asString(doc['apiVersion']) ?? 'backstage.io';
  const problems: Problem[] = [];
  const reader = new FieldReader(problems, warnings);
  const metadata = reader.mapping(doc['metadata'], ['metadata']);
  const spec = reader.mapping(doc['spec'], ['spec']);
  const annotations = reader.mapping(metadata?.['annotations'], ['metadata', 'annotations']);
  const ann = (key: keyof typeof BACKSTAGE_ANNOTATIONS): unknown => annotations?.[BACKSTAGE_ANNOTATIONS[key]];
  const annPath = (key: keyof typeof BACKSTAGE_ANNOTATIONS): string[] => ['metadata', 'annotations', BACKSTAGE_ANNOTATIONS[key]];

  const app = reader.text(metadata?.['name'], ['metadata', 'name']);
  const owner = reader.text(spec?.['owner'], ['spec', 'owner']);
  let environment = reader.text(ann('environment'), annPath('environment'));
  if (environment === undefined && ann('environment') === undefined) {
    const lifecycle = reader.text(spec?.['lifecycle'], ['spec', 'lifecycle']);
    if (lifecycle !== undefined) {
      environment = lifecycle;
      warnings.add(
        `environment taken from spec.lifecycle (${JSON.stringify(lifecycle)}); set the ${BACKSTAGE_ANNOTATIONS.environment} annotation to name the environment explicitly`,
      );
    }
  }
  const costCenter = reader.text(ann('costCenter'), annPath('costCenter'));
  const tier = reader.tier(ann('tier'), annPath('tier'));
  const timezone = reader.timezone(ann('timezone'), annPath('timezone'));
  const dependents = reader.names(spec?.['dependencyOf'], ['spec', 'dependencyOf']);
  const values: Partial<Record<ServiceMetadataKey, unknown>> = { app, environment, owner, costCenter, tier, timezone, dependents };
  const unsupported = required.filter((k) => BACKSTAGE_SPOTS[k] === undefined);
  const missing = required.filter(
    (k) => BACKSTAGE_SPOTS[k] !== undefined && values[k] === undefined && problems.every((p) => !samePath(p.path, BACKSTAGE_SPOTS[k]?.path ?? [])),
  );
  for (const k of unsupported) {
    problems.push({ path: [k], message: `${k} is required, but a Backstage catalog file cannot carry it: give a genops.yaml instead` });
  }
  if (problems.length > 0 || missing.length > 0) {
    throw metadataError(file, text, component.index, 'backstage', problems, missing, BACKSTAGE_SPOTS);
  }
  return {
    value: build('backstage', { app, environment, owner, costCenter, tier, timezone, slos: [], dependents, freezeWindows: [] }),
    format: `backstage-catalog@${apiVersion.slice(apiVersion.indexOf('/') + 1)}`,
    parser: ownParser('service-metadata'),
    warnings: warnings.done(),
  };
}

function samePath(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length >= b.length && b.every((x, i) => a[i] === x);
}

// ---------------------------------------------------------------------------------------------
// Field readers: record a problem and return undefined when a value has the wrong shape.

// What the evidence schema allows (longer values could not be signed).
const MAX_TEXT = 1024;
const MAX_SHORT_TEXT = 64;
const MAX_SLOS = 1000;
const MAX_DEPENDENTS = 10_000;
const MAX_FREEZE_WINDOWS = 1000;

const DURATION = /^[1-9][0-9]*[mhdw]$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

class FieldReader {
  constructor(
    private readonly problems: Problem[],
    private readonly warnings: Warnings,
  ) {}

  problem(path: readonly (string | number)[], message: string): undefined {
    this.problems.push({ path, message });
    return undefined;
  }

  mapping(v: unknown, path: readonly string[]): Record<string, unknown> | undefined {
    if (v === undefined || v === null) return undefined;
    if (isRecord(v)) return v;
    return this.problem(path, `must be a mapping of keys, found ${kindOf(v)}`);
  }

  /** A non-empty string; a number is taken as its decimal text (with a note about leading zeros). */
  text(v: unknown, path: readonly (string | number)[], maxLength = MAX_TEXT): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') {
      const t = v.trim();
      if (t.length > maxLength) return this.problem(path, `is ${String(t.length)} characters long, more than ${String(maxLength)}`);
      return t === '' ? this.problem(path, 'must not be empty') : t;
    }
    if (typeof v === 'number' && Number.isFinite(v)) {
      this.warnings.add(`${pathText(path)} is the number ${String(v)}; quote it if it should keep leading zeros or a format`);
      return String(v);
    }
    return this.problem(path, `must be a string, found ${kindOf(v)}`);
  }

  tier(v: unknown, path: readonly (string | number)[]): Tier | undefined {
    const t = this.text(v, path);
    if (t === undefined) return undefined;
    const lower = t.toLowerCase();
    const tier = TIERS.find((x) => x === lower);
    return tier ?? this.problem(path, `${JSON.stringify(t)} is not one of ${TIERS.join(', ')}`);
  }

  /** An IANA time zone name, as Intl knows it; stored in its canonical spelling. */
  timezone(v: unknown, path: readonly (string | number)[]): string | undefined {
    const t = this.text(v, path);
    if (t === undefined) return undefined;
    const expected = 'must be an IANA time zone name such as Europe/Berlin or UTC';
    if (!/^[A-Za-z]/.test(t)) return this.problem(path, `${JSON.stringify(t)}: ${expected} (not an offset)`);
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: t }).resolvedOptions().timeZone;
    } catch {
      return this.problem(path, `${JSON.stringify(t)}: ${expected}`);
    }
  }

  /** A list of distinct names. */
  names(v: unknown, path: readonly (string | number)[]): string[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return this.problem(path, `must be a list of names, found ${kindOf(v)}`);
    if (v.length > MAX_DEPENDENTS) return this.problem(path, `lists ${String(v.length)} names, more than ${String(MAX_DEPENDENTS)}`);
    const out: string[] = [];
    for (const [i, item] of v.entries()) {
      const name = this.text(item, [...path, i]);
      if (name !== undefined && !out.includes(name)) out.push(name);
    }
    return out;
  }

  slos(v: unknown): Slo[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return this.problem(['slos'], `must be a list of SLOs, found ${kindOf(v)}`);
    if (v.length > MAX_SLOS) return this.problem(['slos'], `lists ${String(v.length)} SLOs, more than ${String(MAX_SLOS)}`);
    const out: Slo[] = [];
    for (const [i, item] of v.entries()) {
      const at = ['slos', i];
      if (!isRecord(item)) {
        this.problem(at, `must be a mapping with name and objective, found ${kindOf(item)}`);
        continue;
      }
      const name = this.text(item['name'], [...at, 'name']) ?? this.problem([...at, 'name'], 'is required');
      const objective = this.objective(item['objective'], [...at, 'objective']);
      const window = this.window(item['window'], [...at, 'window']);
      const budget = this.budget(item['errorBudgetRemaining'], [...at, 'errorBudgetRemaining']);
      if (name === undefined || objective === undefined) continue;
      out.push({
        name,
        objective,
        ...(window === undefined ? {} : { window }),
        ...(budget === undefined ? {} : { errorBudgetRemaining: budget }),
      });
    }
    return out;
  }

  /** (0, 1] as a ratio, (1, 100] or "x%" as a percentage; stored as a ratio. */
  objective(v: unknown, path: readonly (string | number)[]): number | undefined {
    if (v === undefined || v === null) return this.problem(path, 'is required (e.g. 99.9 for 99.9 %)');
    const expected = 'must be a ratio in (0, 1], a percentage in (1, 100], or a string such as "99.9%"';
    const percent = percentString(v);
    if (percent !== undefined) {
      return percent.value > 0 && percent.value <= 100 ? fromPercent(percent.value) : this.problem(path, `${JSON.stringify(percent.text)}: ${expected}`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.problem(path, `${expected}, found ${kindOf(v)}`);
    if (v > 0 && v <= 1) return v;
    if (v > 1 && v <= 100) return fromPercent(v);
    return this.problem(path, `${String(v)}: ${expected}`);
  }

  /** A ratio <= 1 (negative when overspent), or "x%"; stored as a ratio. */
  budget(v: unknown, path: readonly (string | number)[]): number | undefined {
    if (v === undefined || v === null) return undefined;
    const percent = percentString(v);
    if (percent !== undefined) return percent.value <= 100 ? fromPercent(percent.value) : this.problem(path, `${JSON.stringify(percent.text)}: at most 100%`);
    if (typeof v === 'number' && Number.isFinite(v) && v <= 1) return v;
    return this.problem(path, `must be a ratio of the budget left (at most 1, e.g. 0.42) or a percentage string such as "42%", found ${kindOf(v)}`);
  }

  window(v: unknown, path: readonly (string | number)[]): string | undefined {
    const t = this.text(v, path, MAX_SHORT_TEXT);
    if (t === undefined) return undefined;
    return DURATION.test(t) ? t : this.problem(path, `${JSON.stringify(t)} is not a duration such as 30d, 4w or 720h`);
  }

  freezeWindows(v: unknown): FreezeWindow[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return this.problem(['freezeWindows'], `must be a list of windows, found ${kindOf(v)}`);
    if (v.length > MAX_FREEZE_WINDOWS) return this.problem(['freezeWindows'], `lists ${String(v.length)} windows, more than ${String(MAX_FREEZE_WINDOWS)}`);
    const out: FreezeWindow[] = [];
    for (const [i, item] of v.entries()) {
      const at = ['freezeWindows', i];
      if (!isRecord(item)) {
        this.problem(at, `must be a mapping with start and end, found ${kindOf(item)}`);
        continue;
      }
      const start = this.dateTime(item['start'], [...at, 'start']);
      const end = this.dateTime(item['end'], [...at, 'end']);
      const reason = this.text(item['reason'], [...at, 'reason']);
      if (start === undefined || end === undefined) continue;
      if (Date.parse(end) <= Date.parse(start)) {
        this.problem([...at, 'end'], `${end} is not after start ${start}`);
        continue;
      }
      out.push({ start, end, ...(reason === undefined ? {} : { reason }) });
    }
    return out;
  }

  /** RFC 3339 with an explicit offset: a time without one would depend on the runner's zone. */
  dateTime(v: unknown, path: readonly (string | number)[]): string | undefined {
    if (v === undefined || v === null) return this.problem(path, 'is required (an RFC 3339 date-time such as 2026-12-21T00:00:00Z)');
    if (typeof v !== 'string') return this.problem(path, `must be an RFC 3339 date-time string, found ${kindOf(v)}`);
    const t = v.trim();
    if (t.length > MAX_SHORT_TEXT || !RFC3339.test(t) || Number.isNaN(Date.parse(t))) {
      return this.problem(path, `${JSON.stringify(t)} is not an RFC 3339 date-time with Z or an offset (e.g. 2026-12-21T00:00:00+01:00)`);
    }
    return t;
  }
}

/** `"99.9%"` → 99.9 (and the text); undefined when not a percent string. */
function percentString(v: unknown): { value: number; text: string } | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (!t.endsWith('%')) return undefined;
  const body = t.slice(0, -1).trim();
  if (body === '' || !/^-?\d+(?:\.\d+)?$/.test(body)) return undefined;
  return { value: Number(body), text: t };
}

/** 99.9 → 0.999 exactly as written (99.9 / 100 would be 0.9990000000000001). */
function fromPercent(p: number): number {
  return Number(`${String(p)}e-2`);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (isRecord(v)) return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v;
}

function pathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${String(p)}]` : i === 0 ? p : `.${p}`)).join('');
}

function build(
  source: ServiceMetadata['source'],
  v: {
    app: string | undefined;
    environment: string | undefined;
    owner: string | undefined;
    costCenter: string | undefined;
    tier: Tier | undefined;
    timezone: string | undefined;
    slos: Slo[] | undefined;
    dependents: string[] | undefined;
    freezeWindows: FreezeWindow[] | undefined;
  },
): ServiceMetadata {
  // app and owner are always required, so the caller has thrown already when they are missing.
  return {
    source,
    app: v.app ?? '',
    ...(v.environment === undefined ? {} : { environment: v.environment }),
    owner: v.owner ?? '',
    ...(v.costCenter === undefined ? {} : { costCenter: v.costCenter }),
    ...(v.tier === undefined ? {} : { tier: v.tier }),
    ...(v.timezone === undefined ? {} : { timezone: v.timezone }),
    slos: v.slos ?? [],
    dependents: v.dependents ?? [],
    freezeWindows: v.freezeWindows ?? [],
  };
}

// ---------------------------------------------------------------------------------------------
// The error: every problem, with lines, and the YAML to add.

function metadataError(
  file: SourceFile,
  text: string,
  docIndex: number,
  dialect: 'genops' | 'backstage',
  problems: readonly Problem[],
  missing: readonly ServiceMetadataKey[],
  spots: Readonly<Partial<Record<ServiceMetadataKey, KeySpot>>>,
): ConfigError {
  const lines = yamlKeyLines(text, docIndex, problems.map((p) => p.path));
  const items = [
    ...missing.map((k) => `missing ${k}${dialect === 'backstage' ? ` (${spots[k]?.path.join('.') ?? k})` : ''}`),
    ...problems.map((p) => {
      const line = lines.get(p.path.join('\u0000'));
      return `${pathText(p.path)}${line === undefined ? '' : ` (line ${String(line)})`}: ${p.message}`;
    }),
  ];
  const firstLine = problems.map((p) => lines.get(p.path.join('\u0000'))).find((l) => l !== undefined);
  const what = missing.length > 0 && problems.length === 0 ? 'is missing required service metadata' : 'has invalid service metadata';
  const snippet = missing.length === 0 ? undefined : dialect === 'genops' ? genopsSnippet(missing) : backstageSnippet(missing);
  return formatError(file, `${what}:\n${items.map((i) => `  - ${i}`).join('\n')}`, {
    expected:
      dialect === 'genops'
        ? `a genops.yaml with ${missing.length > 0 ? missing.join(', ') : 'valid values'}`
        : `a Backstage Component with ${missing.length > 0 ? missing.map((k) => spots[k]?.path.join('.') ?? k).join(', ') : 'valid values'}`,
    ...(firstLine === undefined ? {} : { line: firstLine }),
    hint: [
      snippet === undefined ? undefined : `Add to ${file.path}:\n\n${snippet}`,
      problems.length > 0 ? 'Fix the values listed above.' : undefined,
    ]
      .filter((x): x is string => x !== undefined)
      .join('\n\n'),
  });
}

function genopsSnippet(keys: readonly ServiceMetadataKey[]): string {
  return keys.map((k) => `${k}: ${PLACEHOLDERS[k]}`).join('\n');
}

/** The missing keys as one nested YAML block: metadata.name, metadata.annotations.*, spec.*. */
function backstageSnippet(keys: readonly ServiceMetadataKey[]): string {
  const spots = keys.map((k) => BACKSTAGE_SPOTS[k]).filter((s): s is KeySpot => s !== undefined);
  const out: string[] = [];
  const emit = (prefix: readonly string[], depth: number): void => {
    const here = spots.filter((s) => prefix.every((p, i) => s.path[i] === p) && s.path.length > depth);
    const seen: string[] = [];
    for (const s of here) {
      const key = s.path[depth] as string;
      if (seen.includes(key)) continue;
      seen.push(key);
      const indent = '  '.repeat(depth);
      if (s.path.length === depth + 1) out.push(`${indent}${key}: ${s.placeholder}`);
      else {
        out.push(`${indent}${key}:`);
        emit([...prefix, key], depth + 1);
      }
    }
  };
  emit([], 0);
  return out.join('\n');
}
