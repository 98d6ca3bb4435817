// impact: the observed flows whose verdict a change would flip, from the agents' flow records.
export {
  computeNodeImpact,
  RECENT_MS,
  type IdentityLabels,
  type NodeImpactInput,
  type RevisionView,
} from './compute-impact.js';
export { AgentFlowSource } from './agent-flow-source.js';
export { LocalFlowStores, NoFlowDataError, type FlowRecordSource } from './flow-record-source.js';
export { measureImpact, type MeasureImpactOptions } from './measure-impact.js';
export { renderImpactJson, renderImpactMarkdown, renderImpactText } from './render-impact.js';
export type * from './impact-report.js';
