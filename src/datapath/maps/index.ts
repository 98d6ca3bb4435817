// Typed views of gitwire's BPF maps: one codec per shared struct in bpf/include/.
export type { Codec, StructLayout } from './internal/struct-layout.js';
export { AddressError } from './internal/inet.js';
export { TypedMap, type WriteStats } from './typed-map.js';
export * from './ipcache-codec.js';
export * from './endpoint-codec.js';
export * from './policy-codec.js';
export * from './conntrack-codec.js';
export * from './event-codec.js';
export * from './counter-codec.js';
export * from './config-codec.js';
export { PolicyMap } from './policy-map.js';
export { IpcacheMap } from './ipcache-map.js';
export { EndpointMap } from './endpoint-map.js';
export { CtMap } from './ct-map.js';
export { CounterMap } from './counter-map.js';
export { EventReader } from './event-reader.js';
