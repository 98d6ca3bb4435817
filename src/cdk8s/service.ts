import type { Construct } from 'constructs';
import { GitwireObject, type GitwireObjectProps } from './internal/gitwire-object.js';
import type { ServiceSpecProps } from './props.js';

export type ServiceProps = GitwireObjectProps<ServiceSpecProps>;

/** A load-balanced service (gitwire.io/v1alpha1 Service): frontends and backends. */
export class Service extends GitwireObject<ServiceSpecProps> {
  constructor(scope: Construct, id: string, props: ServiceProps) {
    super(scope, id, 'Service', props);
  }
}
