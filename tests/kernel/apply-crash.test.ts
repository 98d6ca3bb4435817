import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDatapath } from '../../src/datapath/index.js';
import { BpfObject } from '../../src/datapath/libbpf/index.js';
import { GITWIRE_ROUTE_PROTO, GITWIRE_ROUTE_PROTO_ANY_DEV } from '../../src/datapath/net/index.js';
import { ENDPOINT_OBJECT, pinLayout } from '../../src/datapath/programs/index.js';
import { compile, endpointNetnsPrefix, type DesiredState } from '../../src/desired/index.js';
import { loadRevision } from '../../src/reconciler/load-revision.js';
import { reconcileNode } from '../../src/reconciler/reconcile-node.js';
import { makeRepo } from '../support/git-fixtures.js';
import { run } from '../support/netns.js';
import { clusterYaml, endpointYaml, TestNode } from '../support/node-fixture.js';
import { mulberry32 } from '../support/seeded-random.js';

// `gitwire apply` killed with SIGKILL at random points while it switches a
// node between two commits that differ in endpoints and policies; one clean
// apply afterwards must converge exactly, leaving nothing orphaned.

const ROOT = new URL('../..', import.meta.url).pathname;
// Generous: with eight suites sharing two cores (load 17 seen), one apply took 25 s.
const SETUP_TIMEOUT_MS = 600_000;
const RUN_TIMEOUT_MS = 1_800_000;
/** Applies that must be killed part-way. */
const KILLS = 15;
/** A run can end before its kill point (the machine got faster): give up after this many runs. */
const MAX_RUNS = 3 * KILLS;
const node = new TestNode('gwk');
let revs: { a: string; b: string };
/**
 * Milliseconds the CLI takes to start, and to switch the node between the
 * commits. Measured warm; the window then follows the last apply that ran to
 * its end, up or down: on a shared machine the speed changes during the test,
 * and kill points drawn from a stale window miss the work (or the whole run).
 */
let startup = 0;
let window = 0;
/** The apply running now, so that a timed-out test kills it before cleaning up the node under it. */
let inFlight: Promise<CliRun> | undefined;
let inFlightGroup: number | undefined;

const endpoints = (names: readonly number[]) =>
  names
    .map((i) => endpointYaml(node, `ep${i}`, `10.0.1.${10 + i}`, { role: i % 2 === 0 ? 'web' : 'db' }))
    .join('---\n');

const cnp = (name: string, spec: string) =>
  `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n${spec}`;

const webFromDb = cnp(
  'web-from-db',
  `  endpointSelector: {matchLabels: {role: web}}
  ingress:
    - fromEndpoints: [{matchLabels: {role: db}}]
      toPorts: [{ports: [{port: "80", protocol: TCP}, {port: "8000", endPort: 8100, protocol: TCP}]}]
    - fromCIDRSet: [{cidr: 198.51.100.0/24, except: [198.51.100.128/25]}]
`,
);
const dbFromWeb = cnp(
  'db-from-web',
  `  endpointSelector: {matchLabels: {role: db}}
  ingress:
    - fromEndpoints: [{matchLabels: {role: web}}]
      toPorts: [{ports: [{port: "5432", protocol: TCP}, {port: "9000", endPort: 9999, protocol: TCP}]}]
  ingressDeny:
    - fromEntities: [world]
  egress:
    - toCIDR: [203.0.113.0/24]
`,
);

/** Runs `gitwire apply` at a revision; with `killAfterMs`, SIGKILLs its whole process group then. */
function applyCli(rev: string, killAfterMs?: number): Promise<CliRun> {
  const args = ['apply', '--repo', node.configDir, '--rev', rev, '--node', node.name];
  return cli([...args, '--netns', node.netns, '--bpffs-root', node.bpffsRoot], killAfterMs);
}

interface CliRun {
  readonly code: number | null;
  readonly killed: boolean;
  readonly stderr: string;
}

