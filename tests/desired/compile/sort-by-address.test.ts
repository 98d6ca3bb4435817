import { describe, expect, it } from 'vitest';
import { sortByAddress, sortEntries } from '../../../src/desired/compile/sorted-entries.js';
import { mulberry32 } from '../../support/seeded-random.js';

const entries = (keys: readonly string[]) => keys.map((key, i) => ({ key, value: i }));

describe('sortByAddress', () => {
  it('orders address and prefix keys exactly as sortEntries does', () => {
    const rnd = mulberry32(7);
    const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
    for (let round = 0; round < 200; round++) {
      const keys = new Set<string>();
      const forms = round % 2 === 0 ? ['/32', '/24', '/8', '/0', ''] : ['/32', '/16'];
      for (let i = 0; i < 60; i++) {
        const octets = [10, pick([0, 1, 2, 96, 200]), pick([0, 3, 9, 10, 99, 100, 255]), Math.floor(rnd() * 256)];
        keys.add(`${octets.join('.')}${pick(forms)}`);
      }
      const list = entries([...keys].sort(() => rnd() - 0.5));
      expect(sortByAddress(list)).toEqual(sortEntries(list));
    }
  });

  it('leaves keys of another form, and two spellings of one address, to sortEntries', () => {
    for (const odd of [
      ['10.0.0.5/32', '10.0.0.05/32', '10.0.0.4/32'],
      ['10.0.0.1/0x10', '10.0.0.1/9'],
      ['10.0.0.1/', '10.0.0.1/0', '10.0.0.0/1'],
      ['node-1', '10.0.0.1/32', '10.0.0.10/32'],
      ['10.0.0.256/32', '10.0.0.1/32'],
      ['10.0.0.1/33', '10.0.0.1/32'],
    ]) {
      const list = entries([...odd].reverse());
      expect(sortByAddress(list)).toEqual(sortEntries(list));
    }
  });
});
