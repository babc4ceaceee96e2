/**
 * GitHub's published REST description (`@octokit/openapi`, api.github.com.json), loaded once per
 * process on first use and indexed into a method + path-template matcher. Validators (path, query,
 * body, response) are compiled with ajv on demand, per operation, and cached.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// NodeNext default import of a CommonJS `exports.default` package (toolchain notes, pitfall 11).
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';
const HTTP_METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export interface OperationParameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly schema: JsonObject;
  /** `x-multi-segment`: the value may contain `/` unencoded (refs, file paths, branch names). */
  readonly multiSegment: boolean;
}

export interface Operation {
  readonly operationId: string;
  readonly method: HttpMethod;
  readonly template: string;
  /** `x-github.category` / `subcategory`, e.g. `checks` / `runs`. */
  readonly category: string;
  readonly subcategory: string;
  readonly docUrl: string | undefined;
  readonly parameters: readonly OperationParameter[];
  readonly requestBody:
    | { readonly required: boolean; readonly contentTypes: readonly string[]; readonly jsonSchema: JsonObject | undefined }
    | undefined;
}

interface Route {
  readonly template: string;
  readonly regex: RegExp;
  readonly paramNames: readonly string[];
  readonly literalSegments: number;
  readonly multiSegmentParams: number;
  readonly operations: ReadonlyMap<HttpMethod, Operation>;
}

export type RouteMatch =
  | { readonly kind: 'no-path' }
  | { readonly kind: 'no-method'; readonly templates: readonly string[]; readonly allowed: readonly string[] }
  | { readonly kind: 'ok'; readonly candidates: readonly { readonly operation: Operation; readonly rawParams: Readonly<Record<string, string>> }[] };

export interface ValidationResult {
  readonly ok: boolean;
  /** Human-readable problems, e.g. `body must have required property 'name'`. */
  readonly problems: readonly string[];
  /** The input after type coercion (path and query parameters only). */
  readonly value: Record<string, unknown>;
}

export interface OpenApiTimings {
  /** Reading the JSON file from disk. */
  readonly readMs: number;
  readonly parseMs: number;
  /** Building the route table. */
  readonly indexMs: number;
  readonly bytes: number;
  readonly paths: number;
  readonly operations: number;
}

const SCHEMA_REF = '#/components/schemas/';

export class OpenApiIndex {
  readonly timings: OpenApiTimings;
  private readonly spec: JsonObject;
  private readonly routes: Route[] = [];
  private readonly byId = new Map<string, Operation>();
  /** Parameters and request bodies: coerce path/query strings, check formats. */
  private readonly requestAjv = new Ajv({ strict: false, allErrors: true, coerceTypes: 'array', logger: false });
  /** Responses: formats off (GitHub itself answers `""` for some `format: uri` fields). */
  private readonly responseAjv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
  private readonly validators = new Map<string, ValidateFunction | undefined>();

  constructor(file: string) {
    const t0 = performance.now();
    const text = readFileSync(file, 'utf8');
    const t1 = performance.now();
    this.spec = JSON.parse(text) as JsonObject;
    const t2 = performance.now();
    this.buildRoutes();
    const t3 = performance.now();
    addFormats(this.requestAjv);
    this.timings = {
      readMs: t1 - t0,
      parseMs: t2 - t1,
      indexMs: t3 - t2,
      bytes: text.length,
      paths: this.routes.length,
      operations: this.byId.size,
    };
  }

  /** Every operationId in the description. */
  operationIds(): string[] {
    return [...this.byId.keys()];
  }

  operation(operationId: string): Operation | undefined {
    return this.byId.get(operationId);
  }

  /**
   * Finds the operations a request could be for: every template matching `rawPath` (still
   * percent-encoded, without the query) that defines `method`, most specific first (more literal
   * segments, fewer multi-segment parameters).
   */
  match(method: string, rawPath: string): RouteMatch {
    const m = method.toLowerCase() as HttpMethod;
    const hits: { route: Route; groups: string[] }[] = [];
    for (const route of this.routes) {
      const r = route.regex.exec(rawPath);
      if (r !== null) hits.push({ route, groups: r.slice(1) });
    }
    if (hits.length === 0) return { kind: 'no-path' };
    const candidates: { operation: Operation; rawParams: Record<string, string> }[] = [];
    for (const { route, groups } of hits) {
      const operation = route.operations.get(m);
      if (operation === undefined) continue;
      const rawParams: Record<string, string> = {};
      route.paramNames.forEach((name, i) => {
        rawParams[name] = safeDecode(groups[i] ?? '');
      });
      candidates.push({ operation, rawParams });
    }
    if (candidates.length === 0) {
      const allowed = new Set<string>();
      for (const { route } of hits) for (const k of route.operations.keys()) allowed.add(k.toUpperCase());
      return { kind: 'no-method', templates: hits.map((h) => h.route.template), allowed: [...allowed].sort() };
    }
    return { kind: 'ok', candidates };
  }

