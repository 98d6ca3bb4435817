/** A port prefix: the `prefixLen` leading bits of a 16-bit port; prefix 0 is every port. */
export interface PortBlock {
  readonly port: number;
  readonly prefixLen: number;
}

export const ANY_PORT: PortBlock = { port: 0, prefixLen: 0 };

/**
 * The fewest aligned prefix blocks that together cover exactly start..end
 * (inclusive), e.g. 80–90 → 80/13, 88/15, 90/16; 0–65535 → one wildcard block.
 */
export function portRangeBlocks(start: number, end: number): PortBlock[] {
  const blocks: PortBlock[] = [];
  let port = start;
  while (port <= end) {
    // Widest block aligned at `port` that does not run past `end`.
    let size = port === 0 ? 65_536 : port & -port;
    while (port + size - 1 > end) size /= 2;
    blocks.push({ port, prefixLen: 16 - Math.log2(size) });
    port += size;
  }
  return blocks;
}

/** Whether block `outer` covers every port of block `inner`. */
export function blockContains(outer: PortBlock, inner: PortBlock): boolean {
  if (outer.prefixLen > inner.prefixLen) return false;
  const shift = 16 - outer.prefixLen;
  return outer.port >>> shift === inner.port >>> shift;
}

export const MAX_PORT = 65_535;

/** A port rule's port as a number (absent or empty: 0, every port); null for a named port. */
export function numericPort(port: string | number | undefined): number | null {
  if (port === undefined || port === '') return 0;
  return typeof port === 'number' ? port : /^\d+$/.test(port) ? Number(port) : null;
}
