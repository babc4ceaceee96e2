/**
 * The file metrics provider: JSON and CSV window files, validation with line numbers, windows
 * looked up by time (exact rows, tiled rows summed, gaps ok:false), and the fixture histories read
 * back through it with the generator's counts.
 */
import { describe, expect, it } from '@jest/globals';
import { generateCanaryHistory, loadCanaryScenario, toWindowCsv, toWindowRows } from '@genops/testkit';
import { ConfigError } from '../../src/errors.js';
import { fileMetricsProvider, loadFileMetricsProvider, parseWindowCsv, parseWindowFile, parseWindowJson, type WindowRow } from '../../src/canary/file-provider.js';
import type { WindowReading } from '../../src/canary/model.js';

function fileError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}
const at = (iso: string) => new Date(iso);
const win = (start: string, end: string, weight = 5) => ({ start: at(start), end: at(end), weight });
const sample = (r: WindowReading) => {
  if (!r.ok) throw new Error(r.reason);
  return r.sample;
};

const JSON_TEXT = `{
  "windows": [
    { "start": "2025-06-02T10:00:00Z", "end": "2025-06-02T10:01:00Z", "weight": 5,
      "canary": { "requests": 100, "errors": 2, "slow": 5 },
      "baseline": { "requests": 1900, "errors": 10, "slow": 60 },
      "guards": { "p50Ms": 52.5, "p99Ms": 210 } },
    { "start": "2025-06-02T10:01:00Z", "end": "2025-06-02T10:02:00Z",
      "canary": { "requests": 120, "errors": 0, "slow": 3 },
      "baseline": { "requests": 1880, "errors": 9, "slow": 70 },
      "guards": { "p50Ms": 50, "p99Ms": 250, "qualityScore": 0.9 } },
    { "start": "2025-06-02T10:03:00Z", "end": "2025-06-02T10:04:00Z",
      "canary": { "requests": 90, "errors": 1 },
      "baseline": { "requests": 1910, "errors": 12 } },
    { "start": "2025-06-02T10:04:00Z", "end": "2025-06-02T10:05:00Z" }
  ]
}
`;