function cli(cliArgs: readonly string[], killAfterMs?: number): Promise<CliRun> {
  const args = ['--import', 'tsx', join(ROOT, 'tests/support/run-cli.ts'), ...cliArgs];
  // Its own process group, so a kill takes the iproute2 processes it runs with it, as a crashed agent's cgroup would.
  const child = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  inFlightGroup = child.pid;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let killed = false;
  const timer =
    killAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          if (child.exitCode !== null) return;
          try {
            process.kill(-child.pid!, 'SIGKILL');
            killed = true;
          } catch {
            // it exited between the check and the kill
          }
        }, killAfterMs);
  inFlight = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      inFlightGroup = undefined;
      resolve({ code, killed, stderr });
    });
  });
  return inFlight;
}

async function desiredAt(rev: string): Promise<DesiredState> {
  const loaded = await loadRevision(node.configDir, { rev });
  return compile(loaded.model, node.name);
}

beforeAll(async () => {
  // Commit b adds a service CIDR: switching makes and removes the host pair (gw_host, gw_net), its
  // route and program, and the node-device programs on the device holding the node's address.
  run('ip', ['-n', node.netns, 'link', 'add', 'hcup0', 'type', 'veth', 'peer', 'name', 'hcup1']);
  run('ip', ['-n', node.netns, 'addr', 'add', '192.0.2.1/24', 'dev', 'hcup0']);
  run('ip', ['-n', node.netns, 'link', 'set', 'hcup0', 'up']);
  const [a, b] = makeRepo(node.configDir, [
    { 'cluster.yaml': clusterYaml(node), 'endpoints.yaml': endpoints([1, 2, 3, 4, 5, 6]), 'web.yaml': webFromDb },
    {
      'cluster.yaml': clusterYaml(node, '  serviceCIDR: 10.96.0.0/12\n'),
      'endpoints.yaml': endpoints([4, 5, 6, 7, 8, 9]),
      'web.yaml': null,
      'db.yaml': dbFromWeb,
    },
  ]) as [string, string];
  revs = { a, b };
  // The first start on a fresh clone also fills tsx's cache: the start-up is the faster of two.
  startup = Infinity;
  for (let i = 0; i < 2; i++) {
    const t0 = Date.now();
    expect((await cli(['--help'])).code).toBe(0);
    startup = Math.min(startup, Date.now() - t0);
  }
  expect((await applyCli(a)).code).toBe(0);
  // A switch between the commits, the shorter of the two ways: most kills then land before it ends.
  window = Infinity;
  for (const rev of [b, a]) {
    const started = Date.now();
    const r = await applyCli(rev);
    expect(r.code, r.stderr).toBe(0);
    window = Math.min(window, Date.now() - started);
  }
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  if (inFlightGroup !== undefined) {
    try {
      process.kill(-inFlightGroup, 'SIGKILL');
    } catch {
      // it exited meanwhile
    }
    await inFlight?.catch(() => undefined);
  }
  node.cleanup();
});

