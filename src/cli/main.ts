import { Command, CommanderError } from 'commander';
import { ValidationError, formatDiagnostic } from '../desired/diagnostics.js';
import { visible } from '../desired/visible-text.js';
import { EXIT_ERROR } from './exit-codes.js';

/**
 * Every command, with the one-line description the root help lists. A
 * command's module (and what it pulls in: isomorphic-git, koffi, etcd3,
 * cdk8s) is imported only when that command runs or its own help is asked
 * for, so `gitwire --help` and `validate` start about as fast as node does.
 */
export const COMMANDS: readonly { name: string; summary: string; load: () => Promise<Command> }[] = [
  {
    name: 'validate',
    summary: 'check every declaration of a commit; report all errors at once with file:line and field path',
    load: async () => (await import('./commands/validate.js')).validateCommand(),
  },
  {
    name: 'compile',
    summary: "print one node's desired state: every entry its kernel should hold",
    load: async () => (await import('./commands/compile.js')).compileCommand(),
  },
  {
    name: 'plan',
    summary: 'show what would change on a node between two commits (or from an empty node when --from is left out)',
    load: async () => (await import('./commands/plan.js')).planCommand(),
  },
  {
    name: 'explain',
    summary:
      "a flow's verdict on the sending and the receiving side, and the rule behind each, from the desired state alone (exit 0 allowed, 1 dropped, 2 error)",
    load: async () => (await import('./commands/explain.js')).explainCommand(),
  },
  {
    name: 'apply',
    summary:
      'converge this node (the current network namespace) to a commit: observe the kernel, plan, write the difference',
    load: async () => (await import('./commands/apply.js')).applyCommand(),
  },
  {
    name: 'agent',
    summary:
      'run the node agent: follow a ref, keep this node converged to it (drift included), report status and metrics',
    load: async () => (await import('./commands/agent.js')).agentCommand(),
  },
  {
    name: 'status',
    summary: "print a node agent's status; exit 0 when Ready, 1 when not, 2 when there is none to read",
    load: async () => (await import('./commands/status.js')).statusCommand(),
  },
  {
    name: 'monitor',
    summary: "stream the node's datapath events (drops, verdicts, audits) naming the policy that decided",
    load: async () => (await import('./commands/monitor.js')).monitorCommand(),
  },
  {
    name: 'rollout',
    summary:
      "show and steer the staged rollout of the newest commit across the nodes, as the Cluster's rollout declares it",
    load: async () => (await import('./commands/rollout.js')).rolloutCommand(),
  },
  {
    name: 'suspend',
    summary: 'stop a node (or every node) moving to new revisions; drift repair towards its revision goes on',
    load: async () => (await import('./commands/suspend.js')).suspendCommand(),
  },
  {
    name: 'resume',
    summary: 'lift a suspension: the node (or every node) catches up on the revision it is allowed',
    load: async () => (await import('./commands/resume.js')).resumeCommand(),
  },
  {
    name: 'pin',
    summary: 'hold a node on one revision, whatever the branch or a rollout says, until unpinned',
    load: async () => (await import('./commands/pin.js')).pinCommand(),
  },
  {
    name: 'unpin',
    summary: 'release a pinned node: it follows the branch (or its rollout) again',
    load: async () => (await import('./commands/unpin.js')).unpinCommand(),
  },
  {
    name: 'cluster',
    summary:
      'a local cluster on this machine: node namespaces on an underlay bridge, git served over HTTP, etcd, an agent per node',
    load: async () => (await import('./commands/cluster.js')).clusterCommand(),
  },
  {
    name: 'synth',
    summary:
      "run the configuration repository's cdk8s app and write the manifests it produces; " +
      'with --check, write nothing and exit 1 when the committed manifests are stale',
    load: async () => (await import('./commands/synth.js')).synthCommand(),
  },
];

/**
 * The CLI for `argv`: the command it names loaded in full, the others as a
 * name and summary for the root help. Without argv, every command in full.
 */
export async function program(argv?: readonly string[]): Promise<Command> {
  const root = new Command('gitwire')
    .description('GitOps reconciler for an eBPF container-networking datapath')
    .version('0.1.0');
  const wanted = argv ? invoked(argv) : null;
  for (const c of COMMANDS) {
    if (argv && c.name !== wanted) root.command(c.name).description(c.summary);
    else root.addCommand(await c.load());
  }
  // addCommand does not pass these settings down, so set them on every command.
  for (const cmd of [root, ...root.commands]) cmd.showHelpAfterError().exitOverride();
  return root;
}

/** The command argv runs (or asks help for): the first operand after the root's own options. */
function invoked(argv: readonly string[]): string | undefined {
  const operands = argv.slice(2).filter((a) => !a.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}

/** Runs the CLI; every failure ends in exit code 2 with a message that says what went wrong. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await (await program(argv)).parseAsync(argv as string[]);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_ERROR;
      return;
    }
    if (err instanceof ValidationError) {
      for (const d of err.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
      process.stderr.write('rejected: the commit does not validate; nothing was applied\n');
    } else {
      const e = err as Error & { code?: string };
      // Messages can quote the repository (policy, endpoint and file names): shown, never acted on.
      process.stderr.write(visible(`gitwire: ${e.code ? `${e.code}: ` : ''}${e.message}`) + '\n');
    }
    process.exitCode = EXIT_ERROR;
  }
}
