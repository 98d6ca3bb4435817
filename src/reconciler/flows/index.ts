// Flows: filtering the monitor's event stream, and the agent's flow records.
export {
  eventFilter,
  EventFilterError,
  EVENT_TYPES,
  parseLabel,
  VERDICTS,
  type EventFilterSpec,
  type IdentityLabels,
} from './event-filter.js';
