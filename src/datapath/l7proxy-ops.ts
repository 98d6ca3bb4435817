import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Direction, Entry, L7ProxyValue } from '../desired/desired-state.js';
import type { ProxyMap } from './maps/index.js';
import type { NetOps } from './net/index.js';
import { ensureProxyRouting, startTransparentProxy, type HttpProxy, type L7VerdictEvent } from './proxy/index.js';

export interface L7ProxyOpsOptions {
  readonly node: string;
  /** Where the owning process publishes the rule sets its proxies hold, for other processes' observe (`plan --live`). */
  readonly stateDir?: string;
  /** The node's namespace, where the redirect delivers; null = this process's own. */
  readonly nodeNs: string | null;
  /** The node's gw_proxy map. */
  readonly map: ProxyMap;
  readonly onVerdict?: (event: L7VerdictEvent) => void;
}

/** One direction's listener and the rule sets it was given. */
interface Listener {
  readonly port: number;
  readonly proxy: HttpProxy;
  readonly entries: Map<string, Entry<L7ProxyValue>>;
}

/**
 * Drives the l7proxy kind: one transparent HTTP proxy per direction that has
 * rule sets, running in this process for as long as the node is open. Rule
 * changes are swapped into the running proxy (its connections stay open); a
 * direction left without rules is stopped. Observe reports only what a
 * listening proxy holds, so a proxy that stopped reads as missing and the
 * next pass starts it again.
 */
export class L7ProxyOps implements NetOps<L7ProxyValue> {
  private readonly listeners = new Map<Direction, Listener>();
  private changes = 0;

  constructor(private readonly opts: L7ProxyOpsOptions) {}

  get writes(): number {
    return this.changes;
  }

  /** The running proxy of a direction, if any: its handle, for the node's owner. */
  running(direction: Direction): HttpProxy | undefined {
    return this.live(direction)?.proxy;
  }

  update(entry: Entry<L7ProxyValue>): Promise<void> {
    return this.updateMany([entry]);
  }

  async updateMany(entries: readonly Entry<L7ProxyValue>[]): Promise<void> {
    const next = this.held();
    for (const e of entries) next.get(e.value.direction)!.set(e.key, e);
    await this.converge(next);
  }

  delete(entry: Entry<L7ProxyValue>): Promise<void> {
    return this.deleteMany([entry]);
  }

  async deleteMany(entries: readonly Entry<L7ProxyValue>[]): Promise<void> {
    const next = this.held();
    for (const e of entries) next.get(e.value.direction)!.delete(e.key);
    await this.converge(next);
  }

  async prune(allDesired: readonly Entry<L7ProxyValue>[]): Promise<void> {
    const keep = new Set(allDesired.map((e) => e.key));
    const next = this.held();
    for (const held of next.values()) for (const key of [...held.keys()]) if (!keep.has(key)) held.delete(key);
    await this.converge(next);
  }

  async observe(): Promise<Entry<L7ProxyValue>[]> {
    const own = DIRECTIONS.flatMap((d) => [...(this.live(d)?.entries.values() ?? [])]);
    return own.length > 0 ? own : this.publishedByOther();
  }

  /** `<stateDir>/<node>.l7proxy.json`, beside the node's lock: what the process running the proxies holds. */
  private get stateFile(): string {
    return join(this.opts.stateDir ?? L7_STATE_DIR, `${this.opts.node}.l7proxy.json`);
  }

  /**
   * The rule sets another live process (the agent) published for its running
   * proxies: the proxies live in that process, so this is how `plan --live`
   * beside an agent sees them. A file whose process is gone reads as nothing.
   */
  private publishedByOther(): Entry<L7ProxyValue>[] {
    if (!existsSync(this.stateFile)) return [];
    try {
      const state = JSON.parse(readFileSync(this.stateFile, 'utf8')) as Published;
      if (state.pid === process.pid || !processAlive(state.pid)) return [];
      return state.entries;
    } catch {
      return [];
    }
  }

  private publish(): void {
    const entries = DIRECTIONS.flatMap((d) => [...(this.live(d)?.entries.values() ?? [])]);
    if (entries.length === 0) return rmSync(this.stateFile, { force: true });
    mkdirSync(this.opts.stateDir ?? L7_STATE_DIR, { recursive: true, mode: 0o700 });
    const tmp = `${this.stateFile}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ pid: process.pid, entries } satisfies Published), { mode: 0o600 });
    renameSync(tmp, this.stateFile);
  }

  /** Stops every proxy; redirected flows are dropped from here on. */
  async close(): Promise<void> {
    const all = [...this.listeners.values()];
    this.listeners.clear();
    if (all.length > 0) this.publish();
    await Promise.all(all.map((l) => l.proxy.close()));
  }

  /** The rule sets of the listening proxies, by direction, as copies to edit. */
  private held(): Map<Direction, Map<string, Entry<L7ProxyValue>>> {
    return new Map(DIRECTIONS.map((d) => [d, new Map(this.live(d)?.entries)]));
  }

  /** A direction's listener while it listens; a stopped one is forgotten. */
  private live(direction: Direction): Listener | undefined {
    const l = this.listeners.get(direction);
    if (l && !l.proxy.listening) this.listeners.delete(direction);
    return l?.proxy.listening ? l : undefined;
  }

  private async converge(next: Map<Direction, Map<string, Entry<L7ProxyValue>>>): Promise<void> {
    for (const [direction, entries] of next) {
      const current = this.live(direction);
      if (sameEntries(current?.entries ?? new Map(), entries)) continue;
      const port = [...entries.values()][0]?.value.proxyPort;
      if (port === undefined || (current && current.port !== port)) {
        if (current) await this.stop(direction, current);
        if (port === undefined) continue;
      }
      const sets = [...entries.values()].map((e) => e.value);
      const running = this.live(direction);
      if (running) {
        running.proxy.setRules(sets);
        this.listeners.set(direction, { ...running, entries });
      } else {
        await ensureProxyRouting(this.opts.nodeNs);
        const proxy = await startTransparentProxy({
          ...(this.opts.nodeNs ? { netns: this.opts.nodeNs } : {}),
          port,
          direction,
          map: this.opts.map,
          rules: sets,
          ...(this.opts.onVerdict ? { onVerdict: this.opts.onVerdict } : {}),
        });
        this.listeners.set(direction, { port, proxy, entries });
      }
      this.changes++;
    }
    this.publish();
  }

  private async stop(direction: Direction, l: Listener): Promise<void> {
    this.listeners.delete(direction);
    await l.proxy.close();
    this.changes++;
  }
}

const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

/** Beside the node locks (reconciler's node-lock): runtime state of this boot, root's only. */
const L7_STATE_DIR = '/run/gitwire';

interface Published {
  readonly pid: number;
  readonly entries: Entry<L7ProxyValue>[];
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sameEntries<V>(a: ReadonlyMap<string, Entry<V>>, b: ReadonlyMap<string, Entry<V>>): boolean {
  return a.size === b.size && [...a].every(([k, e]) => b.get(k) === e);
}