describe('JSON window files', () => {
  const provider = fileMetricsProvider(parseWindowJson(JSON_TEXT, 'w.json'), 'w.json');

  it('answers a window from its row: counts per metric, guard readings, rates from counts', async () => {
    expect(sample(await provider.read(win('2025-06-02T10:00:00Z', '2025-06-02T10:01:00Z')))).toEqual({
      start: '2025-06-02T10:00:00.000Z',
      end: '2025-06-02T10:01:00.000Z',
      metrics: {
        errors: { canary: { requests: 100, bad: 2 }, baseline: { requests: 1900, bad: 10 } },
        latency: { canary: { requests: 100, bad: 5 }, baseline: { requests: 1900, bad: 60 } },
      },
      guards: { p50Ms: 52.5, p99Ms: 210, errorRate: 0.02, successRate: 0.98 },
    });
  });

  it('sums consecutive rows that tile a longer window; p50/p99 take the largest (an upper bound)', async () => {
    const s = sample(await provider.read(win('2025-06-02T10:00:00Z', '2025-06-02T10:02:00Z')));
    expect(s.metrics).toEqual({
      errors: { canary: { requests: 220, bad: 2 }, baseline: { requests: 3780, bad: 19 } },
      latency: { canary: { requests: 220, bad: 8 }, baseline: { requests: 3780, bad: 130 } },
    });
    expect(s.guards).toEqual({ p50Ms: 52.5, p99Ms: 250, errorRate: 2 / 220, successRate: 1 - 2 / 220 });
  });

  it('a metric missing from a row is a gap for that metric only', async () => {
    const s = sample(await provider.read(win('2025-06-02T10:03:00Z', '2025-06-02T10:04:00Z')));
    expect(Object.keys(s.metrics)).toEqual(['errors']);
  });

  it('no row, a hole in the tiling, or a row without counts: ok:false naming the file and the window', async () => {
    expect(await provider.read(win('2025-06-02T10:02:00Z', '2025-06-02T10:03:00Z'))).toEqual({
      ok: false,
      reason: 'w.json: no data for window 2025-06-02T10:02:00.000Z..2025-06-02T10:03:00.000Z (no row)',
    });
    expect(await provider.read(win('2025-06-02T10:01:00Z', '2025-06-02T10:04:00Z'))).toEqual({
      ok: false,
      reason: 'w.json: no data for window 2025-06-02T10:01:00.000Z..2025-06-02T10:04:00.000Z (rows cover it only up to 2025-06-02T10:02:00.000Z)',
    });
    expect(await provider.read(win('2025-06-02T10:04:00Z', '2025-06-02T10:05:00Z'))).toEqual({
      ok: false,
      reason: 'w.json: window 2025-06-02T10:04:00.000Z..2025-06-02T10:05:00.000Z has no canary and baseline counts (a gap)',
    });
    // Half a row is not an answer either.
    expect((await provider.read(win('2025-06-02T10:00:00Z', '2025-06-02T10:00:30Z'))).ok).toBe(false);
  });

  it('a bare array works too', () => {
    expect(parseWindowJson('[{"start":"2025-06-02T10:00:00Z","end":"2025-06-02T10:01:00Z"}]', 'a.json')).toHaveLength(1);
  });

  it('reports schema problems with their lines', () => {
    const bad = JSON_TEXT.replace('"errors": 2,', '"errors": -2,').replace('"qualityScore": 0.9', '"qualityScore": 1.5').replace('"slow": 3', '"slowness": 3');
    const e = fileError(() => parseWindowJson(bad, 'w.json'));
    expect(e.code).toBe('FILE_INVALID');
    expect(e.details).toMatchObject({ file: 'w.json', line: 4 });
    expect(e.message).toContain('line 4 /windows/0/canary/errors: must be >= 0');
    expect(e.message).toContain('line 8 /windows/1/canary: unknown property "slowness" (a typo?)');
    expect(e.message).toContain('line 10 /windows/1/guards/qualityScore: must be <= 1');
  });

  it('reports bad events above requests, end before start and overlapping windows with lines', () => {
    expect(fileError(() => parseWindowJson(JSON_TEXT.replace('"errors": 12', '"errors": 1912'), 'w.json')).message).toContain(
      'line 13 /windows/2/baseline/errors: 1912 is more than the 1910 requests',
    );
    expect(fileError(() => parseWindowJson(JSON_TEXT.replace('"end": "2025-06-02T10:01:00Z"', '"end": "2025-06-02T09:59:00Z"'), 'w.json')).message).toContain(
      'line 3 /windows/0/end: must be after start',
    );
    const overlap = JSON_TEXT.replace('"start": "2025-06-02T10:01:00Z"', '"start": "2025-06-02T10:00:30Z"');
    const e = fileError(() => parseWindowJson(overlap, 'w.json'));
    expect(e.message).toContain('overlaps the one starting 2025-06-02T10:00:00Z (line 3)');
    expect(e.details.line).toBe(7);
  });

  it('reports malformed JSON with its line', () => {
    const e = fileError(() => parseWindowJson('[\n  {"start": "2025-06-02T10:00:00Z",\n  "end": }\n]', 'w.json'));
    expect(e.message).toMatch(/^w\.json:3: is not valid JSON \(ValueExpected\)/);
    expect(e.details.line).toBe(3);
  });

  it('refuses times without a zone', () => {
    expect(fileError(() => parseWindowJson('[{"start":"2025-06-02T10:00:00","end":"2025-06-02T10:01:00Z"}]', 'w.json')).message).toContain(
      '/0/start: must be an ISO 8601 time with a zone',
    );
  });
});

const CSV_TEXT = `start,end,weight,canary_requests,canary_errors,canary_slow,baseline_requests,baseline_errors,baseline_slow,p99_ms
# a comment line
2025-06-02T10:00:00Z,2025-06-02T10:01:00Z,5,100,2,5,1900,10,60,210
2025-06-02T10:01:00Z,2025-06-02T10:02:00Z,5,120,0,,1880,9,,
`;

