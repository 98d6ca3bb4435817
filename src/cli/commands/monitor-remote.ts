import {
  eventText,
  l7VerdictText,
  observeAddressPath,
  readObserveAddress,
  readObserveToken,
  streamAgentEvents,
  type ObservedLine,
} from '../../reconciler/agent/index.js';
import type { EventFilterSpec } from '../../reconciler/flows/index.js';

/** A monitor flag combination that cannot work, refused before anything opens. */
export class MonitorUsageError extends Error {
  readonly code = 'E_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'MonitorUsageError';
  }
}

export interface RemoteMonitorOptions {
  readonly node?: string;
  readonly allNodes?: boolean;
  readonly etcd?: string;
  readonly observeTokenFile?: string;
  readonly output: 'text' | 'json';
  readonly count?: number;
  readonly filter: EventFilterSpec;
}

/**
 * Where the events come from: the agents found in etcd, or this machine's
 * agent when it serves the node's events (it is then the ring buffer's one
 * reader); null when monitor reads the ring buffer itself.
 */
export function remoteSource(opts: RemoteMonitorOptions): { readonly agentUrl?: string } | null {
  if (opts.allNodes && opts.node) throw new MonitorUsageError('give --node NAME or --all-nodes, not both');
  if (opts.allNodes && !opts.etcd)
    throw new MonitorUsageError('--all-nodes needs --etcd: the agents register where they serve their events there');
  if (!opts.allNodes && !opts.node) throw new MonitorUsageError('give --node NAME or --all-nodes');
  if (opts.etcd) return {};
  const local = readObserveAddress(observeAddressPath(opts.node!));
  if (!local) return null;
  if (local.tokenRequired && readObserveToken(opts.observeTokenFile) === null)
    throw new MonitorUsageError(
      `node ${opts.node}'s agent reads the ring buffer and serves its events at ${local.url} with a token: ` +
        'set $GITWIRE_OBSERVE_TOKEN or --observe-token-file',
    );
  return { agentUrl: local.url };
}

/** Streams from the agents until --count events were shown or a signal; prints each line. */
export async function runRemoteMonitor(opts: RemoteMonitorOptions, source: { agentUrl?: string }): Promise<void> {
  const token = readObserveToken(opts.observeTokenFile);
  const tagged = opts.allNodes === true || opts.etcd !== undefined;
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const onLine = (line: ObservedLine) => {
    if (line.kind === 'lost') {
      const why = line.source === 'slow-reader' ? 'this monitor read too slowly' : 'ring buffer full';
      process.stderr.write(`gitwire: node ${line.node}: ${line.lost} events lost (${why})\n`);
      return;
    }
    if (opts.count !== undefined && seen >= opts.count) return;
    process.stdout.write(render(line, opts.output, tagged) + '\n');
    seen += 1;
    if (opts.count !== undefined && seen >= opts.count) done();
  };
  const note = (line: string) => process.stderr.write(`gitwire: ${line}\n`);
  const onSignal = () => done();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let close: () => Promise<void>;
  if (source.agentUrl) {
    const abort = new AbortController();
    const streaming = streamAgentEvents({
      endpoint: source.agentUrl,
      token,
      filter: opts.filter,
      onLine,
      signal: abort.signal,
    }).then(
      () => (abort.signal.aborted ? undefined : note(`node ${opts.node}: its agent ended the stream`)),
      (e: Error) => {
        note(`node ${opts.node}: ${e.message}`);
        process.exitCode = 1;
      },
    );
    void streaming.finally(done);
    close = async () => {
      abort.abort();
      await streaming;
    };
    note(`monitoring node ${opts.node} through its agent at ${source.agentUrl}; Ctrl-C to stop`);
  } else {
    const [{ Etcd3 }, { parseEndpoints }, { followAgents }] = await Promise.all([
      import('etcd3'),
      import('../../reconciler/agent/etcd-status-store.js'),
      import('../../reconciler/cluster/agent-directory.js'),
    ]);
    const etcd = new Etcd3({ hosts: parseEndpoints(opts.etcd!), dialTimeout: 5000 });
    try {
      const follower = await followAgents({
        etcd,
        token,
        filter: opts.filter,
        ...(opts.node ? { node: opts.node } : {}),
        onLine,
        onNote: note,
        onRefused: (node, e) => {
          note(`node ${node}: ${e.message}`);
          process.exitCode = 1;
          done();
        },
      });
      close = async () => {
        await follower.close();
        etcd.close();
      };
    } catch (e) {
      etcd.close();
      throw e;
    }
    note(`monitoring ${opts.node ? `node ${opts.node}` : 'every node'} through etcd; Ctrl-C to stop`);
  }
  try {
    await finished;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await close();
    process.stderr.write(`${seen} events shown\n`);
  }
}

function render(line: Exclude<ObservedLine, { kind: 'lost' }>, output: 'text' | 'json', tagged: boolean): string {
  if (output === 'json') return line.json;
  const text = line.kind === 'l7' ? l7VerdictText(line.verdict) : eventText(line.event);
  return tagged ? `[${line.node}] ${text}` : text;
}
