import type { MonitoredEvent } from './monitor.js';

export type HubListener = (m: MonitoredEvent) => void;

/**
 * Hands the agent's datapath events (it is the ring buffer's one reader) to
 * every observer connected now; nothing is kept for one that connects later,
 * as with `cilium monitor`.
 */
export class ObserveHub {
  private readonly listeners = new Set<HubListener>();

  publish(m: MonitoredEvent): void {
    for (const l of this.listeners) l(m);
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get observers(): number {
    return this.listeners.size;
  }
}
