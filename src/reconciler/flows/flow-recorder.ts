import type { NodeOptions } from '../../datapath/index.js';
import type { DesiredState } from '../../desired/index.js';
import { Monitor, MonitorNodeNotAppliedError, type MonitoredEvent } from '../agent/index.js';
import type { FlowStore } from './flow-store.js';

/** Something delivering the node's events until closed: the Monitor, or a test's stream. */
export interface EventSource {
  close(): void;
  /** Delivers the events ready now, if the source can be asked. */
  drain?(): void;
}

export type OpenEvents = (desired: DesiredState, onEvent: (m: MonitoredEvent) => void) => EventSource;

export interface FlowRecorderOptions {
  readonly store: FlowStore;
  /** The state the node enforces now (its rules name the policies); null before the first apply. */
  readonly desired: () => DesiredState | null;
  /** The datapath's lost-event total; null before the first apply. */
  readonly lostEvents: () => number | null;
  /** Also counted per policy (the agent's metrics). */
  readonly onEvent?: (m: MonitoredEvent) => void;
  readonly intervalMs: number;
  readonly node: NodeOptions;
  readonly log?: (line: string) => void;
  /** Default: the node's ring buffer through Monitor. */
  readonly open?: OpenEvents;
}

/**
 * Feeds the node's events into the flow store. The events are read with the
 * rules of the revision enforced, so the reader is reopened when it changes;
 * each tick saves the flows and the lost-event total.
 */
export class FlowRecorder {
  private source: EventSource | null = null;
  private openedFor: DesiredState | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Records and flushes one at a time, in event order. */
  private chain: Promise<void> = Promise.resolve();
  private readonly open: OpenEvents;

  constructor(private readonly opts: FlowRecorderOptions) {
    this.open =
      opts.open ??
      ((desired, onEvent) =>
        Monitor.open({
          ...opts.node,
          rules: desired.rules,
          policy: desired.resources.policy.map((e) => e.value),
          onEvent,
        }));
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.opts.intervalMs);
    void this.tick();
  }

  /** Follows the enforced revision, then saves what was recorded; resolves when saved. */
  tick(): Promise<void> {
    const desired = this.opts.desired();
    if (desired !== this.openedFor) this.reopen(desired);
    return this.enqueue(async () => {
      const lost = this.opts.lostEvents();
      if (lost !== null) this.opts.store.setLostEvents(lost);
      await this.opts.store.flush();
    });
  }

  /**
   * Delivers the events waiting in the ring buffer and saves every flow; false
   * when no events are read (nothing enforced yet), so the records may miss some.
   */
  async flush(): Promise<boolean> {
    const desired = this.opts.desired();
    if (desired !== this.openedFor) this.reopen(desired);
    this.source?.drain?.();
    await this.tick();
    return this.source !== null;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.source?.close();
    this.source = null;
    await this.enqueue(() => this.opts.store.close());
  }

  private reopen(desired: DesiredState | null): void {
    this.source?.close();
    this.source = null;
    this.openedFor = desired;
    if (!desired) return;
    try {
      this.source = this.open(desired, (m) => {
        this.opts.onEvent?.(m);
        void this.enqueue(() => this.opts.store.record(m));
      });
    } catch (e) {
      // Applied but not pinned yet (or removed behind our back): the next tick tries again.
      this.openedFor = null;
      if (!(e instanceof MonitorNodeNotAppliedError)) this.opts.log?.(`flow records: ${(e as Error).message}`);
    }
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(work).catch((e: Error) => this.opts.log?.(`flow records: ${e.message}`));
    return this.chain;
  }
}
