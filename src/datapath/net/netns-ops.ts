import { IpOps } from './internal/ip-ops.js';
import type { Entry } from '../../desired/desired-state.js';
import { StalledError } from './stalled-error.js';
import { ipLine, mapLimit } from './internal/ip-runner.js';
import {
  listNetns,
  scanNamed,
  scanNetns,
  scanOwnedNetns,
  unmountedNetns,
  type NetnsScan,
} from './internal/node-scan.js';
import { ownerMark } from './internal/ownership.js';

/** A network namespace gitwire creates for a workload; keyed by its name. */
export interface NetnsValue {
  readonly name: string;
}

/** The namespaces a set of endpoints needs. */
export const netnsEntries = (netns: Iterable<string>): Entry<NetnsValue>[] =>
  [...new Set(netns)].sort().map((name) => ({ key: name, value: { name } }));

/**
 * Drives named network namespaces. A namespace is gitwire's when its `lo` alias
 * carries the node's owner mark; `lo` is brought up at creation. Ownership
 * lives inside the namespace, so observe() and prune() read every namespace
 * of the machine (a few netlink dumps each): a full sweep, for start-up or repair.
 * LinkOps creates endpoint namespaces itself and marks them after their veth. A namespace
 * of that name that is not marked is adopted only if it is empty (the trace of
 * a crash between `netns add` and marking); otherwise update stalls.
 */
export class NetnsOps extends IpOps<NetnsValue> {
  async updateMany(entries: readonly Entry<NetnsValue>[]): Promise<void> {
    const existing = new Set(await listNetns());
    const wanted = [...new Set(entries.map((e) => e.value.name))];
    await this.ip.write(
      null,
      wanted.filter((n) => !existing.has(n)).map((n) => ipLine`netns add ${n}`),
    );
    const mark = ownerMark(this.node.owner);
    await mapLimit(wanted, 4, async (name) => {
      const scan = scanNetns(name);
      const lo = scan.links.find((l) => l.ifname === 'lo');
      if (lo?.ifalias === mark && lo.flags.includes('UP')) return;
      if (lo?.ifalias !== mark && !isPristine(scan)) {
        throw new StalledError('netns update', `netns ${name} exists and is not gitwire's (${this.node.owner})`, {
          netns: name,
        });
      }
      await this.ip.write(name, [ipLine`link set dev lo up alias ${mark}`]);
    });
  }

  async deleteMany(entries: readonly Entry<NetnsValue>[]): Promise<void> {
    const owned = await scanOwnedNetns(this.node);
    await this.ip.remove(
      null,
      entries.filter((e) => owned.has(e.value.name)).map((e) => ipLine`netns del ${e.value.name}`),
    );
  }

  async prune(allDesired: readonly Entry<NetnsValue>[]): Promise<void> {
    const keep = new Set(allDesired.map((e) => e.value.name));
    const owned = [...(await scanOwnedNetns(this.node)).keys()];
    await this.ip.remove(
      null,
      owned.filter((n) => !keep.has(n)).map((n) => ipLine`netns del ${n}`),
    );
  }

  /**
   * Deletes what a crash can leave of this node's endpoint namespaces (named
   * with `prefix`), which observe cannot see:
   * - a file under /run/netns with no namespace on it (a kill inside
   *   `ip netns add` or `ip netns del`), whatever its name, since it blocks
   *   creating the namespace again;
   * - among the names not in `keep`: a namespace that is pristine (only `lo`,
   *   down, unmarked), that holds besides only unnamed veths (a crash between
   *   `link add` and marking), or that is marked as this node's and holds
   *   nothing but `lo` (a crash between marking it and marking its endpoint,
   *   after which apply removed the veth it no longer wanted).
   * Nothing else is touched. Returns the names removed.
   */
  async sweepLeftovers(prefix: string, keep: readonly string[]): Promise<string[]> {
    const wanted = new Set(keep);
    const named = (await listNetns()).filter((n) => n.startsWith(prefix));
    const broken = await unmountedNetns(named);
    const candidates = named.filter((n) => !wanted.has(n) && !broken.includes(n));
    const scans = scanNamed(candidates);
    const mark = ownerMark(this.node.owner);
    const leftovers = [...scans.values()]
      .filter((scan) => isPristine(scan) || isUnmarkedPlumbing(scan) || isEmptyMarked(scan, mark))
      .map(({ name }) => name);
    const gone = [...broken, ...leftovers].sort();
    await this.ip.remove(
      null,
      gone.map((n) => ipLine`netns del ${n}`),
    );
    return gone;
  }

  async observe(): Promise<Entry<NetnsValue>[]> {
    const owned = await scanOwnedNetns(this.node);
    return netnsEntries(owned.keys());
  }
}

/** `lo` down and unnamed, and nothing else but unnamed veths: a namespace being plumbed, never marked. */
function isUnmarkedPlumbing(scan: NetnsScan): boolean {
  const lo = scan.links.find((l) => l.ifname === 'lo');
  if (lo === undefined || lo.ifalias !== undefined || lo.flags.includes('UP')) return false;
  return scan.links.every((l) => l === lo || (l.linkinfo?.info_kind === 'veth' && l.ifalias === undefined));
}

/** Only `lo`, marked as the node's: a namespace whose endpoint never got marked and whose veth is gone. */
function isEmptyMarked(scan: NetnsScan, mark: string): boolean {
  return scan.links.length === 1 && scan.links[0]?.ifname === 'lo' && scan.links[0].ifalias === mark;
}

/** Only `lo`, down and unnamed: what `ip netns add` leaves. */
function isPristine(scan: NetnsScan): boolean {
  return scan.links.length === 1 && scan.links[0]?.ifname === 'lo' && !scan.links[0].flags.includes('UP');
}
