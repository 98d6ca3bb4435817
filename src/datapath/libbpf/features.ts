import { BpfError } from './bpf-error.js';
import { BpfMap, BPF_F_NO_PREALLOC, type MapType } from './bpf-map.js';
import { tcxQuery } from './bpf-link.js';
import { EINVAL, ENOTSUPP, EOPNOTSUPP } from './internal/errno-name.js';

// Feature probes, cached. Only "works" and "not-supported" are conclusive and
// cached; any other failure is thrown so that a broken machine is not
// mistaken for an old kernel.
export type Support = 'works' | 'not-supported';

const cache = new Map<string, Support>();
const NOT_SUPPORTED = new Set([EINVAL, EOPNOTSUPP, ENOTSUPP]);

function probe(name: string, run: () => void): Support {
  const known = cache.get(name);
  if (known) return known;
  let result: Support;
  try {
    run();
    result = 'works';
  } catch (e) {
    if (!(e instanceof BpfError) || !NOT_SUPPORTED.has(e.errno)) throw e;
    result = 'not-supported';
  }
  cache.set(name, result);
  return result;
}

/** tcx attach points (kernel 6.6+): querying loopback's tcx ingress answers. */
export function tcxSupport(): Support {
  return probe('tcx', () => tcxQuery(1, 'ingress'));
}

/** BPF_MAP_LOOKUP_BATCH on a map type (hash maps have it, LPM tries do not). */
export function batchSupport(type: MapType): Support {
  return probe(`batch:${type}`, () => {
    const lpm = type === 'lpm_trie';
    const map = BpfMap.create({
      type,
      name: 'gw_probe',
      keySize: 8,
      valueSize: 8,
      maxEntries: 4,
      flags: lpm ? BPF_F_NO_PREALLOC : 0,
    });
    try {
      map.lookupBatch(4);
    } finally {
      map.close();
    }
  });
}
