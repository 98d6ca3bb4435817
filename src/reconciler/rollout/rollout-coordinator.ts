import { ValidationError } from '../../desired/diagnostics.js';
import { condition, isReady, shortRevision, type NodeStatus } from '../agent/node-status.js';
import { liveNodes } from '../cluster/node-lease.js';
import type { RolloutPlan } from './rollout-waves.js';
import { inProgress, type NodeRollout, type NodeRolloutPhase, type RolloutState } from './rollout-state.js';
import type { RolloutStore } from './rollout-store.js';

export interface CoordinatorOptions {
  readonly store: RolloutStore;
  /** Names the coordinator in the state (the agent's node). */
  readonly name: string;
  /** The plan a revision's Cluster declares (null: none); throws a ValidationError for a commit that does not validate. */
  readonly plan: (revision: string) => Promise<RolloutPlan | null>;
  readonly now?: () => Date;
  readonly log?: (line: string) => void;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Takes a new head commit through the waves its Cluster declares. Each
 * `step` reads the state from etcd, moves it on as far as the nodes' status
 * allows and writes it back, so any agent elected coordinator carries on
 * where another stopped. A wave's nodes get the revision as their target (at
 * most maxUnavailable updating at once); the wave is done when each is Ready
 * on it, or suspended or pinned. A node that fails on it halts the rollout:
 * its wave goes back to the previous revision, and later waves never see it.
 * A node whose agent is gone keeps its wave waiting until it returns.
 */
