import { stableHash32 } from '../identity/index.js';
import type { Declared } from '../model.js';
import type { EndpointSpec } from '../schema/gitwire-kinds.js';
import type { NodeInfo } from './cluster-view.js';
import { cidrSize, formatIpv4, parseIpv4 } from './ipv4.js';
import type { Warnings } from './warnings.js';

/**
 * Endpoint addresses by `namespace/name`: the declared one, or one picked from
 * the node's pod CIDR by hashing the name and probing past the network,
 * gateway and broadcast addresses and every declared address.
 */
export function allocateEndpointAddresses(
  endpoints: readonly Declared<EndpointSpec>[],
  nodes: ReadonlyMap<string, NodeInfo>,
  warnings: Warnings,
): Map<string, string> {
  const result = new Map<string, string>();
  const taken = new Set<number>();
  // Indexed loops over every endpoint: a for-of, map or filter costs more per step while the code is cold.
  const pending: { e: Declared<EndpointSpec>; key: string }[] = [];
  for (let i = 0; i < endpoints.length; i++) {
    const e = endpoints[i]!;
    if (e.spec.address) {
      taken.add(parseIpv4(e.spec.address)!);
      result.set(keyOf(e), e.spec.address);
    } else pending.push({ e, key: keyOf(e) });
  }
  pending.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (let i = 0; i < pending.length; i++) {
    const { e, key } = pending[i]!;
    const node = nodes.get(e.spec.node)!;
    const size = cidrSize(node.podCidr);
    // Host offsets 2..size-2: 0 is the network, 1 the gateway, size-1 the broadcast address.
    const usable = size - 3;
    let found: number | null = null;
    if (usable > 0) {
      let offset = stableHash32(key, 'endpoint address') % usable;
      for (let tries = 0; tries < usable; tries++, offset = (offset + 1) % usable) {
        const ip = node.podCidr.base + 2 + offset;
        if (!taken.has(ip)) {
          found = ip;
          break;
        }
      }
    }
    if (found === null) {
      warnings.add(
        'W_POD_CIDR_EXHAUSTED',
        e.source,
        'spec.address',
        `pod CIDR ${node.podCidrText} of node ${node.name} has no free address`,
      );
      continue;
    }
    taken.add(found);
    result.set(key, formatIpv4(found));
  }
  return result;
}

function keyOf(e: Declared<EndpointSpec>): string {
  return `${e.namespace ?? 'default'}/${e.name}`;
}
