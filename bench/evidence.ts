/**
 * Evidence parsing benchmark (run on its own so its peak RSS is its own): parse + normalize a
 * synthetic 20,000-component CycloneDX SBOM and 10,000 SARIF results, through the collector
 * (read, hash, parse, merge) as the action does, against a baseline of bare JSON.parse of the
 * same bytes in the same process. Target: under 2 s. Sizes: BENCH_COMPONENTS, BENCH_RESULTS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { collectEvidence, nodeFileSystem } from '@genops/core';
import { syntheticCycloneDxJson, syntheticSarif } from '@genops/testkit';

const COMPONENTS = Number(process.env.BENCH_COMPONENTS ?? 20_000);
const RESULTS = Number(process.env.BENCH_RESULTS ?? 10_000);
const RUNS = Number(process.env.BENCH_EVIDENCE_RUNS ?? 5);
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const dir = mkdtempSync(join(tmpdir(), 'genops-bench-evidence-'));
try {
  const sbom = syntheticCycloneDxJson(COMPONENTS, 1);
  const sarif = syntheticSarif(RESULTS, 2);
  writeFileSync(join(dir, 'sbom.cdx.json'), sbom);
  writeFileSync(join(dir, 'scan.sarif'), sarif);
  const fs = nodeFileSystem(dir);
  const req = { patterns: { sbom: ['sbom.cdx.json'], vulnerabilities: ['scan.sarif'] }, now: new Date('2026-11-26T12:00:00Z') };

  const rssBefore = process.memoryUsage().rss;
  const first = performance.now();
  const ev = await collectEvidence(fs, req);
  const firstMs = performance.now() - first;
  const times: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await collectEvidence(fs, req);
    times.push(performance.now() - t0);
    const t1 = performance.now();
    JSON.parse(sbom);
    JSON.parse(sarif);
    bare.push(performance.now() - t1);
  }
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(
    `evidence: ${String(COMPONENTS)}-component SBOM (${mb(sbom.length)}) + ${String(RESULTS)} SARIF results (${mb(sarif.length)}) -> ${String(ev.sbom?.totals.components ?? 0)} components, ${String(ev.vulnerabilities?.findings.length ?? 0)} findings`,
  );
  console.log(
    `evidence: parse + normalize ${fmt(median(times))} median of ${String(RUNS)} (first, cold: ${fmt(firstMs)}); bare JSON.parse ${fmt(median(bare))}; ratio ${(median(times) / median(bare)).toFixed(1)}x; target < 2000 ms`,
  );
  console.log(`evidence: peak RSS ${mb(peak)} (process start ${mb(rssBefore)})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
