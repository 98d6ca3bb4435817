import { describe, expect, it } from 'vitest';
import { blockContains, portRangeBlocks } from '../../../src/desired/compile/policy/port-blocks.js';

const text = (start: number, end: number) => portRangeBlocks(start, end).map((b) => `${b.port}/${b.prefixLen}`);

function covered(start: number, end: number): number[] {
  const ports: number[] = [];
  for (const b of portRangeBlocks(start, end)) {
    const size = 2 ** (16 - b.prefixLen);
    expect(b.port % size).toBe(0);
    for (let p = b.port; p < b.port + size; p++) ports.push(p);
  }
  return ports.sort((a, b) => a - b);
}

describe('port range decomposition', () => {
  it('splits 80-90 into 80/13, 88/15 and 90/16', () => {
    expect(text(80, 90)).toEqual(['80/13', '88/15', '90/16']);
  });

  it('turns the whole port space into one wildcard block and a single port into /16', () => {
    expect(text(0, 65_535)).toEqual(['0/0']);
    expect(text(443, 443)).toEqual(['443/16']);
    expect(text(1024, 2047)).toEqual(['1024/6']);
    expect(text(1, 65_535)).toHaveLength(16);
  });

  it('covers exactly the range, with aligned blocks, for many ranges', () => {
    for (const [s, e] of [
      [1, 1],
      [3, 17],
      [1000, 1999],
      [30_000, 32_767],
      [65_000, 65_535],
      [7, 8],
    ] as const) {
      expect(covered(s, e)).toEqual(Array.from({ length: e - s + 1 }, (_, i) => s + i));
    }
  });

  it('tells which blocks contain which', () => {
    expect(blockContains({ port: 80, prefixLen: 13 }, { port: 85, prefixLen: 16 })).toBe(true);
    expect(blockContains({ port: 80, prefixLen: 13 }, { port: 88, prefixLen: 16 })).toBe(false);
    expect(blockContains({ port: 0, prefixLen: 0 }, { port: 80, prefixLen: 13 })).toBe(true);
    expect(blockContains({ port: 80, prefixLen: 16 }, { port: 80, prefixLen: 13 })).toBe(false);
  });
});