describe('gitwire apply killed with SIGKILL at random points', () => {
  it('converges on the next clean apply, with nothing orphaned', { timeout: RUN_TIMEOUT_MS }, async () => {
    const seed = Number(process.env.GITWIRE_CRASH_SEED ?? Date.now() % 1_000_000);
    const random = mulberry32(seed);
    const runs: string[] = [];
    const failures: string[] = [];
    let kills = 0;
    for (let i = 0; kills < KILLS && i < MAX_RUNS; i++) {
      const rev = i % 2 === 0 ? revs.b : revs.a;
      // Kills spread over the work after start-up, or over its last fifth when start-up takes longer now.
      const from = Math.min(startup, 0.8 * window);
      const delay = Math.floor(from + random() * (window - from));
      const started = Date.now();
      const r = await applyCli(rev, delay);
      runs.push(`${delay}ms:${r.killed ? 'killed' : `exit ${r.code}`}`);
      if (r.killed) kills++;
      else if (r.code === 0) window = Date.now() - started;
      // Every apply that was not killed runs after a killed one: it must succeed.
      else failures.push(`run ${i} (${rev.slice(0, 7)}, kill at ${delay}ms): ${r.stderr.trim()}`);
    }
    const context = `seed ${seed}, start-up ${startup} ms, window ${window} ms, runs ${runs.join(' ')}`;
    expect(failures, context).toEqual([]);
    expect(kills, context).toBe(KILLS);

    const final = await applyCli(revs.b);
    expect(final.code, `${context}\n${final.stderr}`).toBe(0);
    const dry = await reconcileNode({
      repo: node.configDir,
      source: { rev: revs.b },
      node: node.name,
      nodeNs: node.netns,
      bpffsRoot: node.bpffsRoot,
      dryRun: true,
    });
    expect(dry.changes.changes, context).toEqual([]);

    const desired = await desiredAt(revs.b);
    expect(liveLeftovers(), context).toEqual(expectedLeftovers(desired));
    expect(await bpfEntries(), context).toEqual(desiredBpfEntries(desired));
  });

  it.each([
    ['after marking its veth', true],
    ['before marking its veth', false],
  ])('removes in one apply an endpoint namespace a crash left %s', async (_when, vethMarked) => {
    // What a kill part-way through plumbing an endpoint of commit a leaves:
    // its namespace (lo) not marked yet, its veth marked or not.
    expect((await applyCli(revs.b)).code).toBe(0);
    const link = (await desiredAt(revs.a)).resources.link.find((l) => /_ep1$/.test(l.value.peerNetns ?? ''))!.value;
    run('ip', ['netns', 'add', link.peerNetns!]);
    run('ip', ['-n', node.netns, 'link', 'add', link.name, 'type', 'veth', 'peer', 'name', link.peerName!]);
    run('ip', ['-n', node.netns, 'link', 'set', link.peerName!, 'netns', link.peerNetns!]);
    if (vethMarked) run('ip', ['-n', node.netns, 'link', 'set', 'dev', link.name, 'alias', `gitwire:${node.name}`]);

    const r = await applyCli(revs.b);
    expect(r.code, r.stderr).toBe(0);
    expect(liveLeftovers()).toEqual(expectedLeftovers(await desiredAt(revs.b)));
  });

  it('removes in one apply a namespace a crash left marked, after its veth was pruned', async () => {
    // A kill between marking an endpoint's namespace and marking the endpoint
    // itself; the next apply at a commit without it prunes the veth.
    expect((await applyCli(revs.b)).code).toBe(0);
    const ns = (await desiredAt(revs.a)).resources.endpoint.find((e) => /_ep1$/.test(e.value.netns))!.value.netns;
    run('ip', ['netns', 'add', ns]);
    run('ip', ['-n', ns, 'link', 'set', 'dev', 'lo', 'up', 'alias', `gitwire:${node.name}`]);

    const r = await applyCli(revs.b);
    expect(r.code, r.stderr).toBe(0);
    expect(liveLeftovers()).toEqual(expectedLeftovers(await desiredAt(revs.b)));
  });

  it('recovers in one apply from a namespace file a kill inside `ip netns add` left unmounted', async () => {
    expect((await applyCli(revs.b)).code).toBe(0);
    const ns = (await desiredAt(revs.a)).resources.endpoint.find((e) => /_ep1$/.test(e.value.netns))!.value.netns;
    // The file exists but holds no namespace: `ip netns add` of the name fails, `ip -n` into it too.
    writeFileSync(`/run/netns/${ns}`, '');
    const undeclared = await applyCli(revs.b);
    expect(undeclared.code, undeclared.stderr).toBe(0);
    expect(liveLeftovers()).toEqual(expectedLeftovers(await desiredAt(revs.b)));

    writeFileSync(`/run/netns/${ns}`, '');
    const declared = await applyCli(revs.a);
    expect(declared.code, declared.stderr).toBe(0);
    expect(liveLeftovers()).toEqual(expectedLeftovers(await desiredAt(revs.a)));
  });

  it.each([
    ['made but marked on neither end', ['gw_host', 'gw_net'], []],
    ['marked on gw_host only, gw_net down', ['gw_host', 'gw_net'], ['gw_host']],
    ['marked on gw_net only', ['gw_host', 'gw_net'], ['gw_net']],
    ['made with ARP, gw_host marked', ['gw_host', 'arp', 'on', 'type', 'veth', 'peer', 'name', 'gw_net'], ['gw_host']],
  ])('finishes or replaces in one apply a host pair a crash left %s', async (_state, made, marked) => {
    // From commit a (no service CIDR, so no pair), what a kill while making the pair can leave.
    expect((await applyCli(revs.a)).code).toBe(0);
    const pair = (await desiredAt(revs.b)).resources.link.find((l) => l.key === 'gw_host')!.value;
    const add =
      made.length === 2 ? ['gw_host', 'mtu', String(pair.mtu), 'type', 'veth', 'peer', 'name', 'gw_net'] : made;
    run('ip', ['-n', node.netns, 'link', 'add', ...add]);
    for (const dev of marked)
      run('ip', ['-n', node.netns, 'link', 'set', 'dev', dev, 'alias', `gitwire:${node.name}`, 'up']);

    const r = await applyCli(revs.b);
    expect(r.code, r.stderr).toBe(0);
    expect(liveLeftovers()).toEqual(expectedLeftovers(await desiredAt(revs.b)));
    expect(hostPair()).toEqual({ gw_host: true, gw_net: true });
    expect(await pendingChanges(revs.b)).toEqual([]);
  });

  it('finishes in place a host pair whose route was made, with gw_net left unmarked and ARPing', async () => {
    // Only the in-place path keeps the route: replacing the pair would take the route with it, and one apply would not converge.
    expect((await applyCli(revs.b)).code).toBe(0);
    run('ip', ['-n', node.netns, 'link', 'set', 'dev', 'gw_net', 'alias', '', 'arp', 'on']);
    expect(await pendingChanges(revs.b)).not.toEqual([]);

    const r = await applyCli(revs.b);
    expect(r.code, r.stderr).toBe(0);
    expect(liveLeftovers()).toEqual(expectedLeftovers(await desiredAt(revs.b)));
    expect(hostPair()).toEqual({ gw_host: true, gw_net: true });
  });

  it('removes in one apply a host pair a crash left unmarked when the commit has no service CIDR', async () => {
    // A kill after `link add` on the way to commit b, then commit a: the marked end (if any) is pruned with its peer.
    expect((await applyCli(revs.a)).code).toBe(0);
    run('ip', ['-n', node.netns, 'link', 'add', 'gw_host', 'type', 'veth', 'peer', 'name', 'gw_net']);
    run('ip', ['-n', node.netns, 'link', 'set', 'dev', 'gw_net', 'alias', `gitwire:${node.name}`]);

    const r = await applyCli(revs.a);
    expect(r.code, r.stderr).toBe(0);
    expect(liveLeftovers()).toEqual(expectedLeftovers(await desiredAt(revs.a)));
    expect(hostPair()).toEqual({});
  });

  it('removes in one apply a link pin a crash left after detaching it', async () => {
    // What a kill between detaching a program and unpinning its link leaves: a pin attached to nothing.
    expect((await applyCli(revs.b)).code).toBe(0);
    run('ip', ['-n', node.netns, 'link', 'add', 'gwdead0', 'type', 'veth', 'peer', 'name', 'gwdead1']);
    const live = NodeDatapath.open({ node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot });
    try {
      live.datapath.attach('gwdead0', node.netns, ['ingress']);
    } finally {
      live.close();
    }
    run('ip', ['-n', node.netns, 'link', 'del', 'gwdead0']);
    expect(liveLeftovers().linkPins).toContain('gwdead0_ingress');

    const r = await applyCli(revs.b);
    expect(r.code, r.stderr).toBe(0);
    expect(liveLeftovers()).toEqual(expectedLeftovers(await desiredAt(revs.b)));
  });
});

