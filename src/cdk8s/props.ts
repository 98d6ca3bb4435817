import type { z } from 'zod';
import type {
  ciliumClusterwideNetworkPolicy,
  ciliumNetworkPolicy,
  ciliumRule,
  egressRule,
  endpointSelector,
  entity,
  httpRule,
  icmpField,
  ingressRule,
  portProtocol,
  portRule,
  protocol,
} from '../desired/schema/cilium-policy.js';
import type { clusterSpec, endpointSpec, nodeSpec, serviceSpec } from '../desired/schema/gitwire-kinds.js';
import type { objectMeta } from '../desired/schema/meta.js';

// Every prop type is the zod schema's *input* type: the schema stays the one
// source of truth, and fields with defaults stay optional for authors.

/** Object metadata; `name` may be left out, cdk8s then derives one from the construct path. */
export type ObjectMetaProps = Partial<z.input<typeof objectMeta>>;

export type EndpointSelectorProps = z.input<typeof endpointSelector>;
export type EntityName = z.input<typeof entity>;
export type ProtocolName = z.input<typeof protocol>;
export type PortProtocolProps = z.input<typeof portProtocol>;
export type HttpRuleProps = z.input<typeof httpRule>;
export type IcmpFieldProps = z.input<typeof icmpField>;
export type PortRuleProps = z.input<typeof portRule>;
export type IngressRuleProps = z.input<typeof ingressRule>;
export type EgressRuleProps = z.input<typeof egressRule>;
export type CiliumRuleProps = z.input<typeof ciliumRule>;

type PolicyDocumentInput = z.input<typeof ciliumNetworkPolicy> | z.input<typeof ciliumClusterwideNetworkPolicy>;
/** Top-level fields of a policy document besides apiVersion, kind, metadata and the rules themselves. */
export type PolicyDocumentExtras = Omit<
  PolicyDocumentInput,
  'apiVersion' | 'kind' | 'metadata' | 'spec' | 'specs' | 'status'
>;

export type ClusterSpecProps = z.input<typeof clusterSpec>;
export type NodeSpecProps = z.input<typeof nodeSpec>;
export type EndpointSpecProps = z.input<typeof endpointSpec>;
export type ServiceSpecProps = z.input<typeof serviceSpec>;
