// Text from the repository (names, labels, file names) reaches terminals and
// logs; it is shown as the characters it holds and never acts on them.

/**
 * Controls (C0, DEL, C1), format characters (bidirectional overrides, zero
 * widths) and the Unicode line separators: what can make a line act on a
 * terminal or read differently from what it holds.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** `s` with every control character spelled out (`\x1b`, `\n`, `\u202e`): one visible line. */
export function visible(s: string): string {
  return s.replace(INVISIBLE, (c) => {
    const code = c.codePointAt(0)!;
    if (code === 0x0a) return '\\n';
    if (code === 0x0d) return '\\r';
    if (code === 0x09) return '\\t';
    if (code <= 0xff) return `\\x${hex(code, 2)}`;
    return code <= 0xffff ? `\\u${hex(code, 4)}` : `\\u{${code.toString(16)}}`;
  });
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}
