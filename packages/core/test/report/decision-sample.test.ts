// Keeps docs/policy-gate-comment.md true: it is the rendered comment of a denied decision.
// Regenerate with GENOPS_WRITE_DOCS=1 pnpm test packages/core/test/report/decision-sample.test.ts
import { describe, expect, it } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { makeDecision } from '@genops/testkit';
import { serviceMetadataSuggestions } from '../../src/report/decision-locations.js';
import { renderDecisionComment } from '../../src/report/decision.js';

const DOC = fileURLToPath(new URL('../../../../docs/policy-gate-comment.md', import.meta.url));
const RUN = 'https://github.com/acme/payments/actions/runs/1000001/attempts/1';

function page(): string {
  const decision = makeDecision();
  const genopsYaml = 'app: payments-api\nenvironment: production\nowner: "@octo-org/payments"\ntier: critical\n';
  const suggestions = serviceMetadataSuggestions(decision, { path: 'genops.yaml', text: genopsYaml });
  const comment = renderDecisionComment(decision, {
    key: 'pr',
    summaryUrl: RUN,
    runUrl: RUN,
    requestExceptionUrl: 'https://github.com/acme/payments/issues/new?template=policy-exception.yml',
    suggestions,
  });
  return [
    '# policy-gate: the pull request comment',
    '',
    'A sample of the sticky comment policy-gate writes for a denied decision, rendered by',
    '`renderDecisionComment` ([report/decision.ts](../packages/core/src/report/decision.ts)) from testkit\'s',
    '`makeDecision()` fixture. Generated: `packages/core/test/report/decision-sample.test.ts` fails when this',
    'page and the renderer disagree; regenerate with',
    '`GENOPS_WRITE_DOCS=1 pnpm test packages/core/test/report/decision-sample.test.ts`.',
    '',
    '- **One comment per gate key**, found again by its first line `<!-- genops:gate:KEY -->` on every page of',
    '  the pull request\'s comments, among the token user\'s own comments only (`github-actions[bot]` by default).',
    '  `comment: always | on-failure | never`; on-failure comments while the decision is deny or',
    '  require-approval (or break-glass was used) and, when a later run passes, updates that comment',
    '  to say so. Warnings alone do not comment in on-failure mode: they are in the check run and the job summary.',
    '- **At most 65,536 characters**: long messages are cut first (4,000, then 1,000, then 300 characters),',
    '  then whole sections, with a note linking the job summary, which has the full table.',
    '- **Escaped**: messages, titles, package names and reasons cannot mention (`@` gets a zero-width',
    '  joiner), link, render HTML or start a block; contacts and ids are code spans; suggestion fences are',
    '  longer than any backtick run in them.',
    '- **Smallest change that passes**: the rule\'s `recourse.summary`; for rules about risk (`risk` in the',
    '  rule id or title), risk-score\'s cheapest recourse too. **Suggestions** are produced today only for',
    '  the metadata pack\'s `service-metadata-present` when genops.yaml lacks a key',
    '  (`serviceMetadataSuggestions`): the key is appended with an empty value to fill in, and the edit is',
    '  checked by parsing the edited file. In a conversation comment GitHub shows a `suggestion` block as',
    '  code to copy; only a review comment on the diff line can be applied with one click.',
    '- **Check run** conclusions: allow `success`, warn `neutral` (passes a required check, shown grey),',
    '  require-approval `action_required` (with a details link; else `failure`), deny `failure`. Without',
    '  `checks: write` a commit status `genops/KEY` is set instead (allow and warn `success`, else `failure`).',
    '',
    '---',
    '',
    comment.trimEnd(),
    '',
  ].join('\n');
}

describe('docs/policy-gate-comment.md', () => {
  it('is the rendered sample', async () => {
    const expected = page();
    if (process.env['GENOPS_WRITE_DOCS'] === '1') await writeFile(DOC, expected);
    expect(await readFile(DOC, 'utf8')).toBe(expected);
  });
});
