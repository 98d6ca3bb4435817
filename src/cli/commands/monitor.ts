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
import { compileRevision } from '../../reconciler/reconcile-node.js';
import { outputOption, sourceOptions } from '../options.js';

interface MonitorOpts {
  node: string;
  netns?: string;
  bpffsRoot?: string;
  repo?: string;
  rev?: string;
  stateDir?: string;
  count?: number;
  output: 'text' | 'json';
}

export function monitorCommand(): Command {
  const cmd = new Command('monitor')
    .description("stream the node's datapath events (drops, verdicts, audits) naming the policy that decided")
    .requiredOption('--node <name>', 'the node to watch')
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
    );
  return outputOption(cmd).action(runMonitor);
}

async function runMonitor(opts: MonitorOpts): Promise<void> {
  const { rules, policy } = await policyRules(opts);
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
    onEvent: (m: MonitoredEvent) => print(opts.output === 'json' ? eventJson(m) : eventText(m)),
    onL7: (v) => print(opts.output === 'json' ? l7VerdictJson(v) : l7VerdictText(v)),
  });
  const onSignal = () => done();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stderr.write(`monitoring node ${opts.node} (${rules.length} policy rules named); Ctrl-C to stop\n`);
  try {
    await finished;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    monitor.close();
  }
}

/** The rules of the revision given, else of the agent's last applied revision; none (with a warning) otherwise. */
async function policyRules(opts: MonitorOpts): Promise<{ rules: readonly RuleRef[]; policy: readonly PolicyValue[] }> {
  let repo = opts.repo;
  let rev = opts.rev;
  if (!repo) {
    const status = await new FileStatusStore(opts.stateDir ?? defaultStateDir(opts.node)).read(opts.node);
    if (!status?.lastAppliedAt) {
      process.stderr.write('gitwire: no --repo and no applied revision in the agent status: policies are not named\n');
      return { rules: [], policy: [] };
    }
    repo = status.repo;
    rev = status.lastAppliedRevision ?? undefined;
  }
  const compiled = await compileRevision(repo, sourceOptions(rev), opts.node);
  for (const w of compiled.warnings) process.stderr.write(formatDiagnostic(w) + '\n');
  return { rules: compiled.desired.rules, policy: compiled.desired.resources.policy.map((e) => e.value) };
}
