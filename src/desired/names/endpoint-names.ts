import { stableHex } from '../identity/stable-hash.js';

// Every name gitwire derives from an endpoint's declaration, in one place so
// that validation checks exactly what compile and apply will use.

/** Longest file name under /run/netns (NAME_MAX). */
const MAX_NETNS_NAME = 255;
/** Longest interface alias the kernel keeps (IFALIASZ minus its NUL). */
export const MAX_ALIAS = 255;

/**
 * What every endpoint netns of a node starts with (but those whose names were
 * too long and got hashed). '_' appears in no DNS-1123 name, so the prefix of
 * node "a" never matches a netns of node "a-b".
 */
export function endpointNetnsPrefix(node: string): string {
  return `gw-${node}_`;
}

/**
 * Netns of an endpoint: `gw-<node>_<namespace>_<name>`. '_' is in none of the
 * three DNS-1123 names, so the plain form is injective; one that would exceed
 * a file name is `gw-` and a digest instead, which holds no '_' and so never
 * equals a plain one.
 */
export function endpointNetns(node: string, namespace: string, name: string): string {
  const plain = `${endpointNetnsPrefix(node)}${namespace}_${name}`;
  return plain.length <= MAX_NETNS_NAME ? plain : `gw-${stableHex(plain, 40)}`;
}

/** Host-side veth: `lxc` and 12 hex digits of `namespace/name` (15 characters, the kernel's limit). */
export function endpointVeth(key: string): string {
  return `lxc${stableHex(key, 12)}`;
}

/** Alias of every link and of `lo` in every netns gitwire created for a node. */
export const ownerMark = (owner: string): string => `gitwire:${owner}`;

export const ENDPOINT_ALIAS_TAG = ':ep:';

/** Alias fields are URI-encoded: the alias travels through an `ip -batch` line, which splits on spaces and quotes. */
const enc = (s: string): string => encodeURIComponent(s).replace(/'/g, '%27');

/** The workload-side interface alias holding an endpoint's key and the fields no plumbing object holds. */
export function endpointAlias(owner: string, fields: readonly string[]): string {
  return ownerMark(owner) + ENDPOINT_ALIAS_TAG + fields.map(enc).join('|');
}

/** Characters encodeURIComponent keeps as they are ("'" is not one: enc writes it as %27). */
const UNESCAPED = /^[A-Za-z0-9\-_.!~*()]*$/;

/** endpointAlias(owner, fields).length, without building the alias (validation asks it of every endpoint). */
export function endpointAliasLength(owner: string, fields: readonly string[]): number {
  let length = ownerMark(owner).length + ENDPOINT_ALIAS_TAG.length + Math.max(0, fields.length - 1);
  for (const f of fields) length += UNESCAPED.test(f) ? f.length : enc(f).length;
  return length;
}

/** Whether an endpoint's alias fits the kernel's limit whatever id, identity and flags it is given. */
export function endpointAliasFits(node: string, namespace: string, name: string): boolean {
  const widest = [`${namespace}/${name}`, '65535', namespace, name, String(0xffffffff), '7'];
  return endpointAliasLength(node, widest) <= MAX_ALIAS;
}