export class RolloutCoordinator {
  private readonly now: () => Date;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: CoordinatorOptions) {
    this.now = opts.now ?? (() => new Date());
    this.log = opts.log ?? (() => undefined);
  }

  async step(head: string): Promise<RolloutState> {
    const { store } = this.opts;
    const stored = await store.state();
    let s = stored;
    if (!s || s.revision !== head) s = await this.begin(s, head);
    const abort = await store.abortRequest();
    if (abort) {
      if (inProgress(s)) s = await this.rollBack(s, 'Aborted', null, `aborted by ${abort.by} at ${abort.at}`);
      await store.clearAbort();
    }
    if (s.phase === 'Pausing' && s.pauseUntil !== null && this.now() >= new Date(s.pauseUntil)) s = this.nextWave(s);
    if (s.phase === 'Progressing') s = await this.advance(s);
    if (s.coordinator !== this.opts.name) s = { ...s, coordinator: this.opts.name };
    // Every node status change brings a step: etcd is written only when the rollout moved.
    if (!stored || !sameRollout(stored, s)) await store.writeState(s);
    return s;
  }

  /** A new head: staged when it and the revision before both declare a rollout, at once otherwise. */
  private async begin(prev: RolloutState | null, head: string): Promise<RolloutState> {
    const { store } = this.opts;
    const previous = prev === null ? null : prev.phase === 'Completed' ? prev.revision : prev.previous;
    let plan: RolloutPlan | null;
    try {
      plan = await this.opts.plan(head);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      // The nodes reject it too; staged, it fails on the first wave instead of stalling every node.
      plan = prev?.staged ? { waves: prev.waves, maxUnavailable: prev.maxUnavailable, pauseMs: prev.pauseMs } : null;
    }
    const at = this.now().toISOString();
    const base = {
      revision: head,
      previous,
      staged: plan !== null,
      waves: plan?.waves ?? [],
      maxUnavailable: plan?.maxUnavailable ?? [],
      pauseMs: plan?.pauseMs ?? 0,
      halted: null,
      pauseUntil: null,
      startedAt: at,
      updatedAt: at,
      coordinator: this.opts.name,
    };
    if (plan !== null) {
      // A node the commit no longer declares left the cluster: its target goes with it.
      const declared = new Set(plan.waves.flat());
      for (const node of (await store.targets()).keys()) if (!declared.has(node)) await store.deleteTarget(node);
    }
    const everyNode = (phase: NodeRolloutPhase) =>
      Object.fromEntries((plan?.waves ?? []).flat().map((n) => [n, { phase, since: at }]));
    if (plan === null || !prev?.staged || previous === null) {
      // The first revision seen, or one that declares no rollout (or the first that does): every node at once.
      if (plan === null) await store.clearTargets();
      else for (const node of plan.waves.flat()) await store.setTarget(node, head, this.now());
      this.log(`rollout of ${shortRevision(head)}: every node at once`);
      return { ...base, phase: 'Completed', wave: base.waves.length, nodes: everyNode('Ready') };
    }
    this.log(`rollout of ${shortRevision(head)}: ${plan.waves.map((w) => w.join(',')).join(' → ')}`);
    return { ...base, phase: 'Progressing', wave: 0, nodes: everyNode('Pending') };
  }

  private async advance(state: RolloutState): Promise<RolloutState> {
    const { store } = this.opts;
    let s = state;
    // Waves with nothing to wait for (all held, no pause) are passed in one step.
    while (s.phase === 'Progressing') {
      const wave = s.waves[s.wave]!;
      const [statuses, alive] = await Promise.all([store.statuses(), liveNodes(store.client)]);
      const nodes: Mutable<Record<string, NodeRollout>> = { ...s.nodes };
      const set = (node: string, phase: NodeRolloutPhase, message?: string) => {
        const was = nodes[node];
        const since = was?.phase === phase ? was.since : this.now().toISOString();
        nodes[node] = { phase, since, ...(message ? { message } : {}) };
      };
      for (const node of wave) {
        const phase = nodes[node]?.phase ?? 'Pending';
        if (phase === 'Pending') {
          const held = await this.held(node);
          if (held) set(node, 'Skipped', held);
        } else if (phase === 'Updating') {
          const st = statuses.get(node);
          const failure = st ? failedOn(st, s.revision) : null;
          if (st && isReady(st) && st.lastAppliedRevision === s.revision) set(node, 'Ready');
          else if (failure) set(node, 'Failed', failure);
          else if (!alive.has(node)) set(node, 'Updating', 'agent gone (lease expired): waiting for it to return');
          else set(node, 'Updating');
        }
      }
      s = { ...s, nodes };
      const failed = wave.find((n) => nodes[n]!.phase === 'Failed');
      if (failed) return this.rollBack(s, 'NodeFailed', failed, `${failed}: ${nodes[failed]!.message}`);
      if (wave.every((n) => ['Ready', 'Skipped'].includes(nodes[n]!.phase))) {
        if (s.wave + 1 >= s.waves.length) {
          // A suspended or pinned node catches up on this revision once it is released.
          for (const [node, n] of Object.entries(nodes))
            if (n.phase === 'Skipped') await store.setTarget(node, s.revision, this.now());
          this.log(`rollout of ${shortRevision(s.revision)} completed`);
          return { ...s, phase: 'Completed', wave: s.waves.length, updatedAt: this.now().toISOString() };
        }
        if (s.pauseMs > 0)
          return {
            ...s,
            phase: 'Pausing',
            pauseUntil: new Date(this.now().getTime() + s.pauseMs).toISOString(),
            updatedAt: this.now().toISOString(),
          };
        s = this.nextWave(s);
        continue;
      }
      if (!(await store.paused())) {
        const updating = wave.filter((n) => nodes[n]!.phase === 'Updating').length;
        const room = s.maxUnavailable[s.wave]! - updating;
        for (const node of wave.filter((n) => nodes[n]!.phase === 'Pending').slice(0, Math.max(0, room))) {
          await store.setTarget(node, s.revision, this.now());
          set(node, 'Updating');
          this.log(`rollout of ${shortRevision(s.revision)}: wave ${s.wave + 1}, ${node} updating`);
        }
      }
      return { ...s, nodes: { ...nodes }, updatedAt: this.now().toISOString() };
    }
    return s;
  }

  private nextWave(s: RolloutState): RolloutState {
    return { ...s, phase: 'Progressing', wave: s.wave + 1, pauseUntil: null, updatedAt: this.now().toISOString() };
  }

  /** Every node of the wave under way that has or may have the revision goes back to the previous one. */
  private async rollBack(
    s: RolloutState,
    reason: 'NodeFailed' | 'Aborted',
    node: string | null,
    message: string,
  ): Promise<RolloutState> {
    const at = this.now().toISOString();
    const nodes: Mutable<Record<string, NodeRollout>> = { ...s.nodes };
    for (const [name, n] of Object.entries(s.nodes)) {
      if (!['Updating', 'Ready', 'Failed'].includes(n.phase)) continue;
      if (s.previous !== null) await this.opts.store.setTarget(name, s.previous, this.now());
      if (n.phase !== 'Failed') nodes[name] = { phase: 'RolledBack', since: at };
    }
    this.log(`rollout of ${shortRevision(s.revision)} ${reason === 'Aborted' ? 'aborted' : 'halted'}: ${message}`);
    const phase = reason === 'Aborted' ? 'Aborted' : 'Halted';
    return { ...s, phase, nodes, halted: { reason, node, message, at }, pauseUntil: null, updatedAt: at };
  }

  /** Why a node is left out of its wave: suspended or pinned; null when it takes part. */
  private async held(node: string): Promise<string | null> {
    const pin = await this.opts.store.pin(node);
    if (pin) return `pinned to ${shortRevision(pin.revision)} by ${pin.by} at ${pin.at}`;
    const suspended = await this.opts.store.suspension(node);
    return suspended ? `suspended by ${suspended.by} at ${suspended.at}` : null;
  }
}

/** A node failed on the revision: Stalled on it (validation, apply, or a health check that rolled it back). */
function failedOn(s: NodeStatus, revision: string): string | null {
  const stalled = condition(s, 'Stalled');
  if (stalled?.status !== 'True' || s.lastAttemptedRevision !== revision) return null;
  return `${stalled.reason}: ${stalled.message}`;
}

function sameRollout(a: RolloutState, b: RolloutState): boolean {
  return JSON.stringify({ ...a, updatedAt: '' }) === JSON.stringify({ ...b, updatedAt: '' });
}
