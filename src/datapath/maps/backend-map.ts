import type { BackendValue } from '../../desired/desired-state.js';
import type { BpfMap } from '../libbpf/index.js';
import { backendIdCodec, lbBackendCodec, type LbBackend } from './lb-codec.js';
import { TypedMap, type RowMapping } from './typed-map.js';

export const backendRows: RowMapping<BackendValue, number, LbBackend> = {
  toRow: ({ id, ...b }) => [id, b],
  fromRow: (id, b) => ({ id, ...b }),
};

/** The load balancer's backends: id → address, port, protocol, state. */
export class BackendMap extends TypedMap<number, LbBackend> {
  constructor(map: BpfMap) {
    super(map, backendIdCodec, lbBackendCodec);
  }

  write(values: readonly BackendValue[]): void {
    this.putRows(values, backendRows.toRow);
  }

  read(): BackendValue[] {
    return this.dump().map(([id, b]) => backendRows.fromRow(id, b));
  }
}
