// Bundles every action and the CLI with esbuild. There is no emit step: esbuild reads the TypeScript
// sources of the actions, the CLI and @genops/core directly. See docs/development.md.
//
//   node scripts/build.mjs              every actions/<name>/src/main.ts -> actions/<name>/dist/index.js,
//                                       and packages/cli/src/main.ts -> packages/cli/dist/genops.js
//   node scripts/build.mjs --cli-only   only the CLI (the root `prepare` script, run by every `pnpm install`)
//   node scripts/build.mjs --check      rebuild everything, then fail if actions/*/dist differs from git
//   node scripts/build.mjs --action=NAME  only actions/NAME (while other actions are half-written)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cliEntry = 'packages/cli/src/main.ts';
const cliOut = 'packages/cli/dist/genops.js';

// ESM output has no require, __filename or __dirname, yet bundled CommonJS dependencies use them
// (toolchain notes, pitfall 12). The aliases keep the banner's imports clear of bundled names.
const banner = [
  "import { createRequire as __genopsCreateRequire } from 'node:module';",
  "import { fileURLToPath as __genopsFileURLToPath } from 'node:url';",
  "import { dirname as __genopsDirname } from 'node:path';",
  'const require = __genopsCreateRequire(import.meta.url);',
  'const __filename = __genopsFileURLToPath(import.meta.url);',
  'const __dirname = __genopsDirname(__filename);',
].join('\n');

/** @type {import('esbuild').BuildOptions} */
const common = {
  absWorkingDir: root, // paths in the bundle's comments are relative to the repo, so any checkout builds the same bytes
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: { js: banner },
  // Optional plugins of @cyclonedx/cyclonedx-library that are never installed (pitfall 13).
  external: ['xmlbuilder2', 'libxmljs2', 'ajv-formats-draft2019'],
  minify: false,
  sourcemap: false,
  logLevel: 'silent', // errors are printed below, once, with the bundle's name
};

const onlyAction = process.argv.slice(2).find((a) => a.startsWith('--action='))?.slice('--action='.length);
const args = new Set(process.argv.slice(2).filter((a) => !a.startsWith('--action=')));
const unknown = [...args].filter((a) => !['--cli-only', '--check'].includes(a));
if (unknown.length > 0 || (args.has('--cli-only') && args.has('--check')) || (onlyAction !== undefined && args.size > 0)) {
  console.error(`usage: node scripts/build.mjs [--cli-only | --check | --action=NAME]  (got: ${process.argv.slice(2).join(' ')})`);
  process.exit(2);
}

if (args.has('--cli-only')) {
  if (!existsSync(join(root, cliEntry))) {
    console.log(`build: ${cliEntry} does not exist yet, CLI bundle skipped`);
    process.exit(0);
  }
  const ok = await buildAll([{ name: 'cli', entry: cliEntry, outfile: cliOut }]);
  if (!ok && process.env.npm_lifecycle_event === 'prepare') {
    // A CLI that does not compile must not stop `pnpm install`: typecheck and the next build will say why.
    console.warn('build: the CLI bundle failed (above); `pnpm genops` will not work until `pnpm build` succeeds');
    process.exit(0);
  }
  process.exit(ok ? 0 : 1);
}

if (onlyAction !== undefined) {
  const target = actionTargets().find((t) => t.name === onlyAction);
  if (target === undefined) {
    console.error(`build: no actions/${onlyAction}/src/main.ts`);
    process.exit(2);
  }
  process.exit((await buildAll([target])) ? 0 : 1);
}

const targets = actionTargets();
if (existsSync(join(root, cliEntry))) targets.push({ name: 'cli', entry: cliEntry, outfile: cliOut });
if (targets.length === 0) console.log('build: nothing to bundle (no actions/*/src/main.ts, no CLI yet)');
const ok = await buildAll(targets);
if (!ok) process.exit(1);
if (args.has('--check')) process.exit(checkDist() ? 0 : 1);

/** Every actions/<name> with a src/main.ts, sorted by name. */
function actionTargets() {
  const dir = join(root, 'actions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'src', 'main.ts')))
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, entry: `actions/${name}/src/main.ts`, outfile: `actions/${name}/dist/index.js`, split: true }));
}

/**
 * Builds the targets in parallel and prints one line per bundle, in order.
 * @param {{ name: string, entry: string, outfile: string }[]} list
 * @returns {Promise<boolean>} true when every bundle built
 */
