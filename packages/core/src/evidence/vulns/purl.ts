/**
 * Package URLs (https://github.com/package-url/purl-spec), as far as matching findings needs them:
 * parse into parts, compare ignoring qualifiers and subpath, build one from an ecosystem and a name.
 * Scanners spell the same package differently (`%40babel` vs `@babel`, `PyYAML` vs `pyyaml`), so
 * comparison goes through a normalized key, while the model keeps each purl as the tool wrote it.
 */

export interface PurlParts {
  type: string;
  /** `namespace/name`, percent-decoded (and case-folded where the purl spec says so). */
  path: string;
  version?: string;
}

// Types whose names the purl spec says are case-insensitive (lower-cased in canonical form).
const CASE_INSENSITIVE_TYPES: ReadonlySet<string> = new Set(['npm', 'pypi', 'github', 'bitbucket', 'composer', 'deb', 'apk', 'hex']);

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The parts of a purl, normalized for comparison; undefined for anything that is not `pkg:type/name`. */
export function parsePurl(purl: string): PurlParts | undefined {
  if (purl.length < 5 || purl.slice(0, 4).toLowerCase() !== 'pkg:') return undefined;
  let rest = purl.slice(4);
  while (rest.startsWith('/')) rest = rest.slice(1);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const query = rest.indexOf('?');
  if (query >= 0) rest = rest.slice(0, query);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const type = rest.slice(0, slash).toLowerCase();
  let path = rest.slice(slash + 1);
  // The version follows the last '@' after the last '/': an unencoded npm scope (`@babel/core`) is not a version.
  const at = path.lastIndexOf('@');
  let version: string | undefined;
  if (at > path.lastIndexOf('/')) {
    version = decode(path.slice(at + 1));
    path = path.slice(0, at);
  }
  let decoded = path
    .split('/')
    .filter((s) => s !== '')
    .map(decode)
    .join('/');
  if (decoded === '') return undefined;
  if (CASE_INSENSITIVE_TYPES.has(type)) decoded = decoded.toLowerCase();
  if (type === 'pypi') decoded = decoded.replaceAll('_', '-');
  return version === undefined || version === '' ? { type, path: decoded } : { type, path: decoded, version };
}

/** `type/namespace/name` (normalized), the identity of a package regardless of version. */
export function purlPackageKey(parts: PurlParts): string {
  return `${parts.type}/${parts.path}`;
}

/** `type/namespace/name@version` (normalized, no qualifiers): the identity of one package version. */
export function purlKey(parts: PurlParts): string {
  return parts.version === undefined ? purlPackageKey(parts) : `${purlPackageKey(parts)}@${parts.version}`;
}

function encodeSegment(s: string): string {
  return encodeURIComponent(s).replaceAll('%3A', ':');
}

/** `pkg:type/namespace/name@version`, each segment percent-encoded as the purl spec asks. */
export function buildPurl(type: string, namespace: string | undefined, name: string, version: string | undefined): string {
  const ns = namespace === undefined || namespace === '' ? '' : `${namespace.split('/').map(encodeSegment).join('/')}/`;
  const v = version === undefined || version === '' ? '' : `@${encodeSegment(version)}`;
  return `pkg:${type}/${ns}${encodeSegment(name)}${v}`;
}

function splitLast(name: string, sep: string): [string | undefined, string] {
  const i = name.lastIndexOf(sep);
  return i <= 0 ? [undefined, name] : [name.slice(0, i), name.slice(i + 1)];
}

/**
 * A purl for a package named in an OSV ecosystem (`npm`, `PyPI`, `Go`, `Maven`, `crates.io`,
 * `Debian:12`, ...); undefined for ecosystems without a purl type we know, rather than a guess.
 */
export function purlFromOsvEcosystem(ecosystem: string, name: string, version: string | undefined): string | undefined {
  const colon = ecosystem.indexOf(':');
  const base = colon < 0 ? ecosystem : ecosystem.slice(0, colon);
  if (name === '') return undefined;
  switch (base) {
    case 'npm': {
      const [scope, bare] = name.startsWith('@') ? splitLast(name, '/') : [undefined, name];
      return buildPurl('npm', scope, bare, version);
    }
    case 'PyPI':
      return buildPurl('pypi', undefined, name.toLowerCase().replaceAll('_', '-'), version);
    case 'Go': {
      const [ns, bare] = splitLast(name, '/');
      return buildPurl('golang', ns, bare, version);
    }
    case 'Maven': {
      const [group, artifact] = splitLast(name, ':');
      return buildPurl('maven', group, artifact, version);
    }
    case 'crates.io':
      return buildPurl('cargo', undefined, name, version);
    case 'RubyGems':
      return buildPurl('gem', undefined, name, version);
    case 'NuGet':
      return buildPurl('nuget', undefined, name, version);
    case 'Packagist': {
      const [vendor, bare] = splitLast(name, '/');
      return buildPurl('composer', vendor, bare, version);
    }
    case 'Pub':
      return buildPurl('pub', undefined, name, version);
    case 'Hex':
      return buildPurl('hex', undefined, name, version);
    case 'Debian':
      return buildPurl('deb', 'debian', name, version);
    case 'Ubuntu':
      return buildPurl('deb', 'ubuntu', name, version);
    case 'Alpine':
      return buildPurl('apk', 'alpine', name, version);
    default:
      return undefined;
  }
}
