/**
 * The all-in-one PR gate (the repository's root action.yml): evidence-collect, risk-score and
 * policy-gate in one step, for teams that do not need separate jobs. It runs the three steps
 * themselves, not a shortcut: each artifact is signed and written, and each next step verifies
 * the one before it exactly as a separate job would (key mode: against the public half of the
 * signing key; keyless: against this very run's identity).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { EVIDENCE_STEP_INPUTS, evidenceStep, type EvidenceDeps } from './evidence-step.js';
import { GATE_STEP_INPUTS, GATE_STEP_OUTPUTS, gateStep, type GateDeps } from './gate-step.js';
import { RISK_STEP_INPUTS, riskStep } from './risk-step.js';
import type { ActionRuntime } from './runtime.js';
import { SIGNING_INPUTS } from './signing-inputs.js';

/** Inputs that name where one step writes; the all-in-one writes all three under output-dir. */
const PER_STEP = new Set(['output-path', 'artifacts', 'artifact-name', 'artifact-digest', 'public-keys', 'certificate-identity', 'certificate-oidc-issuer', 'certificate-repository', 'same-run', 'trusted-root', 'subject-digest', 'config']);

export const PR_GATE_INPUTS = [
  ...new Set([
    ...EVIDENCE_STEP_INPUTS.filter((n) => !PER_STEP.has(n) && !(SIGNING_INPUTS as readonly string[]).includes(n) && n !== 'ttl-seconds'),
    'risk-config',
    ...RISK_STEP_INPUTS.filter((n) => !PER_STEP.has(n) && !EVIDENCE_STEP_INPUTS.includes(n as never) && n !== 'ttl-seconds' && n !== 'subject-sha'),
    ...GATE_STEP_INPUTS.filter((n) => !PER_STEP.has(n) && !EVIDENCE_STEP_INPUTS.includes(n as never) && !RISK_STEP_INPUTS.includes(n as never) && n !== 'subject-sha'),
    'output-dir',
    'ttl-seconds',
    ...SIGNING_INPUTS,
  ]),
] as const;

/** policy-gate's outputs, plus the risk figures and where the evidence and risk went. */
export const PR_GATE_OUTPUTS = [...GATE_STEP_OUTPUTS, 'score', 'tier', 'canary-plan', 'evidence-path', 'evidence-digest', 'risk-path', 'risk-digest'] as const;

/**
 * A view of the runtime for one inner step: its own input values; its outputs are kept in
 * `captured` (the next step's hand-over) and passed on under the names in `rename`, or dropped.
 */
function innerRuntime(rt: ActionRuntime, inputs: (name: string) => string, rename: Readonly<Record<string, string>>, captured: Record<string, string>): ActionRuntime {
  return {
    getInput: inputs,
    setOutput: (name, value) => {
      captured[name] = value;
      const to = rename[name];
      if (to !== undefined) rt.setOutput(to, value);
    },
    setSecret: (v) => rt.setSecret(v),
    logger: rt.logger,
    annotate: (level, message, place) => rt.annotate(level, message, place),
    appendSummary: (md) => rt.appendSummary(md),
    writeSummary: () => Promise.resolve(), // the outer runAction writes it once
    setFailed: (m) => rt.setFailed(m),
    env: rt.env,
  };
}

/** Key mode: the public half of the signing key, so the next step pins exactly it. */
function verifyingKey(rt: ActionRuntime): string {
  const key = rt.getInput('signing-key');
  const mode = rt.getInput('signing-mode') || 'auto';
  if (key === '' || mode === 'keyless') return '';
  try {
    return createPublicKey(createPrivateKey(key)).export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    return ''; // the evidence step already refused the key with a KEY_INVALID naming the input
  }
}

/** Inputs the hand-over sets; the verification identity defaults (this run) apply in keyless mode. */
function handOver(own: (n: string) => string, artifacts: string[], digests: string[], publicKeys: string, outputPath: string) {
  return (n: string): string => {
    if (n === 'artifacts') return artifacts.join('\n');
    if (n === 'artifact-digest') return digests.join('\n');
    if (n === 'public-keys') return publicKeys;
    if (n === 'output-path') return outputPath;
    if (n === 'config') return own('risk-config');
    if (PER_STEP.has(n)) return '';
    return own(n);
  };
}


export async function prGateStep(rt: ActionRuntime, deps: EvidenceDeps & GateDeps): Promise<void> {
  const dir = (rt.getInput('output-dir') || 'genops').replace(/\/+$/, '');
  const paths = { evidence: `${dir}/evidence.intoto.json`, risk: `${dir}/risk.intoto.json`, decision: `${dir}/decision.intoto.json` };
  const own = (name: string) => rt.getInput(name);

  const ev: Record<string, string> = {};
  await evidenceStep(innerRuntime(rt, (n) => (n === 'output-path' ? paths.evidence : own(n)), { 'artifact-path': 'evidence-path', 'artifact-digest': 'evidence-digest' }, ev), deps);
  const publicKeys = verifyingKey(rt);

  const risk: Record<string, string> = {};
  const riskRenames = { score: 'score', tier: 'tier', 'canary-plan': 'canary-plan', 'artifact-path': 'risk-path', 'artifact-digest': 'risk-digest' };
  await riskStep(innerRuntime(rt, handOver(own, [paths.evidence], [ev['artifact-digest'] ?? ''], publicKeys, paths.risk), riskRenames, risk), deps);

  const gate: Record<string, string> = {};
  const gateInputs = handOver(own, [paths.evidence, paths.risk], [ev['artifact-digest'] ?? '', risk['artifact-digest'] ?? ''], publicKeys, paths.decision);
  await gateStep(innerRuntime(rt, gateInputs, Object.fromEntries(GATE_STEP_OUTPUTS.map((o) => [o, o])), gate), deps);
}
