import { NodeDatapath, type NodeOptions } from '../../datapath/index.js';
import type { Counter, Reason } from '../../datapath/maps/index.js';

/** The parts of a live node the agent reads between passes: conntrack to collect, counters to export. */
export interface LiveNode {
  /** Deletes conntrack entries expired at `nowNs` (CLOCK_MONOTONIC; default now); returns how many. */
  gcConntrack(nowNs?: bigint): number;
  counters(): Record<Reason, Counter>;
  close(): void;
}

/** Opens the node's pinned maps; null while the node has never been applied (nothing pinned to read). */
export function openLiveNode(opts: NodeOptions): LiveNode | null {
  const node = NodeDatapath.openReadOnly(opts);
  let datapath: NodeDatapath['datapath'];
  try {
    datapath = node.datapath;
  } catch {
    node.close();
    return null;
  }
  return {
    gcConntrack: (nowNs) => datapath.ct.gc(nowNs),
    counters: () => datapath.counters.read(),
    close: () => node.close(),
  };
}
