import type { Direction } from '../../desired/desired-state.js';
import type { L7RuleSet } from '../../desired/compile/l7/index.js';
import { transparentListener } from '../libbpf/index.js';
import { PROXY_MARK, type ProxyMap } from '../maps/index.js';
import { HttpProxy } from './http-proxy.js';
import type { L7VerdictEvent } from './l7-verdict-event.js';
import { MapProxyResolver } from './map-proxy-resolver.js';
import { markedUpstream } from './marked-upstream.js';

export interface TransparentProxySpec {
  /** The node's namespace, where the endpoint programs run (`ip netns` name or path); default the caller's. */
  readonly netns?: string;
  /** The policy entries' proxy port for this direction (compile's proxyPort). */
  readonly port: number;
  readonly direction: Direction;
  /** The node's gw_proxy map: the redirect's identity records. */
  readonly map: ProxyMap;
  readonly rules: readonly L7RuleSet[];
  readonly onVerdict?: (event: L7VerdictEvent) => void;
}

/**
 * The node's L7 proxy for one direction, where the datapath's redirect
 * delivers: a transparent listener on the proxy port in the node's namespace,
 * identities from gw_proxy, upstream connections from the node's namespace
 * (on ingress marked as the proxy's). Rules change with setRules(); close()
 * stops it, after which redirected flows are dropped by the datapath.
 */
export async function startTransparentProxy(spec: TransparentProxySpec): Promise<HttpProxy> {
  const proxy = new HttpProxy({
    direction: spec.direction,
    resolver: new MapProxyResolver(spec.map, spec.direction),
    rules: spec.rules,
    ...(spec.onVerdict ? { onVerdict: spec.onVerdict } : {}),
    upstreamConnect: markedUpstream(spec.netns, spec.direction === 'ingress' ? PROXY_MARK.values['proxy-ingress'] : 0),
  });
  const fd = transparentListener({ port: spec.port, ...(spec.netns ? { netns: spec.netns } : {}) });
  try {
    await proxy.listenOnFd(fd);
  } catch (e) {
    await proxy.close();
    throw e;
  }
  return proxy;
}
