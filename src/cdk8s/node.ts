import type { Construct } from 'constructs';
import { GitwireObject, type GitwireObjectProps } from './internal/gitwire-object.js';
import type { NodeSpecProps } from './props.js';

export type NodeProps = GitwireObjectProps<NodeSpecProps>;

/** A node of the cluster (gitwire.io/v1alpha1 Node): underlay address and pod CIDR. */
export class Node extends GitwireObject<NodeSpecProps> {
  constructor(scope: Construct, id: string, props: NodeProps) {
    super(scope, id, 'Node', props);
  }
}
