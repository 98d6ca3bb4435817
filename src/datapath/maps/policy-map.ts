import type { PolicyValue } from '../../desired/desired-state.js';
import type { BpfMap } from '../libbpf/index.js';
import { policyKeyCodec, policyValueCodec, type PolicyKey, type PolicyMapValue } from './policy-codec.js';
import { TypedMap, type RowMapping } from './typed-map.js';

export const policyRows: RowMapping<PolicyValue, PolicyKey, PolicyMapValue> = {
  toRow: (v) => [v, { verdict: v.verdict, proxyPort: v.proxyPort, ruleId: v.ruleId }],
  // Fields named one by one: spreading two objects per entry cost more than the whole dump.
  fromRow: (k, v) => ({
    endpointId: k.endpointId,
    direction: k.direction,
    identity: k.identity,
    protocol: k.protocol,
    port: k.port,
    portPrefixLen: k.portPrefixLen,
    verdict: v.verdict,
    proxyPort: v.proxyPort,
    ruleId: v.ruleId,
  }),
};

/**
 * The node's policy LPM trie, read and written as DesiredState policy values.
 * Every write that changes it bumps the generation (gw_policy_gen) that
 * invalidates the datapath's verdict cache.
 */
export class PolicyMap extends TypedMap<PolicyKey, PolicyMapValue> {
  constructor(
    map: BpfMap,
    private readonly generation?: BpfMap,
  ) {
    super(map, policyKeyCodec, policyValueCodec);
  }

  override put(key: PolicyKey, value: PolicyMapValue): void {
    super.put(key, value);
    this.bump();
  }

  override remove(key: PolicyKey): boolean {
    const gone = super.remove(key);
    if (gone) this.bump();
    return gone;
  }

  override putRows<T>(values: readonly T[], toRow: (value: T) => readonly [PolicyKey, PolicyMapValue]): void {
    super.putRows(values, toRow);
    if (values.length > 0) this.bump();
  }

  override removeMany(keys: readonly PolicyKey[]): number {
    const n = super.removeMany(keys);
    if (n > 0) this.bump();
    return n;
  }

  private bump(): void {
    if (!this.generation) return;
    const zero = Buffer.alloc(4);
    const current = this.generation.lookup(zero)?.readUInt32LE() ?? 0;
    const next = Buffer.alloc(4);
    next.writeUInt32LE((current + 1) >>> 0);
    this.generation.update(zero, next);
  }

  write(values: readonly PolicyValue[]): void {
    this.putRows(values, policyRows.toRow);
  }

  erase(values: readonly PolicyKey[]): number {
    return this.removeMany(values);
  }

  read(): PolicyValue[] {
    return this.dump().map(([k, v]) => policyRows.fromRow(k, v));
  }
}
