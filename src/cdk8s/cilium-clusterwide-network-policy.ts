import type { Construct } from 'constructs';
import { CiliumPolicyObject, type CiliumPolicyProps } from './internal/cilium-policy-object.js';

export type CiliumClusterwideNetworkPolicyProps = CiliumPolicyProps;

/** A cluster-scoped `cilium.io/v2` CiliumClusterwideNetworkPolicy (also the home of host policies). */
export class CiliumClusterwideNetworkPolicy extends CiliumPolicyObject {
  constructor(scope: Construct, id: string, props: CiliumClusterwideNetworkPolicyProps = {}) {
    super(scope, id, 'CiliumClusterwideNetworkPolicy', props);
  }
}
