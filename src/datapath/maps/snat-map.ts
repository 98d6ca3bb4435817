import type { BpfMap } from '../libbpf/index.js';
import { snatKeyCodec, snatValueCodec, type SnatKey, type SnatValue } from './snat-codec.js';
import { TypedMap } from './typed-map.js';

/**
 * The NAT table of NodePort SNAT and hairpin, written by the datapath only:
 * per translated connection, the source it left with and the client its
 * replies go back to. An LRU map; the agent reads it to show, never writes.
 */
export class SnatMap extends TypedMap<SnatKey, SnatValue> {
  constructor(map: BpfMap) {
    super(map, snatKeyCodec, snatValueCodec);
  }
}
