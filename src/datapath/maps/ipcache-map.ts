import type { IpcacheValue } from '../../desired/desired-state.js';
import type { BpfMap } from '../libbpf/index.js';
import { ipcacheKeyCodec, ipcacheValueCodec, type IpcacheMapValue } from './ipcache-codec.js';
import { TypedMap } from './typed-map.js';

/** The node's ipcache LPM trie, read and written as DesiredState ipcache values. */
export class IpcacheMap extends TypedMap<string, IpcacheMapValue> {
  constructor(map: BpfMap) {
    super(map, ipcacheKeyCodec, ipcacheValueCodec);
  }

  write(values: readonly IpcacheValue[]): void {
    this.putMany(values.map((v) => [v.prefix, { identity: v.identity, tunnelEndpoint: v.tunnelEndpoint }]));
  }

  erase(prefixes: readonly string[]): number {
    return this.removeMany(prefixes);
  }

  read(): IpcacheValue[] {
    return this.dump().map(([prefix, v]) => ({ prefix, identity: v.identity, tunnelEndpoint: v.tunnelEndpoint }));
  }
}
