import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PROXY_MARK } from '../maps/index.js';

const exec = promisify(execFile);

/** Cilium's: packets marked for the proxy are looked up in table 2004, which delivers everything locally. */
const TO_PROXY_TABLE = '2004';
const TO_PROXY_RULE_PREF = '9';

interface IpRule {
  readonly fwmark?: string;
  readonly fwmask?: string;
  readonly table?: string;
}

/**
 * What the node's namespace needs for the redirect (idempotent): the fwmark
 * rule and local table that deliver a to-proxy packet to the proxy's socket
 * (bpf_sk_assign picks the socket, routing must still say local), and IP
 * early demux off: it would attach the proxy's socket to the client's next
 * packets before routing, on their way to the destination's hook, and the
 * stack drops a forwarded packet that holds a socket. null: this process's namespace.
 */
export async function ensureProxyRouting(netns: string | null): Promise<void> {
  const ns = netns ? ['-n', netns] : [];
  const hex = (n: number) => `0x${n.toString(16)}`;
  const fwmark = hex(PROXY_MARK.values['to-proxy']);
  const fwmask = hex(PROXY_MARK.values.mask);
  const rules = JSON.parse((await exec('ip', [...ns, '-j', 'rule', 'show'])).stdout) as IpRule[];
  if (!rules.some((r) => r.fwmark === fwmark && r.fwmask === fwmask && r.table === TO_PROXY_TABLE)) {
    const mark = `${fwmark}/${fwmask}`;
    await exec('ip', [...ns, 'rule', 'add', 'fwmark', mark, 'lookup', TO_PROXY_TABLE, 'pref', TO_PROXY_RULE_PREF]);
  }
  await exec('ip', [...ns, 'route', 'replace', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', TO_PROXY_TABLE]);
  const sysctl = ['sysctl', '-qw', 'net.ipv4.ip_early_demux=0'];
  if (netns) await exec('ip', ['netns', 'exec', netns, ...sysctl]);
  else await exec(sysctl[0]!, sysctl.slice(1));
}
