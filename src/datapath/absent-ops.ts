import type { Entry } from '../desired/desired-state.js';
import type { NetOps } from './net/index.js';

/** Stands for the BPF maps of a node that has none pinned yet, in a dry run: reads empty, refuses writes. */
export class AbsentOps<V> implements NetOps<V> {
  readonly writes = 0;

  async observe(): Promise<Entry<V>[]> {
    return [];
  }

  update(): Promise<void> {
    return this.refuse();
  }

  updateMany(): Promise<void> {
    return this.refuse();
  }

  delete(): Promise<void> {
    return this.refuse();
  }

  deleteMany(): Promise<void> {
    return this.refuse();
  }

  prune(): Promise<void> {
    return this.refuse();
  }

  private async refuse(): Promise<void> {
    throw new Error('this node was opened read-only and has no pinned datapath: nothing can be written');
  }
}
