import { RuleMemo } from './policy/rule-memo.js';

/**
 * What compile() may reuse from earlier calls: the cluster-wide work (the
 * view of nodes, endpoints and identities; the policy program and each of
 * its rules; the service program with its Maglev tables) and the
 * load-balancer entries of recently compiled nodes. A result is reused only
 * when its inputs are the very same declarations (===), as a LoadCache hands
 * out for unchanged files, so the output is always what a compile without
 * the cache gives. Pass one to successive compiles (the agent loop, both
 * sides of a plan); it holds the last result of each part, plus the entries
 * of the `nodes` most recent nodes.
 */
export class CompileCache {
  private readonly slots = new Map<string, { inputs: readonly unknown[]; value: unknown }>();
  private maglev: ReadonlyMap<string, string> = new Map();
  /** @internal Compiled policy rules, reused one by one when the policy set changed. */
  readonly rules = new RuleMemo();

  constructor(readonly nodes = 4) {}

  /** @internal The value of `slot` when `inputs` match the last ones (see samePart), else compute() stored. */
  memo<T>(slot: string, inputs: readonly unknown[], compute: () => T): T {
    const found = this.slots.get(slot);
    if (found && sameInputs(found.inputs, inputs)) {
      this.slots.delete(slot);
      this.slots.set(slot, found);
      return found.value as T;
    }
    const value = compute();
    this.slots.delete(slot);
    this.slots.set(slot, { inputs, value });
    this.evictNodes();
    return value;
  }

  /** @internal Maglev tables of the last service program built. */
  get maglevTables(): ReadonlyMap<string, string> {
    return this.maglev;
  }

  set maglevTables(tables: ReadonlyMap<string, string>) {
    this.maglev = tables;
  }

  /** Per-node slots are named `node:<part>:<node>`; the parts of the least recent nodes go. */
  private evictNodes(): void {
    const byNode = new Map<string, string[]>();
    for (const key of this.slots.keys()) {
      if (!key.startsWith('node:')) continue;
      const name = key.slice(key.indexOf(':', 5) + 1);
      byNode.delete(name);
      byNode.set(name, [...(byNode.get(name) ?? []), key]);
    }
    const stale = [...byNode.values()].slice(0, Math.max(0, byNode.size - this.nodes));
    for (const key of stale.flat()) this.slots.delete(key);
  }
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => samePart(x, b[i]));
}

/** Declarations by identity, lists item by item, maps (an allocator's identity table) entry by entry. */
function samePart(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (Array.isArray(x) && Array.isArray(y)) {
    if (x.length !== y.length) return false;
    // Indexed: a model's thousands of declarations, compared while the code is cold.
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (x instanceof Map && y instanceof Map) {
    if (x.size !== y.size) return false;
    for (const [k, v] of x) if (y.get(k) !== v) return false;
    return true;
  }
  return false;
}
