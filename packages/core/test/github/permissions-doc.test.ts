import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PERMISSIONS_BY_OPERATION } from '../../src/index.js';

describe('docs/github-permissions.md', () => {
  it('lists every operation of PERMISSIONS_BY_OPERATION with its permission and routes', async () => {
    const doc = await readFile(fileURLToPath(new URL('../../../../docs/github-permissions.md', import.meta.url)), 'utf8');
    for (const op of Object.values(PERMISSIONS_BY_OPERATION)) {
      const row = doc.split('\n').find((l) => l.startsWith(`| ${op.operation} |`));
      expect(row).toBeDefined();
      expect(row).toContain(`\`${op.permission.scope}: ${op.permission.level}\``);
      for (const r of op.routes) expect(row).toContain(`\`${r}\``);
    }
  });
});
