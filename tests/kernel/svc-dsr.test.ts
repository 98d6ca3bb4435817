import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAll, readRepository, validateTree, type EndpointValue } from '../../src/desired/index.js';
import { EndpointDatapath, pinLayout } from '../../src/datapath/programs/index.js';
import { git } from '../../src/reconciler/cluster/local/cluster-repo.js';
import { LocalCluster, whoAnswers } from '../../src/reconciler/cluster/local/index.js';
import { echoEndpointYaml, echoRepoCopy, echoServiceYaml } from '../support/echo-service.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';
import { ipIn, ipJson, sh } from '../support/net-fixtures.js';

// NodePort in DSR mode on a local cluster, over VXLAN and over native
// routing: the client outside (on the underlay) connects to node-1, whose
// only backends live on node-2 and node-3. The backend must see the client's
// own address, and its reply must reach the client straight from the
// backend's node, not through node-1. Names carry this run's id and the
// routing mode: pins and namespaces are shared with other runs.
const RUN = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const OUTSIDE_ADDR = '192.168.50.201';
const NODE_PORT = 30091;
const EXTERNAL_IP = '203.0.113.51';

function repoCopy(node: string, routingMode: string): string {
  const service = echoServiceYaml({ nodePort: NODE_PORT, externalIP: EXTERNAL_IP, loadBalancerMode: 'dsr' });
  return echoRepoCopy(
    node,
    service,
    [echoEndpointYaml('echo-2', 2, '10.0.2.51'), echoEndpointYaml('echo-3', 3, '10.0.3.51')],
    (dir) => {
      const cluster = join(dir, 'cluster.yaml');
      writeFileSync(cluster, readFileSync(cluster, 'utf8').replace(/routingMode: \w+/, `routingMode: ${routingMode}`));
    },
  );
}

/** A TCP server in `netns` answering each connection with its name and the peer address it sees. */
async function servePeer(netns: string, name: string): Promise<ChildProcess> {
  const script = `require('net').createServer(s=>{s.end(${JSON.stringify(name)}+' '+s.remoteAddress+'\\n');s.on('error',()=>{})}).listen(80,'0.0.0.0',()=>console.log('ready'))`;
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', script], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`server ${name} in ${netns} exited with ${code}`)));
  });
  return child;
}

