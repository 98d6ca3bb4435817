import type { ServiceValue } from '../../desired/desired-state.js';
import type { BpfMap } from '../libbpf/index.js';
import { lbSvcKeyCodec, lbSvcValueCodec, type LbSvcKey, type LbSvcValue } from './lb-codec.js';
import { TypedMap } from './typed-map.js';

/** A service as the kernel holds it: everything of ServiceValue but the declaration's name (a plan label). */
export type ServiceMapValue = Omit<ServiceValue, 'service'>;

/**
 * The service slots map: per frontend a master entry (slot 0) and one entry
 * per backend slot. Writes keep the frontend answering throughout: slots are
 * written before the master that counts them, and trimmed after it.
 */
export class ServiceMap extends TypedMap<LbSvcKey, LbSvcValue> {
  constructor(map: BpfMap) {
    super(map, lbSvcKeyCodec, lbSvcValueCodec);
  }

  write(values: readonly ServiceMapValue[]): void {
    const slots: Array<[LbSvcKey, LbSvcValue]> = [];
    const masters: Array<[LbSvcKey, LbSvcValue]> = [];
    const stale: LbSvcKey[] = [];
    for (const v of values) {
      const master = masterKey(v);
      const before = this.get(master)?.count ?? 0;
      const common = {
        revNatIndex: v.revNatIndex,
        affinityTimeout: v.affinityTimeout,
        algorithm: v.algorithm,
        type: v.type,
        mode: v.mode,
      };
      v.backendIds.forEach((backendId, i) =>
        slots.push([
          { ...master, slot: i + 1 },
          { ...common, backendId, count: 0 },
        ]),
      );
      masters.push([master, { ...common, backendId: 0, count: v.backendIds.length }]);
      for (let s = v.backendIds.length + 1; s <= before; s++) stale.push({ ...master, slot: s });
    }
    this.putMany(slots);
    this.putMany(masters);
    this.removeMany(stale);
  }

  /** Removes frontends: the master first, so no packet meets a master whose slots are gone. */
  erase(values: readonly ServiceMapValue[]): void {
    const slots: LbSvcKey[] = [];
    const masters = values.map((v) => {
      const master = masterKey(v);
      const count = Math.max(this.get(master)?.count ?? 0, v.backendIds.length);
      for (let s = 1; s <= count; s++) slots.push({ ...master, slot: s });
      return master;
    });
    this.removeMany(masters);
    this.removeMany(slots);
  }

  read(): ServiceMapValue[] {
    const rows = this.dump();
    const slots = new Map<string, number>();
    for (const [k, v] of rows) if (k.slot > 0) slots.set(slotId(k, k.slot), v.backendId);
    return rows
      .filter(([k]) => k.slot === 0)
      .map(([k, v]) => ({
        address: k.address,
        port: k.port,
        protocol: k.protocol,
        type: v.type,
        backendIds: Array.from({ length: v.count }, (_, i) => slots.get(slotId(k, i + 1)) ?? 0),
        revNatIndex: v.revNatIndex,
        algorithm: v.algorithm,
        affinityTimeout: v.affinityTimeout,
        mode: v.mode,
      }));
  }
}

function masterKey(v: Pick<ServiceValue, 'address' | 'port' | 'protocol'>): LbSvcKey {
  return { address: v.address, port: v.port, protocol: v.protocol, slot: 0 };
}

function slotId(k: LbSvcKey, slot: number): string {
  return `${k.address}:${k.port}/${k.protocol}#${slot}`;
}
