import { describe, expect, it } from '@jest/globals';
import { commandData, commandProperty, htmlEscape, mdCode, mdLink, mdTableCell, mdText, regexLiteral, safeUrl, shellQuote } from '../../src/index.js';

const HOSTILE = [
  '@octocat please look',
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  '| a | b |\n|---|---|',
  '# heading\n- list',
  '**bold** _it_ `code` ~~s~~',
  'https://evil.example/x',
  'a\u202eb\u0000c',
  '#123 closes #4',
];

describe('escape', () => {
  it('markdown text cannot mention, link, embed HTML, format or start a block', () => {
    for (const h of HOSTILE) {
      const out = mdText(h);
      expect(out).not.toMatch(/(^|[^\\])@[a-z]/i);
      expect(out).not.toContain('<');
      expect(out).not.toMatch(/(^|[^\\])\[/);
      expect(out).not.toMatch(/(^|[^\\])\*\*/);
      expect(out).not.toContain('\n');
      expect(out).not.toMatch(/(^|[^\\])#/);
      // eslint-disable-next-line no-control-regex -- checking that control characters are gone
      expect(out).not.toMatch(/[\u0000\u202e]/);
      expect(out).not.toMatch(/https:\/\//); // ':' is escaped, so no autolink
    }
    expect(mdText('@octocat')).toBe('@\u200doctocat');
  });

  it('table cells cannot break the row', () => {
    expect(mdTableCell('a|b\nc')).toBe('a\\|b c');
  });

  it('code spans hold any backticks', () => {
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('')).toBe('` `');
  });

  it('html and urls', () => {
    expect(htmlEscape(`<a href="x" onclick='y'>`)).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;');
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('not a url')).toBeUndefined();
    expect(safeUrl('https://ex.com/a b)(')).toBe('https://ex.com/a%20b%29%28');
    expect(mdLink('x](y', 'data:text/html,hi')).toBe('x\\]\\(y');
    expect(mdLink('docs', 'https://ex.com/d')).toBe('[docs](https://ex.com/d)');
  });

  it('workflow commands cannot be injected through a message or property', () => {
    expect(commandData('boom\n::error::owned%')).toBe('boom%0A::error::owned%25');
    expect(commandProperty('a,b:c\n')).toBe('a%2Cb%3Ac%0A');
  });

  it('regex and shell literals', () => {
    const lit = regexLiteral('a.b*(c)[d]/e\\f');
    expect(new RegExp(`^${lit}$`).test('a.b*(c)[d]/e\\f')).toBe(true);
    expect(new RegExp(`^${lit}$`).test('aXb*(c)[d]/e\\f')).toBe(false);
    expect(shellQuote(`it's $(rm -rf /)`)).toBe(`'it'\\''s $(rm -rf /)'`);
  });
});
