/**
 * Line at which flow collections (`[`, `{`) nest deeper than `limit`, or 0.
 * yaml 2.x exhausts memory on a few thousand unclosed brackets, and that
 * cannot be caught, so such text is refused before it reaches the parser.
 * Quoted scalars and comments are skipped; brackets inside plain or block
 * scalars are counted, which can only over-count nesting, never hide it.
 */
export function lineOfExcessiveFlowDepth(text: string, limit: number): number {
  // Depth never exceeds the number of openers, and manifests hold few: most files need no scan.
  if (openersAtMost(text, limit)) return 0;
  let depth = 0;
  let line = 1;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      continue;
    }
    if (quote === '"') {
      if (c === '\\') i++;
      else if (c === '"') quote = null;
      continue;
    }
    if (quote === "'") {
      if (c === "'") quote = null;
      continue;
    }
    const prev = i > 0 ? text[i - 1] : '\n';
    const atTokenStart = prev === ' ' || prev === '\t' || prev === '\n' || prev === '[' || prev === '{' || prev === ',';
    if (c === '#' && (prev === ' ' || prev === '\t' || prev === '\n')) {
      const end = text.indexOf('\n', i);
      if (end < 0) return 0;
      i = end - 1;
    } else if ((c === '"' || c === "'") && (atTokenStart || prev === ':')) {
      quote = c;
    } else if (c === '[' || c === '{') {
      if (++depth > limit) return line;
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--;
    }
  }
  return 0;
}

function openersAtMost(text: string, limit: number): boolean {
  let n = 0;
  for (const opener of ['[', '{']) {
    for (let i = text.indexOf(opener); i >= 0; i = text.indexOf(opener, i + 1)) if (++n > limit) return false;
  }
  return true;
}
