/**
 * `genops demo` replays two fixture scenarios through the file provider. It cannot import the
 * testkit, so their window rows are checked-in files: this test regenerates them from
 * fixtures/canary/<scenario>.json and fails when they drift (GENOPS_WRITE_FIXTURES=1 rewrites them).
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCanaryHistory, loadCanaryScenario, toWindowRows } from '@genops/testkit';
import { parseWindowFile } from '../../src/canary/file-provider.js';

const dir = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', 'fixtures', 'demo', 'canary');

describe('demo canary window files', () => {
  it.each(['healthy', 'errors-3x'])('%s.windows.json is the scenario generated from fixtures/canary', (name) => {
    const text = `${JSON.stringify(toWindowRows(generateCanaryHistory(loadCanaryScenario(name))))}\n`;
    const file = join(dir, `${name}.windows.json`);
    if (process.env.GENOPS_WRITE_FIXTURES === '1') writeFileSync(file, text);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(parseWindowFile(text, file).length).toBeGreaterThan(10);
  });
});
