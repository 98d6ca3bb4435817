import { Socket } from 'node:net';
import type { buildConnector } from 'undici';
import { markedConnect } from '../libbpf/index.js';

/**
 * undici's connect hook for the proxy's upstream connections: made in the
 * node's namespace (where the proxy's peers are, whichever namespace the
 * agent runs in), with a mark on every packet from the SYN on. The ingress
 * proxy marks its connections as Cilium's from-ingress-proxy, so the
 * destination's ingress policy, already enforced here, lets them through.
 */
export function markedUpstream(netns: string | undefined, mark: number): buildConnector.connector {
  return (opts, callback) => {
    markedConnect({
      address: opts.hostname,
      // undici leaves the port empty when it is the scheme's default.
      port: Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80),
      mark,
      ...(netns ? { netns } : {}),
    }).then(
      (fd) => callback(null, new Socket({ fd, readable: true, writable: true })),
      (err: Error) => callback(err, null),
    );
  };
}
