import type { Campaign, Etcd3, Watcher } from 'etcd3';
import { ROLLOUT_PREFIX } from './rollout-keys.js';
import type { RolloutCoordinator } from './rollout-coordinator.js';

export interface ElectedCoordinatorOptions {
  readonly client: Etcd3;
  /** The candidate's name (its node). */
  readonly name: string;
  readonly coordinator: RolloutCoordinator;
  /** The branch head now; null for a plain directory (no revisions to roll out). */
  readonly head: () => Promise<string | null>;
  /** Longest time between two steps; a status change in etcd brings the next one forward. */
  readonly intervalMs?: number;
  /** How often the head is asked for between pokes (the agent's poll interval). */
  readonly headIntervalMs?: number;
  /** How long the leader's lease outlives it when it dies without resigning. */
  readonly ttlSeconds?: number;
  readonly log?: (line: string) => void;
}

export interface ElectedCoordinator {
  /** True while this candidate is the coordinator. */
  readonly leading: boolean;
  /** Runs a step soon (a new head was published). */
  poke(): void;
  close(): Promise<void>;
}

/**
 * One coordinator among the agents: each campaigns in etcd's election under
 * `/gitwire/rollout/`, the leader steps the rollout whenever a node status or
 * rollout key changes (and on a timer); when its lease is lost it stops and
 * campaigns again, and the next leader carries on from the state in etcd.
 */
export function startElectedCoordinator(opts: ElectedCoordinatorOptions): ElectedCoordinator {
  const log = opts.log ?? (() => undefined);
  const intervalMs = opts.intervalMs ?? 1000;
  const election = opts.client.namespace(ROLLOUT_PREFIX).election('coordinator', opts.ttlSeconds ?? 5);
  let campaign: Campaign | null = null;
  let leading = false;
  let closed = false;
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let retry: NodeJS.Timeout | null = null;
  let watchers: Watcher[] = [];
  let head: string | null = null;
  let headAt = 0;
  let stale = true;

  const step = async (): Promise<void> => {
    if (!leading || closed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      // Asking git costs a request: only when poked or when the poll interval has passed.
      if (stale || Date.now() - headAt >= (opts.headIntervalMs ?? intervalMs)) {
        stale = false;
        headAt = Date.now();
        head = await opts.head();
      }
      if (head !== null && leading && !closed) await opts.coordinator.step(head);
    } catch (e) {
      log(`rollout step failed: ${(e as Error).message}`);
    } finally {
      running = false;
      if (again) {
        again = false;
        void step();
      }
    }
  };
  const tick = (): void => {
    if (closed) return;
    timer = setTimeout(() => {
      void step().finally(tick);
    }, intervalMs);
  };
  const watch = async (): Promise<void> => {
    const prefixes = ['/gitwire/nodes/', ROLLOUT_PREFIX + 'paused', ROLLOUT_PREFIX + 'abort'];
    watchers = await Promise.all(prefixes.map((p) => opts.client.watch().prefix(p).create()));
    for (const w of watchers) w.on('put', () => void step()).on('delete', () => void step());
  };
  const run = (): void => {
    if (closed) return;
    campaign = election.campaign(opts.name);
    campaign.on('elected', () => {
      leading = true;
      log('elected rollout coordinator');
      void step();
    });
    campaign.on('error', (e) => {
      if (leading) log(`rollout coordinator lease lost (${e.message}): campaigning again`);
      leading = false;
      campaign = null;
      if (!closed) retry = setTimeout(run, 1000);
    });
  };
  void watch().catch((e: Error) => log(`rollout watch failed (${e.message}): stepping on the timer only`));
  run();
  tick();
  return {
    get leading() {
      return leading;
    },
    poke: () => {
      stale = true;
      void step();
    },
    close: async () => {
      closed = true;
      leading = false;
      if (timer) clearTimeout(timer);
      if (retry) clearTimeout(retry);
      await Promise.all(watchers.map((w) => w.cancel().catch(() => undefined)));
      await campaign?.resign().catch(() => undefined);
    },
  };
}
