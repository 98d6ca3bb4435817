import type { Construct } from 'constructs';
import { GitwireObject, type GitwireObjectProps } from './internal/gitwire-object.js';
import type { EndpointSpecProps } from './props.js';

export type EndpointProps = GitwireObjectProps<EndpointSpecProps>;

/** A workload the agent plumbs (gitwire.io/v1alpha1 Endpoint): node, labels, address, ports. */
export class Endpoint extends GitwireObject<EndpointSpecProps> {
  constructor(scope: Construct, id: string, props: EndpointProps) {
    super(scope, id, 'Endpoint', props);
  }
}