describe('CSV window files', () => {
  it('reads rows; empty cells are absent values', async () => {
    const rows = parseWindowCsv(CSV_TEXT, 'w.csv');
    expect(rows[1]).toEqual({ start: '2025-06-02T10:01:00Z', end: '2025-06-02T10:02:00Z', weight: 5, canary: { requests: 120, errors: 0 }, baseline: { requests: 1880, errors: 9 } });
    const p = fileMetricsProvider(rows, 'w.csv');
    expect(sample(await p.read(win('2025-06-02T10:00:00Z', '2025-06-02T10:01:00Z'))).guards.p99Ms).toBe(210);
    expect(Object.keys(sample(await p.read(win('2025-06-02T10:01:00Z', '2025-06-02T10:02:00Z'))).metrics)).toEqual(['errors']);
  });

  it('names the line and the column of bad cells', () => {
    const bad = CSV_TEXT.replace('100,2,5', '100,two,5').replace('1880,9', '1880,1999');
    const e = fileError(() => parseWindowCsv(bad, 'w.csv'));
    expect(e.code).toBe('FILE_INVALID');
    expect(e.message).toContain('line 3: canary_errors: must be integer');
    expect(e.message).toContain('line 4: baseline_errors: 1999 is more than the 1880 requests');
    expect(e.details.line).toBe(3);
  });

  it('refuses unknown columns, counts without requests, and broken CSV', () => {
    expect(fileError(() => parseWindowCsv('start,end,canary_requets\n', 'w.csv')).message).toContain('unknown column(s) "canary_requets" (a typo?)');
    expect(fileError(() => parseWindowCsv('start,end,canary_errors\n2025-06-02T10:00:00Z,2025-06-02T10:01:00Z,3\n', 'w.csv')).message).toContain(
      'line 2: canary_errors/canary_slow given without canary_requests',
    );
    expect(fileError(() => parseWindowCsv('start,end\n"2025-06-02T10:00:00Z,2025-06-02T10:01:00Z\n', 'w.csv')).message).toMatch(/is not valid CSV/);
  });

  it('picks the parser by extension and refuses others', () => {
    expect(parseWindowFile(CSV_TEXT, 'W.CSV')).toHaveLength(2);
    expect(fileError(() => parseWindowFile(CSV_TEXT, 'w.txt')).code).toBe('INPUT_INVALID');
  });

  it('loads through an injected reader; a missing file is FILE_NOT_FOUND', async () => {
    const files = new Map([['m/w.csv', new TextEncoder().encode(CSV_TEXT)]]);
    const reader = {
      readFile: (p: string) => {
        const b = files.get(p);
        return b === undefined ? Promise.reject(new Error('ENOENT')) : Promise.resolve(b);
      },
    };
    const p = await loadFileMetricsProvider(reader, 'm/w.csv');
    expect(p.kind).toBe('file');
    expect((await p.read(win('2025-06-02T10:00:00Z', '2025-06-02T10:01:00Z'))).ok).toBe(true);
    await expect(loadFileMetricsProvider(reader, 'm/nope.json')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});

describe('fixture histories through the file provider', () => {
  for (const name of ['healthy', 'scrape-gap']) {
    it(`${name}: JSON and CSV give the generated counts; gap windows are ok:false`, async () => {
      const history = generateCanaryHistory(loadCanaryScenario(name));
      const json = fileMetricsProvider(parseWindowJson(JSON.stringify({ windows: toWindowRows(history) }), `${name}.json`), `${name}.json`);
      const csv = fileMetricsProvider(parseWindowCsv(toWindowCsv(history), `${name}.csv`), `${name}.csv`);
      for (const w of history.windows) {
        const req = { start: w.start, end: w.end, weight: w.weight };
        const [a, b] = [await json.read(req), await csv.read(req)];
        expect(b.ok ? b : { ok: false, reason: b.reason.replace('.csv', '.json') }).toEqual(a);
        if (w.missing) {
          expect(a).toEqual({ ok: false, reason: expect.stringContaining(`no data for window ${w.start.toISOString()}`) as unknown as string });
        } else {
          expect(sample(a).metrics).toEqual({
            errors: { canary: { requests: w.canary.requests, bad: w.canary.errors }, baseline: { requests: w.baseline.requests, bad: w.baseline.errors } },
            latency: { canary: { requests: w.canary.requests, bad: w.canary.slow }, baseline: { requests: w.baseline.requests, bad: w.baseline.slow } },
          });
        }
      }
    });
  }

  it('rows are plain data the schema accepts (the testkit type matches the provider format)', () => {
    const rows: WindowRow[] = toWindowRows(generateCanaryHistory(loadCanaryScenario('sparse-traffic')));
    expect(rows.length).toBe(40);
  });
});
