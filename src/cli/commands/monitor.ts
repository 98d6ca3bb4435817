import { Command, Option } from 'commander';
import type { PolicyValue, RuleRef } from '../../desired/index.js';
import { formatDiagnostic } from '../../desired/diagnostics.js';
import {
  defaultStateDir,
  eventJson,
  eventText,
  FileStatusStore,
  l7VerdictJson,
  l7VerdictText,
  Monitor,
  type MonitoredEvent,
} from '../../reconciler/agent/index.js';
import {
  eventFilter,
  EVENT_TYPES,
  parseLabel,
  VERDICTS,
  type EventFilterSpec,
  type IdentityLabels,
} from '../../reconciler/flows/index.js';
import { compileRevision } from '../../reconciler/reconcile-node.js';
import { outputOption, sourceOptions } from '../options.js';
import { remoteSource, runRemoteMonitor } from './monitor-remote.js';

interface MonitorOpts {
  node?: string;
  allNodes?: boolean;
  etcd?: string;
  etcdEndpoints?: string;
  observeTokenFile?: string;
  netns?: string;
  bpffsRoot?: string;
  repo?: string;
  rev?: string;
  stateDir?: string;
  count?: number;
  output: 'text' | 'json';
  type?: EventFilterSpec['type'];
  verdict?: EventFilterSpec['verdict'];
  fromLabel?: string[];
  toLabel?: string[];
  port?: number;
}

/** A repeatable flag: each use adds a value, checked by `parse`. */
const repeated =
  <T extends string>(parse: (v: string) => T) =>
  (v: string, prev: T[] | undefined): T[] => [...(prev ?? []), parse(v)];

const oneOf =
  <T extends string>(flag: string, allowed: readonly T[]) =>
  (v: string): T => {
    if (!allowed.includes(v as T)) throw new RangeError(`${flag}: expected one of ${allowed.join(', ')}, got ${v}`);
    return v as T;
  };

export function monitorCommand(): Command {
  const cmd = new Command('monitor')
    .description("stream the node's datapath events (drops, verdicts, audits) naming the policy that decided")
    .option('--node <name>', 'the node to watch (through its agent when it serves its events)')
    .option('--all-nodes', 'every node whose agent serves its events, merged into one stream (needs --etcd)')
    .option('--etcd <urls>', 'find the agents in this etcd (comma-separated endpoints); with --node, that node only')
    .addOption(new Option('--etcd-endpoints <urls>', 'the same as --etcd, as agent and status spell it').hideHelp())
    .option(
      '--observe-token-file <file>',
      "the agents' bearer token, on the file's first line (default: $GITWIRE_OBSERVE_TOKEN)",
    )
    .option('--netns <name>', 'the node lives in this network namespace')
    .option('--bpffs-root <dir>', 'where the node pins its maps and links', '/sys/fs/bpf/gitwire')
    .option('--repo <path|url>', 'name policies from this repository (default: the one in the agent status)')
    .option('--rev <rev>', 'with --repo: the revision the node enforces (default: HEAD)')
    .option('--state-dir <dir>', "the agent's state directory, for its last applied revision")
    .addOption(
      new Option('--count <n>', 'stop after this many events').argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new RangeError(`--count: expected a positive integer, got ${v}`);
        return n;
      }),
    )
    .addOption(
      new Option('--type <type>', `only these events: ${EVENT_TYPES.join(', ')} (repeatable)`).argParser(
        repeated(oneOf('--type', EVENT_TYPES)),
      ),
    )
    .addOption(
      new Option('--verdict <verdict>', 'only these outcomes: allow, deny (a drop) or audit (repeatable)').argParser(
        repeated(oneOf('--verdict', VERDICTS)),
      ),
    )
    .option(
      '--from-label <k=v>',
      "the sender's identity carries this label (repeatable: all must match)",
      repeated((v) => parseLabel('--from-label', v)),
    )
    .option(
      '--to-label <k=v>',
      "the receiver's identity carries this label (repeatable)",
      repeated((v) => parseLabel('--to-label', v)),
    )
    .addOption(
      new Option('--port <n>', 'destination port').argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RangeError(`--port: expected 0-65535, got ${v}`);
        return n;
      }),
    );
  return outputOption(cmd).action(runMonitor);
}

