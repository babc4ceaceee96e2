/**
 * Where a gate's policy documents come from: `default` (every embedded default pack),
 * `default:<pack>` (one of them), another repository at one commit (`github:OWNER/REPO[/PATH][@REF]`,
 * github/policy-repo.ts), and workspace paths: a directory (every *.yml / *.yaml under it,
 * PolicyTest files excluded: isPolicyTestFile), a file or a glob. Workspace files are read through the collector's
 * resolver, so they are confined to the workspace and size-checked like evidence.
 */
import type { ArtifactFileSystem } from '../artifact/handoff.js';
import { sha256Hex } from '../artifact/canonical.js';
import { ConfigError } from '../errors.js';
import { GLOB_CHARS, readWorkspaceFile, resolveWorkspaceFiles } from '../evidence/collect.js';
import type { SourceFile } from '../evidence/source.js';
import { DEFAULT_POLICY_PACKS } from '../schemas/generated/default-policy-packs.js';

const MAX_POLICY_FILES = 500;
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;
/** The file names a policy folder's documents have. */
export const POLICY_YAML_FILE = /\.ya?ml$/i;
const TEST_FILE = /\.test\.ya?ml$/i;
const POLICY_TEST_KIND = /^kind:\s*["']?PolicyTest["']?\s*$/m;

/**
 * A PolicyTest file, by name (`*.test.yaml`) or content (a `kind: PolicyTest` document): policy
 * directories hold their tests next to the policies, and a gate loads the policies only. The CLI
 * and the actions use this one test.
 */
export function isPolicyTestFile(path: string, text: string): boolean {
  return TEST_FILE.test(path) || POLICY_TEST_KIND.test(text);
}

export const DEFAULT_PACK_NAMES: readonly string[] = [...new Set(DEFAULT_POLICY_PACKS.map((p) => p.pack))];

export function defaultPackFiles(pack?: string): SourceFile[] {
  const chosen = DEFAULT_POLICY_PACKS.filter((p) => pack === undefined || p.pack === pack);
  return chosen.map((p) => {
    const bytes = new TextEncoder().encode(p.text);
    return { path: p.path, bytes, sha256: sha256Hex(bytes) };
  });
}

/**
 * The embedded files a `default` / `default:<pack>` spec names, or undefined when the spec is a
 * path. An unknown pack is an INPUT_INVALID naming `input` and the packs that exist.
 */
export function defaultPackSpec(spec: string, input: string): SourceFile[] | undefined {
  if (spec === 'default') return defaultPackFiles();
  if (!spec.startsWith('default:')) return undefined;
  const pack = spec.slice('default:'.length);
  if (!DEFAULT_PACK_NAMES.includes(pack)) {
    throw new ConfigError('INPUT_INVALID', `${input}: there is no default pack ${JSON.stringify(pack)}`, { input, expected: `default, or default:<pack> with a pack among ${DEFAULT_PACK_NAMES.join(', ')}` });
  }
  return defaultPackFiles(pack);
}

/**
 * Reads the policy documents an input lists (one entry per line), in a stable order.
 * `readRemote` answers the specs that name another repository (github/policy-repo.ts), or returns
 * undefined for the ones it does not take.
 */
export async function readPolicySources(
  fs: ArtifactFileSystem,
  input: string,
  specs: readonly string[],
  readRemote: (spec: string) => Promise<SourceFile[] | undefined> = () => Promise.resolve(undefined),
): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  const patterns: string[] = [];
  for (const spec of specs) {
    const packs = defaultPackSpec(spec, input);
    const remote = packs === undefined ? await readRemote(spec) : undefined;
    if (packs !== undefined) files.push(...packs);
    else if (remote !== undefined) files.push(...remote);
    else if (GLOB_CHARS.test(spec) || POLICY_YAML_FILE.test(spec)) patterns.push(spec);
    else patterns.push(`${spec.replace(/\/+$/, '')}/**/*.{yml,yaml}`);
  }
  const paths = (await resolveWorkspaceFiles(fs, input, patterns, MAX_POLICY_FILES)).filter((p) => POLICY_YAML_FILE.test(p) && !TEST_FILE.test(p));
  for (const path of paths) {
    const file = await readWorkspaceFile(fs, input, path, MAX_POLICY_FILE_BYTES);
    if (!isPolicyTestFile(path, new TextDecoder().decode(file.bytes))) files.push(file);
  }
  const seen = new Set<string>();
  return files.filter((f) => !seen.has(f.path) && seen.add(f.path));
}
