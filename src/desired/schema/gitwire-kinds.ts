import { z } from 'zod';
import { healthCheckSpec } from './health-check.js';
import { interfaceName, labelMap, objectMeta, objectName, portName } from './meta.js';
import { rolloutSpec } from './rollout-spec.js';

// gitwire's own declarations (gitwire.io/v1alpha1). Shapes only; cross-document
// checks (unknown node, overlapping pod CIDRs...) live in ../validate/.

export const GITWIRE_API = 'gitwire.io/v1alpha1';

const ipv4 = z.ipv4();
const ipv4Cidr = z.cidrv4();
const port = z.number().int().min(1).max(65535);
const l4Protocol = z.enum(['TCP', 'UDP', 'SCTP']);

export const clusterSpec = z.strictObject({
  clusterCIDR: ipv4Cidr,
  serviceCIDR: ipv4Cidr.optional(),
  routingMode: z.enum(['tunnel', 'native']).default('tunnel'),
  tunnel: z
    .strictObject({
      protocol: z.enum(['vxlan', 'geneve']).default('vxlan'),
      port: port.optional(),
      vni: z.number().int().min(1).max(16_777_215).default(2),
      device: interfaceName.optional(),
    })
    .prefault({}),
  mtu: z.number().int().min(1280).max(9000).default(1500),
  policyEnforcement: z.enum(['default', 'always', 'never']).default('default'),
  auditMode: z.boolean().default(false),
  loadBalancer: z
    .strictObject({
      algorithm: z.enum(['random', 'maglev']).default('random'),
      mode: z.enum(['snat', 'dsr']).default('snat'),
      maglevTableSize: z
        .union([251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071].map((n) => z.literal(n)))
        .default(16381),
    })
    .prefault({}),
  rollout: rolloutSpec.optional(),
});
export type ClusterSpec = z.infer<typeof clusterSpec>;

export const nodeSpec = z.strictObject({
  address: ipv4,
  podCIDR: ipv4Cidr,
});
export type NodeSpec = z.infer<typeof nodeSpec>;

export const endpointSpec = z.strictObject({
  node: objectName,
  address: ipv4.optional(),
  mac: z
    .string()
    .regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'must be a lowercase MAC address like 0a:58:0a:00:01:05')
    .optional(),
  // Becomes the value of a label, so a label value's 63 characters bound it too.
  serviceAccount: objectName.max(63).optional(),
  ports: z
    .array(z.strictObject({ name: portName, containerPort: port, protocol: l4Protocol.default('TCP') }))
    .default([]),
});
export type EndpointSpec = z.infer<typeof endpointSpec>;

export const servicePort = z.strictObject({
  name: portName.optional(),
  port,
  protocol: l4Protocol.default('TCP'),
  targetPort: z.union([port, portName]).optional(),
  nodePort: z.number().int().min(1).max(65535).optional(),
});

export const serviceSpec = z.strictObject({
  type: z.enum(['ClusterIP', 'NodePort']).default('ClusterIP'),
  clusterIP: ipv4.optional(),
  externalIPs: z.array(ipv4).default([]),
  ports: z.array(servicePort).min(1),
  selector: labelMap.optional(),
  backends: z
    .array(
      z.strictObject({
        address: ipv4,
        port: port.optional(),
        state: z.enum(['active', 'terminating', 'quarantined', 'maintenance']).default('active'),
      }),
    )
    .default([]),
  algorithm: z.enum(['random', 'maglev']).optional(),
  loadBalancerMode: z.enum(['snat', 'dsr']).optional(),
  sessionAffinity: z.enum(['None', 'ClientIP']).default('None'),
  sessionAffinityTimeoutSeconds: z.number().int().min(1).max(86_400).default(10_800),
});
export type ServiceSpec = z.infer<typeof serviceSpec>;

const gitwireDocument = <K extends string, S extends z.ZodType>(kind: K, spec: S) =>
  z.strictObject({ apiVersion: z.literal(GITWIRE_API), kind: z.literal(kind), metadata: objectMeta, spec });

export const clusterDocument = gitwireDocument('Cluster', clusterSpec);
export const nodeDocument = gitwireDocument('Node', nodeSpec);
export const endpointDocument = gitwireDocument('Endpoint', endpointSpec);
export const serviceDocument = gitwireDocument('Service', serviceSpec);
export const healthCheckDocument = gitwireDocument('HealthCheck', healthCheckSpec);
