import { describe, expect, it } from 'vitest';
import { cidrSelection } from '../../../src/desired/compile/policy/cidr-selection.js';
import { RESERVED_IDENTITIES } from '../../../src/desired/identity/index.js';

const ids = new Map([
  ['1.0.0.0/8', 101],
  ['1.2.3.4/32', 102],
  ['198.51.100.0/24', 103],
  ['198.51.100.200/32', 104],
]);

describe('CIDR selectors select the CIDR identities inside them', () => {
  it('0.0.0.0/0 selects world and every CIDR identity', () => {
    expect(cidrSelection(ids, '0.0.0.0/0').sort()).toEqual([101, 102, 103, 104, RESERVED_IDENTITIES.world].sort());
  });

  it('a prefix selects itself and the more specific prefixes inside it, not the wider ones', () => {
    expect(cidrSelection(ids, '1.0.0.0/8')).toEqual([101, 102]);
    expect(cidrSelection(ids, '1.2.3.4/32')).toEqual([102]);
  });

  it('an except leaves out the identities inside it, and 0.0.0.0/0 keeps world', () => {
    expect(cidrSelection(ids, '198.51.100.0/24', ['198.51.100.200/32'])).toEqual([103]);
    expect(cidrSelection(ids, '0.0.0.0/0', ['198.51.100.0/24'])).toEqual([101, 102, RESERVED_IDENTITIES.world]);
  });
});