async function runMonitor(cli: MonitorOpts): Promise<void> {
  const etcd = cli.etcd ?? cli.etcdEndpoints;
  const filter: EventFilterSpec = {
    ...(cli.type ? { type: cli.type } : {}),
    ...(cli.verdict ? { verdict: cli.verdict } : {}),
    ...(cli.fromLabel ? { fromLabels: cli.fromLabel } : {}),
    ...(cli.toLabel ? { toLabels: cli.toLabel } : {}),
    ...(cli.port !== undefined ? { port: cli.port } : {}),
  };
  const remote = { ...cli, ...(etcd ? { etcd } : {}), filter };
  const source = remoteSource(remote);
  if (source) return runRemoteMonitor(remote, source);
  await monitorRingBuffer({ ...cli, node: cli.node! }, filter);
}

/** Reads the node's ring buffer in this process: no agent on this machine serves the node's events. */
async function monitorRingBuffer(opts: MonitorOpts & { node: string }, filter: EventFilterSpec): Promise<void> {
  const { rules, policy, identities } = await policyRules(opts);
  const keep = eventFilter(filter, identities);
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const print = (line: string) => {
    if (opts.count !== undefined && seen >= opts.count) return;
    process.stdout.write(line + '\n');
    seen += 1;
    if (opts.count !== undefined && seen >= opts.count) done();
  };
  const monitor = Monitor.open({
    node: opts.node,
    nodeNs: opts.netns ?? null,
    ...(opts.bpffsRoot ? { bpffsRoot: opts.bpffsRoot } : {}),
    rules,
    policy,
    onEvent: (m: MonitoredEvent) => keep(m) && print(opts.output === 'json' ? eventJson(m) : eventText(m)),
    // The proxy's verdicts come from the agent's feed, not the ring buffer: shown unless --type leaves l7 out.
    onL7: (v) =>
      (!opts.type || opts.type.includes('l7')) && print(opts.output === 'json' ? l7VerdictJson(v) : l7VerdictText(v)),
  });
  // Lost events are reported as they happen, on stderr so that JSON output stays events only.
  let lost = 0n;
  const reportLost = () => {
    const now = monitor.lostEvents();
    if (now > lost) process.stderr.write(`gitwire: ${now - lost} events lost (ring buffer full)\n`);
    lost = now;
  };
  const lostTimer = setInterval(reportLost, 1000);
  const onSignal = () => done();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stderr.write(`monitoring node ${opts.node} (${rules.length} policy rules named); Ctrl-C to stop\n`);
  try {
    await finished;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    clearInterval(lostTimer);
    reportLost();
    process.stderr.write(`${seen} events shown, ${lost} lost to a full ring buffer\n`);
    monitor.close();
  }
}

/** The rules of the revision given, else of the agent's last applied revision; none (with a warning) otherwise. */
async function policyRules(
  opts: MonitorOpts & { node: string },
): Promise<{ rules: readonly RuleRef[]; policy: readonly PolicyValue[]; identities: IdentityLabels }> {
  let repo = opts.repo;
  let rev = opts.rev;
  if (!repo) {
    const status = await new FileStatusStore(opts.stateDir ?? defaultStateDir(opts.node)).read(opts.node);
    if (!status?.lastAppliedAt) {
      process.stderr.write('gitwire: no --repo and no applied revision in the agent status: policies are not named\n');
      return { rules: [], policy: [], identities: new Map() };
    }
    repo = status.repo;
    rev = status.lastAppliedRevision ?? undefined;
  }
  const compiled = await compileRevision(repo, sourceOptions(rev), opts.node);
  for (const w of compiled.warnings) process.stderr.write(formatDiagnostic(w) + '\n');
  return {
    rules: compiled.desired.rules,
    policy: compiled.desired.resources.policy.map((e) => e.value),
    identities: new Map(compiled.desired.resources.identity.map((e) => [e.value.id, e.value.labels])),
  };
}
