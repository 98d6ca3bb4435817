import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileNode, type ReconcileOptions } from '../../src/reconciler/reconcile-node.js';
import { renderText } from '../../src/reconciler/render/index.js';
import { execIn, makeVethPair, createNetns } from '../support/netns.js';
import { clusterYaml, starWarsL3L4, TestNode } from '../support/node-fixture.js';

// The Star Wars deathstar as a Service on one real node: gitwire compiles it
// from YAML, writes the load balancer's maps through reconcileNode, and real
// TCP connections from the tiefighter to the ClusterIP reach the backends.

const node = new TestNode('gwl');
const VIP = '10.96.0.10';
const EXTERNAL_IP = '203.0.113.10';
const NODE_ADDR = '192.0.2.1';
const OUTSIDE_ADDR = '192.0.2.100';
const NODE_PORT = 30080;
const processes: ChildProcess[] = [];
const outsideNs = node.endpointNetns('outside', 'net');
const opts = (): ReconcileOptions => ({
  repo: node.configDir,
  node: node.name,
  nodeNs: node.netns,
  bpffsRoot: node.bpffsRoot,
});

function endpoint(name: string, address: string, labels: Record<string, string>, port = 0): string {
  const l = Object.entries(labels)
    .map(([k, v]) => `    ${k}: ${v}\n`)
    .join('');
  const ports = port ? `  ports:\n    - name: http\n      containerPort: ${port}\n` : '';
  return `apiVersion: gitwire.io/v1alpha1
kind: Endpoint
metadata:
  name: ${name}
  namespace: default
  labels:
${l}spec:
  node: ${node.name}
  address: ${address}
${ports}`;
}

const DEATHSTAR = `apiVersion: gitwire.io/v1alpha1
kind: Service
metadata:
  name: deathstar
  namespace: default
spec:
  type: NodePort
  clusterIP: ${VIP}
  externalIPs: [${EXTERNAL_IP}]
  ports:
    - port: 80
      targetPort: http
      nodePort: ${NODE_PORT}
  selector:
    org: empire
    class: deathstar
`;

/** The repository: two deathstars behind the service (the second one optionally retired from it). */
function config(opts: { retireSecond?: boolean; policy?: boolean } = {}): Record<string, string> {
  return {
    'cluster.yaml': clusterYaml(node),
    'ships.yaml': [
      endpoint('deathstar-1', '10.0.1.10', { org: 'empire', class: 'deathstar' }, 80),
      endpoint('deathstar-2', '10.0.1.11', { org: 'empire', class: opts.retireSecond ? 'retired' : 'deathstar' }, 80),
      endpoint('tiefighter', '10.0.1.20', { org: 'empire', class: 'tiefighter' }),
      endpoint('xwing', '10.0.1.30', { org: 'alliance', class: 'xwing' }),
    ].join('---\n'),
    'deathstar-service.yaml': DEATHSTAR,
    ...(opts.policy ? { 'rule1.yaml': starWarsL3L4() } : {}),
  };
}

/** A server that greets each connection with its name and answers each line with `name:line`. */
async function serve(ship: string): Promise<void> {
  const script = `require('net').createServer(s=>{s.write('${ship}\\n');s.on('data',d=>s.write('${ship}:'+d));s.on('error',()=>{})}).listen(80,'0.0.0.0',()=>console.log('ready'))`;
  const child = spawn('ip', ['netns', 'exec', node.endpointNetns(ship), process.execPath, '-e', script]);
  processes.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`server in ${ship} exited with ${code}`)));
  });
}

/** Which backend answers one new connection from `netns` to address:port ('none' when nothing does). */
function whoAnswers(netns: string, address: string, port = 80): string {
  const script = `const s=require('net').connect(${port},'${address}');s.setTimeout(3000,()=>{console.log('none');process.exit()});s.on('data',d=>{console.log(String(d).trim());process.exit()});s.on('error',()=>{console.log('none');process.exit()})`;
  return execIn(netns, [process.execPath, '-e', script]).trim();
}

