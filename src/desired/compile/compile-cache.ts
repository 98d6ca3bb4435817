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

  /** @internal The value of `slot` when `inputs` match the last ones (arrays item by item), else compute() stored. */
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

  private evictNodes(): void {
    const perNode = [...this.slots.keys()].filter((k) => k.startsWith('node:'));
    for (const key of perNode.slice(0, Math.max(0, perNode.length - this.nodes))) this.slots.delete(key);
  }
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}
