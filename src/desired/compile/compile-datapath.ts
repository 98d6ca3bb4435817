import type { EndpointValue, Entry, LxcValue, ProgramValue } from '../desired-state.js';
import { attachmentKey } from '../kinds/index.js';
import { entry } from './sorted-entries.js';

/**
 * The per-endpoint datapath state: its BPF endpoint map entry and the two
 * program attachments on its host-side veth. Derived from the endpoint
 * entries so that the plan shows, and apply repairs, each on its own.
 */
export function compileDatapath(endpoints: readonly Entry<EndpointValue>[]): {
  lxc: Entry<LxcValue>[];
  program: Entry<ProgramValue>[];
} {
  const lxc: Entry<LxcValue>[] = [];
  const program: Entry<ProgramValue>[] = [];
  for (const { key, value: ep } of endpoints) {
    const { address, id, identity, enforceIngress, enforceEgress, audit, mac, ifName } = ep;
    lxc.push(entry(address, { address, id, identity, enforceIngress, enforceEgress, audit, mac, ifName }, key));
    for (const value of [
      { ifName, hook: 'ingress', program: 'gw_from_endpoint' },
      { ifName, hook: 'egress', program: 'gw_to_endpoint' },
    ] as const)
      program.push(entry(attachmentKey(value), value, key));
  }
  return { lxc, program };
}
