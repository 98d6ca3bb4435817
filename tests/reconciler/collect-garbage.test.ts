import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { collectPassGarbage } from '../../src/reconciler/agent/collect-garbage.js';

const used = () => getHeapStatistics().used_heap_size;
const pass = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: { n: i } })).length;

describe('collectPassGarbage', () => {
  it('collects the garbage a pass left once it exceeds the threshold, without node flags', () => {
    collectPassGarbage(0);
    const before = used();
    // What a pass leaves: many small objects, garbage once it returns.
    expect(pass(200_000)).toBe(200_000);
    const grown = used() - before;
    expect(grown).toBeGreaterThan(8 * 1024 * 1024);
    expect(collectPassGarbage(grown + 1024 * 1024)).toBe(false);
    expect(collectPassGarbage(4 * 1024 * 1024)).toBe(true);
    expect(used() - before).toBeLessThan(grown / 4);
    // Nothing new since: the next pass's end does not collect again.
    expect(collectPassGarbage(4 * 1024 * 1024)).toBe(false);
  });
});
