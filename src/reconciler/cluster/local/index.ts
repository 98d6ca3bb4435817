export { LocalCluster, type ClusterNode, type ClusterState, type LocalClusterOptions } from './local-cluster.js';
export { clusterLayout, type ClusterLayout } from './cluster-layout.js';
export { downCluster, readClusterState } from './cluster-down.js';
export { ALLIANCE_RULE, POLICY_FILE, runClusterStory, starWars, type StarWars } from './cluster-story.js';
export { serveName, whoAnswers } from './workload-probe.js';
