import type { Direction } from '../../desired-state.js';
import { stableHash32 } from '../../identity/index.js';

const MIN_PROXY_PORT = 10_000;
const MAX_PROXY_PORT = 20_000;

/**
 * The proxy port L7 traffic of one parser and direction is redirected to.
 * Like Cilium's per-listener ports (cilium-http-ingress...), one port serves
 * every rule, and deriving it from the name keeps it across commits and restarts.
 */
export function proxyPort(parser: 'http', direction: Direction): number {
  return (
    MIN_PROXY_PORT + (stableHash32(`${parser}/${direction}`, 'proxy port') % (MAX_PROXY_PORT - MIN_PROXY_PORT + 1))
  );
}
