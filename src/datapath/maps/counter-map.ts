import type { BpfMap } from '../libbpf/index.js';
import { REASON } from './c-enums.js';
import { sumPerCpu, type Counter } from './counter-codec.js';
import { REASONS, type Reason } from './event-codec.js';

/** The per-CPU, per-reason packet counters, summed over CPUs. */
export class CounterMap {
  constructor(readonly map: BpfMap) {}

  read(): Record<Reason, Counter> {
    const key = Buffer.alloc(4);
    const out = {} as Record<Reason, Counter>;
    for (const reason of REASONS) {
      key.writeUInt32LE(REASON.code(reason));
      const v = this.map.lookup(key);
      out[reason] = v ? sumPerCpu(v) : { packets: 0n, bytes: 0n };
    }
    return out;
  }
}
