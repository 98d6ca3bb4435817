import type { PolicyValue } from '../../desired/desired-state.js';
import type { BpfMap } from '../libbpf/index.js';
import { policyKeyCodec, policyValueCodec, type PolicyKey, type PolicyMapValue } from './policy-codec.js';
import { TypedMap } from './typed-map.js';

const split = (v: PolicyValue): [PolicyKey, PolicyMapValue] => [
  v,
  { verdict: v.verdict, proxyPort: v.proxyPort, ruleId: v.ruleId },
];

/** The node's policy LPM trie, read and written as DesiredState policy values. */
export class PolicyMap extends TypedMap<PolicyKey, PolicyMapValue> {
  constructor(map: BpfMap) {
    super(map, policyKeyCodec, policyValueCodec);
  }

  write(values: readonly PolicyValue[]): void {
    this.putMany(values.map(split));
  }

  erase(values: readonly PolicyKey[]): number {
    return this.removeMany(values);
  }

  read(): PolicyValue[] {
    return this.dump().map(([k, v]) => ({ ...k, ...v }));
  }
}
