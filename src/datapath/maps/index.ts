// Typed views of gitwire's BPF maps: one codec per shared struct in
// bpf/include/abi/, each generated from one field list.
export type { Codec, FieldInfo, StructLayout } from './internal/struct-layout.js';
export type { FieldType } from './internal/field-types.js';
export type { CEnum } from './internal/c-enum.js';
export * from './c-enums.js';
export { AddressError } from './internal/inet.js';
export { TypedMap, type WriteStats } from './typed-map.js';
export * from './ipcache-codec.js';
export * from './endpoint-codec.js';
export * from './policy-codec.js';
export * from './conntrack-codec.js';
export * from './event-codec.js';
export * from './counter-codec.js';
export * from './config-codec.js';
export * from './lb-codec.js';
export { PolicyMap } from './policy-map.js';
export { IpcacheMap } from './ipcache-map.js';
export { EndpointMap } from './endpoint-map.js';
export { CtMap } from './ct-map.js';
export { CounterMap } from './counter-map.js';
export { EventReader } from './event-reader.js';
export { ServiceMap, type ServiceMapValue } from './service-map.js';
export { BackendMap } from './backend-map.js';
export { RevnatMap } from './revnat-map.js';
export { MaglevMap } from './maglev-map.js';
export { LbCtMap } from './lb-ct-map.js';
export { AffinityMap } from './affinity-map.js';
