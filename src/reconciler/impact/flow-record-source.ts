import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The module, not the folder's index: that one loads the event reader (the kernel side) with it.
import { FlowStore, type FlowRecord } from '../flows/flow-store.js';

/** Where a node's flow records come from: its agent's local store, or (later) its agent over HTTP. */
export interface FlowRecordSource {
  /** The node's flows last seen at most `sinceSeconds` ago; throws NoFlowDataError when the node has none to give. */
  records(node: string, sinceSeconds: number): Promise<FlowRecord[]>;
}

/** A node without flow records to read: its impact is unknown, never "none". */
export class NoFlowDataError extends Error {
  readonly code = 'E_IMPACT_NO_FLOW_DATA';
  constructor(
    readonly node: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'NoFlowDataError';
  }
}

/**
 * The stores agents on this machine keep in their state directories,
 * `<dir>/<node>/flows.sqlite`: `/var/lib/gitwire` for agents on the default
 * `--state-dir`, `<cluster state>/nodes` for a local cluster.
 */
export class LocalFlowStores implements FlowRecordSource {
  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  async records(node: string, sinceSeconds: number): Promise<FlowRecord[]> {
    const path = join(this.dir, node, 'flows.sqlite');
    // A copy, so that nothing here can write over the file the agent replaces on each flush.
    const tmp = await mkdtemp(join(tmpdir(), 'gitwire-flows-'));
    try {
      await copyFile(path, join(tmp, 'flows.sqlite')).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
        throw new NoFlowDataError(node, `no flow records at ${path} (is its agent running with --flow-records?)`);
      });
      const store = await FlowStore.open({ path: join(tmp, 'flows.sqlite') });
      // SQLite reads a negative LIMIT as none: every record the agent kept.
      const all = store.flows(-1);
      await store.close();
      const from = this.now() - sinceSeconds * 1000;
      return all.filter((r) => r.lastSeen.getTime() >= from);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}
