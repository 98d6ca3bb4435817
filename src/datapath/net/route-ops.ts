import { IpOps } from './internal/ip-ops.js';
import type { Entry, RouteValue } from '../../desired/desired-state.js';
import { StalledError } from './stalled-error.js';
import { routePrefix, type IpRoute } from './internal/ip-json.js';
import { scanNode, type NodeScan } from './internal/node-scan.js';
import { ipLine } from './internal/ip-runner.js';
import { GITWIRE_ROUTE_PROTO, GITWIRE_ROUTE_PROTO_ANY_DEV } from './internal/ownership.js';

/**
 * Drives routes of the node's main table, keyed by prefix. gitwire's routes
 * carry GITWIRE_ROUTE_PROTO (or GITWIRE_ROUTE_PROTO_ANY_DEV when declared with
 * `dev: ''`); a prefix already routed by anything else is not taken over
 * (update stalls), and delete/prune match the protocol, so they never remove
 * a route gitwire did not install.
 */
export class RouteOps extends IpOps<RouteValue> {
  async updateMany(entries: readonly Entry<RouteValue>[]): Promise<void> {
    const scan = await scanNode(this.node);
    const mine = ownedRoutes(scan);
    const taken = new Set(scan.allRoutes.map((r) => routePrefix(r.dst)));
    const lines: string[] = [];
    for (const { value: want } of entries) {
      const have = mine.get(want.prefix);
      if (have === undefined && taken.has(want.prefix)) {
        throw new StalledError('route update', `${want.prefix} is already routed by something gitwire does not own`, {
          prefix: want.prefix,
        });
      }
      if (have === undefined || !sameRoute(have.value, want)) lines.push(`route replace ${routeSpec(want)}`);
    }
    await this.ip.write(this.node.nodeNs, lines);
  }

  async deleteMany(entries: readonly Entry<RouteValue>[]): Promise<void> {
    const mine = ownedRoutes(await scanNode(this.node));
    const gone = entries.flatMap((e) => {
      const have = mine.get(e.value.prefix);
      return have === undefined ? [] : [delLine(e.value.prefix, have.proto)];
    });
    await this.ip.remove(this.node.nodeNs, gone);
  }

  async prune(allDesired: readonly Entry<RouteValue>[]): Promise<void> {
    const keep = new Set(allDesired.map((e) => e.value.prefix));
    const mine = ownedRoutes(await scanNode(this.node));
    const gone = [...mine].filter(([p]) => !keep.has(p)).map(([p, r]) => delLine(p, r.proto));
    await this.ip.remove(this.node.nodeNs, gone);
  }

  async observe(): Promise<Entry<RouteValue>[]> {
    return observedRoutes(await scanNode(this.node));
  }
}

/** Route entries from one read of the node. */
export function observedRoutes(scan: NodeScan): Entry<RouteValue>[] {
  return [...ownedRoutes(scan).values()]
    .map(({ value }) => ({ key: value.prefix, value }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

interface OwnedRoute {
  readonly value: RouteValue;
  readonly proto: number;
}

function ownedRoutes(scan: NodeScan): Map<string, OwnedRoute> {
  const out = new Map<string, OwnedRoute>();
  for (const r of scan.routes)
    out.set(routePrefix(r.dst), { value: toRouteValue(r, false), proto: GITWIRE_ROUTE_PROTO });
  for (const r of scan.anyDevRoutes) {
    out.set(routePrefix(r.dst), { value: toRouteValue(r, true), proto: GITWIRE_ROUTE_PROTO_ANY_DEV });
  }
  return out;
}

const delLine = (prefix: string, proto: number): string => ipLine`route del ${prefix} table main proto ${proto}`;

function routeSpec(v: RouteValue): string {
  return [
    ipLine`${v.prefix}`,
    v.via === null ? '' : ipLine`via ${v.via}`,
    v.dev === '' ? '' : ipLine`dev ${v.dev}`,
    v.onlink ? 'onlink' : '',
    v.mtu === null ? '' : ipLine`mtu ${v.mtu}`,
    v.src === null ? '' : ipLine`src ${v.src}`,
    `table main proto ${v.dev === '' ? GITWIRE_ROUTE_PROTO_ANY_DEV : GITWIRE_ROUTE_PROTO}`,
  ]
    .filter((s) => s !== '')
    .join(' ');
}

function toRouteValue(r: IpRoute, anyDev: boolean): RouteValue {
  const mtu = r.metrics?.find((m) => typeof m.mtu === 'number')?.mtu;
  return {
    prefix: routePrefix(r.dst),
    dev: anyDev ? '' : (r.dev ?? ''),
    via: r.gateway ?? null,
    onlink: r.flags.includes('onlink'),
    mtu: mtu ?? null,
    src: r.prefsrc ?? null,
  };
}

const sameRoute = (a: RouteValue, b: RouteValue): boolean =>
  a.prefix === b.prefix &&
  a.dev === b.dev &&
  a.via === b.via &&
  a.onlink === b.onlink &&
  a.mtu === b.mtu &&
  a.src === b.src;
