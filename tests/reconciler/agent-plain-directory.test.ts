import { afterEach, describe, expect, it } from 'vitest';
import { Agent, condition, realAgentDeps, type StatusStore } from '../../src/reconciler/agent/index.js';
import type { ReconcileOptions, ReconcileResult } from '../../src/reconciler/reconcile-node.js';
import { plan } from '../../src/reconciler/plan.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';
import { copyExampleRepo } from '../support/cli.js';

// `gitwire agent --repo DIR` with a plain directory (no .git), as the docs
// promise: the real source reads it as it is on disk; only the kernel is faked.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

describe('the agent on a plain directory', () => {
  it('compiles what is on disk and reports Ready', async () => {
    const repo = makeTempDir('gitwire-plain-');
    dirs.push(repo);
    copyExampleRepo(repo);
    const applied: ReconcileOptions[] = [];
    const reconcile = async (opts: ReconcileOptions): Promise<ReconcileResult> => {
      applied.push(opts);
      // The node already matches: plan the commit against itself.
      const desired = opts.compiled!.desired;
      const changes = plan(desired, desired, { from: 'live', kinds: ['ipcache'] });
      return { inputs: desired.inputs, changes, writes: 0, remaining: changes, warnings: [] };
    };
    const written: string[] = [];
    const store: StatusStore = {
      name: 'memory',
      write: async (s) => void written.push(condition(s, 'Ready')?.reason ?? ''),
      read: async () => null,
      close: async () => {},
    };
    const agent = new Agent({
      repo,
      node: 'node-1',
      intervalMs: 60_000,
      stores: [store],
      deps: { ...realAgentDeps, reconcile, openLiveNode: () => null },
      log: () => {},
    });
    await agent.reconcileNow();
    await agent.stop();
    expect(applied).toHaveLength(1);
    expect(applied[0]!.compiled?.desired.resources.endpoint.length).toBeGreaterThan(0);
    expect(written.at(-1)).toBe('ReconciliationSucceeded');
  });
});
