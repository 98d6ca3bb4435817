export { HttpProxy, type HttpProxyOptions } from './http-proxy.js';
export { L7Policy, type L7Target } from './l7-policy.js';
export type { L7Verdict, L7VerdictEvent } from './l7-verdict-event.js';
export type { ProxyResolution, ProxyResolver } from './proxy-resolver.js';
export { MapProxyResolver } from './map-proxy-resolver.js';
export { markedUpstream } from './marked-upstream.js';
export { startTransparentProxy, type TransparentProxySpec } from './transparent-proxy.js';
export { ensureProxyRouting } from './proxy-routing.js';
