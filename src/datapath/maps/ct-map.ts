import type { BpfMap } from '../libbpf/index.js';
import { ctExpired, ctKeyCodec, ctValueCodec, type CtKey, type CtValue } from './conntrack-codec.js';
import { TypedMap } from './typed-map.js';

/** The conntrack LRU map, with the agent's garbage collection. */
export class CtMap extends TypedMap<CtKey, CtValue> {
  constructor(map: BpfMap) {
    super(map, ctKeyCodec, ctValueCodec);
  }

  /**
   * Deletes every expired entry (collected first, deleted after). `nowNs` is
   * CLOCK_MONOTONIC, as process.hrtime.bigint() and bpf_ktime_get_ns() read it.
   */
  gc(nowNs: bigint = process.hrtime.bigint()): number {
    return this.removeMany(
      this.dump()
        .filter(([, v]) => ctExpired(v, nowNs))
        .map(([k]) => k),
    );
  }
}
