import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import { realAgentDeps } from '../../src/reconciler/agent/agent-deps.js';
import type { ReconcileOptions } from '../../src/reconciler/reconcile-node.js';
import { clusterYaml, endpointYaml, TestNode } from '../support/node-fixture.js';

// The agent's passes share one loaded BPF object: the verifier runs once, not
// on every pass, for as long as the node's pinned maps are the ones loaded.

const node = new TestNode('gwkn');
const opts = (): ReconcileOptions => ({
  repo: node.configDir,
  node: node.name,
  nodeNs: node.netns,
  bpffsRoot: node.bpffsRoot,
});

afterAll(() => {
  realAgentDeps.release();
  vi.restoreAllMocks();
  node.cleanup();
});

describe("the agent's node across passes", () => {
  it('is loaded once and reused while its pins are intact, and loaded again when they are replaced', async () => {
    node.writeConfig({
      'cluster.yaml': clusterYaml(node),
      'ship.yaml': endpointYaml(node, 'deathstar-1', '10.0.1.10', { class: 'deathstar' }),
    });
    const opened = vi.spyOn(NodeDatapath, 'open');
    const first = await realAgentDeps.reconcile(opts());
    expect(first.writes).toBeGreaterThan(0);
    expect(first.remaining?.changes).toEqual([]);
    for (let i = 0; i < 2; i++) {
      const again = await realAgentDeps.reconcile(opts());
      expect(again.changes.changes).toEqual([]);
      expect(again.writes).toBe(0);
    }
    expect(opened).toHaveBeenCalledTimes(1);

    // Someone removes the node's pinned maps: the kept object no longer is the node's.
    rmSync(join(node.bpffsRoot, node.name, 'maps'), { recursive: true, force: true });
    const after = await realAgentDeps.reconcile(opts());
    expect(opened).toHaveBeenCalledTimes(2);
    expect(after.remaining?.changes).toEqual([]);
  });
});
