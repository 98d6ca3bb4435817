// The node agent: the reconcile loop, its status, metrics and the event monitor.
export { Agent, type AgentOptions } from './agent.js';
export { realAgentDeps, type AgentDeps } from './agent-deps.js';
export { agentLogger, LOG_FORMATS, type AgentLog, type LogFields, type LogFormat } from './agent-logger.js';
export { AgentMetrics, POLICY_LABEL_LIMIT, type ReconcileOutcome } from './agent-metrics.js';
export { startMetricsServer, parseAddr, type MetricsServer, type MetricsSource } from './metrics-server.js';
export { failureKind, errorCode, type FailureKind } from './failure-kind.js';
export { openLiveNode, type LiveNode } from './live-node.js';
export * from './node-status.js';
export { parseDuration } from './parse-duration.js';
export { retryDelay, RETRY_MIN_MS, RETRY_MAX_MS } from './retry-backoff.js';
export { defaultStateDir, type StatusStore } from './status-store.js';
export { FileStatusStore, StatusNodeMismatchError } from './file-status-store.js';
export { EtcdStatusStore, parseEndpoints, statusKey } from './etcd-status-store.js';
export { renderStatusJson, renderStatusText } from './render-status.js';
export { Monitor, MonitorNodeNotAppliedError, type MonitoredEvent, type MonitorOptions } from './monitor.js';
export { eventJson, eventText, l7VerdictJson, l7VerdictText, policyName } from './describe-event.js';
export { followL7Feed, l7FeedPath, L7VerdictFeed, type MonitoredL7Verdict } from './l7-verdict-feed.js';
export { ObserveHub } from './observe-server-hub.js';
export {
  filterFromQuery,
  ObserveQueryError,
  startObserveServer,
  type ObserveServer,
  type ObserveServerOptions,
} from './observe-server.js';
export {
  decodeObservedLine,
  fetchAgentFlows,
  filterQuery,
  ObserveRequestError,
  streamAgentEvents,
  type ObservedLine,
  type StreamAgentOptions,
} from './observe-server-client.js';
export {
  bearerMatches,
  isLoopbackHost,
  ObserveTokenFileError,
  ObserveTokenRequiredError,
  readObserveToken,
} from './observe-server-token.js';
export {
  observeAddressPath,
  readObserveAddress,
  removeObserveAddress,
  writeObserveAddress,
  type ObserveAddress,
} from './observe-server-address.js';
