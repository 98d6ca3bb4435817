// explain: a flow's verdict and the rule behind it, from the desired state alone.
export { explainFlow, explainIngress } from './explain-flow.js';
export { ExplainError, type ExplainErrorCode } from './explain-error.js';
export { renderExplanationJson, renderExplanationText, sideReasonText } from './render-explanation.js';
export type * from './flow-explanation.js';
