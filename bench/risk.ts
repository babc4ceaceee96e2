/**
 * Risk scoring benchmark: score a change of 10,000 files (paths, owners, categories, identifiers)
 * against the fixture incident corpus, after start-up (warm), against the same change cut to 10
 * files in the same process. Target: under 50 ms. Size: BENCH_RISK_FILES.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { DEFAULT_RISK_CONFIG, parseIncidentMarkdown, scoreRisk, type Evidence } from '@genops/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILES = Number(process.env.BENCH_RISK_FILES ?? 10_000);
const RUNS = 21;
const NOW = new Date('2026-03-13T16:30:00Z');

const base = JSON.parse(readFileSync(join(root, 'fixtures/risk/changes/friday-migration.evidence.json'), 'utf8')) as Evidence;
const incidentDir = join(root, 'fixtures/risk/incidents');
const incidents = readdirSync(incidentDir).filter((n) => n.endsWith('.md')).sort().map((n) => parseIncidentMarkdown(`incidents/${n}`, readFileSync(join(incidentDir, n), 'utf8')));

function changeOf(files: number): Evidence {
  const change = base.change;
  if (change === null) throw new Error('fixture has no change');
  const list = Array.from({ length: files }, (_, i) => ({
    path: `services/svc-${String(i % 40)}/src/module-${String(i % 97)}/file${String(i)}.${i % 10 === 0 ? 'sql' : 'ts'}`,
    status: 'modified',
    additions: 3 + (i % 17),
    deletions: i % 5,
    owners: [`@acme/team-${String(i % 12)}`],
    categories: i % 10 === 0 ? ['migration'] : [],
  }));
  const additions = list.reduce((s, f) => s + f.additions, 0);
  const deletions = list.reduce((s, f) => s + f.deletions, 0);
  const identifiers = Array.from({ length: 200 }, (_, i) => `identifier${String(i)}`);
  return {
    ...base,
    change: { ...change, files: list, totals: { files, additions, deletions }, categories: { migration: Math.ceil(files / 10) }, identifiers, codeowners: { ...change.codeowners, owners: Array.from({ length: 12 }, (_, i) => `@acme/team-${String(i)}`) } },
  };
}

function time(e: Evidence): number[] {
  for (let i = 0; i < 5; i++) scoreRisk({ evidence: e, config: DEFAULT_RISK_CONFIG, now: NOW, incidents });
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    scoreRisk({ evidence: e, config: DEFAULT_RISK_CONFIG, now: NOW, incidents });
    out.push(performance.now() - t0);
  }
  return out;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const big = median(time(changeOf(FILES)));
const small = median(time(changeOf(10)));
const a = scoreRisk({ evidence: changeOf(FILES), config: DEFAULT_RISK_CONFIG, now: NOW, incidents });
console.log(`risk: ${String(FILES)}-file change, ${String(incidents.length)} incident records -> ${a.tier} ${a.score.toFixed(3)}, ${String(a.recourse.length)} recourse set(s)`);
console.log(`risk: score ${big.toFixed(1)} ms median of ${String(RUNS)} (warm); 10-file change ${small.toFixed(1)} ms; ratio ${(big / small).toFixed(1)}x; target < 50 ms`);
