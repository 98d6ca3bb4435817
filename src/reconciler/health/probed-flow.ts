import { BlockList, isIP } from 'node:net';
import type { DesiredState, HealthCheckValue } from '../../desired/index.js';

/** A probe's packets as the datapath's events key them: identities, destination port (ICMP type), protocol. */
export interface ProbedFlow {
  readonly srcIdentity: number;
  readonly dstIdentity: number;
  readonly port: number;
  readonly protocol: number;
}

const TCP = 6;
const ICMP = 1;
const ICMP_ECHO_REQUEST = 8;

/**
 * The flow a probe sends, from its endpoint's identity to the identity the
 * ipcache gives its address (longest prefix); a reason instead when it has
 * none to look for: a service's packets reach a backend, recorded under its identity.
 */
export function probedFlow(c: HealthCheckValue, desired: Pick<DesiredState, 'resources'>): ProbedFlow | string {
  if (c.to.startsWith('service ')) return 'a service probe reaches a backend, whose identity the probe does not name';
  if (c.address === null) return 'the target has no address';
  const from = desired.resources.endpoint.find((e) => `${e.value.namespace}/${e.value.name}` === c.from);
  if (!from) return `no endpoint ${c.from} on this node`;
  const dst = identityOf(c.address, desired);
  if (dst === null) return `no identity for ${c.address} in the ipcache`;
  const port = c.probe === 'icmp' ? ICMP_ECHO_REQUEST : (c.port ?? 0);
  return { srcIdentity: from.value.identity, dstIdentity: dst, port, protocol: c.probe === 'icmp' ? ICMP : TCP };
}

function identityOf(address: string, desired: Pick<DesiredState, 'resources'>): number | null {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  let best: { readonly bits: number; readonly identity: number } | null = null;
  for (const { value } of desired.resources.ipcache) {
    const [net, len] = value.prefix.split('/');
    const bits = Number(len);
    if (!net || (isIP(net) === 6 ? 'ipv6' : 'ipv4') !== family || (best && best.bits >= bits)) continue;
    const list = new BlockList();
    list.addSubnet(net, bits, family);
    if (list.check(address, family)) best = { bits, identity: value.identity };
  }
  return best?.identity ?? null;
}
