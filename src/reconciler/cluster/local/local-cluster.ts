import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { NetnsOps } from '../../../datapath/net/index.js';
import { createUnderlay, joinUnderlay, leaveUnderlay, removeUnderlay } from '../../../datapath/net/underlay.js';
import { readRepository, validateTree } from '../../../desired/index.js';
import { ValidationError } from '../../../desired/diagnostics.js';
import { EtcdStatusStore, statusKey } from '../../agent/etcd-status-store.js';
import { isReady, type NodeStatus } from '../../agent/node-status.js';
import { DEFAULT_MAX_FLOW_RECORDS } from '../../flows/flow-store.js';
import { removeNodeRuntimeFiles } from '../../node-lock.js';
import { clusterLayout, type ClusterLayout } from './cluster-layout.js';
import { commitAndPush, createClusterRepo } from './cluster-repo.js';
import { startEtcd, stopChild, type EtcdProcess } from './etcd-process.js';
import { freePort } from './free-port.js';
import { startGitHttpServer, type GitHttpServer } from './git-http-server.js';

export interface LocalClusterOptions {
  readonly name: string;
  /** A git repository or a plain directory of declarations (gitwire's examples/repo by default in the CLI). */
  readonly repo: string;
  readonly stateRoot?: string;
  /** How often each agent polls the served branch. */
  readonly interval?: string;
  readonly log?: (line: string) => void;
}

export interface ClusterNode {
  readonly name: string;
  readonly netns: string;
  readonly address: string;
}

/** What `cluster status` and `cluster down` read: written by `up`, removed by `down`. */
export interface ClusterState {
  readonly name: string;
  readonly supervisorPid: number;
  readonly etcd: string;
  readonly etcdPid?: number;
  readonly gitUrl: string;
  /** Where the first node's agent receives push webhooks (it publishes them in etcd for every agent). */
  readonly webhook: string;
  /** The bearer token of the agents' observe servers (`gitwire monitor --all-nodes --observe-token-file`). */
  readonly observeTokenFile?: string;
  readonly nodes: readonly ClusterNode[];
  readonly agents: readonly { readonly node: string; readonly pid: number }[];
}

/** The Node addresses of a local cluster share one underlay subnet of this length. */
const UNDERLAY_PREFIX = 24;
const GITWIRE_BIN = fileURLToPath(new URL('../../../../bin/gitwire.js', import.meta.url));

/**
 * N nodes of a repository on this machine: node namespaces on an underlay
 * bridge with the Node addresses from the repository, the repository served
 * over smart HTTP, etcd, and one `gitwire agent` per node driving its
 * namespace. Membership follows the repository: a commit that adds or removes
 * a Node adds or removes its namespace and agent. `down()` removes all of it,
 * including what the agents made.
 */
export class LocalCluster {
  private constructor(
    readonly layout: ClusterLayout,
    private members: readonly ClusterNode[],
    private readonly etcd: EtcdProcess,
    private readonly git: GitHttpServer,
    private readonly agents: Map<string, ChildProcess>,
    private readonly log: (line: string) => void,
    private readonly webhookPort: number,
    private readonly webhookSecret: string,
    private readonly interval: string,
    /** The node whose agent receives push webhooks; another member takes over when it leaves. */
    private webhookNode: string,
  ) {}

