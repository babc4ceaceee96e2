// Regenerates the inputs/outputs tables of every actions/<name>/README.md from its action.yml,
// between the markers <!-- genops:action-docs:start --> and <!-- genops:action-docs:end -->,
// so the README never disagrees with action.yml. `--check` fails if a README is out of date.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const check = process.argv.includes('--check');
const START = '<!-- genops:action-docs:start -->';
const END = '<!-- genops:action-docs:end -->';

const cell = (s) => String(s ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();

function render(name, action) {
  const lines = [START, '', `## Inputs`, '', '| input | required | default | description |', '|---|---|---|---|'];
  for (const [k, v] of Object.entries(action.inputs ?? {})) {
    lines.push(`| \`${k}\` | ${v.required ? 'yes' : 'no'} | ${v.default === undefined ? '' : `\`${cell(v.default)}\``} | ${cell(v.description)} |`);
  }
  lines.push('', '## Outputs', '', '| output | description |', '|---|---|');
  for (const [k, v] of Object.entries(action.outputs ?? {})) lines.push(`| \`${k}\` | ${cell(v.description)} |`);
  lines.push('', `Runs on \`${action.runs.using}\` (\`${action.runs.main}\`, bundled). Generated from [action.yml](action.yml) by \`pnpm docs\`.`, '', END);
  return lines.join('\n');
}

let stale = 0;
for (const name of readdirSync(join(root, 'actions')).sort()) {
  const ymlPath = join(root, 'actions', name, 'action.yml');
  const readmePath = join(root, 'actions', name, 'README.md');
  if (!existsSync(ymlPath)) continue;
  const action = load(readFileSync(ymlPath, 'utf8'));
  const current = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : `# genops ${name}\n\n${START}\n${END}\n`;
  const s = current.indexOf(START);
  const e = current.indexOf(END);
  if (s < 0 || e < s) {
    console.error(`action-docs: ${readmePath} lacks the ${START} / ${END} markers`);
    process.exit(1);
  }
  const next = current.slice(0, s) + render(name, action) + current.slice(e + END.length);
  if (next !== current) {
    if (check) {
      console.error(`action-docs: actions/${name}/README.md is out of date with action.yml: run pnpm docs`);
      stale++;
    } else {
      writeFileSync(readmePath, next);
      console.log(`action-docs: wrote actions/${name}/README.md`);
    }
  }
}
if (stale > 0) process.exit(1);
if (check) console.log('action-docs: every actions/*/README.md matches its action.yml');