const tiefighter = () => node.endpointNetns('tiefighter');

beforeAll(async () => {
  createNetns(outsideNs);
  makeVethPair(
    { netns: node.netns, name: `gwl${process.pid % 100000}n`, addresses: [`${NODE_ADDR}/24`] },
    { netns: outsideNs, name: 'eth0', addresses: [`${OUTSIDE_ADDR}/24`] },
  );
  node.writeConfig(config());
  const first = await reconcileNode(opts());
  expect(first.remaining?.changes).toEqual([]);
  await serve('deathstar-1');
  await serve('deathstar-2');
});

afterAll(() => {
  for (const p of processes) p.kill('SIGKILL');
  node.cleanup();
});

describe('the deathstar service on a real node', () => {
  it('spreads connections from the tiefighter to the ClusterIP over both deathstars', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 24; i++) seen.add(whoAnswers(tiefighter(), VIP));
    expect([...seen].sort()).toEqual(['deathstar-1', 'deathstar-2']);
  });

  it('reaches the backends through the ExternalIP from an endpoint and the NodePort from outside the node', () => {
    expect(whoAnswers(tiefighter(), EXTERNAL_IP)).toMatch(/^deathstar-[12]$/);
    const outside = new Set<string>();
    for (let i = 0; i < 12; i++) outside.add(whoAnswers(outsideNs, NODE_ADDR, NODE_PORT));
    expect([...outside].sort()).toEqual(['deathstar-1', 'deathstar-2']);
  });

  it('applying the same commit again performs zero kernel writes, also after the agent restarts', async () => {
    const again = await reconcileNode(opts());
    expect(again.changes.changes).toEqual([]);
    expect(again.writes).toBe(0);
  });

  it('with one backend removed from git, sends every new connection to the other and lets existing ones finish', async () => {
    // Ten open connections; some land on deathstar-2, which then leaves the service.
    const script = `const net=require('net');const rl=require('readline').createInterface({input:process.stdin});const socks=[];const first=[];let n=0;
for(let i=0;i<10;i++){const s=net.connect(80,'${VIP}');socks.push(s);let buf='';s.on('data',d=>{buf+=d;const lines=buf.split('\\n');if(first[i]===undefined&&lines.length>1){first[i]=lines[0];if(++n===10)console.log(JSON.stringify(first))}else if(lines.length>2){s.answer=lines[1]}})}
rl.on('line',()=>{socks.forEach(s=>s.write('ping\\n'));setTimeout(()=>{console.log(JSON.stringify(socks.map(s=>s.answer??'none')));process.exit()},1000)})`;
    const client = spawn('ip', ['netns', 'exec', tiefighter(), process.execPath, '-e', script]);
    processes.push(client);
    const lines = createInterface({ input: client.stdout })[Symbol.asyncIterator]();
    const first = JSON.parse((await lines.next()).value as string) as string[];
    expect(first).toContain('deathstar-2');

    node.writeConfig(config({ retireSecond: true }));
    const r = await reconcileNode(opts());
    expect(renderText(r.changes)).toContain(`~ service default/deathstar ${VIP}:80/TCP  backends -10.0.1.11:80`);
    expect(r.remaining?.changes).toEqual([]);

    client.stdin.write('go\n');
    const answers = JSON.parse((await lines.next()).value as string) as string[];
    expect(answers).toEqual(first.map((ship) => `${ship}:ping`));
    for (let i = 0; i < 12; i++) expect(whoAnswers(tiefighter(), VIP)).toBe('deathstar-1');
  });

  it('applies the deathstar policy to translated traffic: the tiefighter lands, the xwing does not', async () => {
    node.writeConfig(config({ retireSecond: true, policy: true }));
    const r = await reconcileNode(opts());
    expect(r.remaining?.changes).toEqual([]);
    expect(whoAnswers(tiefighter(), VIP)).toBe('deathstar-1');
    expect(whoAnswers(node.endpointNetns('xwing'), VIP)).toBe('none');
  });
});