  /** Checks (and coerces) path parameters. Integers must be plain decimal digits. */
  validatePath(op: Operation, rawParams: Readonly<Record<string, string>>): ValidationResult {
    const problems: string[] = [];
    const params = op.parameters.filter((p) => p.in === 'path');
    for (const p of params) {
      const v = rawParams[p.name];
      const type = this.resolveSchema(p.schema)['type'];
      if (v !== undefined && (type === 'integer' || type === 'number') && !/^-?\d+$/.test(v)) {
        problems.push(`path parameter '${p.name}' must be ${type}, got '${v}'`);
      }
    }
    if (problems.length > 0) return { ok: false, problems, value: { ...rawParams } };
    return this.validateParams(op, 'path', params, { ...rawParams });
  }

  /** Checks the declared query parameters that are present, and that required ones are. */
  validateQuery(op: Operation, search: URLSearchParams): ValidationResult {
    const params = op.parameters.filter((p) => p.in === 'query');
    const value: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const p of params) {
      const isArray = this.resolveSchema(p.schema)['type'] === 'array';
      const all = [...search.getAll(p.name), ...search.getAll(`${p.name}[]`)];
      if (all.length === 0) {
        if (p.required) problems.push(`missing required query parameter '${p.name}'`);
        continue;
      }
      value[p.name] = isArray ? all : all[0];
    }
    if (problems.length > 0) return { ok: false, problems, value };
    return this.validateParams(op, 'query', params, value);
  }

  /**
   * Checks a parsed JSON body against the operation's request schema. Unless `allowUnknownFields`,
   * a top-level field the schema does not name is a problem too: GitHub ignores it, which hides typos.
   */
  validateBody(op: Operation, body: unknown, present: boolean, allowUnknownFields: boolean): ValidationResult {
    const rb = op.requestBody;
    if (rb === undefined) return { ok: true, problems: [], value: {} };
    if (!present) {
      return rb.required
        ? { ok: false, problems: [`missing request body (${op.operationId} requires one)`], value: {} }
        : { ok: true, problems: [], value: {} };
    }
    if (rb.jsonSchema === undefined) return { ok: true, problems: [], value: {} };
    const validate = this.validator(`body:${op.operationId}`, this.requestAjv, () => rb.jsonSchema);
    const problems: string[] = [];
    if (validate !== undefined && !validate(body)) problems.push(...formatErrors('body', validate.errors));
    if (!allowUnknownFields && isPlainObject(body)) {
      const known = this.propertyNames(rb.jsonSchema);
      if (known !== undefined) {
        for (const key of Object.keys(body)) {
          if (!known.has(key)) problems.push(`body has unknown field '${key}' (known: ${[...known].sort().join(', ')})`);
        }
      }
    }
    return { ok: problems.length === 0, problems, value: {} };
  }

  /**
   * Checks a response body against the description's JSON schema for that status. Returns ok when
   * the description has no JSON schema for the status.
   */
  validateResponse(op: Operation, status: number, body: unknown): ValidationResult {
    const validate = this.validator(`response:${op.operationId}:${status}`, this.responseAjv, () => this.responseSchema(op, status));
    if (validate === undefined || validate(body)) return { ok: true, problems: [], value: {} };
    return { ok: false, problems: formatErrors('response', validate.errors), value: {} };
  }

  private validateParams(op: Operation, where: 'path' | 'query', params: readonly OperationParameter[], value: Record<string, unknown>): ValidationResult {
    const validate = this.validator(`${where}:${op.operationId}`, this.requestAjv, () => ({
      type: 'object',
      properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
      required: params.filter((p) => p.required).map((p) => p.name),
    }));
    if (validate === undefined || validate(value)) return { ok: true, problems: [], value };
    return { ok: false, problems: formatErrors(`${where} parameter `, validate.errors, true), value };
  }

  private validator(key: string, ajv: InstanceType<typeof Ajv>, schema: () => JsonObject | undefined): ValidateFunction | undefined {
    if (this.validators.has(key)) return this.validators.get(key);
    const s = schema();
    const fn = s === undefined ? undefined : ajv.compile(this.withComponents(s));
    this.validators.set(key, fn);
    return fn;
  }

  /** Wraps a schema so its `#/components/schemas/...` references resolve: copies only what it reaches. */
  private withComponents(schema: JsonObject): JsonObject {
    const schemas = (this.spec['components'] as JsonObject)['schemas'] as JsonObject;
    const reached: JsonObject = {};
    const queue: Json[] = [schema];
    while (queue.length > 0) {
      const node = queue.pop();
      if (Array.isArray(node)) {
        queue.push(...node);
      } else if (node !== null && typeof node === 'object') {
        const ref = node['$ref'];
        if (typeof ref === 'string' && ref.startsWith(SCHEMA_REF)) {
          const name = ref.slice(SCHEMA_REF.length);
          if (!(name in reached)) {
            const target = schemas[name];
            if (target === undefined) throw new Error(`OpenAPI: dangling $ref ${ref}`);
            reached[name] = target;
            queue.push(target);
          }
        }
        for (const v of Object.values(node)) if (typeof v === 'object') queue.push(v);
      }
    }
    return openApi30ToAjv({ allOf: [schema], components: { schemas: reached } }) as JsonObject;
  }

  private resolveSchema(schema: JsonObject): JsonObject {
    let s = schema;
    for (let i = 0; i < 20; i++) {
      const ref = s['$ref'];
      if (typeof ref !== 'string') return s;
      s = this.resolvePointer(ref) as JsonObject;
    }
    return s;
  }

  /**
   * Top-level property names a body schema names, or undefined when it allows any. Branches of
   * allOf/anyOf/oneOf add names; a branch left open only matters when the schema has no `properties`.
   */
  private propertyNames(schema: JsonObject): Set<string> | undefined {
    const s = this.resolveSchema(schema);
    if (s['additionalProperties'] !== undefined && s['additionalProperties'] !== false) return undefined;
    const own = s['properties'] as JsonObject | undefined;
    const names = new Set<string>(Object.keys(own ?? {}));
    let sawBranch = false;
    for (const key of ['allOf', 'anyOf', 'oneOf']) {
      const branches = s[key];
      if (!Array.isArray(branches)) continue;
      for (const b of branches) {
        if (b === null || typeof b !== 'object' || Array.isArray(b)) continue;
        const sub = this.propertyNames(b);
        if (sub === undefined) {
          if (own === undefined) return undefined;
          continue;
        }
        sawBranch = true;
        for (const n of sub) names.add(n);
      }
    }
    return own === undefined && !sawBranch ? undefined : names;
  }

  private responseSchema(op: Operation, status: number): JsonObject | undefined {
    const item = (this.spec['paths'] as JsonObject)[op.template] as JsonObject;
    const responses = (item[op.method] as JsonObject)['responses'] as JsonObject | undefined;
    let resp = responses?.[String(status)] as JsonObject | undefined;
    if (resp === undefined) return undefined;
    if (typeof resp['$ref'] === 'string') resp = this.resolvePointer(resp['$ref']) as JsonObject;
    const content = resp['content'] as JsonObject | undefined;
    const json = content?.['application/json'] as JsonObject | undefined;
    return json?.['schema'] as JsonObject | undefined;
  }

  private resolvePointer(ref: string): Json {
    if (!ref.startsWith('#/')) throw new Error(`OpenAPI: unsupported $ref ${ref}`);
    let node: Json = this.spec;
    for (const part of ref.slice(2).split('/')) {
      const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !(key in node)) {
        throw new Error(`OpenAPI: dangling $ref ${ref}`);
      }
      node = node[key] as Json;
    }
    return node;
  }

  private buildRoutes(): void {
    const paths = this.spec['paths'] as JsonObject;
    for (const [template, itemJson] of Object.entries(paths)) {
      const item = itemJson as JsonObject;
      const shared = (item['parameters'] as Json[] | undefined) ?? [];
      const operations = new Map<HttpMethod, Operation>();
      for (const method of HTTP_METHODS) {
        const opJson = item[method] as JsonObject | undefined;
        if (opJson === undefined) continue;
        const operation = this.buildOperation(template, method, opJson, shared);
        operations.set(method, operation);
        this.byId.set(operation.operationId, operation);
      }
      const multi = new Set<string>();
      for (const op of operations.values()) for (const p of op.parameters) if (p.in === 'path' && p.multiSegment) multi.add(p.name);
      const paramNames: string[] = [];
      const source = template.replace(/\{([^}]+)\}|[^{]+/g, (whole, name: string | undefined) => {
        if (name === undefined) return whole.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        paramNames.push(name);
        return multi.has(name) ? '(.+?)' : '([^/]+?)';
      });
      const segments = template.split('/').filter((s) => s !== '');
      this.routes.push({
        template,
        regex: new RegExp(`^${source}$`),
        paramNames,
        literalSegments: segments.filter((s) => !s.includes('{')).length,
        multiSegmentParams: paramNames.filter((n) => multi.has(n)).length,
        operations,
      });
    }
    this.routes.sort(
      (a, b) => b.literalSegments - a.literalSegments || a.multiSegmentParams - b.multiSegmentParams || b.template.length - a.template.length,
    );
  }

  private buildOperation(template: string, method: HttpMethod, op: JsonObject, shared: Json[]): Operation {
    const params = [...shared, ...((op['parameters'] as Json[] | undefined) ?? [])].map((p) => {
      const raw = p as JsonObject;
      return (typeof raw['$ref'] === 'string' ? this.resolvePointer(raw['$ref']) : raw) as JsonObject;
    });
    const parameters: OperationParameter[] = params
      .filter((p) => p['in'] === 'path' || p['in'] === 'query')
      .map((p) => ({
        name: asString(p['name']),
        in: p['in'] as 'path' | 'query',
        required: p['required'] === true,
        schema: (p['schema'] as JsonObject | undefined) ?? {},
        multiSegment: p['x-multi-segment'] === true,
      }));
    let rb = op['requestBody'] as JsonObject | undefined;
    if (rb !== undefined && typeof rb['$ref'] === 'string') rb = this.resolvePointer(rb['$ref']) as JsonObject;
    const content = (rb?.['content'] as JsonObject | undefined) ?? {};
    const xg = (op['x-github'] as JsonObject | undefined) ?? {};
    const docs = op['externalDocs'] as JsonObject | undefined;
    return {
      operationId: asString(op['operationId']),
      method,
      template,
      category: asString(xg['category']),
      subcategory: asString(xg['subcategory']),
      docUrl: typeof docs?.['url'] === 'string' ? docs['url'] : undefined,
      parameters,
      requestBody:
        rb === undefined
          ? undefined
          : {
              required: rb['required'] === true,
              contentTypes: Object.keys(content),
              jsonSchema: (content['application/json'] as JsonObject | undefined)?.['schema'] as JsonObject | undefined,
            },
    };
  }
}

