import type { RevnatValue } from '../../desired/desired-state.js';
import type { BpfMap } from '../libbpf/index.js';
import { lbRevnatCodec, revNatIndexCodec, type LbRevnat } from './lb-codec.js';
import { TypedMap, type RowMapping } from './typed-map.js';

export const revnatRows: RowMapping<RevnatValue, number, LbRevnat> = {
  toRow: ({ index, ...r }) => [index, r],
  fromRow: (index, r) => ({ index, ...r }),
};

/** Reverse NAT: index → the frontend address and port replies leave with. */
export class RevnatMap extends TypedMap<number, LbRevnat> {
  constructor(map: BpfMap) {
    super(map, revNatIndexCodec, lbRevnatCodec);
  }

  write(values: readonly RevnatValue[]): void {
    this.putRows(values, revnatRows.toRow);
  }

  read(): RevnatValue[] {
    return this.dump().map(([index, r]) => revnatRows.fromRow(index, r));
  }
}
