import type { EndpointValue, Entry, LxcValue } from '../desired-state.js';
import { entry } from './sorted-entries.js';

/**
 * The per-endpoint datapath state: its BPF endpoint map entry, derived from
 * the endpoint entries so that the plan shows, and apply repairs, each on its
 * own. The program attachments on the endpoint's veth are endpointDevices'.
 */
export function compileLxc(endpoints: readonly Entry<EndpointValue>[]): Entry<LxcValue>[] {
  const lxc: Entry<LxcValue>[] = [];
  for (const { key, value: ep } of endpoints) {
    const { address, id, identity, enforceIngress, enforceEgress, audit, mac, ifName } = ep;
    lxc.push(entry(address, { address, id, identity, enforceIngress, enforceEgress, audit, mac, ifName }, key));
  }
  return lxc;
}
