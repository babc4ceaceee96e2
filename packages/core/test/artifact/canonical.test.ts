import { describe, expect, it } from '@jest/globals';
import { canonicalJson, jsonDigest, parseDigest, formatDigest, sha256Hex } from '../../src/index.js';

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}}');
  });
  it('serializes numbers as ECMAScript does (RFC 8785 section 3.2.2.3)', () => {
    expect(canonicalJson([1e21, 0.1, -0, 100, 1.5e-7])).toBe('[1e+21,0.1,0,100,1.5e-7]');
  });
  it('sorts keys by UTF-16 code units', () => {
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3, '\ud83d\ude00': 4, '\u00f6': 5 })).toBe('{"\\r":2,"1":3,"ö":5,"€":1,"😀":4}');
  });
  it('gives one digest for the same document however it was written', () => {
    expect(jsonDigest(JSON.parse('{ "b": 2, "a": 1 }'))).toBe(jsonDigest({ a: 1, b: 2 }));
    expect(jsonDigest({ a: 1 })).toBe(sha256Hex('{"a":1}'));
  });
  it('parses digests in both forms and rejects others', () => {
    const hex = 'ab'.repeat(32);
    expect(parseDigest(formatDigest(hex))).toBe(hex);
    expect(parseDigest(hex.toUpperCase())).toBe(hex);
    expect(parseDigest('sha1:abc')).toBeUndefined();
    expect(parseDigest('sha256:' + hex.slice(2))).toBeUndefined();
  });
});
