import type { Construct } from 'constructs';
import { GitwireObject, type GitwireObjectProps } from './internal/gitwire-object.js';
import type { ClusterSpecProps } from './props.js';

export type ClusterProps = GitwireObjectProps<ClusterSpecProps>;

/** The cluster-wide settings (gitwire.io/v1alpha1 Cluster): pod CIDR, routing and tunnel, enforcement mode. */
export class Cluster extends GitwireObject<ClusterSpecProps> {
  constructor(scope: Construct, id: string, props: ClusterProps) {
    super(scope, id, 'Cluster', props);
  }
}
