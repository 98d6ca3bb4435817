import { existsSync, readFileSync } from 'node:fs';
import { clusterLayout } from './cluster-layout.js';
import { removeClusterResources, type ClusterState } from './local-cluster.js';

/** The state `up` wrote, or null when no cluster of that name runs here. */
export function readClusterState(name: string, stateRoot?: string): ClusterState | null {
  const { stateFile } = clusterLayout(name, stateRoot);
  return existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState) : null;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** True when `pid` still runs the program it was recorded as (its command line holds every word). */
function runs(pid: number, words: readonly string[]): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return words.every((w) => argv.includes(w));
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    if (!alive(pid)) return true;
  }
  return !alive(pid);
}

/**
 * Stops a local cluster from another process: asks its supervisor (`cluster
 * up`) to tear down, and if the supervisor is gone, stops the agents it
 * recorded (only those PIDs, only while they still run `gitwire agent` for
 * their node) and removes the namespaces, pins and state itself.
 */
export async function downCluster(name: string, stateRoot?: string): Promise<boolean> {
  const state = readClusterState(name, stateRoot);
  if (!state) return false;
  if (alive(state.supervisorPid) && runs(state.supervisorPid, ['cluster', 'up'])) {
    process.kill(state.supervisorPid, 'SIGTERM');
    if (await waitGone(state.supervisorPid, 60_000)) return true;
  }
  for (const a of state.agents) {
    if (runs(a.pid, ['agent', '--node', a.node])) {
      process.kill(a.pid, 'SIGTERM');
      if (!(await waitGone(a.pid, 10_000))) process.kill(a.pid, 'SIGKILL');
    }
  }
  if (state.etcdPid !== undefined && runs(state.etcdPid, ['etcd'])) process.kill(state.etcdPid, 'SIGTERM');
  await removeClusterResources(clusterLayout(name, stateRoot), state.nodes);
  return true;
}