async function buildAll(list) {
  const results = await Promise.all(
    list.map(async (t) => {
      const start = performance.now();
      try {
        // Actions are split: index.js holds what every run needs, and code loaded with import() only on
        // some paths (workflow-artifact download, signing) goes to dist/chunks/, loaded when used. This
        // cut the verify action's cold start by about a quarter (bench/README.md).
        const outdir = dirname(join(root, t.outfile));
        if (t.split) rmSync(outdir, { recursive: true, force: true });
        const r = t.split
          ? await esbuild.build({ ...common, entryPoints: { index: t.entry }, outdir, splitting: true, chunkNames: 'chunks/[name]-[hash]' })
          : await esbuild.build({ ...common, entryPoints: [t.entry], outfile: t.outfile });
        if (t.split) pruneUnreachableChunks(outdir);
        return { t, ms: performance.now() - start, warnings: r.warnings };
      } catch (e) {
        return { t, ms: performance.now() - start, error: e };
      }
    }),
  );
  let ok = true;
  for (const { t, ms, warnings = [], error } of results) {
    if (error) {
      ok = false;
      const messages = error.errors ? await esbuild.formatMessages(error.errors, { kind: 'error' }) : [String(error)];
      console.error(`build: ${t.entry} FAILED\n${messages.join('')}`);
      continue;
    }
    if (warnings.length > 0) {
      console.warn((await esbuild.formatMessages(warnings, { kind: 'warning' })).join(''));
    }
    const bytes = readFileSync(join(root, t.outfile));
    console.log(
      `build: ${t.outfile.padEnd(36)} ${formatSize(bytes.length).padStart(9)}` +
        ` (${formatSize(gzipSync(bytes).length)} gzip) in ${(ms / 1000).toFixed(2)} s`,
    );
  }
  return ok;
}

/**
 * esbuild writes a chunk for every import() in the module graph, even when tree shaking dropped
 * the code holding it (an action that never downloads workflow artifacts still got the 2.5 MB
 * artifact client). Keep only the chunks reachable from index.js through static and dynamic imports.
 * @param {string} outdir
 */
function pruneUnreachableChunks(outdir) {
  const importRe = /(?:from\s*|import\s*\(?\s*)["'](\.\.?\/[^"']+\.js)["']/g;
  const reachable = new Set();
  const queue = [join(outdir, 'index.js')];
  while (queue.length > 0) {
    const file = /** @type {string} */ (queue.pop());
    // The pattern also matches import-like text inside bundled strings: skip what is not a file.
    if (reachable.has(file) || !existsSync(file)) continue;
    reachable.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(importRe)) queue.push(join(dirname(file), /** @type {string} */ (m[1])));
  }
  const chunks = join(outdir, 'chunks');
  if (!existsSync(chunks)) return;
  for (const name of readdirSync(chunks)) if (!reachable.has(join(chunks, name))) rmSync(join(chunks, name));
}

/** @param {number} n */
function formatSize(n) {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

/**
 * Fails when the rebuilt actions/<name>/dist differs from what git has (changed, deleted or untracked).
 * Bundles embed `.pnpm/<pkg>@<version>` paths, so this holds only with the same lockfile and pnpm (pitfall 15).
 */
function checkDist() {
  // A plain 'actions/*/dist' pathspec matches nothing below the directory; the glob magic does.
  const pathspec = ['--', ':(glob)actions/*/dist/**'];
  const status = git(['status', '--porcelain', '--untracked-files=all', ...pathspec]);
  if (status.trim() === '') {
    console.log('check-dist: actions/*/dist matches the sources');
    return true;
  }
  console.error('check-dist: actions/*/dist differs from the rebuilt bundles:');
  console.error(status.trimEnd());
  // .gitattributes marks dist as -diff, so --text is needed to see the lines.
  const stat = git(['diff', '--text', '--stat', ...pathspec]);
  if (stat.trim() !== '') console.error(stat.trimEnd());
  const diff = git(['diff', '--text', ...pathspec]).split('\n');
  if (diff.length > 1) {
    console.error(diff.slice(0, 200).join('\n').trimEnd());
    if (diff.length > 200) console.error(`... (${diff.length - 200} more lines of diff)`);
  }
  const untracked = status.split('\n').filter((l) => l.startsWith('??'));
  if (untracked.length > 0) console.error(`(${untracked.length} untracked: new bundles that were never committed)`);
  console.error('check-dist: run `pnpm build` and commit actions/*/dist');
  return false;
}

/** @param {string[]} gitArgs */
function git(gitArgs) {
  const r = spawnSync('git', gitArgs, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    console.error(`check-dist: git ${gitArgs.join(' ')} failed: ${r.error?.message ?? r.stderr.trim()}`);
    process.exit(1);
  }
  return r.stdout;
}
