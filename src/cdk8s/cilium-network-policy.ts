import type { Construct } from 'constructs';
import { CiliumPolicyObject, type CiliumPolicyProps } from './internal/cilium-policy-object.js';

export type CiliumNetworkPolicyProps = CiliumPolicyProps;

/** A namespaced `cilium.io/v2` CiliumNetworkPolicy. */
export class CiliumNetworkPolicy extends CiliumPolicyObject {
  constructor(scope: Construct, id: string, props: CiliumNetworkPolicyProps = {}) {
    super(scope, id, 'CiliumNetworkPolicy', props);
  }
}
