import type { EndpointValue } from '../../../desired/desired-state.js';
import { ENDPOINT_ALIAS_TAG, endpointAlias, MAX_ALIAS, ownerMark } from '../../../desired/names/index.js';
import { StalledError } from '../stalled-error.js';

/**
 * Routes gitwire installs carry this protocol number (ASCII 'g'). It is not in
 * iproute2's rt_protos; docs suggest naming it `gitwire` in
 * /etc/iproute2/rt_protos.d/ for readable output.
 */
export const GITWIRE_ROUTE_PROTO = 0x67;

/**
 * A route declared without a device (`dev: ''`, native routing via an
 * underlay address) is installed with this protocol instead, so that observe()
 * can give back `dev: ''`: the kernel records the device it picked, not that
 * the declaration left it open.
 */
export const GITWIRE_ROUTE_PROTO_ANY_DEV = 0x68;

export { ownerMark };

/**
 * The endpoint's workload-side interface alias records the entry's key and the
 * fields no plumbing object holds (id, name, identity, enforcement flags), so
 * observe() can give back the entry it was applied from. Validation checks
 * that it fits (endpointAliasFits); the check here is the second defence.
 */
export function endpointMark(owner: string, key: string, v: EndpointValue): string {
  const flags = (v.enforceIngress ? 1 : 0) | (v.enforceEgress ? 2 : 0) | (v.audit ? 4 : 0);
  const fields = [key, String(v.id), v.namespace, v.name, String(v.identity), String(flags)];
  const mark = endpointAlias(owner, fields);
  if (mark.length > MAX_ALIAS) {
    throw new StalledError('endpoint mark', `key and name of ${key} exceed the ${MAX_ALIAS}-byte interface alias`, {
      key,
    });
  }
  return mark;
}

export type EndpointMeta = Pick<
  EndpointValue,
  'id' | 'namespace' | 'name' | 'identity' | 'enforceIngress' | 'enforceEgress' | 'audit'
> & { readonly key: string };

export function parseEndpointMark(owner: string, alias: string | undefined): EndpointMeta | null {
  const prefix = ownerMark(owner) + ENDPOINT_ALIAS_TAG;
  if (alias === undefined || !alias.startsWith(prefix)) return null;
  const f = alias.slice(prefix.length).split('|').map(decodeURIComponent);
  if (f.length !== 6) return null;
  const [key, id, namespace, name, identity, flags] = f as [string, string, string, string, string, string];
  const bits = Number(flags);
  return {
    key,
    id: Number(id),
    namespace,
    name,
    identity: Number(identity),
    enforceIngress: (bits & 1) !== 0,
    enforceEgress: (bits & 2) !== 0,
    audit: (bits & 4) !== 0,
  };
}
