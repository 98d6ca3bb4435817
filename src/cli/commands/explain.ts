import { Command } from 'commander';
import { formatDiagnostic } from '../../desired/diagnostics.js';
import { loadRevision } from '../../reconciler/load-revision.js';
import {
  ExplainError,
  explainFlow,
  renderExplanationJson,
  renderExplanationText,
  type FlowProtocol,
} from '../../reconciler/explain/index.js';
import { EXIT_CHANGES, EXIT_OK } from '../exit-codes.js';
import { outputOption, repoOption, sourceOptions } from '../options.js';

interface ExplainOpts {
  repo: string;
  rev?: string;
  from: string;
  to: string;
  port: string;
  output: 'text' | 'json';
}

export function explainCommand(): Command {
  const cmd = new Command('explain').description(
    "a flow's verdict on the sending and the receiving side, and the rule behind each, from the desired state alone (exit 0 allowed, 1 dropped, 2 error)",
  );
  repoOption(cmd)
    .option('--rev <rev>', 'branch, tag or commit to read')
    .requiredOption('--from <endpoint>', 'sending endpoint: namespace/name, or a name unique in the cluster')
    .requiredOption(
      '--to <endpoint|ip>',
      'receiving endpoint, or an IPv4 address (a service frontend explains each backend)',
    )
    .requiredOption('--port <port/proto>', 'destination port and protocol, e.g. 80/TCP (ICMP: the type, e.g. 8/ICMP)');
  outputOption(cmd, ['text', 'json']).action(async (opts: ExplainOpts) => {
    const { port, protocol } = parsePort(opts.port);
    const loaded = await loadRevision(opts.repo, sourceOptions(opts.rev));
    for (const w of loaded.warnings) process.stderr.write(formatDiagnostic(w) + '\n');
    const x = explainFlow(loaded.model, { from: opts.from, to: opts.to, port, protocol });
    process.stdout.write(opts.output === 'json' ? renderExplanationJson(x) : renderExplanationText(x));
    process.exitCode = x.allowed ? EXIT_OK : EXIT_CHANGES;
  });
  return cmd;
}

function parsePort(text: string): { port: number; protocol: FlowProtocol } {
  const m = /^(\d{1,5})\/(tcp|udp|sctp|icmp)$/i.exec(text);
  if (!m) throw new ExplainError('E_EXPLAIN_BAD_FLOW', `--port ${text}: expected PORT/PROTO, e.g. 80/TCP`);
  return { port: Number(m[1]), protocol: m[2]!.toUpperCase() as FlowProtocol };
}
