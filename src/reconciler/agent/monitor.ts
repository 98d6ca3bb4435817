import { NodeDatapath, type NodeOptions } from '../../datapath/index.js';
import { EventReader, type DatapathEvent } from '../../datapath/maps/index.js';
import type { PolicyValue, RuleRef } from '../../desired/index.js';
import { visible } from '../render/escape.js';
import { followL7Feed, l7FeedPath, type MonitoredL7Verdict } from './l7-verdict-feed.js';

/** A datapath event with the policy rule that decided it (null when no rule matched, e.g. a default deny). */
export interface MonitoredEvent {
  readonly event: DatapathEvent;
  readonly rule: RuleRef | null;
  /**
   * For a default deny: the rules whose selection of the endpoint put that
   * direction into default-deny (the kernel event carries no rule for it).
   */
  readonly enforcedBy?: readonly RuleRef[];
  /** Wall-clock time of the event, from the kernel's monotonic timestamp. */
  readonly time: Date;
}

export interface MonitorOptions extends NodeOptions {
  /** The compiled state's rules (DesiredState.rules): ruleId → policy. */
  readonly rules: readonly RuleRef[];
  /** The compiled policy entries, to name what enforces a direction when a default deny drops. */
  readonly policy?: readonly Pick<PolicyValue, 'endpointId' | 'direction' | 'ruleId'>[];
  readonly onEvent: (e: MonitoredEvent) => void;
  /** Receives the L7 proxy's verdicts from the node's agent (its feed socket), if an agent serves them. */
  readonly onL7?: (v: MonitoredL7Verdict) => void;
  /** Where the agent's feed socket is (default: beside the node's lock). */
  readonly l7FeedDir?: string;
}

/** Node has no pinned datapath: nothing was ever applied to it with this bpffs root. */
export class MonitorNodeNotAppliedError extends Error {
  readonly code = 'E_MONITOR_NOT_APPLIED';
  constructor(readonly node: string) {
    super(`node ${visible(node)} has no pinned datapath to monitor: apply a revision first (or check --bpffs-root)`);
    this.name = 'MonitorNodeNotAppliedError';
  }
}

/**
 * Streams the node's ring-buffer events as they happen. Events queued before
 * the monitor opened are skipped: they were not seen live. The ring buffer
 * has one read position, so two monitors of a node share its events.
 */
export class Monitor {
  private readonly lostAtOpen: bigint;

  private constructor(
    private readonly node: NodeDatapath,
    private readonly reader: EventReader,
    private readonly unfollow: () => void,
  ) {
    this.lostAtOpen = this.lostTotal();
  }

  static open(opts: MonitorOptions): Monitor {
    const node = NodeDatapath.openReadOnly(opts);
    try {
      let events: NodeDatapath['datapath']['events'];
      try {
        events = node.datapath.events;
      } catch {
        throw new MonitorNodeNotAppliedError(opts.node);
      }
      const rules = new Map(opts.rules.map((r) => [r.id, r]));
      const enforcing = enforcingRules(opts.policy ?? [], rules);
      // bpf_ktime_get_ns and hrtime read the same CLOCK_MONOTONIC.
      const openedNs = process.hrtime.bigint();
      const wallOffsetMs = Date.now() - Number(openedNs / 1_000_000n);
      const reader = new EventReader(events, (event) => {
        if (event.timestampNs < openedNs) return;
        const time = new Date(wallOffsetMs + Number(event.timestampNs / 1_000_000n));
        const rule = rules.get(event.ruleId) ?? null;
        const enforcedBy =
          event.reason === 'denied-default' ? enforcing.get(`${event.endpointId}/${event.direction}`) : undefined;
        opts.onEvent(enforcedBy ? { event, rule, time, enforcedBy } : { event, rule, time });
      });
      const l7 = opts.onL7;
      const unfollow = l7 ? followL7Feed(l7FeedPath(opts.node, opts.l7FeedDir), l7) : () => {};
      return new Monitor(node, reader, unfollow);
    } catch (e) {
      node.close();
      throw e;
    }
  }

  /** Delivers whatever is ready now (the reader also drains on its own timer). */
  drain(): number {
    return this.reader.drain();
  }

  /** Events the datapath dropped since the monitor opened because the ring buffer was full. */
  lostEvents(): bigint {
    return this.lostTotal() - this.lostAtOpen;
  }

  private lostTotal(): bigint {
    return this.node.datapath.counters.read()['event-lost'].packets;
  }

  close(): void {
    this.unfollow();
    this.reader.close();
    this.node.close();
  }
}

/** endpoint/direction → the rules with entries there, i.e. the rules that made that direction enforced. */
function enforcingRules(
  policy: readonly Pick<PolicyValue, 'endpointId' | 'direction' | 'ruleId'>[],
  rules: ReadonlyMap<number, RuleRef>,
): Map<string, RuleRef[]> {
  const ids = new Map<string, Set<number>>();
  for (const p of policy) {
    const key = `${p.endpointId}/${p.direction}`;
    ids.set(key, (ids.get(key) ?? new Set()).add(p.ruleId));
  }
  const out = new Map<string, RuleRef[]>();
  for (const [key, set] of ids) {
    const refs = [...set].flatMap((id) => rules.get(id) ?? []);
    if (refs.length > 0) out.set(key, refs);
  }
  return out;
}
