import { resolveRevision, type SourceOptions } from '../../desired/index.js';
import type { NodeOptions } from '../../datapath/index.js';
import {
  compileRevision,
  reconcileNode,
  type CompiledRevision,
  type ReconcileOptions,
  type ReconcileResult,
} from '../reconcile-node.js';
import { newRevisionCaches } from '../load-revision.js';
import { openLiveNode, type LiveNode } from './live-node.js';

/** The layers below the loop, as the agent calls them; unit tests pass fakes, the CLI the real ones. */
export interface AgentDeps {
  /** The commit `rev` names now; null for a plain directory, which has no revisions. */
  resolve(repo: string, rev: string, source: SourceOptions): Promise<string | null>;
  /** Compiles the commit `source.rev` for the node at a cluster generation. */
  compile(repo: string, source: SourceOptions, node: string, generation: number): Promise<CompiledRevision>;
  reconcile(opts: ReconcileOptions): Promise<ReconcileResult>;
  openLiveNode(opts: NodeOptions): LiveNode | null;
}

// One agent per process: its caches live as long as it does.
const caches = newRevisionCaches();

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
  compile: (repo, source, node, generation) => compileRevision(repo, source, node, caches, generation),
  reconcile: reconcileNode,
  openLiveNode,
};
