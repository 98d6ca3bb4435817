import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import type { DesiredState } from '../../src/desired/index.js';
import { DRIVEN_KINDS } from '../../src/desired/kinds/index.js';
import { compileRevision, reconcileNode } from '../../src/reconciler/reconcile-node.js';
import { plan } from '../../src/reconciler/plan.js';
import type { ChangeSet } from '../../src/reconciler/change-set.js';
import { run } from '../support/netns.js';
import { deathstarNodeConfig, deathstarPeersYaml, deathstarServiceYaml, TestNode } from '../support/node-fixture.js';

// Observing against the desired state compares raw map bytes with the desired
// entries' and decodes only what differs. Whatever the kernel holds, the plan
// must be the one the full decode gives: each test changes the maps behind
// gitwire's back and plans both ways.

const node = new TestNode('gwr5');
let kept: NodeDatapath;
let desired: DesiredState;
const opts = { from: 'live', kinds: DRIVEN_KINDS };
const RAW_KINDS = ['ipcache', 'policy', 'lxc', 'backend', 'revnat'] as const;

const service = deathstarServiceYaml();

const policy = deathstarPeersYaml([80, 443]);

const pass = () => reconcileNode({ ...node.reconcileTarget, datapath: kept });

/** The plan from a full decode and the plan from the raw compare; the test expects them equal. */
async function bothWays(): Promise<{ full: ChangeSet; raw: ChangeSet }> {
  const full = plan(desired, await kept.observe(), opts);
  const raw = plan(desired, await kept.observe({ against: desired }), opts);
  return { full, raw };
}

const summary = (c: ChangeSet) => c.changes.map((x) => `${x.action} ${x.resource} ${x.key}`);

beforeAll(async () => {
  node.addOutside('out', { '192.0.2.0/24': ['192.0.2.100'] });
  node.writeConfig(deathstarNodeConfig(node, service, policy));
  desired = (await compileRevision(node.configDir, undefined, node.name)).desired;
  kept = NodeDatapath.open({ node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot });
  const first = await pass();
  expect(first.remaining?.changes).toEqual([]);
});

afterAll(() => {
  kept?.close();
  node.cleanup();
});

describe('observing against the desired state', () => {
  it('reads a converged node as the desired lists themselves, which plan to nothing', async () => {
    for (const kind of RAW_KINDS) expect(desired.resources[kind].length).toBeGreaterThan(0);
    const observed = await kept.observe({ against: desired });
    for (const kind of RAW_KINDS) expect(observed.resources[kind], kind).toBe(desired.resources[kind]);
    expect(plan(desired, observed, opts).changes).toEqual([]);
  });

  it('plans changed value bytes, extra and missing entries, a deleted veth and a stale ifindex as the full decode does, then reads the repaired node as desired', async () => {
    const dp = kept.datapath;
    // A policy entry's verdict rewritten to deny, and a revnat entry's port moved.
    const [pk, pv] = dp.policy.dump()[0]!;
    dp.policy.map.update(dp.policy.keyCodec.encode(pk), dp.policy.valueCodec.encode({ ...pv, verdict: 'deny' }));
    const [rk, rv] = dp.revnat.dump()[0]!;
    dp.revnat.map.update(dp.revnat.keyCodec.encode(rk), dp.revnat.valueCodec.encode({ ...rv, port: rv.port + 1 }));
    // An ipcache prefix nobody declared, and a declared one gone.
    const extra = { identity: 4242, tunnelEndpoint: null };
    dp.ipcache.map.update(dp.ipcache.keyCodec.encode('10.99.0.0/16'), dp.ipcache.valueCodec.encode(extra));
    const gone = desired.resources.ipcache[0]!.value.prefix;
    dp.ipcache.map.delete(dp.ipcache.keyCodec.encode(gone));
    // A backend deleted. An endpoint's host veth deleted (apply recreates it, with a new ifindex), and
    // another's lxc entry pointed at ifindex 1 (lo): both lxc entries name a device that is not their veth.
    const backend = desired.resources.backend[0]!.value;
    dp.backends.map.delete(dp.backends.keyCodec.encode(backend.id));
    const [lxc, moved] = desired.resources.lxc.map((e) => e.value);
    run('ip', ['-n', node.netns, 'link', 'del', lxc!.ifName]);
    const movedValue = dp.endpoints.get(moved!.address)!;
    dp.endpoints.map.update(
      dp.endpoints.keyCodec.encode(moved!.address),
      dp.endpoints.valueCodec.encode({ ...movedValue, ifindex: 1 }),
    );

    const { full, raw } = await bothWays();
    expect(raw).toEqual(full);
    expect(summary(raw)).toEqual(
      expect.arrayContaining([
        `update lxc ${lxc!.address}`,
        `update lxc ${moved!.address}`,
        `create ipcache ${gone}`,
        'delete ipcache 10.99.0.0/16',
        `create backend ${backend.id}`,
        `update revnat ${rk}`,
      ]),
    );
    expect(raw.changes.filter((c) => c.resource === 'policy').map((c) => c.action)).toEqual(['update']);

    const repaired = await pass();
    expect(repaired.remaining?.changes).toEqual([]);
    const after = await kept.observe({ against: desired });
    for (const kind of RAW_KINDS) expect(after.resources[kind], kind).toBe(desired.resources[kind]);
  });

  it('reads bytes the decode ignores (a value pad byte) as no change, like the full decode', async () => {
    const dp = kept.datapath;
    const [pk, pv] = dp.policy.dump()[0]!;
    const value = dp.policy.valueCodec.encode(pv);
    value[dp.policy.valueCodec.offsets['pad0']!] = 0xff;
    dp.policy.map.update(dp.policy.keyCodec.encode(pk), value);

    const observed = await kept.observe({ against: desired });
    expect(observed.resources.policy).not.toBe(desired.resources.policy);
    const { full, raw } = await bothWays();
    expect(raw).toEqual(full);
    expect(raw.changes).toEqual([]);
  });
});
