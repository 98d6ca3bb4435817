// Flows: filtering the monitor's event stream, and the agent's flow records.
export {
  eventFilter,
  EventFilterError,
  EVENT_TYPES,
  parseLabel,
  VERDICTS,
  verdictOf,
  type Verdict,
  type EventFilterSpec,
  type IdentityLabels,
} from './event-filter.js';
export {
  DEFAULT_MAX_FLOW_RECORDS,
  DEFAULT_MAX_PENDING_FLOWS,
  FlowStore,
  type FlowRecord,
  type FlowStoreOptions,
} from './flow-store.js';
export { FlowRecorder, type EventSource, type FlowRecorderOptions, type OpenEvents } from './flow-recorder.js';
export { FlowDropRecords } from './flow-drop-records.js';
