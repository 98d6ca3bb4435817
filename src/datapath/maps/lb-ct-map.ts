import type { BpfMap } from '../libbpf/index.js';
import { ctKeyCodec, type CtKey } from './conntrack-codec.js';
import { lbCtValueCodec, type LbCtValue } from './lb-codec.js';
import { TypedMap } from './typed-map.js';

/**
 * The load balancer's per-connection choice, keyed by the tuple the client
 * sent (to the frontend). The datapath trusts an entry while the conntrack
 * entry of the translated tuple lives; the LRU evicts the rest.
 */
export class LbCtMap extends TypedMap<CtKey, LbCtValue> {
  constructor(map: BpfMap) {
    super(map, ctKeyCodec, lbCtValueCodec);
  }
}
