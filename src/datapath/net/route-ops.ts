import type { Entry, RouteValue } from '../../desired/desired-state.js';
import { StalledError } from './stalled-error.js';
import type { NetNode } from './net-node.js';
import type { NetOps } from './net-ops.js';
import { routePrefix, type IpRoute } from './internal/ip-json.js';
import { IpRunner, type WriteCounter } from './internal/ip-runner.js';
import { scanNode } from './internal/node-scan.js';
import { GITWIRE_ROUTE_PROTO } from './internal/ownership.js';

/**
 * Drives routes of the node's main table, keyed by prefix. gitwire's routes
 * carry protocol GITWIRE_ROUTE_PROTO; a prefix already routed by anything else
 * is not taken over (update stalls), and delete/prune match the protocol, so
 * they never remove a route gitwire did not install.
 */
export class RouteOps implements NetOps<RouteValue> {
  private readonly ip: IpRunner;

  constructor(
    private readonly node: NetNode,
    private readonly counter: WriteCounter = { writes: 0 },
  ) {
    this.ip = new IpRunner(counter);
  }

  get writes(): number {
    return this.counter.writes;
  }

  update(entry: Entry<RouteValue>): Promise<void> {
    return this.updateMany([entry]);
  }

  async updateMany(entries: readonly Entry<RouteValue>[]): Promise<void> {
    const scan = await scanNode(this.ip, this.node);
    const mine = new Map(scan.routes.map((r) => [routePrefix(r.dst), toRouteValue(r)]));
    const taken = new Set(scan.allRoutes.map((r) => routePrefix(r.dst)));
    const lines: string[] = [];
    for (const { value: want } of entries) {
      const have = mine.get(want.prefix);
      if (have === undefined && taken.has(want.prefix)) {
        throw new StalledError('route update', `${want.prefix} is already routed by something gitwire does not own`, {
          prefix: want.prefix,
        });
      }
      if (have === undefined || !sameRoute(have, want)) lines.push(`route replace ${routeSpec(want)}`);
    }
    await this.ip.write(this.node.nodeNs, lines);
  }

  delete(entry: Entry<RouteValue>): Promise<void> {
    return this.deleteMany([entry]);
  }

  async deleteMany(entries: readonly Entry<RouteValue>[]): Promise<void> {
    const mine = new Set((await scanNode(this.ip, this.node)).routes.map((r) => routePrefix(r.dst)));
    await this.ip.remove(
      this.node.nodeNs,
      entries.filter((e) => mine.has(e.value.prefix)).map((e) => delLine(e.value.prefix)),
    );
  }

  async prune(allDesired: readonly Entry<RouteValue>[]): Promise<void> {
    const keep = new Set(allDesired.map((e) => e.value.prefix));
    const mine = (await scanNode(this.ip, this.node)).routes.map((r) => routePrefix(r.dst));
    await this.ip.remove(this.node.nodeNs, mine.filter((p) => !keep.has(p)).map(delLine));
  }

  async observe(): Promise<Entry<RouteValue>[]> {
    const scan = await scanNode(this.ip, this.node);
    return scan.routes
      .map((r) => ({ key: routePrefix(r.dst), value: toRouteValue(r) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

const delLine = (prefix: string): string => `route del ${prefix} table main proto ${GITWIRE_ROUTE_PROTO}`;

function routeSpec(v: RouteValue): string {
  return [
    v.prefix,
    v.via === null ? '' : `via ${v.via}`,
    `dev ${v.dev}`,
    v.onlink ? 'onlink' : '',
    v.mtu === null ? '' : `mtu ${v.mtu}`,
    v.src === null ? '' : `src ${v.src}`,
    `table main proto ${GITWIRE_ROUTE_PROTO}`,
  ]
    .filter((s) => s !== '')
    .join(' ');
}

function toRouteValue(r: IpRoute): RouteValue {
  const mtu = r.metrics?.find((m) => typeof m.mtu === 'number')?.mtu;
  return {
    prefix: routePrefix(r.dst),
    dev: r.dev ?? '',
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
