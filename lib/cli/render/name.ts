/**
 * File names as the CLI prints them. A name is untrusted text: one made of escape sequences
 * could recolour or rewrite the terminal, one with a newline would split "one plain line per
 * input" in two. `shownName` renders any text for the terminal on one line, control characters
 * (C0, DEL, C1), line separators, bidirectional overrides and lone surrogates escaped JSON-like
 * (`\n`, `\x1b`, `\u202e`); everything else, backslashes included, as it is. `decodeName` reads
 * the bytes of a name that may not be UTF-8 (Linux names are bytes), each invalid byte as `\xff`.
 */

/** Characters escaped by `shownName`. */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(char: string): string {
  const short = SHORT[char];
  if (short !== undefined) return short;
  const code = char.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` (a file name, or a line holding some) for the terminal: one line, nothing it obeys. */
export function shownName(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** The length of the valid UTF-8 sequence at `i`, or 0 when the byte there starts none. */
function sequenceAt(bytes: Uint8Array, i: number): number {
  const lead = bytes[i] ?? 0;
  if (lead < 0x80) return 1;
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : 4;
  if (lead < 0xc2 || lead > 0xf4 || i + length > bytes.length) return 0;
  for (let k = 1; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return 0;
  const next = bytes[i + 1] ?? 0;
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
  if (lead === 0xe0 && next < 0xa0) return 0;
  if (lead === 0xed && next >= 0xa0) return 0;
  if (lead === 0xf0 && next < 0x90) return 0;
  if (lead === 0xf4 && next >= 0x90) return 0;
  return length;
}

/**
 * The bytes of a name as text: what is UTF-8 decoded, each other byte as `\xNN`. `exact` says
 * whether the text is the name itself (all of it UTF-8): else it cannot be opened by that text.
 */
export function decodeName(bytes: Buffer): { text: string; exact: boolean } {
  let text = '';
  let exact = true;
  let start = 0;
  for (let i = 0; i < bytes.length;) {
    const length = sequenceAt(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    exact = false;
    text += `${bytes.toString('utf8', start, i)}\\x${(bytes[i] ?? 0).toString(16).padStart(2, '0')}`;
    start = ++i;
  }
  return { text: text + bytes.toString('utf8', start), exact };
}