  /** The nodes the served commit declares, in declaration order. */
  get nodes(): readonly ClusterNode[] {
    return this.members;
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.webhookPort}/`;
  }

  get etcdEndpoint(): string {
    return this.etcd.endpoint;
  }

  get gitUrl(): string {
    return this.git.url('config.git');
  }

  /** Where the agents' observe token is; each agent serves its events on a loopback port it registers in etcd. */
  get observeTokenFile(): string {
    return join(this.layout.stateDir, 'observe-token');
  }

  static async up(opts: LocalClusterOptions): Promise<LocalCluster> {
    const layout = clusterLayout(opts.name, opts.stateRoot);
    const log = opts.log ?? (() => undefined);
    rmSync(layout.stateDir, { recursive: true, force: true });
    mkdirSync(layout.stateDir, { recursive: true, mode: 0o700 });
    const head = createClusterRepo(opts.repo, layout.gitRoot, layout.workTree);
    const nodes = await declaredNodes(layout);
    log(`repository ${opts.repo} at ${head.slice(0, 12)}: ${nodes.length} nodes`);
    const underlay = { fabricNetns: layout.fabricNetns, prefixLength: UNDERLAY_PREFIX, nodes };
    await createUnderlay(underlay);
    let etcd: EtcdProcess | null = null;
    let git: GitHttpServer | null = null;
    const agents = new Map<string, ChildProcess>();
    try {
      etcd = await startEtcd(layout.stateDir, `gwc-${layout.name}`);
      git = await startGitHttpServer(layout.gitRoot);
      log(`etcd on ${etcd.endpoint}, git on ${git.url('config.git')}`);
      const secret = randomBytes(24).toString('hex');
      const interval = opts.interval ?? '30s';
      const port = await freePort();
      // With no Node declared yet, the first node to join receives the webhooks.
      const first = nodes[0]?.name ?? '';
      const cluster = new LocalCluster(layout, nodes, etcd, git, agents, log, port, secret, interval, first);
      writeFileSync(cluster.observeTokenFile, randomBytes(24).toString('hex') + '\n', { mode: 0o600 });
      for (const node of nodes) agents.set(node.name, cluster.startAgent(node));
      cluster.writeState();
      return cluster;
    } catch (e) {
      for (const child of agents.values()) await stopChild(child);
      await git?.close();
      await etcd?.stop();
      await removeClusterResources(layout, nodes);
      throw e;
    }
  }

  private startAgent(node: ClusterNode): ChildProcess {
    const dir = this.layout.nodeDir(node.name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const out = openSync(`${dir}/agent.log`, 'a');
    const args = [
      ...[GITWIRE_BIN, 'agent', '--repo', this.gitUrl, '--node', node.name, '--netns', node.netns],
      ...['--etcd-endpoints', this.etcd.endpoint, '--interval', this.interval, '--state-dir', dir],
      ...['--bpffs-root', this.layout.bpffsRoot],
      // Flow records in <node dir>/flows.sqlite, so `plan --impact --flows-dir <state>/nodes` reads real traffic.
      ...['--flow-records', String(DEFAULT_MAX_FLOW_RECORDS)],
      ...['--observe-addr', '127.0.0.1:0', '--observe-token-file', this.observeTokenFile],
      ...(node.name === this.webhookNode ? ['--webhook-addr', `127.0.0.1:${this.webhookPort}`] : []),
    ];
    const env = { ...process.env, GITWIRE_WEBHOOK_SECRET: this.webhookSecret };
    return spawn(process.execPath, args, { stdio: ['ignore', out, out], env });
  }

  private writeState(): void {
    const state: ClusterState = {
      name: this.layout.name,
      supervisorPid: process.pid,
      etcd: this.etcd.endpoint,
      etcdPid: this.etcd.pid,
      gitUrl: this.gitUrl,
      webhook: this.webhookUrl,
      observeTokenFile: this.observeTokenFile,
      nodes: this.nodes,
      agents: [...this.agents].map(([node, child]) => ({ node, pid: child.pid! })),
    };
    writeFileSync(this.layout.stateFile, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  }

  /** Every node's last status from etcd, in node order. */
  async statuses(): Promise<NodeStatus[]> {
    const store = new EtcdStatusStore([this.etcd.endpoint]);
    try {
      return await store.list();
    } finally {
      await store.close();
    }
  }

  /**
   * Waits until every node whose agent runs reports Ready at `revision` (a
   * node that is down does not hold the others up); returns how long each
   * took from the call, in ms.
   */
  async waitConverged(revision: string, timeoutMs = 120_000): Promise<Map<string, number>> {
    const start = Date.now();
    const done = new Map<string, number>();
    const waiting = () => this.members.filter((n) => this.agents.has(n.name) && !done.has(n.name));
    while (waiting().length > 0) {
      for (const s of await this.statuses().catch(() => [])) {
        if (!done.has(s.node) && isReady(s) && s.lastAppliedRevision === revision) done.set(s.node, Date.now() - start);
      }
      if (Date.now() - start > timeoutMs) {
        const late = waiting().map((n) => n.name);
        throw new Error(`nodes ${late.join(', ')} did not converge on ${revision.slice(0, 12)} in ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return done;
  }

  /**
   * Lets `edit` change the work tree, commits and pushes it to the served
   * repository, and sends the push webhook a git host would (GitHub's form).
   * Then follows the commit's membership: nodes it adds join, nodes it
   * removes leave (see `syncMembers`).
   */
  async commit(message: string, edit: (workTree: string) => void): Promise<string> {
    edit(this.layout.workTree);
    const sha = commitAndPush(this.layout.workTree, message);
    const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
    const signature = `sha256=${createHmac('sha256', this.webhookSecret).update(body).digest('hex')}`;
    // The webhook node may be down: the other agents then find the commit on their next poll.
    const res = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signature },
      body,
    }).catch((e: unknown) => ({ status: `unreachable: ${e instanceof Error ? e.message : String(e)}` }));
    this.log(`pushed ${sha.slice(0, 12)}: ${message} (webhook ${res.status})`);
    await this.syncMembers();
    return sha;
  }

  /**
   * Brings the running nodes in line with the Nodes the work tree declares: a
   * new Node gets its underlay namespace and an agent; a removed one loses its
   * agent, endpoint namespaces, pins, state and etcd status. An invalid tree
   * changes nothing (the agents keep their last good commit too).
   */
  private async syncMembers(): Promise<void> {
    let declared: ClusterNode[];
    try {
      declared = await declaredNodes(this.layout);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      this.log('the commit does not validate: membership unchanged');
      return;
    }
    const names = new Set(declared.map((n) => n.name));
    const leaving = this.members.filter((n) => !names.has(n.name));
    const joining = declared.filter((n) => !this.members.some((m) => m.name === n.name));
    this.members = declared;
    for (const node of leaving) await this.leave(node);
    if (!names.has(this.webhookNode) && declared[0]) {
      this.webhookNode = declared[0].name;
      if (this.agents.has(this.webhookNode)) await this.restartAgent(this.webhookNode);
    }
    for (const node of joining) {
      await joinUnderlay({ fabricNetns: this.layout.fabricNetns, prefixLength: UNDERLAY_PREFIX }, node);
      this.agents.set(node.name, this.startAgent(node));
      this.log(`node ${node.name} joined at ${node.address}`);
    }
    this.writeState();
  }

  private async leave(node: ClusterNode): Promise<void> {
    const agent = this.agents.get(node.name);
    if (agent) await stopChild(agent);
    this.agents.delete(node.name);
    await removeNodeResources(this.layout, node);
    // Its last status would otherwise stay in `status --all-nodes` as a node that is merely down.
    const client = new Etcd3({ hosts: [this.etcd.endpoint], dialTimeout: 5000 });
    try {
      await client.delete().key(statusKey(node.name));
    } finally {
      client.close();
    }
    this.log(`node ${node.name} left`);
  }

  /** Stops a node's agent (the node is down until `restartAgent`); its datapath keeps what it applied. */
  async stopAgent(node: string): Promise<void> {
    const agent = this.agents.get(node);
    if (!agent) throw new Error(`no agent runs for node ${node} in cluster ${this.layout.name}`);
    await stopChild(agent);
    this.agents.delete(node);
    this.writeState();
    this.log(`agent of ${node} stopped`);
  }

  /** Stops a node's agent if it runs and starts a new one, as a restart of the node's agent would; returns its new PID. */
  async restartAgent(node: string): Promise<number> {
    const spec = this.members.find((n) => n.name === node);
    if (!spec) throw new Error(`no node ${node} in cluster ${this.layout.name}`);
    const old = this.agents.get(node);
    if (old) await stopChild(old);
    const next = this.startAgent(spec);
    this.agents.set(node, next);
    this.writeState();
    return next.pid!;
  }

  /** Stops etcd, as an outage would; the agents keep enforcing what they applied. */
  async stopEtcd(): Promise<void> {
    await this.etcd.stop();
    this.log('etcd stopped');
  }

  /** Starts etcd again on the same address and data. */
  async restartEtcd(): Promise<void> {
    await this.etcd.restart();
    this.log('etcd restarted');
  }

  /** Stops the agents, etcd and the git server, and removes namespaces, pins and state. */
  async down(): Promise<void> {
    for (const child of this.agents.values()) await stopChild(child);
    await this.git.close();
    await this.etcd.stop();
    await removeClusterResources(this.layout, this.nodes);
    this.log(`cluster ${this.layout.name} removed`);
  }
}

