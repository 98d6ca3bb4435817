import { join } from 'node:path';
import { Command, Option } from 'commander';
import { AGENT_FLAGS } from '../../cdk8s/deploy/agent-flags.js';
import { DEFAULT_INTERVAL } from '../../cdk8s/deploy/agent-defaults.js';
import {
  Agent,
  agentLogger,
  AgentMetrics,
  defaultStateDir,
  EtcdStatusStore,
  FileStatusStore,
  LOG_FORMATS,
  ObserveHub,
  parseAddr,
  parseDuration,
  parseEndpoints,
  realAgentDeps,
  startMetricsServer,
  type LogFormat,
  type StatusStore,
} from '../../reconciler/agent/index.js';
import { Etcd3 } from 'etcd3';
import { EtcdIdentityAllocator } from '../../reconciler/cluster/etcd-identity-allocator.js';
import { startNodeLease } from '../../reconciler/cluster/node-lease.js';
import { watchGeneration } from '../../reconciler/cluster/cluster-generation.js';
import { startPushFanout } from '../../reconciler/cluster/push-fanout.js';
import { DEFAULT_MAX_FLOW_RECORDS, FlowDropRecords, FlowRecorder, FlowStore } from '../../reconciler/flows/index.js';
import {
  EtcdRevisionGate,
  loadRolloutPlan,
  RolloutCoordinator,
  RolloutStore,
  startElectedCoordinator,
  watchHold,
} from '../../reconciler/rollout/index.js';
import { busyText, NodeLock } from '../../reconciler/node-lock.js';
import { gitOptions, sourceOptions, type GitCliOptions } from '../options.js';
import { observeToken, parseObserveAddr, startAgentObserve, type ObserveFlags } from './agent-observe.js';

interface AgentCliOpts extends GitCliOptions, ObserveFlags {
  repo: string;
  node: string;
  rev?: string;
  interval: string;
  etcdEndpoints?: string;
  bpffsRoot?: string;
  metricsAddr?: string;
  netns?: string;
  stateDir?: string;
  gcInterval?: string;
  webhookAddr?: string;
  logFormat: LogFormat;
  flowRecords?: number;
}

const flag = (name: keyof typeof AGENT_FLAGS) => `${AGENT_FLAGS[name].flag} <${AGENT_FLAGS[name].value.toLowerCase()}>`;

export function agentCommand(): Command {
  const cmd = new Command('agent')
    .description(
      'run the node agent: follow a ref, keep this node converged to it (drift included), report status and metrics',
    )
    .requiredOption(flag('repo'), AGENT_FLAGS.repo.description)
    .requiredOption(flag('node'), AGENT_FLAGS.node.description)
    .option(flag('rev'), `${AGENT_FLAGS.rev.description} (default: the repository's HEAD)`)
    .option(flag('interval'), AGENT_FLAGS.interval.description, DEFAULT_INTERVAL)
    .option(flag('etcdEndpoints'), `${AGENT_FLAGS.etcdEndpoints.description}; node status is written there too`)
    .option(flag('bpffsRoot'), `${AGENT_FLAGS.bpffsRoot.description} (default: /sys/fs/bpf/gitwire)`)
    .option(
      flag('metricsAddr'),
      `${AGENT_FLAGS.metricsAddr.description} (default: off). Unauthenticated: 127.0.0.1:9963 serves this machine ` +
        'only; 0.0.0.0:9963 (the DaemonSet, for Prometheus) serves every network that reaches the node',
    )
    .option('--netns <name>', 'drive a node that lives in this network namespace instead of the current one')
    .option('--state-dir <dir>', 'status file and git cache (default: /var/lib/gitwire/<node>)')
    .addOption(
      new Option('--log-format <format>', 'text lines, or one JSON object per line with level, node, revision, step')
        .choices(LOG_FORMATS)
        .default('text'),
    )
    .addOption(
      new Option(
        '--flow-records <max>',
        'aggregate the datapath events into at most MAX flow records in <state-dir>/flows.sqlite, kept across ' +
          `restarts (default: ${DEFAULT_MAX_FLOW_RECORDS} with --observe-addr, where the agent is the ring buffer's ` +
          'one reader; off without it, as the agent would then share the ring buffer with `gitwire monitor`)',
      ).argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1)
          throw new RangeError(`--flow-records: expected a positive integer, got ${v}`);
        return n;
      }),
    )
    .addOption(new Option('--gc-interval <duration>', 'how often to collect expired conntrack entries').default('1m'))
    .option(
      '--observe-addr <host:port>',
      "serve the node's events (GET /v1/events) and flow records (GET /v1/flows) here, with the bearer token from " +
        '$GITWIRE_OBSERVE_TOKEN or --observe-token-file (required beyond loopback); with etcd, registered for ' +
        '`gitwire monitor --all-nodes` (default: off)',
    )
    .option('--observe-token-file <file>', 'the bearer token for --observe-addr, on its first line')
    .option(
      '--observe-url <url>',
      'the URL other machines reach --observe-addr at, as registered in etcd (default: from --observe-addr)',
    )
    .option(
      '--webhook-addr <host:port>',
      'receive push webhooks (GitHub, GitLab, Gitea, generic) here, verified with $GITWIRE_WEBHOOK_SECRET; with etcd, one receiver triggers every agent',
    );
  return gitOptions(cmd).action(runAgent);
}

