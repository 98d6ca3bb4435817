import { join } from 'node:path';

/**
 * Every name a local cluster uses, derived from its name so that two clusters
 * (or two test runs) on one machine never share a namespace, a pin or a file.
 */
export interface ClusterLayout {
  readonly name: string;
  readonly stateDir: string;
  readonly fabricNetns: string;
  /** Parent of each node's pin directory (`<root>/<node>`), outside the default root of `gitwire apply`. */
  readonly bpffsRoot: string;
  /** Bare repositories served over HTTP live here; the configuration is `config.git`. */
  readonly gitRoot: string;
  readonly workTree: string;
  readonly stateFile: string;
  nodeNetns(node: string): string;
  nodeDir(node: string): string;
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,22}[a-z0-9])?$/;

export function clusterLayout(name: string, stateRoot = '/var/lib/gitwire/clusters'): ClusterLayout {
  if (!NAME.test(name))
    throw new RangeError(`cluster name ${JSON.stringify(name)}: lowercase letters, digits and '-', at most 24`);
  const stateDir = join(stateRoot, name);
  return {
    name,
    stateDir,
    fabricNetns: `gwc-${name}-fabric`,
    bpffsRoot: `/sys/fs/bpf/gitwire-cluster-${name}`,
    gitRoot: join(stateDir, 'git'),
    workTree: join(stateDir, 'work'),
    stateFile: join(stateDir, 'cluster.json'),
    nodeNetns: (node) => `gwc-${name}-${node}`,
    nodeDir: (node) => join(stateDir, 'nodes', node),
  };
}
