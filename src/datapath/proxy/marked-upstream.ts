import { Socket } from 'node:net';
import type { buildConnector } from 'undici';
import { markedConnect } from '../libbpf/index.js';
import { PROXY_MARK } from '../maps/index.js';

/**
 * undici's connect hook for the ingress proxy's upstream connections: each
 * carries Cilium's from-ingress-proxy mark from its SYN on, so the
 * destination's ingress policy, already enforced here, lets it through.
 * Sockets are made in the node's namespace, where the proxy's peers are.
 */
export function markedUpstream(netns: string | undefined): buildConnector.connector {
  return (opts, callback) => {
    markedConnect({
      address: opts.hostname,
      // undici leaves the port empty when it is the scheme's default.
      port: Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80),
      mark: PROXY_MARK.values['proxy-ingress'],
      ...(netns ? { netns } : {}),
    }).then(
      (fd) => callback(null, new Socket({ fd, readable: true, writable: true })),
      (err: Error) => callback(err, null),
    );
  };
}
