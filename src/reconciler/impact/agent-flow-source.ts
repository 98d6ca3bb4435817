import type { FlowRecord } from '../flows/flow-store.js';
import { fetchAgentFlows } from '../agent/observe-server-client.js';
import { NoFlowDataError, type FlowRecordSource } from './flow-record-source.js';

/**
 * The flow records each node's agent serves (`GET /v1/flows`, bearer token),
 * at the URLs the agents registered in the cluster store: what a reviewer's
 * machine reads when the agents run elsewhere. A node with no registered
 * agent is read from `fallback` when given (its store on this machine).
 */
export class AgentFlowSource implements FlowRecordSource {
  constructor(
    private readonly endpoints: ReadonlyMap<string, string>,
    private readonly token: string | null,
    private readonly fallback: FlowRecordSource | null = null,
  ) {}

  async records(node: string, sinceSeconds: number): Promise<FlowRecord[]> {
    const url = this.endpoints.get(node);
    if (url === undefined) {
      if (this.fallback) return this.fallback.records(node, sinceSeconds);
      throw new NoFlowDataError(node, 'no agent of this node serves its flows in the cluster store (--observe-addr)');
    }
    try {
      return await fetchAgentFlows(url, this.token, sinceSeconds);
    } catch (e) {
      throw new NoFlowDataError(node, `its agent at ${url} did not give its flows: ${(e as Error).message}`);
    }
  }
}
