// Staged rollouts across nodes, suspend and pin: declared in the Cluster, coordinated through etcd.
export {
  startElectedCoordinator,
  type ElectedCoordinator,
  type ElectedCoordinatorOptions,
} from './coordinator-election.js';
export { loadRolloutPlan } from './load-rollout-plan.js';
export type { Actor, NodeHold, PinRecord, SuspendRecord } from './node-hold.js';
export { EtcdRevisionGate, GateUnreachableError, type GateAnswer, type RevisionGate } from './revision-gate.js';
export { RolloutCoordinator, type CoordinatorOptions } from './rollout-coordinator.js';
export * from './rollout-keys.js';
export * from './rollout-state.js';
export { RolloutStore } from './rollout-store.js';
export { maxUnavailable, rolloutPlan, rolloutWaves, type RolloutNode, type RolloutPlan } from './rollout-waves.js';
export { watchHold } from './watch-hold.js';
export { describeHold } from './describe-hold.js';
export { renderRolloutJson, renderRolloutText, type RolloutView } from './render-rollout.js';
export { renderWavesMarkdown } from './render-waves-markdown.js';
