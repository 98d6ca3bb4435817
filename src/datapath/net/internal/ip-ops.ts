import type { Entry } from '../../../desired/desired-state.js';
import type { NetNode } from '../net-node.js';
import type { NetOps } from '../net-ops.js';
import { IpRunner, type WriteCounter } from './ip-runner.js';

/** What every iproute2-driven driver shares: its node, its runner and write counter, and the single-entry forms. */
export abstract class IpOps<V> implements NetOps<V> {
  protected readonly ip: IpRunner;

  constructor(
    protected readonly node: NetNode,
    protected readonly counter: WriteCounter = { writes: 0 },
  ) {
    this.ip = new IpRunner(counter);
  }

  get writes(): number {
    return this.counter.writes;
  }

  update(entry: Entry<V>): Promise<void> {
    return this.updateMany([entry]);
  }

  delete(entry: Entry<V>): Promise<void> {
    return this.deleteMany([entry]);
  }

  abstract updateMany(entries: readonly Entry<V>[]): Promise<void>;
  abstract deleteMany(entries: readonly Entry<V>[]): Promise<void>;
  abstract prune(allDesired: readonly Entry<V>[]): Promise<void>;
  abstract observe(): Promise<Entry<V>[]>;
}
