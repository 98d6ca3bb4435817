import type { Entry, NetdevValue, ServiceValue } from '../desired-state.js';
import { KINDS } from '../kinds/index.js';
import { entry } from './sorted-entries.js';

/**
 * The node-device programs a node needs: on the devices holding each address
 * a NodePort frontend listens on (the node's own), so traffic from outside
 * reaches the load balancer, and on the device holding `hostAddress`, where
 * the replies to the node's own connections to remote backends come back.
 */
export function compileNetdev(
  services: readonly Entry<ServiceValue>[],
  hostAddress: string | null,
): Entry<NetdevValue>[] {
  const addresses = new Set(services.filter((s) => s.value.type === 'NodePort').map((s) => s.value.address));
  if (hostAddress !== null) addresses.add(hostAddress);
  return [...addresses].flatMap((address) =>
    (
      [
        { address, hook: 'ingress', program: 'gw_from_netdev' },
        { address, hook: 'egress', program: 'gw_to_netdev' },
      ] as const
    ).map((value) => entry(KINDS.netdev.key(value), value, 'NodePort')),
  );
}