/**
 * Copies a schema, fixing the OpenAPI 3.0 idioms ajv reads differently: `nullable: true` beside
 * an `enum` without `null` (GitHub's `conclusion`, for one) means null is allowed too; and
 * `nullable: true` without a `type` (beside `$ref`, `allOf` or `anyOf`: a commit's `author`),
 * which ajv refuses to compile, means "this schema, or null".
 */
function openApi30ToAjv(node: Json): Json {
  if (Array.isArray(node)) return node.map(openApi30ToAjv);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'enum' || k === 'example' || k === 'examples' || k === 'default' ? v : openApi30ToAjv(v);
  const e = out['enum'];
  if (out['nullable'] === true && Array.isArray(e) && !e.includes(null)) out['enum'] = [...e, null];
  if (out['nullable'] === true && out['type'] === undefined) {
    const { nullable: _nullable, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

function formatErrors(where: string, errors: ErrorObject[] | null | undefined, paramStyle = false): string[] {
  const out: string[] = [];
  for (const e of errors ?? []) {
    // Keep the messages about the branch that failed; ajv's "must match a schema in anyOf" adds nothing.
    if (e.keyword === 'allOf' || e.keyword === 'if') continue;
    const path = e.instancePath === '' ? '' : paramStyle ? `'${e.instancePath.slice(1).replace(/\//g, '.')}'` : e.instancePath;
    let msg = e.message ?? 'is invalid';
    if (e.keyword === 'required') msg = `is missing required field '${(e.params as { missingProperty: string }).missingProperty}'`;
    if (e.keyword === 'enum') msg = `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    const line = `${where}${path} ${msg}`;
    if (!out.includes(line)) out.push(line);
    if (out.length >= 8) break;
  }
  return out.length > 0 ? out : [`${where.trim()} is invalid`];
}

function asString(v: Json | undefined): string {
  return typeof v === 'string' ? v : '';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

let cached: OpenApiIndex | undefined;

/** The path of `api.github.com.json` inside the installed `@octokit/openapi`. */
export function openApiFile(): string {
  return createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
}

/**
 * The process-wide index, built on first call (about 0.2-0.4 s: read, JSON.parse, route table).
 * Under Jest each test file has its own module registry, so each file pays this once.
 */
export function getOpenApiIndex(): OpenApiIndex {
  cached ??= new OpenApiIndex(openApiFile());
  return cached;
}
