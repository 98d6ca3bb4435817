export type Decoded = { ok: true; text: string } | { ok: false; line: number; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a file as UTF-8 text (a leading BOM is dropped); a NUL byte or invalid UTF-8 marks it binary. */
export function decodeText(bytes: Uint8Array): Decoded {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { ok: false, line: lineAtByte(bytes, nul), reason: `contains a NUL byte at offset ${nul}` };
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, line: lineAtByte(bytes, firstInvalidUtf8(bytes)), reason: 'is not valid UTF-8' };
  }
}

function lineAtByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence, for the line number only. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    try {
      utf8.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return 0;
}
