import type { IpcacheValue } from '../../desired/desired-state.js';
import type { BpfMap } from '../libbpf/index.js';
import { ipcacheKeyCodec, ipcacheValueCodec, type IpcacheMapValue } from './ipcache-codec.js';
import { TypedMap, type RowMapping } from './typed-map.js';

export const ipcacheRows: RowMapping<IpcacheValue, string, IpcacheMapValue> = {
  toRow: (v) => [v.prefix, { identity: v.identity, tunnelEndpoint: v.tunnelEndpoint }],
  fromRow: (prefix, v) => ({ prefix, identity: v.identity, tunnelEndpoint: v.tunnelEndpoint }),
};

/** The node's ipcache LPM trie, read and written as DesiredState ipcache values. */
export class IpcacheMap extends TypedMap<string, IpcacheMapValue> {
  constructor(map: BpfMap) {
    super(map, ipcacheKeyCodec, ipcacheValueCodec);
  }

  write(values: readonly IpcacheValue[]): void {
    this.putRows(values, ipcacheRows.toRow);
  }

  erase(prefixes: readonly string[]): number {
    return this.removeMany(prefixes);
  }

  read(): IpcacheValue[] {
    return this.dump().map(([prefix, v]) => ipcacheRows.fromRow(prefix, v));
  }
}
