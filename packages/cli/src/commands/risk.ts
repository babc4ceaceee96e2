/**
 * `genops risk score` (verify an evidence bundle, score it, sign the risk artifact),
 * `genops risk explain` (verify a risk bundle, print its factors), and `genops risk calibrate`.
 */
import { createPublicKey } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from '../cli.js';
import {
  buildRiskStatement,
  DEFAULT_RISK_CONFIG,
  GENOPS_VERSION,
  GITHUB_ACTIONS_ISSUER,
  keySigner,
  loadPrivateKey,
  loadPublicKey,
  nodeFileSystem,
  parseIncidentMarkdown,
  parseRiskConfig,
  PredicateTypes,
  riskExplainText,
  scoreRisk,
  sourceFileOf,
  signStatement,
  verifyArtifactBytes,
  writeArtifact,
  type Evidence,
  type IncidentDoc,
  type RiskAssessment,
  type RunIdentity,
} from '@genops/core';
import { collectList, readBundleFile, readInputFile, readInputText } from './files.js';
import { registerRiskCalibrate } from './risk-calibrate.js';
import { parseNow, trustFrom, type TrustOptions } from './verify.js';

interface ScoreOptions {
  evidence: string;
  key: string;
  out: string;
  config?: string;
  evidenceKey?: string[];
  incidents?: string[];
  subject?: string;
  now?: string;
  json?: boolean;
}

export function registerRisk(program: Command, io: CliIO): void {
  const risk = program.command('risk').description('Score the risk of a change from its signed evidence, explain it, calibrate the model.');
  risk
    .command('score')
    .description('Verify an evidence bundle, score the change, and sign the risk artifact (key mode).')
    .requiredOption('--evidence <bundle>', 'the signed evidence (genops evidence collect / evidence-collect)')
    .requiredOption('--key <private.pem>', 'PEM ECDSA P-256 private key to sign the risk artifact with')
    .requiredOption('--out <file>', 'where to write the signed risk bundle')
    .option('--config <file>', 'risk configuration YAML (weights, thresholds, canary plans; default: built in)')
    .option('--evidence-key <pub.pem>', 'trusted key of the evidence (repeatable); default: the public half of --key', collectList)
    .option('--incidents <file>', 'incident / post-mortem markdown file (repeatable)', collectList)
    .option('--subject <sha>', 'the commit the evidence must be about (default: whatever it names)')
    .option('--now <iso8601>', 'score as of this time (timing) and sign with it')
    .option('--json', 'print the assessment as JSON')
    .action(async (opts: ScoreOptions) => {
      const now = parseNow(opts.now);
      const priv = loadPrivateKey(await readInputText(opts.key, '--key'), opts.key);
      const pub = createPublicKey(priv);
      const evidenceKeys = opts.evidenceKey === undefined ? [pub] : await Promise.all(opts.evidenceKey.map(async (p) => loadPublicKey(await readInputText(p, '--evidence-key'), p)));
      const v = verifyArtifactBytes(await readBundleFile(opts.evidence, '--evidence'), opts.evidence, {
        trust: { mode: 'key', keys: evidenceKeys },
        predicateType: PredicateTypes.evidence,
        now,
        ...(opts.subject === undefined ? {} : { subject: { gitCommit: opts.subject } }),
      });
      const { header, ...evidence } = v.statement.predicate as unknown as Evidence & { header: { run: RunIdentity } };
      let config = DEFAULT_RISK_CONFIG;
      if (opts.config !== undefined) {
        const bytes = await readInputFile(opts.config, '--config');
        config = parseRiskConfig(sourceFileOf(opts.config, bytes));
      }
      const incidents: IncidentDoc[] = [];
      for (const p of opts.incidents ?? []) incidents.push(parseIncidentMarkdown(p, await readInputText(p, '--incidents')));
      const assessment = scoreRisk({ evidence, config, now, incidents });
      const commit = v.statement.subject.find((s) => s.digest.gitCommit !== undefined)?.digest.gitCommit ?? header.run.sha;
      const statement = buildRiskStatement(
        { repository: header.run.repository, gitCommit: commit },
        { toolVersion: GENOPS_VERSION, run: { ...header.run }, now, ttlSeconds: 7 * 24 * 3600 },
        { name: opts.evidence, digest: v.digest },
        assessment,
      );
      const out = await writeArtifact(nodeFileSystem(), resolve(opts.out), await signStatement(statement, keySigner(priv, pub)));
      if (opts.json === true) io.out(JSON.stringify(assessment, null, 2));
      else for (const l of riskExplainText(assessment)) io.out(l);
      const signedLine = `signed ${opts.out} ${out['artifact-digest']}`;
      if (opts.json === true) io.err(signedLine); // stdout stays pure JSON
      else io.out(signedLine);
    });

  risk
    .command('explain')
    .description('Verify a signed risk bundle, then print its score, tier, factors, incidents and recourse.')
    .argument('<bundle>', 'the risk bundle')
    .option('--key <pub.pem>', 'key mode: trusted PEM public key (repeatable)', collectList)
    .option('--certificate-identity <uri>', 'keyless: exact certificate SAN of the signing workflow')
    .option('--certificate-oidc-issuer <uri>', 'keyless: exact OIDC issuer', GITHUB_ACTIONS_ISSUER)
    .option('--now <iso8601>', 'verify as of this time instead of the clock')
    .option('--json', 'print { score, tier, factors[] { name, value, weight, contribution, reason } , ... } as JSON')
    .action(async (bundlePath: string, opts: TrustOptions & { now?: string; json?: boolean }) => {
      const v = verifyArtifactBytes(await readBundleFile(bundlePath, '<bundle>'), bundlePath, { trust: await trustFrom(opts), predicateType: PredicateTypes.risk, now: parseNow(opts.now) });
      const { header: _header, ...assessment } = v.statement.predicate as unknown as RiskAssessment & { header: unknown };
      if (opts.json === true) io.out(JSON.stringify(assessment, null, 2));
      else for (const l of riskExplainText(assessment)) io.out(l);
    });

  registerRiskCalibrate(risk, io);
}