/** What the agents left (endpoint namespaces, pins) and the underlay, removed for good. */
export async function removeClusterResources(layout: ClusterLayout, nodes: readonly ClusterNode[]): Promise<void> {
  for (const node of nodes) await removeEndpointNamespaces(node);
  for (const node of nodes) removeNodeRuntimeFiles(node.name, NODE_RUNTIME_SUFFIXES);
  await removeUnderlay({ fabricNetns: layout.fabricNetns, nodes });
  rmSync(layout.bpffsRoot, { recursive: true, force: true });
  rmSync(layout.stateDir, { recursive: true, force: true });
}

/** One node that left: its endpoint namespaces, its namespace on the underlay, its pins and its state. */
async function removeNodeResources(layout: ClusterLayout, node: ClusterNode): Promise<void> {
  await removeEndpointNamespaces(node);
  await leaveUnderlay(node);
  removeNodeRuntimeFiles(node.name, NODE_RUNTIME_SUFFIXES);
  rmSync(join(layout.bpffsRoot, node.name), { recursive: true, force: true });
  rmSync(layout.nodeDir(node.name), { recursive: true, force: true });
}

/** What an agent leaves under /run/gitwire besides its lock: the L7 verdict socket and the proxies' rule sets. */
const NODE_RUNTIME_SUFFIXES = ['l7.sock', 'l7proxy.json'];

async function removeEndpointNamespaces(node: ClusterNode): Promise<void> {
  const ops = new NetnsOps({ nodeNs: node.netns, owner: node.name });
  await ops.deleteMany(await ops.observe());
}

async function declaredNodes(layout: ClusterLayout): Promise<ClusterNode[]> {
  const tree = await readRepository(layout.workTree);
  const { model, diagnostics } = validateTree(tree);
  if (!model) throw new ValidationError(diagnostics);
  return model.nodes.map((n) => ({ name: n.name, netns: layout.nodeNetns(n.name), address: n.spec.address }));
}
