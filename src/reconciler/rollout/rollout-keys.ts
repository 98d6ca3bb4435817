/** Where rollouts, suspensions and pins live in etcd, beside the node status and lease under `/gitwire/`. */
export const ROLLOUT_PREFIX = '/gitwire/rollout/';
/** The coordinator's record of the rollout under way or last done. */
export const ROLLOUT_STATE_KEY = `${ROLLOUT_PREFIX}state`;
/** Present while a user paused the rollout: no node gets a new target until resumed. */
export const ROLLOUT_PAUSED_KEY = `${ROLLOUT_PREFIX}paused`;
/** Written by `rollout abort`, consumed by the coordinator. */
export const ROLLOUT_ABORT_KEY = `${ROLLOUT_PREFIX}abort`;
export const TARGETS_PREFIX = `${ROLLOUT_PREFIX}targets/`;
/** The revision a node may apply; absent, the node follows the branch head. */
export const targetKey = (node: string): string => `${TARGETS_PREFIX}${node}`;
/** Suspends every node. */
export const CLUSTER_SUSPEND_KEY = '/gitwire/suspend';
export const suspendKey = (node: string): string => `/gitwire/nodes/${node}/suspend`;
export const pinKey = (node: string): string => `/gitwire/nodes/${node}/pin`;
