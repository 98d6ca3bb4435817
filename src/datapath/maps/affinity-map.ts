import type { BpfMap } from '../libbpf/index.js';
import { lbAffinityKeyCodec, lbAffinityValueCodec, type LbAffinityKey, type LbAffinityValue } from './lb-codec.js';
import { TypedMap } from './typed-map.js';

/** Session affinity: (client, service) → the backend it was last given and when. */
export class AffinityMap extends TypedMap<LbAffinityKey, LbAffinityValue> {
  constructor(map: BpfMap) {
    super(map, lbAffinityKeyCodec, lbAffinityValueCodec);
  }
}