async function runAgent(opts: AgentCliOpts): Promise<void> {
  const intervalMs = parseDuration(opts.interval);
  const gcIntervalMs = parseDuration(opts.gcInterval ?? '1m');
  if (opts.metricsAddr) parseAddr(opts.metricsAddr);
  if (opts.observeAddr) parseObserveAddr(opts.observeAddr);
  const token = observeToken(opts);
  const stateDir = opts.stateDir ?? defaultStateDir(opts.node);
  if (opts.rev) await refuseRevOnPlainDirectory(opts.repo, opts.rev);
  const file = new FileStatusStore(stateDir);
  await file.prepare();
  const stores: StatusStore[] = [file];
  if (opts.etcdEndpoints) stores.push(new EtcdStatusStore(parseEndpoints(opts.etcdEndpoints)));
  const metrics = new AgentMetrics(opts.node);
  const log = agentLogger({ node: opts.node, format: opts.logFormat, revision: () => metrics.revision });
  // The agent owns the node while it runs: an apply meanwhile would be reverted on the next pass.
  const lock = await NodeLock.acquire(opts.node, 'agent', {
    onWait: (holder) => log(`${busyText(opts.node, holder)}; waiting for it`),
  });
  const etcd = opts.etcdEndpoints ? new Etcd3({ hosts: parseEndpoints(opts.etcdEndpoints), dialTimeout: 5000 }) : null;
  // Aborted on SIGTERM, so a fetch in flight (a slow or hostile server) does not hold the agent up.
  const stopping = new AbortController();
  // Serving the events makes the agent the ring buffer's one reader: it then records flows as well.
  const hub = opts.observeAddr ? new ObserveHub() : null;
  const maxFlows = opts.flowRecords ?? (hub ? DEFAULT_MAX_FLOW_RECORDS : undefined);
  const store = maxFlows ? await FlowStore.open({ path: join(stateDir, 'flows.sqlite'), maxRecords: maxFlows }) : null;
  const lostEvents = () => {
    const counters = agent.datapathCounters();
    return counters ? Number(counters['event-lost'].packets) : null;
  };
  const flows = store
    ? new FlowRecorder({
        store,
        // A new revision's rules name its drops while its health checks run.
        desired: () => agent.applied?.desired ?? null,
        lostEvents,
        onEvent: (m) => {
          drops?.observe(m);
          metrics.countEvent(m);
          hub?.publish(m);
        },
        intervalMs: 5000,
        node: { node: opts.node, nodeNs: opts.netns ?? null, ...(opts.bpffsRoot ? { bpffsRoot: opts.bpffsRoot } : {}) },
        log: (line) => log(line, { level: 'warn' }),
      })
    : null;
  const drops = flows && store ? new FlowDropRecords(flows, store) : null;
  const agent: Agent = new Agent({
    repo: opts.repo,
    node: opts.node,
    ...(opts.rev ? { rev: opts.rev } : {}),
    source: { ...sourceOptions(undefined, opts), cacheDir: join(stateDir, 'git-cache'), signal: stopping.signal },
    nodeNs: opts.netns ?? null,
    ...(opts.bpffsRoot ? { bpffsRoot: opts.bpffsRoot } : {}),
    intervalMs,
    gcIntervalMs,
    stores,
    ...(etcd ? { identities: new EtcdIdentityAllocator(etcd), gate: new EtcdRevisionGate(etcd, opts.node) } : {}),
    metrics,
    log,
    ...(drops ? { deps: { flowDrops: () => drops.drops() } } : {}),
  });
  const server = opts.metricsAddr
    ? await startMetricsServer(opts.metricsAddr, {
        render: () => metrics.render(agent.datapathCounters()),
        contentType: metrics.contentType,
      })
    : null;
  if (server) log(`metrics on ${opts.metricsAddr} (port ${server.port})`);
  const observe =
    hub && flows && store && opts.observeAddr
      ? await startAgentObserve({
          flags: { ...opts, observeAddr: opts.observeAddr },
          token,
          node: opts.node,
          agent,
          hub,
          recorder: flows,
          store,
          lostEvents,
        })
      : null;
  if (observe) log(`events and flow records on ${observe.url}${token === null ? ' (loopback, no token)' : ''}`);
  const lease = etcd ? startNodeLease(etcd, opts.node, 10, log, observe?.leaseKeys) : null;
  // With etcd, the agents elect one rollout coordinator among themselves; each follows the target it sets.
  const source = {
    ...sourceOptions(undefined, opts),
    cacheDir: join(stateDir, 'rollout-cache'),
    signal: stopping.signal,
  };
  const coordinator = etcd
    ? startElectedCoordinator({
        client: etcd,
        name: opts.node,
        coordinator: new RolloutCoordinator({
          store: new RolloutStore(etcd),
          name: opts.node,
          plan: (revision) => loadRolloutPlan(opts.repo, source, revision),
          log,
        }),
        head: () => realAgentDeps.resolve(opts.repo, opts.rev ?? 'HEAD', source),
        headIntervalMs: intervalMs,
        log,
      })
    : null;
  const held = etcd ? await watchHold(etcd, opts.node, () => void agent.reconcileNow()) : null;
  const fanout = await startPushFanout({
    ...(opts.webhookAddr ? { webhook: webhookListener(opts.webhookAddr) } : {}),
    ...(etcd ? { etcd } : {}),
    trigger: () => {
      coordinator?.poke();
      void agent.reconcileNow();
    },
    log,
  });
  if (fanout.webhookPort !== null) log(`push webhooks on ${opts.webhookAddr} (port ${fanout.webhookPort})`);
  // Identities and membership in etcd change desired state as a commit does: each new generation recompiles.
  const generation = etcd
    ? await watchGeneration(etcd, (g) => void agent.setGeneration(g)).catch((e: Error) => {
        log(
          `cluster generation not watched (${e.message}); passes keep generation 0 and identities are read each pass`,
          {
            level: 'warn',
          },
        );
        return null;
      })
    : null;
  const signal = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log(`following ${opts.repo} @ ${opts.rev ?? 'HEAD'} every ${opts.interval}; status in ${stateDir}`);
  agent.start();
  flows?.start();
  // The recorder reads with the applied revision's rules: it follows a new one as soon as it is applied.
  let followed = agent.applied;
  const follow = flows
    ? setInterval(() => {
        if (agent.applied === followed) return;
        followed = agent.applied;
        void flows.tick();
      }, 200)
    : null;
  const received = await signal;
  log(`${received}: stopping after the pass in flight; what is applied stays enforced`);
  await fanout.close();
  await generation?.close();
  await held?.close();
  await coordinator?.close();
  await lease?.close();
  etcd?.close();
  const stopped = agent.stop();
  stopping.abort();
  await stopped;
  if (follow) clearInterval(follow);
  await observe?.close();
  await flows?.stop();
  await server?.close();
  await lock.release();
}

/** A plain directory has no revisions: `--rev` there would fail every pass, so it is refused at start. */
async function refuseRevOnPlainDirectory(repo: string, rev: string): Promise<void> {
  if (/^https?:\/\//.test(repo)) return;
  // Anything else (a branch not pushed yet, a missing path) is the loop's to retry.
  if ((await realAgentDeps.resolve(repo, rev, {}).catch(() => '')) === null)
    throw new RangeError(
      `--rev ${rev}: ${repo} is a plain directory, read as it is on disk; drop --rev or use a git repository`,
    );
}

/** The webhook listener; the secret comes from the environment, never from the command line. */
function webhookListener(addr: string): { host: string; port: number; secret: string } {
  const { host, port } = parseAddr(addr);
  const secret = process.env.GITWIRE_WEBHOOK_SECRET ?? '';
  if (secret === '') throw new RangeError('--webhook-addr needs the shared secret in $GITWIRE_WEBHOOK_SECRET');
  return { host: host ?? '0.0.0.0', port, secret };
}
