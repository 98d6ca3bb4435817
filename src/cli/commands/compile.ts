import { Command } from 'commander';
import { formatDiagnostic } from '../../desired/diagnostics.js';
import { compile, type DesiredState, type Model } from '../../desired/index.js';
import { loadRevision } from '../../reconciler/load-revision.js';
import { outputOption, repoOption, sourceOptions, type GitCliOptions } from '../options.js';

export function compileCommand(): Command {
  const cmd = new Command('compile').description("print one node's desired state: every entry its kernel should hold");
  repoOption(cmd)
    .option('--rev <rev>', 'branch, tag or commit to read')
    .requiredOption('--node <name>', 'node to compile for');
  outputOption(cmd, ['json', 'text']).action(
    async (opts: { repo: string; rev?: string; node: string; output: string } & GitCliOptions) => {
      const loaded = await loadRevision(opts.repo, sourceOptions(opts.rev, opts));
      const state = compile(loaded.model, opts.node);
      for (const w of [...loaded.warnings, ...state.warnings]) process.stderr.write(formatDiagnostic(w) + '\n');
      if (opts.output === 'json') {
        const endpoints = endpointSummary(loaded.model, state);
        process.stdout.write(JSON.stringify({ ...state, endpoints }, null, 2) + '\n');
        return;
      }
      process.stdout.write(`node ${state.node} at ${state.inputs.commit ?? 'working tree'}\n`);
      for (const [kind, entries] of Object.entries(state.resources)) {
        process.stdout.write(`${kind}: ${entries.length}\n`);
        for (const e of entries) process.stdout.write(`  ${e.key}${e.label ? `  (${e.label})` : ''}\n`);
      }
    },
  );
  return cmd;
}

/** The node's workloads as a person looks for them: name, namespace, labels, address and netns. */
function endpointSummary(model: Model, state: DesiredState) {
  return state.resources.endpoint.map(({ value: ep }) => {
    const declared = model.endpoints.find((e) => e.name === ep.name && e.namespace === ep.namespace);
    return {
      name: ep.name,
      namespace: ep.namespace,
      labels: declared?.labels ?? {},
      address: ep.address,
      identity: ep.identity,
      netns: ep.netns,
      interface: ep.ifName,
    };
  });
}
