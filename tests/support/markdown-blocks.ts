/**
 * The lines of a Markdown document that a CommonMark renderer reads as
 * Markdown: everything outside fenced code blocks. A fence opens with three or
 * more backticks or tildes (up to three spaces in) and closes only with a
 * line of at least as many of the same character and nothing else.
 */
export function outsideFences(md: string): string[] {
  const outside: string[] = [];
  let open: { ch: string; len: number } | null = null;
  for (const line of md.split('\n')) {
    const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (open) {
      if (fence && fence[1]![0] === open.ch && fence[1]!.length >= open.len && fence[2]!.trim() === '') open = null;
      continue;
    }
    if (fence && !(fence[1]![0] === '`' && fence[2]!.includes('`'))) {
      open = { ch: fence[1]![0]!, len: fence[1]!.length };
      continue;
    }
    outside.push(line);
  }
  return outside;
}
