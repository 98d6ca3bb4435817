import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NetnsOps } from '../../../datapath/net/index.js';
import { createUnderlay, removeUnderlay } from '../../../datapath/net/underlay.js';
import { readRepository, validateTree } from '../../../desired/index.js';
import { ValidationError } from '../../../desired/diagnostics.js';
import { EtcdStatusStore } from '../../agent/etcd-status-store.js';
import { isReady, type NodeStatus } from '../../agent/node-status.js';
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
  readonly nodes: readonly ClusterNode[];
  readonly agents: readonly { readonly node: string; readonly pid: number }[];
}

const GITWIRE_BIN = fileURLToPath(new URL('../../../../bin/gitwire.js', import.meta.url));

/**
 * N nodes of a repository on this machine: node namespaces on an underlay
 * bridge with the Node addresses from the repository, the repository served
 * over smart HTTP, etcd, and one `gitwire agent` per node driving its
 * namespace. `down()` removes all of it, including what the agents made.
 */
export class LocalCluster {
  private constructor(
    readonly layout: ClusterLayout,
    readonly nodes: readonly ClusterNode[],
    private readonly etcd: EtcdProcess,
    private readonly git: GitHttpServer,
    private readonly agents: Map<string, ChildProcess>,
    private readonly log: (line: string) => void,
    private readonly webhookPort: number,
    private readonly webhookSecret: string,
    private readonly interval: string,
  ) {}

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.webhookPort}/`;
  }

  get etcdEndpoint(): string {
    return this.etcd.endpoint;
  }

  get gitUrl(): string {
    return this.git.url('config.git');
  }

  static async up(opts: LocalClusterOptions): Promise<LocalCluster> {
    const layout = clusterLayout(opts.name, opts.stateRoot);
    const log = opts.log ?? (() => undefined);
    rmSync(layout.stateDir, { recursive: true, force: true });
    mkdirSync(layout.stateDir, { recursive: true, mode: 0o700 });
    const head = createClusterRepo(opts.repo, layout.gitRoot, layout.workTree);
    const nodes = await declaredNodes(layout);
    log(`repository ${opts.repo} at ${head.slice(0, 12)}: ${nodes.length} nodes`);
    const underlay = { fabricNetns: layout.fabricNetns, prefixLength: 24, nodes };
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
      const cluster = new LocalCluster(layout, nodes, etcd, git, agents, log, await freePort(), secret, interval);
      nodes.forEach((node, i) => agents.set(node.name, cluster.startAgent(node, interval, i === 0)));
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

  private startAgent(node: ClusterNode, interval: string, receivesWebhooks: boolean): ChildProcess {
    const dir = this.layout.nodeDir(node.name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const out = openSync(`${dir}/agent.log`, 'a');
    const args = [
      ...[GITWIRE_BIN, 'agent', '--repo', this.gitUrl, '--node', node.name, '--netns', node.netns],
      ...['--etcd-endpoints', this.etcd.endpoint, '--interval', interval, '--state-dir', dir],
      ...['--bpffs-root', this.layout.bpffsRoot],
      ...(receivesWebhooks ? ['--webhook-addr', `127.0.0.1:${this.webhookPort}`] : []),
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

  /** Waits until every node reports Ready at `revision`; returns how long each took from the call, in ms. */
  async waitConverged(revision: string, timeoutMs = 120_000): Promise<Map<string, number>> {
    const start = Date.now();
    const done = new Map<string, number>();
    while (done.size < this.nodes.length) {
      for (const s of await this.statuses().catch(() => [])) {
        if (!done.has(s.node) && isReady(s) && s.lastAppliedRevision === revision) done.set(s.node, Date.now() - start);
      }
      if (Date.now() - start > timeoutMs) {
        const late = this.nodes.filter((n) => !done.has(n.name)).map((n) => n.name);
        throw new Error(`nodes ${late.join(', ')} did not converge on ${revision.slice(0, 12)} in ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return done;
  }

  /**
   * Lets `edit` change the work tree, commits and pushes it to the served
   * repository, and sends the push webhook a git host would (GitHub's form).
   */
  async commit(message: string, edit: (workTree: string) => void): Promise<string> {
    edit(this.layout.workTree);
    const sha = commitAndPush(this.layout.workTree, message);
    const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
    const signature = `sha256=${createHmac('sha256', this.webhookSecret).update(body).digest('hex')}`;
    const res = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signature },
      body,
    });
    this.log(`pushed ${sha.slice(0, 12)}: ${message} (webhook ${res.status})`);
    return sha;
  }

  /** Stops a node's agent and starts a new one, as a restart of the node's agent would; returns its new PID. */
  async restartAgent(node: string): Promise<number> {
    const old = this.agents.get(node);
    const spec = this.nodes.find((n) => n.name === node);
    if (!old || !spec) throw new Error(`no agent for node ${node} in cluster ${this.layout.name}`);
    await stopChild(old);
    const next = this.startAgent(spec, this.interval, this.nodes[0]?.name === node);
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
  for (const node of nodes) {
    const ops = new NetnsOps({ nodeNs: node.netns, owner: node.name });
    await ops.deleteMany(await ops.observe());
  }
  await removeUnderlay({ fabricNetns: layout.fabricNetns, nodes });
  rmSync(layout.bpffsRoot, { recursive: true, force: true });
  rmSync(layout.stateDir, { recursive: true, force: true });
}

async function declaredNodes(layout: ClusterLayout): Promise<ClusterNode[]> {
  const tree = await readRepository(layout.workTree);
  const { model, diagnostics } = validateTree(tree);
  if (!model) throw new ValidationError(diagnostics);
  return model.nodes.map((n) => ({ name: n.name, netns: layout.nodeNetns(n.name), address: n.spec.address }));
}