interface Leftovers {
  readonly netns: string[];
  readonly links: string[];
  readonly routes: string[];
  readonly mapPins: string[];
  readonly linkPins: string[];
}

/** Everything on the machine that carries the node's name or mark, read without gitwire's own observe. */
function liveLeftovers(): Leftovers {
  const netns = run('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(endpointNetnsPrefix(node.name)));
  const links = (
    JSON.parse(run('ip', ['-n', node.netns, '-j', 'link', 'show'])) as { ifname: string; ifalias?: string }[]
  )
    .filter((l) => l.ifalias === `gitwire:${node.name}`)
    .map((l) => l.ifname);
  const routes = [GITWIRE_ROUTE_PROTO, GITWIRE_ROUTE_PROTO_ANY_DEV].flatMap((proto) =>
    (JSON.parse(run('ip', ['-n', node.netns, '-j', 'route', 'show', 'proto', String(proto)])) as { dst: string }[]).map(
      (r) => r.dst,
    ),
  );
  const pins = pinLayout(node.name, node.bpffsRoot);
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  return {
    netns: netns.sort(),
    links: links.sort(),
    routes: routes.sort(),
    mapPins: list(pins.mapsDir).sort(),
    linkPins: list(pins.linksDir).sort(),
  };
}

/** For each end of the host pair present: finished (marked, up, no ARP) or not. */
function hostPair(): Record<string, boolean> {
  const links = JSON.parse(run('ip', ['-n', node.netns, '-j', 'link', 'show'])) as {
    ifname: string;
    ifalias?: string;
    flags: string[];
  }[];
  const ends = links.filter((l) => l.ifname === 'gw_host' || l.ifname === 'gw_net');
  return Object.fromEntries(
    ends.map((l) => [
      l.ifname,
      l.ifalias === `gitwire:${node.name}` && l.flags.includes('UP') && l.flags.includes('NOARP'),
    ]),
  );
}

/** What a dry run at a revision would still change on the node. */
async function pendingChanges(rev: string): Promise<unknown[]> {
  const dry = await reconcileNode({
    repo: node.configDir,
    source: { rev },
    node: node.name,
    nodeNs: node.netns,
    bpffsRoot: node.bpffsRoot,
    dryRun: true,
  });
  return dry.changes.changes.map((c) => `${c.resource} ${c.action} ${c.key}`);
}

function expectedLeftovers(desired: DesiredState): Leftovers {
  const r = desired.resources;
  // A pair with both ends in the node's namespace is one entry; both ends carry the mark.
  const pairPeers = r.link.flatMap((e) => (e.value.peerNetns === null && e.value.peerName ? [e.value.peerName] : []));
  return {
    netns: r.endpoint.map((e) => e.value.netns).sort(),
    links: [...r.link.map((e) => e.value.name), ...pairPeers].sort(),
    routes: r.route.map((e) => e.value.prefix.replace(/\/32$/, '')).sort(),
    mapPins: objectMaps(),
    linkPins: r.program.map((e) => `${e.value.ifName}_${e.value.hook}`).sort(),
  };
}

/** The node pins every map of the endpoint object (internal maps such as .rodata have a dot and are not pinned), whatever the commit. */
function objectMaps(): string[] {
  const object = BpfObject.load({ file: ENDPOINT_OBJECT });
  try {
    return [...object.maps.keys()].filter((name) => !name.includes('.')).sort();
  } finally {
    object.close();
  }
}

/** Keys of every BPF map entry and attachment the node holds, per kind. */
async function bpfEntries(): Promise<Record<string, string[]>> {
  const live = NodeDatapath.open({ node: node.name, nodeNs: node.netns, bpffsRoot: node.bpffsRoot });
  try {
    const out: Record<string, string[]> = {};
    for (const kind of ['ipcache', 'lxc', 'policy', 'program'] as const) {
      out[kind] = (await live.drivers[kind].observe()).map((e) => e.key).sort();
    }
    out.attachedLinks = live.datapath
      .attachments()
      .filter((a) => a.ifindex !== 0)
      .map((a) => `${a.ifName}_${a.hook}`)
      .sort();
    return out;
  } finally {
    live.close();
  }
}

function desiredBpfEntries(desired: DesiredState): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const kind of ['ipcache', 'lxc', 'policy', 'program'] as const) {
    out[kind] = desired.resources[kind].map((e) => e.key).sort();
  }
  out.attachedLinks = desired.resources.program.map((e) => `${e.value.ifName}_${e.value.hook}`).sort();
  return out;
}
