import { z } from 'zod';
import { labelSelector, objectMeta } from './meta.js';

// Shapes of Cilium's cilium.io/v2 policy CRDs, field for field. Cross-field
// rules Cilium enforces (ports per rule, except inside cidr, L7 only on TCP...)
// live in ../validate/, so that the shapes stay readable and cdk8s props can be
// derived from them.

export const endpointSelector = labelSelector;
export type EndpointSelector = z.infer<typeof endpointSelector>;

export const entity = z.enum([
  'all',
  'world',
  'cluster',
  'cluster-mesh',
  'host',
  'init',
  'ingress',
  'unmanaged',
  'remote-node',
  'health',
  'none',
  'kube-apiserver',
]);
export type Entity = z.infer<typeof entity>;

export const protocol = z.enum(['TCP', 'UDP', 'SCTP', 'VRRP', 'IGMP', 'GRE', 'IPIP', 'IPV6', 'ESP', 'AH', 'ANY']);
export type Protocol = z.infer<typeof protocol>;

export const cidr = z.string().min(1);

export const cidrRule = z.strictObject({
  cidr: cidr.optional(),
  cidrGroupRef: z.string().optional(),
  cidrGroupSelector: labelSelector.optional(),
  except: z.array(cidr).nullish(),
});
export type CidrRule = z.infer<typeof cidrRule>;

export const portProtocol = z.strictObject({
  port: z.union([z.string(), z.number().int()], { error: 'must be a port number or a port name' }).optional(),
  endPort: z.number().int().min(0).max(65535).optional(),
  protocol: protocol.optional(),
});
export type PortProtocol = z.infer<typeof portProtocol>;

export const httpRule = z.strictObject({
  method: z.string().optional(),
  path: z.string().optional(),
  host: z.string().optional(),
  headers: z.array(z.string()).optional(),
  headerMatches: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        value: z.string().optional(),
        mismatch: z.enum(['LOG', 'ADD', 'DELETE', 'REPLACE']).optional(),
        secret: z.strictObject({ name: z.string(), namespace: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
export type HttpRule = z.infer<typeof httpRule>;

export const fqdnSelector = z.strictObject({
  matchName: z
    .string()
    .max(255)
    .regex(/^([-a-zA-Z0-9_]+[.]?)+$/)
    .optional(),
  matchPattern: z
    .string()
    .max(255)
    .regex(/^([-a-zA-Z0-9_*]+[.]?)+$/)
    .optional(),
});
export type FqdnSelector = z.infer<typeof fqdnSelector>;

export const l7Rules = z.strictObject({
  http: z.array(httpRule).nullish(),
  dns: z.array(fqdnSelector).nullish(),
  kafka: z.array(z.looseObject({})).nullish(),
  l7proto: z.string().optional(),
  l7: z.array(z.record(z.string(), z.string())).nullish(),
});
export type L7Rules = z.infer<typeof l7Rules>;

export const portRule = z.strictObject({
  ports: z.array(portProtocol).nullish(),
  rules: l7Rules.nullish(),
  serverNames: z.array(z.string()).nullish(),
  listener: z.looseObject({}).nullish(),
  originatingTLS: z.looseObject({}).nullish(),
  terminatingTLS: z.looseObject({}).nullish(),
});
export type PortRule = z.infer<typeof portRule>;

export const icmpField = z.strictObject({
  family: z.enum(['IPv4', 'IPv6']).optional(),
  type: z.union([z.number().int(), z.string()]),
});
export const icmpRule = z.strictObject({ fields: z.array(icmpField).max(40) });
export type IcmpRule = z.infer<typeof icmpRule>;

export const serviceSelector = z.strictObject({
  k8sService: z.strictObject({ serviceName: z.string().optional(), namespace: z.string().optional() }).optional(),
  k8sServiceSelector: z.strictObject({ selector: labelSelector, namespace: z.string().optional() }).optional(),
});

const authentication = z.strictObject({ mode: z.enum(['disabled', 'required', 'test-always-fail']) });
const groups = z.looseObject({});

const peers = {
  icmps: z.array(icmpRule).nullish(),
  toPorts: z.array(portRule).nullish(),
};

export const ingressRule = z.strictObject({
  fromEndpoints: z.array(endpointSelector).nullish(),
  fromRequires: z.array(z.unknown()).nullish(),
  fromCIDR: z.array(cidr).nullish(),
  fromCIDRSet: z.array(cidrRule).nullish(),
  fromEntities: z.array(entity).nullish(),
  fromGroups: z.array(groups).nullish(),
  fromNodes: z.array(endpointSelector).nullish(),
  authentication: authentication.optional(),
  ...peers,
});
export type IngressRule = z.infer<typeof ingressRule>;

export const ingressDenyRule = ingressRule.omit({ authentication: true });
export type IngressDenyRule = z.infer<typeof ingressDenyRule>;

export const egressRule = z.strictObject({
  toEndpoints: z.array(endpointSelector).nullish(),
  toRequires: z.array(z.unknown()).nullish(),
  toCIDR: z.array(cidr).nullish(),
  toCIDRSet: z.array(cidrRule).nullish(),
  toEntities: z.array(entity).nullish(),
  toGroups: z.array(groups).nullish(),
  toNodes: z.array(endpointSelector).nullish(),
  toServices: z.array(serviceSelector).nullish(),
  toFQDNs: z.array(fqdnSelector).nullish(),
  authentication: authentication.optional(),
  ...peers,
});
export type EgressRule = z.infer<typeof egressRule>;

export const egressDenyRule = egressRule.omit({ authentication: true, toFQDNs: true });
export type EgressDenyRule = z.infer<typeof egressDenyRule>;

/** One Cilium policy rule: `spec`, or one entry of `specs`. */
export const ciliumRule = z.strictObject({
  endpointSelector: endpointSelector.optional(),
  nodeSelector: endpointSelector.optional(),
  ingress: z.array(ingressRule).nullish(),
  ingressDeny: z.array(ingressDenyRule).nullish(),
  egress: z.array(egressRule).nullish(),
  egressDeny: z.array(egressDenyRule).nullish(),
  enableDefaultDeny: z.strictObject({ ingress: z.boolean().optional(), egress: z.boolean().optional() }).optional(),
  labels: z
    .array(z.looseObject({ key: z.string(), value: z.string().optional(), source: z.string().optional() }))
    .nullish(),
  description: z.string().optional(),
  log: z.strictObject({ value: z.string().max(32).optional() }).optional(),
});
export type CiliumRule = z.infer<typeof ciliumRule>;

const policyDocument = <K extends string>(kind: K) =>
  z.strictObject({
    apiVersion: z.literal('cilium.io/v2'),
    kind: z.literal(kind),
    metadata: objectMeta,
    spec: ciliumRule.optional(),
    specs: z.array(ciliumRule).optional(),
    status: z.unknown().optional(),
    // Old Cilium docs (and the seed) put a description at the top level;
    // Kubernetes drops it with a warning, so gitwire accepts and warns too.
    description: z.string().optional(),
  });

export const ciliumNetworkPolicy = policyDocument('CiliumNetworkPolicy');
export const ciliumClusterwideNetworkPolicy = policyDocument('CiliumClusterwideNetworkPolicy');
export type CiliumNetworkPolicy = z.infer<typeof ciliumNetworkPolicy>;
export type CiliumClusterwideNetworkPolicy = z.infer<typeof ciliumClusterwideNetworkPolicy>;
