import type { NetNode } from '../net-node.js';
import type { IpRunner } from './ip-runner.js';
import type { NodeScan } from './node-scan.js';

/**
 * Endpoints are reached through the node (routed, one /32 per veth), so the
 * node namespace must forward IPv4. That is the only sysctl gitwire sets:
 * gateway ARP is answered because the gateway address sits on the host veth,
 * so neither proxy_arp nor per-device settings are needed. Forwarding is left
 * on when endpoints go: other routing on the node may rely on it.
 */
export async function ensureForwarding(ip: IpRunner, node: NetNode, scan: NodeScan): Promise<void> {
  if (scan.forwarding) return;
  const sysctl = ['sysctl', '-qw', 'net.ipv4.ip_forward=1'];
  if (node.nodeNs === null) await ip.exec(sysctl[0] as string, sysctl.slice(1));
  else await ip.exec('ip', ['netns', 'exec', node.nodeNs, ...sysctl]);
}
