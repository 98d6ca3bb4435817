import type { IdentityAllocator } from '../../desired/identity/index.js';
import { resolveRevision, type HealthCheckValue, type SourceOptions } from '../../desired/index.js';
import { NodeDatapath, type NodeOptions } from '../../datapath/index.js';
import {
  compileRevision,
  reconcileNode,
  type CompiledRevision,
  type ReconcileOptions,
  type ReconcileResult,
} from '../reconcile-node.js';
import { newRevisionCaches } from '../load-revision.js';
import { runProbe, type FlowDropLookup, type ProbeOutcome } from '../health/index.js';
import { L7VerdictFeed, l7FeedPath } from './l7-verdict-feed.js';
import { collectPassGarbage, prepareAgentHeap } from './collect-garbage.js';
import { openLiveNode, type LiveNode } from './live-node.js';

/** The layers below the loop, as the agent calls them; unit tests pass fakes, the CLI the real ones. */
export interface AgentDeps {
  /** The commit `rev` names now; null for a plain directory, which has no revisions. */
  resolve(repo: string, rev: string, source: SourceOptions): Promise<string | null>;
  /** Compiles the commit `source.rev` for the node at a cluster generation. */
  compile(
    repo: string,
    source: SourceOptions,
    node: string,
    generation: number,
    identities?: IdentityAllocator,
  ): Promise<CompiledRevision>;
  reconcile(opts: ReconcileOptions): Promise<ReconcileResult>;
  openLiveNode(opts: NodeOptions): LiveNode | null;
  /** Runs one HealthCheck's probe from its endpoint's network namespace. */
  probe(check: HealthCheckValue): Promise<ProbeOutcome>;
  /** The flow records' drops, for the per-flow health check; absent when the agent records no flows. */
  flowDrops?: FlowDropLookup;
  /** Releases what the deps keep between passes (the open node); called when the agent stops. */
  release(): void;
  /** When the agent starts: how the process's heap is to grow (see prepareAgentHeap). */
  prepareHeap?(): void;
  /** After each pass: returns the pass's garbage to the system before the agent idles (see collectPassGarbage). */
  collectGarbage?(): void;
}

// One agent per process: its caches, and its node with the BPF object loaded, live as long as it does.
const caches = newRevisionCaches();
let kept: { readonly key: string; readonly node: NodeDatapath } | null = null;
// The kept node's L7 proxy runs here: its verdicts go out on this feed, for `gitwire monitor`.
let feed: { readonly node: string; readonly feed: L7VerdictFeed } | null = null;

/**
 * The node a pass reconciles, loaded once and kept while its pinned maps are
 * the ones it loaded: a pass then skips reloading the BPF object through the
 * verifier. Reopened when the pins were removed or replaced, or for another node.
 */
async function keptNode(opts: ReconcileOptions): Promise<NodeDatapath> {
  if (feed?.node !== opts.node) {
    await feed?.feed.close();
    feed = { node: opts.node, feed: await L7VerdictFeed.listen(l7FeedPath(opts.node)) };
  }
  const nodeOpts = {
    node: opts.node,
    nodeNs: opts.nodeNs ?? null,
    ...(opts.bpffsRoot ? { bpffsRoot: opts.bpffsRoot } : {}),
  };
  const key = JSON.stringify(nodeOpts);
  if (kept && kept.key === key && kept.node.reusable) return kept.node;
  kept?.node.close();
  kept = null;
  const verdicts = feed.feed;
  kept = { key, node: NodeDatapath.open({ ...nodeOpts, onL7Verdict: (v) => verdicts.publish(v) }) };
  return kept.node;
}

export const realAgentDeps: AgentDeps = {
  async resolve(repo, rev, source) {
    try {
      return await resolveRevision(repo, rev, source);
    } catch (e) {
      const err = e as { code?: string; data?: { reason?: string } };
      if (err.code === 'E_SOURCE_NOT_A_REPOSITORY' && err.data?.reason === 'no-history') return null;
      throw e;
    }
  },
  compile: (repo, source, node, generation, identities) =>
    compileRevision(repo, source, node, caches, generation, identities),
  reconcile: async (opts) => reconcileNode(opts.dryRun ? opts : { ...opts, datapath: await keptNode(opts) }),
  openLiveNode,
  probe: runProbe,
  prepareHeap: prepareAgentHeap,
  collectGarbage: () => void collectPassGarbage(),
  release() {
    kept?.node.close();
    kept = null;
    void feed?.feed.close();
    feed = null;
  },
};
