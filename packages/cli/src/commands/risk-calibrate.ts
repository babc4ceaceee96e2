/**
 * `genops risk calibrate <history>`: Brier score, ROC AUC, the reliability table and tier
 * thresholds fitted to a JSON Lines history of scored changes and their outcomes.
 * The current thresholds: --thresholds, else those of --config, else the built-in defaults.
 */
import type { Command } from 'commander';
import type { CliIO } from '../cli.js';
import { readInputFile, readInputText } from './files.js';
import { calibrationReport, ConfigError, DEFAULT_RISK_CONFIG, MAX_RELIABILITY_BINS, parseHistory, parseRiskConfig, sourceFileOf, type CalibrationReport } from '@genops/core';

interface CalibrateOptions {
  bins: string;
  config?: string;
  thresholds?: string;
  targets?: string;
  json?: boolean;
}

type Thresholds = CalibrationReport['thresholds']['current'];

/** `a,b,c` -> three increasing numbers in [0, 1] for medium, high, critical. */
function parseTriple(text: string, flag: string, example: string): Thresholds {
  const parts = text.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  const [medium, high, critical] = nums;
  if (parts.length !== 3 || medium === undefined || high === undefined || critical === undefined || nums.some((n, i) => parts[i] === '' || !Number.isFinite(n) || n < 0 || n > 1) || !(medium < high && high < critical)) {
    throw new ConfigError('INPUT_INVALID', `${flag} ${JSON.stringify(text)} is not three increasing numbers from 0 to 1`, { input: flag, expected: `medium,high,critical, e.g. ${example}` });
  }
  return { medium, high, critical };
}

const fixed = (x: number | null, digits = 3) => (x === null ? 'n/a' : x.toFixed(digits));
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

function printReport(io: CliIO, path: string, r: CalibrationReport): void {
  io.out(`${path}: ${String(r.count)} scored changes, ${String(r.failures)} failures (${pct(r.failureRate)})`);
  io.out(`Brier score  ${fixed(r.brier, 4)}  (always predicting ${pct(r.failureRate)}: ${fixed(r.brierBaseline, 4)}; lower is better)`);
  io.out(`ROC AUC      ${r.auc === null ? 'n/a (needs both successes and failures)' : fixed(r.auc, 4)}`);
  io.out(`ECE          ${fixed(r.ece, 4)}`);
  io.out('');
  io.out('Reliability');
  io.out(`  ${'score'.padEnd(11)} ${'count'.padStart(6)} ${'mean score'.padStart(10)} ${'failure rate'.padStart(12)}`);
  for (const b of r.reliability) {
    io.out(`  ${`${b.from.toFixed(2)}-${b.to.toFixed(2)}`.padEnd(11)} ${String(b.count).padStart(6)} ${fixed(b.meanPredicted).padStart(10)} ${pct(b.observedFailureRate).padStart(12)}`);
  }
  io.out('');
  io.out('Thresholds   medium  high    critical');
  const row = (t: Thresholds) => `${t.medium.toFixed(3).padEnd(7)} ${t.high.toFixed(3).padEnd(7)} ${t.critical.toFixed(3)}`;
  io.out(`  current    ${row(r.thresholds.current)}`);
  const kept = (['medium', 'high', 'critical'] as const).filter((l) => r.fit.source[l] === 'kept');
  io.out(`  fitted     ${row(r.thresholds.fitted)}${kept.length === 0 ? '' : `  (kept from current: ${kept.join(', ')})`}`);
  io.out(`  targets    ${row(r.fit.targets)}  (failure rate at which each tier starts)`);
  io.out('');
  io.out(`Tiers        ${'current'.padEnd(20)} fitted`);
  r.tiers.current.forEach((c, i) => {
    const f = r.tiers.fitted[i];
    const cell = (t: typeof c | undefined) => (t === undefined ? '' : `${String(t.count)} (${pct(t.failureRate)} fail)`);
    io.out(`  ${c.tier.padEnd(10)} ${cell(c).padEnd(20)} ${cell(f)}`);
  });
}

/** Adds `calibrate <history>` to an existing `risk` command. */
export function registerRiskCalibrate(riskCommand: Command, io: CliIO): void {
  riskCommand
    .command('calibrate')
    .description('Brier score, ROC AUC, reliability table and fitted tier thresholds from a history of scored changes (JSON Lines).')
    .argument('<history>', 'JSON Lines file: {"id", "score" (0..1), "outcome" ("success" | "failure")} per line')
    .option('--bins <n>', 'reliability table bins', '10')
    .option('--config <file>', 'risk configuration YAML whose thresholds are the current ones')
    .option('--thresholds <m,h,c>', 'the tier thresholds in use (default: those of --config, else built in)')
    .option('--targets <m,h,c>', 'failure rate at which medium, high and critical start', '0.05,0.15,0.3')
    .option('--json', 'print the report as JSON')
    .action(async (historyPath: string, opts: CalibrateOptions) => {
      const bins = Number(opts.bins);
      if (!Number.isInteger(bins) || bins < 1 || bins > MAX_RELIABILITY_BINS) {
        throw new ConfigError('INPUT_INVALID', `--bins ${opts.bins} is not a whole number from 1 to ${String(MAX_RELIABILITY_BINS)}`, { input: '--bins' });
      }
      let current = DEFAULT_RISK_CONFIG.thresholds;
      if (opts.thresholds !== undefined) current = parseTriple(opts.thresholds, '--thresholds', '0.25,0.45,0.65');
      else if (opts.config !== undefined) {
        const configPath = opts.config;
        const bytes = await readInputFile(configPath, '--config');
        current = parseRiskConfig(sourceFileOf(configPath, bytes)).thresholds;
      }
      const targets = parseTriple(opts.targets ?? '0.05,0.15,0.3', '--targets', '0.05,0.15,0.3');
      const text = await readInputText(historyPath, '<history>');
      const report = calibrationReport(parseHistory(text, historyPath), current, { bins, targets });
      if (opts.json === true) {
        io.out(JSON.stringify(report, null, 2));
        return;
      }
      printReport(io, historyPath, report);
    });
}
