import type { L7ProxyValue, PolicyValue, ProgramHook } from '../desired-state.js';

const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

/** `endpointId/direction/identity/protocol/port/prefixLen`: the policy map key, rendered. */
export function policyKey(v: PolicyValue): string {
  return `${v.endpointId}/${v.direction}/${v.identity}/${v.protocol}/${v.port}/${v.portPrefixLen}`;
}

/** `address:port/PROTO`, as the service map is keyed; protocol by name (TCP) or number. */
export function frontendKey(address: string, port: number, protocol: string | number): string {
  const name = typeof protocol === 'number' ? (PROTOCOL_NAMES[protocol] ?? String(protocol)) : protocol;
  return `${address}:${port}/${name}`;
}

/** `device/hook`: one program attachment. */
export function attachmentKey(v: { readonly ifName: string; readonly hook: ProgramHook }): string {
  return `${v.ifName}/${v.hook}`;
}

/** `direction/namespace/name/identity/port/prefixLen`: one L7 rule set of a proxy listener. */
export function l7ProxyKey(v: L7ProxyValue): string {
  return `${v.direction}/${v.endpoint}/${v.identity}/${v.port}/${v.portPrefixLen}`;
}
