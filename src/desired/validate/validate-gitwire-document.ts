import type { z } from 'zod';
import type { Declared } from '../model.js';
import {
  clusterDocument,
  endpointDocument,
  healthCheckDocument,
  nodeDocument,
  serviceDocument,
  type ClusterSpec,
  type EndpointSpec,
  type NodeSpec,
  type ServiceSpec,
} from '../schema/gitwire-kinds.js';
import type { HealthCheckSpec } from '../schema/health-check.js';
import type { GitwireKind } from './classify-document.js';
import { HotSchema, WARMUP } from './internal/hot-schema.js';
import type { Reporter } from './internal/reporter.js';
import { ValidateCode } from './validate-codes.js';
import { reportZodIssues } from './zod-issues.js';

/** A validated gitwire declaration, still tied to its document for cross-document findings. */
export type GitwireEntry =
  | { readonly kind: 'Cluster'; readonly decl: Declared<ClusterSpec>; readonly r: Reporter }
  | { readonly kind: 'Node'; readonly decl: Declared<NodeSpec>; readonly r: Reporter }
  | { readonly kind: 'Endpoint'; readonly decl: Declared<EndpointSpec>; readonly r: Reporter }
  | { readonly kind: 'Service'; readonly decl: Declared<ServiceSpec>; readonly r: Reporter }
  | { readonly kind: 'HealthCheck'; readonly decl: Declared<HealthCheckSpec>; readonly r: Reporter };

const SCHEMAS: Record<GitwireKind, HotSchema<z.ZodType>> = {
  Cluster: new HotSchema(clusterDocument, WARMUP),
  Node: new HotSchema(nodeDocument, WARMUP),
  Endpoint: new HotSchema(endpointDocument, WARMUP),
  Service: new HotSchema(serviceDocument, WARMUP),
  HealthCheck: new HotSchema(healthCheckDocument, WARMUP),
};

/** Endpoints, Services and HealthChecks live in a namespace, as Pods and Services do; Clusters and Nodes do not. */
const NAMESPACED: Record<GitwireKind, boolean> = {
  Cluster: false,
  Node: false,
  Endpoint: true,
  Service: true,
  HealthCheck: true,
};

export function validateGitwireDocument(kind: GitwireKind, r: Reporter): GitwireEntry | null {
  const parsed = SCHEMAS[kind].safeParse(r.doc.value);
  if (!parsed.success) {
    reportZodIssues(parsed.error.issues, r.doc.value, [], r);
    return null;
  }
  const data = parsed.data as z.infer<
    | typeof clusterDocument
    | typeof nodeDocument
    | typeof endpointDocument
    | typeof serviceDocument
    | typeof healthCheckDocument
  >;
  const meta = data.metadata;
  if (!NAMESPACED[kind] && meta.namespace !== undefined) {
    r.warn(
      ValidateCode.clusterScoped,
      ['metadata', 'namespace'],
      `${kind} is cluster-scoped; the namespace is ignored`,
    );
  }
  const decl = {
    kind,
    name: meta.name,
    namespace: NAMESPACED[kind] ? (meta.namespace ?? 'default') : null,
    labels: meta.labels ?? {},
    spec: data.spec,
    source: { file: r.doc.file, line: r.doc.line },
  };
  return { kind, decl, r } as GitwireEntry;
}
