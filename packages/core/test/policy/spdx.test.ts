/** spdxAvoids: SPDX expressions read as expressions, not as text. */
import { describe, expect, it } from '@jest/globals';
import { licenseChoices, MAX_CHOICES, spdxAvoids } from '../../src/policy/spdx.js';

const DENY = ['GPL-3.0-only', 'AGPL-3.0-only', 'GPL-2.0-only'];

describe('spdxAvoids', () => {
  it.each([
    [['MIT'], true],
    [['GPL-3.0-only'], false],
    [['MIT OR GPL-3.0-only'], true],
    [['GPL-3.0-only OR AGPL-3.0-only'], false],
    [['MIT AND GPL-3.0-only'], false],
    [['Apache-2.0 AND (MIT OR GPL-3.0-only)'], true],
    [['(MIT OR GPL-3.0-only) AND (AGPL-3.0-only OR BSD-3-Clause)'], true],
    [['(GPL-3.0-only OR AGPL-3.0-only) AND MIT'], false],
    [['GPL-2.0-only WITH Classpath-exception-2.0'], false],
    [['MIT', 'GPL-3.0-only'], false],
    [['MIT', 'Apache-2.0 OR GPL-3.0-only'], true],
    [[], true],
  ])('%j against the deny list -> %s', (licenses, expected) => {
    expect(spdxAvoids(licenses, DENY)).toBe(expected);
  });

  it('a listed exception form matches only that form; a listed X matches X+', () => {
    expect(spdxAvoids(['GPL-2.0-only WITH Classpath-exception-2.0'], ['GPL-2.0-only WITH Classpath-exception-2.0'])).toBe(false);
    expect(spdxAvoids(['GPL-2.0-only'], ['GPL-2.0-only WITH Classpath-exception-2.0'])).toBe(true);
    expect(spdxAvoids(['LGPL-2.1+'], ['LGPL-2.1'])).toBe(false);
  });

  it('a value that is not SPDX is one opaque license compared as written; a listed full expression matches as written', () => {
    expect(spdxAvoids(['Apache License 2.0'], ['Apache License 2.0'])).toBe(false);
    expect(spdxAvoids(['Apache License 2.0'], ['Apache-2.0'])).toBe(true);
    expect(spdxAvoids(['MIT OR GPL-3.0-only'], ['MIT OR GPL-3.0-only'])).toBe(false);
  });

  it(`fails closed on an expression with more than ${String(MAX_CHOICES)} choices`, () => {
    const ids = ['BSD-2-Clause', 'BSD-3-Clause', 'ISC', 'Apache-2.0', 'Zlib', '0BSD', 'Unlicense'];
    const wide = ids.map((id) => `(MIT OR ${id})`).join(' AND ');
    expect(licenseChoices(wide)).toBeUndefined();
    expect(spdxAvoids([wide], [])).toBe(false);
    const ok = ids.slice(0, 6).map((id) => `(MIT OR ${id})`).join(' AND ');
    expect(licenseChoices(ok)).toHaveLength(64);
    expect(spdxAvoids([ok], ['MIT'])).toBe(true);
  });
});
