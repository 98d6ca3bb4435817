import { RESERVED_IDENTITIES } from '../../identity/index.js';
import { cidrContains, cidrSize, parseCidr, type Cidr } from '../ipv4.js';

/** CIDR identities sorted by base address, in typed arrays: the memo keeps them as long as the identities. */
interface ParsedIdentities {
  readonly base: Uint32Array;
  readonly bits: Uint8Array;
  readonly id: Uint32Array;
}

const parsed = new WeakMap<ReadonlyMap<string, number>, ParsedIdentities>();

/** Sorted so that the identities inside a prefix are one contiguous run. */
function parsedIdentities(cidrIdentities: ReadonlyMap<string, number>): ParsedIdentities {
  let list = parsed.get(cidrIdentities);
  if (!list) {
    const sorted = [...cidrIdentities]
      .map(([prefix, id]) => ({ cidr: parseCidr(prefix)!, id }))
      .sort((a, b) => a.cidr.base - b.cidr.base || a.cidr.bits - b.cidr.bits);
    list = {
      base: Uint32Array.from(sorted, (x) => x.cidr.base),
      bits: Uint8Array.from(sorted, (x) => x.cidr.bits),
      id: Uint32Array.from(sorted, (x) => x.id),
    };
    parsed.set(cidrIdentities, list);
  }
  return list;
}

/** Identities whose prefix lies inside `outer`: a binary search to its first address, then a walk to its last. */
function inside(list: ParsedIdentities, outer: Cidr): { cidr: Cidr; id: number }[] {
  let lo = 0;
  let hi = list.base.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list.base[mid]! < outer.base) lo = mid + 1;
    else hi = mid;
  }
  const last = outer.base + cidrSize(outer) - 1;
  const out: { cidr: Cidr; id: number }[] = [];
  for (let i = lo; i < list.base.length && list.base[i]! <= last; i++) {
    const cidr = { base: list.base[i]!, bits: list.bits[i]! };
    if (within(outer, cidr)) out.push({ cidr, id: list.id[i]! });
  }
  return out;
}

const within = (outer: Cidr, inner: Cidr): boolean => inner.bits >= outer.bits && cidrContains(outer, inner.base);

/**
 * The identities a CIDR selector selects, as in Cilium: every CIDR identity
 * whose prefix lies inside it, but those inside one of its `except` prefixes,
 * and `world` for 0.0.0.0/0 (an address no prefix names maps to world). Another rule (a more specific allow, an except)
 * gives an address its own identity; this keeps it selected by every wider
 * prefix, so that allowing 0.0.0.0/0 still allows it and a wider deny still
 * denies it.
 */
export function cidrSelection(
  cidrIdentities: ReadonlyMap<string, number>,
  text: string,
  except: readonly string[] = [],
): number[] {
  const outer = parseCidr(text);
  if (!outer) return [];
  const excluded = except.map(parseCidr).filter((c): c is Cidr => c !== null && within(outer, c));
  const ids = inside(parsedIdentities(cidrIdentities), outer)
    .filter(({ cidr }) => !excluded.some((e) => within(e, cidr)))
    .map(({ id }) => id);
  // An except inside 0.0.0.0/0 has its own identity, so world itself stays selected.
  if (outer.bits === 0) ids.push(RESERVED_IDENTITIES.world);
  return ids;
}
