export { HttpProxy, type HttpProxyOptions } from './http-proxy.js';
export { L7Policy, type L7Target } from './l7-policy.js';
export type { L7Verdict, L7VerdictEvent } from './l7-verdict-event.js';
export type { ProxyResolution, ProxyResolver } from './proxy-resolver.js';
