import type { Entry, NetdevValue, ServiceValue } from '../desired-state.js';
import { KINDS } from '../kinds/index.js';
import { entry } from './sorted-entries.js';

/**
 * The node-device programs a node needs: on the devices holding each address
 * a NodePort frontend listens on (the node's own), so traffic from outside
 * reaches the load balancer. None when the node has no NodePort frontend.
 */
export function compileNetdev(services: readonly Entry<ServiceValue>[]): Entry<NetdevValue>[] {
  const addresses = new Set(services.filter((s) => s.value.type === 'NodePort').map((s) => s.value.address));
  return [...addresses].flatMap((address) =>
    (
      [
        { address, hook: 'ingress', program: 'gw_from_netdev' },
        { address, hook: 'egress', program: 'gw_to_netdev' },
      ] as const
    ).map((value) => entry(KINDS.netdev.key(value), value, 'NodePort')),
  );
}
