import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EtcdStatusStore,
  FileStatusStore,
  initialStatus,
  markFailed,
  markReady,
  type NodeStatus,
} from '../../src/reconciler/agent/index.js';
import { gitwire } from '../support/cli.js';
import { startEtcd, type EtcdServer } from '../support/etcd-server.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';

// `gitwire status` as a user runs it, reading what agents wrote to a state
// file or to a real etcd.

const A = 'a'.repeat(40);
const now = new Date('2025-01-01T00:00:00Z');
const ready = (node: string): NodeStatus =>
  markReady(
    initialStatus(node, 'https://git.test/cfg.git', 'main', now),
    {
      at: now.toISOString(),
      revision: A,
      durationMs: 5,
      changes: 2,
      writes: 2,
    },
    now,
  );
const stalled = (node: string): NodeStatus =>
  markFailed(
    ready(node),
    {
      error: { code: 'E_VALIDATION', message: 'rule1.yaml:9: spec.ingress: bad' },
      step: 'load',
      kind: 'stalled',
      revision: 'b'.repeat(40),
    },
    now,
  );

let etcd: EtcdServer;
let dir: string;
beforeAll(async () => {
  etcd = await startEtcd();
  dir = makeTempDir('gitwire-status-cli-');
});
afterAll(async () => {
  await etcd?.stop();
  removeDir(dir);
});

describe('gitwire status', () => {
  it('exits 0 and prints Ready for a ready node, from its state file', async () => {
    await new FileStatusStore(dir).write(ready('n1'));
    const r = await gitwire(['status', '--node', 'n1', '--state-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Node n1: Ready');
    expect(r.stdout).toContain(`applied:    ${A.slice(0, 12)}`);
  });

  it('exits 2 when the node never reported', async () => {
    const r = await gitwire(['status', '--node', 'nobody', '--state-dir', `${dir}/nobody`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no status found for node nobody');
  });

  it('reads every node from etcd: exit 1 when one is stalled, JSON with each status', async () => {
    const store = new EtcdStatusStore([etcd.endpoint]);
    try {
      await store.write(ready('n1'));
      await store.write(stalled('n2'));
    } finally {
      await store.close();
    }
    const r = await gitwire(['status', '--all-nodes', '--etcd-endpoints', etcd.endpoint, '--output', 'json']);
    expect(r.status).toBe(1);
    const parsed = JSON.parse(r.stdout) as NodeStatus[];
    expect(parsed.map((s) => s.node)).toEqual(['n1', 'n2']);
    expect(parsed[1]!.lastError).toMatchObject({ code: 'E_VALIDATION', kind: 'stalled' });
    expect(parsed[1]!.lastAppliedRevision).toBe(A);
    expect(parsed.map((s) => (s as NodeStatus & { agentAlive: boolean }).agentAlive)).toEqual([false, false]);

    const table = await gitwire(['status', '--all-nodes', '--etcd-endpoints', etcd.endpoint]);
    expect(table.stdout.split('\n')[0]).toMatch(/^NODE +STATUS +AGENT +APPLIED/);
    expect(table.stdout).toMatch(/^n2 +Stalled +gone .*stalled E_VALIDATION at load$/m);

    const one = await gitwire(['status', '--node', 'n1', '--etcd-endpoints', etcd.endpoint]);
    expect(one.status).toBe(0);
    expect(one.stdout).toContain('Node n1: Ready');
  });
});
