import { readFileSync } from 'node:fs';
import { sha256Hex } from '../../src/artifact/canonical.js';
import { emptyEvidence, type Evidence } from '../../src/evidence/model.js';
import type { SourceFile } from '../../src/evidence/source.js';

export function src(path: string, text: string): SourceFile {
  const bytes = new TextEncoder().encode(text);
  return { path, bytes, sha256: sha256Hex(bytes) };
}

export function fixture(rel: string): SourceFile {
  const bytes = readFileSync(new URL(`fixtures/${rel}`, import.meta.url));
  return { path: `fixtures/${rel}`, bytes, sha256: sha256Hex(bytes) };
}

export function fixtureEvidence(rel: string): Evidence {
  return JSON.parse(readFileSync(new URL(`fixtures/${rel}`, import.meta.url), 'utf8')) as Evidence;
}

/** A one-rule PolicySet YAML with the given rule fields (already-indented YAML lines). */
export function ruleSet(ruleLines: string, extra = ''): string {
  return ['apiVersion: genops.dev/v1', 'kind: PolicySet', 'metadata:', '  name: t', 'spec:', extra, '  rules:', '    - id: r1', '      title: Rule one', '      message: Rule one failed', ruleLines]
    .filter((l) => l !== '')
    .join('\n');
}

export const EMPTY: Evidence = emptyEvidence();

export const CTX = { now: new Date('2026-03-11T10:00:00Z'), environment: 'production', repository: 'acme/shop', author: 'lena' };
