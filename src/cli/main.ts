import { Command, CommanderError } from 'commander';
import { ValidationError, formatDiagnostic } from '../desired/diagnostics.js';
import { agentCommand } from './commands/agent.js';
import { applyCommand } from './commands/apply.js';
import { clusterCommand } from './commands/cluster.js';
import { compileCommand } from './commands/compile.js';
import { explainCommand } from './commands/explain.js';
import { monitorCommand } from './commands/monitor.js';
import { planCommand } from './commands/plan.js';
import { statusCommand } from './commands/status.js';
import { synthCommand } from './commands/synth.js';
import { validateCommand } from './commands/validate.js';
import { EXIT_ERROR } from './exit-codes.js';

export function program(): Command {
  const root = new Command('gitwire')
    .description('GitOps reconciler for an eBPF container-networking datapath')
    .version('0.1.0');
  for (const cmd of [
    validateCommand(),
    compileCommand(),
    planCommand(),
    explainCommand(),
    applyCommand(),
    agentCommand(),
    statusCommand(),
    monitorCommand(),
    synthCommand(),
    clusterCommand(),
  ])
    root.addCommand(cmd);
  // addCommand does not pass these settings down, so set them on every command.
  for (const cmd of [root, ...root.commands]) cmd.showHelpAfterError().exitOverride();
  return root;
}

/** Runs the CLI; every failure ends in exit code 2 with a message that says what went wrong. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await program().parseAsync(argv as string[]);
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
      process.stderr.write(`gitwire: ${e.code ? `${e.code}: ` : ''}${e.message}\n`);
    }
    process.exitCode = EXIT_ERROR;
  }
}
