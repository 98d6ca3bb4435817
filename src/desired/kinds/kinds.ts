import type { Entry, ResourceKind, ResourceValues } from '../desired-state.js';
import { attachmentKey, frontendKey, l7ProxyKey, policyKey } from './entry-keys.js';
import type { KindSpec } from './kind-spec.js';

const label = (e: Entry<unknown>): string | undefined => e.label;

/**
 * Every resource kind, declared once. The declaration order is the order
 * plans list kinds in; the order apply writes them is derived from
 * `dependsOn` (see applyOrder). Adding a kind: its value type in
 * desired-state.ts, one declaration here, its driver in src/datapath.
 */
export const KINDS = {
  identity: { key: (v) => String(v.id), dependsOn: [], driven: false, describe: label },
  // Peers match policy entries once they have an identity here: the entries come first; remote prefixes need the tunnel.
  ipcache: { key: (v) => v.prefix, dependsOn: ['policy', 'tunnel'], driven: true, map: 'gw_ipcache', describe: label },
  endpoint: { key: (v) => `${v.namespace}/${v.name}`, dependsOn: ['link'], driven: true, describe: label },
  // Enforcement turns on only once the allows it needs and its peers' identities are there; the entry names its veth's ifindex.
  lxc: {
    key: (v) => v.address,
    dependsOn: ['policy', 'ipcache', 'endpoint'],
    driven: true,
    map: 'gw_endpoints',
    describe: label,
  },
  // The node's HTTP proxies, one per direction with L7 rule sets; they forward to the endpoints.
  l7proxy: { key: l7ProxyKey, dependsOn: ['endpoint'], driven: true, describe: label },
  // A redirect entry finds its proxy already listening (while it is down, redirected flows are dropped).
  policy: { key: policyKey, dependsOn: ['endpoint', 'l7proxy'], driven: true, map: 'gw_policy', describe: label },
  // A slot never names a backend, reverse NAT or Maglev table that is not there yet.
  service: {
    key: (v) => frontendKey(v.address, v.port, v.protocol),
    dependsOn: ['backend', 'revnat', 'maglev'],
    driven: true,
    describe: label,
  },
  backend: { key: (v) => String(v.id), dependsOn: [], driven: true, map: 'gw_lb_backends', describe: label },
  revnat: { key: (v) => String(v.index), dependsOn: [], driven: true, map: 'gw_lb_revnat', describe: label },
  maglev: { key: (v) => String(v.revNatIndex), dependsOn: ['backend'], driven: true, describe: label },
  tunnel: { key: (v) => v.prefix, dependsOn: ['link'], driven: true, describe: label },
  route: { key: (v) => v.prefix, dependsOn: ['link', 'endpoint'], driven: true, describe: label },
  link: { key: (v) => v.name, dependsOn: [], driven: true, describe: label },
  // Programs attach once every map they read is filled and their device is there.
  program: {
    key: attachmentKey,
    dependsOn: ['endpoint', 'lxc', 'policy', 'ipcache', 'service'],
    driven: true,
    describe: label,
  },
  netdev: {
    key: (v) => `${v.address}/${v.hook}`,
    dependsOn: ['ipcache', 'service'],
    driven: true,
    describe: (e) => e.label ?? `device holding ${e.value.address}`,
  },
  // Probes the agent runs after an apply: in plans between commits, never written to a node.
  healthcheck: { key: (v) => v.name, dependsOn: [], driven: false, describe: label },
} as const satisfies { readonly [K in ResourceKind]: KindSpec<ResourceValues[K]> };

export type DrivenKind = { [K in ResourceKind]: (typeof KINDS)[K]['driven'] extends true ? K : never }[ResourceKind];

/** Every kind, in declaration order: the order plans list them in. */
export const RESOURCE_KINDS = Object.keys(KINDS) as ResourceKind[];

/** The kinds a live node holds and its drivers read and write. */
export const DRIVEN_KINDS = RESOURCE_KINDS.filter((k): k is DrivenKind => KINDS[k].driven);

/** The spec of one kind, typed by its value. */
export function kindSpec<K extends ResourceKind>(kind: K): KindSpec<ResourceValues[K]> {
  return KINDS[kind] as KindSpec<ResourceValues[K]>;
}
