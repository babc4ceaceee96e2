/**
 * Package URL (purl) reading, just enough to pair components across SBOMs: type, namespace, name and
 * version (https://github.com/package-url/purl-spec). Qualifiers and subpath are ignored on purpose:
 * they describe a build of a package (`?arch=`, `?vcs_url=`), not which package it is.
 */

export interface PurlParts {
  /** Lower-case package type: `npm`, `maven`, `pypi`, ... */
  type: string;
  /** Percent-decoded namespace (npm scope with its `@`, Maven groupId, ...), when there is one. */
  namespace?: string;
  /** Percent-decoded name. */
  name: string;
  version?: string;
}

const PURL_SCHEME = /^pkg:/i;

function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The parts of a purl, or undefined when the text is not one. Never throws. */
export function parsePurl(purl: string): PurlParts | undefined {
  if (!PURL_SCHEME.test(purl)) return undefined;
  let rest = purl.slice(4);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const query = rest.indexOf('?');
  if (query >= 0) rest = rest.slice(0, query);
  // `pkg://npm/x` is tolerated by the spec's parsers: leading slashes are not part of the type.
  let start = 0;
  while (rest.charCodeAt(start) === 47) start++;
  rest = rest.slice(start);
  const typeEnd = rest.indexOf('/');
  if (typeEnd <= 0) return undefined;
  const type = rest.slice(0, typeEnd).toLowerCase();
  let path = rest.slice(typeEnd + 1);
  // The version `@` is the last one after the last `/`: an unencoded npm scope (`@babel/core`)
  // keeps its `@` in the namespace.
  const lastSlash = path.lastIndexOf('/');
  const at = path.lastIndexOf('@');
  let version: string | undefined;
  if (at > lastSlash) {
    version = decode(path.slice(at + 1));
    path = path.slice(0, at);
  }
  const segments = path.split('/').filter((s) => s !== '');
  const rawName = segments.pop();
  if (rawName === undefined) return undefined;
  let name = decode(rawName);
  let namespace = segments.length === 0 ? undefined : segments.map(decode).join('/');
  // Type-specific normalization from the purl spec, so spellings of one package pair up.
  if (type === 'pypi') name = name.toLowerCase().replaceAll('_', '-');
  if (type === 'github' || type === 'bitbucket') {
    name = name.toLowerCase();
    namespace = namespace?.toLowerCase();
  }
  return {
    type,
    ...(namespace === undefined ? {} : { namespace }),
    name,
    ...(version === undefined || version === '' ? {} : { version }),
  };
}

/** `pkg:type/namespace/name` (decoded, no version, qualifiers or subpath), or undefined for a non-purl. */
export function purlKey(purl: string): string | undefined {
  const p = parsePurl(purl);
  if (p === undefined) return undefined;
  return p.namespace === undefined ? `pkg:${p.type}/${p.name}` : `pkg:${p.type}/${p.namespace}/${p.name}`;
}
