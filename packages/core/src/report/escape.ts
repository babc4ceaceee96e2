/**
 * Escaping untrusted text (anything from a PR, a package name, a file path,
 * a message in evidence) for each place it can land. One function per
 * context; renderers never concatenate raw untrusted text.
 */

const MD_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>~&"'=:@$^]/g;

/**
 * Markdown/GFM inline text: no formatting, links, HTML, @mentions, #refs,
 * autolinks or emphasis can come out of it. Newlines become spaces, so the
 * text cannot start a block (heading, list, table row) either.
 */
export function mdText(s: string): string {
  return stripControls(s)
    .replace(/\r\n?|\n/g, ' ')
    .replace(MD_SPECIAL, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : c === "'" ? '&#39;' : `\\${c}`))
    // A backslash before @ is not enough on GitHub: a zero-width joiner breaks the mention.
    .replace(/\\@/g, '@\u200d');
}

/** A GFM table cell: inline text with pipes escaped and no line breaks. */
export function mdTableCell(s: string): string {
  return mdText(s);
}

/** An inline code span that cannot be closed early: fences with more backticks than the text holds. */
export function mdCode(s: string): string {
  const clean = stripControls(s).replace(/\r\n?|\n/g, ' ');
  if (clean === '') return '` `';
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') || (clean.startsWith(' ') && clean.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** HTML text or a double-quoted attribute value. */
export function htmlEscape(s: string): string {
  return stripControls(s).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A URL for a markdown link or href: only http(s), percent-encoding what could break out. */
export function safeUrl(s: string): string | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
  return u.href.replace(/[()<>"'`\s[\]|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** A markdown link whose text and target are both untrusted; falls back to plain text. */
export function mdLink(text: string, url: string): string {
  const href = safeUrl(url);
  return href === undefined ? mdText(text) : `[${mdText(text)}](${href})`;
}

/**
 * Workflow command data (the message of ::error::): %, CR and LF must be
 * escaped or a message could start a new command.
 */
export function commandData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow command property values (file=, title=): also , and :. */
export function commandProperty(s: string): string {
  return commandData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Text inserted into a RegExp as a literal. */
export function regexLiteral(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** A single-quoted POSIX shell word. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function stripControls(s: string): string {
  // Keep tab/newline/CR (handled by callers); drop other C0/C1 controls and bidi overrides.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}