/** Per frontend (NodePort, then ExternalIP): packets from it the outside received with node-1's MAC, and with another node's. */
async function replyCounters(outside: string): Promise<{ viaLb: number; direct: number }[]> {
  const out = await sh('ip', 'netns', 'exec', outside, 'nft', 'list', 'table', 'netdev', 'hcdsr');
  const n = [...out.matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
  return [
    { viaLb: n[0]!, direct: n[1]! },
    { viaLb: n[2]!, direct: n[3]! },
  ];
}

describe.each(['tunnel', 'native'])('NodePort with direct server return, %s routing', (routingMode) => {
  const NODE = `hc${routingMode[0]}${RUN}`;
  const OUTSIDE_NS = `hcx${routingMode[0]}-${RUN}`;
  const repo = repoCopy(NODE, routingMode);
  const stateRoot = makeTempDir('gitwire-svc-dsr-');
  const servers: ChildProcess[] = [];
  let cluster: LocalCluster | null = null;
  const eps = new Map<string, EndpointValue>();

  beforeAll(async () => {
    cluster = await LocalCluster.up({ name: `hd${routingMode[0]}${RUN}`, repo, stateRoot, interval: '1s' });
    await cluster.waitConverged(git(cluster.layout.workTree, 'rev-parse', 'HEAD'));
    const { model } = validateTree(await readRepository(cluster.layout.workTree));
    for (const [, state] of compileAll(model!))
      for (const e of state.resources.endpoint) if (e.value.namespace === 'echo') eps.set(e.value.name, e.value);
    for (const name of ['echo-2', 'echo-3']) servers.push(await servePeer(eps.get(name)!.netns, name));
    // The client: a namespace on the underlay bridge, with an address of the underlay subnet.
    const fabric = cluster.layout.fabricNetns;
    const [bridge] = await ipJson<{ ifname: string }[]>(fabric, 'link', 'show', 'type', 'bridge');
    await sh('ip', 'netns', 'add', OUTSIDE_NS);
    await ipIn(fabric, 'link', 'add', 'hcxout', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', OUTSIDE_NS);
    await ipIn(fabric, 'link', 'set', 'hcxout', 'master', bridge!.ifname, 'up');
    await ipIn(OUTSIDE_NS, 'addr', 'add', `${OUTSIDE_ADDR}/24`, 'dev', 'eth0');
    await ipIn(OUTSIDE_NS, 'link', 'set', 'eth0', 'up');
    await ipIn(OUTSIDE_NS, 'link', 'set', 'lo', 'up');
    // Counters on the client's device: replies from node-1's frontend, by the MAC of the node that sent them.
    const node1 = cluster.nodes[0]!;
    const addrs = await ipJson<{ address: string; addr_info: { local: string }[] }[]>(node1.netns, 'addr', 'show');
    const mac = addrs.find((l) => l.addr_info.some((a) => a.local === node1.address))!.address;
    const rules = [`ip saddr ${node1.address} tcp sport ${NODE_PORT}`, `ip saddr ${EXTERNAL_IP} tcp sport 80`]
      .map((m) => `  ${m} ether saddr ${mac} counter\n  ${m} ether saddr != ${mac} counter\n`)
      .join('');
    const table = `table netdev hcdsr {\n chain in {\n  type filter hook ingress device "eth0" priority 0;\n${rules} }\n}\n`;
    await new Promise<void>((resolve, reject) => {
      const nft = spawn('ip', ['netns', 'exec', OUTSIDE_NS, 'nft', '-f', '-'], {
        stdio: ['pipe', 'ignore', 'inherit'],
      });
      nft.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`nft exited with ${code}`))));
      nft.stdin.end(table);
    });
  }, 300_000);

  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await sh('ip', 'netns', 'del', OUTSIDE_NS).catch(() => undefined);
    await cluster?.down();
    removeDir(repo);
    removeDir(stateRoot);
  });

  it("reaches the backends on the other nodes, which see the client's address, and replies bypass node-1", async () => {
    const node1 = cluster!.nodes[0]!;
    const got: (string | null)[] = [];
    for (let i = 0; i < 12; i++) got.push(await whoAnswers(OUTSIDE_NS, node1.address, NODE_PORT));
    expect(got).not.toContain(null);
    expect(new Set(got)).toEqual(new Set([`echo-2 ${OUTSIDE_ADDR}`, `echo-3 ${OUTSIDE_ADDR}`]));

    // Every reply came from a backend's node with node-1's frontend as its source; none through node-1.
    const [counters] = await replyCounters(OUTSIDE_NS);
    expect(counters!.viaLb).toBe(0);
    expect(counters!.direct).toBeGreaterThan(0);

    // Node-1 translated without SNAT: it holds no way back to the client.
    const lb = EndpointDatapath.openPinned(pinLayout(node1.name, cluster!.layout.bpffsRoot))!;
    try {
      expect(lb.snat.dump().filter(([, v]) => v.address === OUTSIDE_ADDR)).toEqual([]);
    } finally {
      lb.close();
    }
    // The backends' nodes learnt the frontend from the IP option, keyed by the reply's tuple to the client.
    const learnt = cluster!.nodes.slice(1).flatMap((n) => {
      const dp = EndpointDatapath.openPinned(pinLayout(n.name, cluster!.layout.bpffsRoot))!;
      try {
        return dp.dsr.dump().filter(([k]) => k.daddr === OUTSIDE_ADDR);
      } finally {
        dp.close();
      }
    });
    expect(learnt.length).toBeGreaterThan(0);
    for (const [, v] of learnt) expect(v).toMatchObject({ address: node1.address, port: NODE_PORT });
  }, 120_000);

  it('ExternalIP routed through node-1: the same, the reply coming from the ExternalIP', async () => {
    const node1 = cluster!.nodes[0]!;
    await ipIn(OUTSIDE_NS, 'route', 'add', `${EXTERNAL_IP}/32`, 'via', node1.address);
    const got: (string | null)[] = [];
    for (let i = 0; i < 8; i++) got.push(await whoAnswers(OUTSIDE_NS, EXTERNAL_IP, 80));
    expect(got).not.toContain(null);
    expect(got.every((g) => g === `echo-2 ${OUTSIDE_ADDR}` || g === `echo-3 ${OUTSIDE_ADDR}`)).toBe(true);
    const [, counters] = await replyCounters(OUTSIDE_NS);
    expect(counters!.viaLb).toBe(0);
    expect(counters!.direct).toBeGreaterThan(0);
  }, 120_000);
});
