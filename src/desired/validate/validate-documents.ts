import type { Diagnostic } from '../diagnostics.js';
import type { ParsedDocument } from '../load/index.js';
import type { Declared, Model, PolicyDeclaration } from '../model.js';
import type { ClusterSpec, EndpointSpec, NodeSpec, ServiceSpec } from '../schema/gitwire-kinds.js';
import type { HealthCheckSpec } from '../schema/health-check.js';
import { checkCrossDocument, type Declarations } from './check-cross-document.js';
import { classifyDocument } from './classify-document.js';
import { Reporter } from './internal/reporter.js';
import { validateGitwireDocument } from './validate-gitwire-document.js';
import { validatePolicyDocument } from './validate-policy-document.js';

/** What one valid document declares; it no longer needs the document's parsed value. */
export type Declaration =
  | { readonly kind: 'Cluster'; readonly decl: Declared<ClusterSpec> }
  | { readonly kind: 'Node'; readonly decl: Declared<NodeSpec> }
  | { readonly kind: 'Endpoint'; readonly decl: Declared<EndpointSpec> }
  | { readonly kind: 'Service'; readonly decl: Declared<ServiceSpec> }
  | { readonly kind: 'HealthCheck'; readonly decl: Declared<HealthCheckSpec> }
  | { readonly kind: 'policy'; readonly decl: PolicyDeclaration };

/** A document after its own checks, kept for the checks across documents. */
export interface ValidatedDocument {
  readonly doc: ParsedDocument;
  readonly declaration: Declaration | null;
}

type Sortable = { readonly kind: string; readonly namespace: string | null; readonly name: string };

function byIdentity(a: Sortable, b: Sortable): number {
  return compare(a.kind, b.kind) || compare(a.namespace ?? '', b.namespace ?? '') || compare(a.name, b.name);
}

const compare = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

const sorted = <T extends Sortable>(items: readonly T[]): T[] => [...items].sort(byIdentity);

/** The checks that need nothing but the document itself; findings go to `diagnostics`. */
export function validateDocument(doc: ParsedDocument, diagnostics: Diagnostic[]): Declaration | null {
  const r = new Reporter(doc, diagnostics);
  const cls = classifyDocument(doc, r);
  if (cls.type === 'policy') {
    const decl = validatePolicyDocument(cls.kind, r);
    return decl ? { kind: 'policy', decl } : null;
  }
  if (cls.type !== 'gitwire') return null;
  const entry = validateGitwireDocument(cls.kind, r);
  return entry ? ({ kind: entry.kind, decl: entry.decl } as Declaration) : null;
}

/**
 * Runs the checks across documents and builds the Model, in a stable order,
 * when no error was found (in `diagnostics` so far or by these checks).
 */
export function assembleModel(
  validated: readonly ValidatedDocument[],
  revision: string | null,
  diagnostics: Diagnostic[],
): Model | null {
  const found: Declarations = { clusters: [], nodes: [], endpoints: [], services: [], policies: [], healthChecks: [] };
  for (const { doc, declaration: d } of validated) {
    if (!d) continue;
    const r = new Reporter(doc, diagnostics);
    if (d.kind === 'policy') found.policies.push({ decl: d.decl, r });
    else if (d.kind === 'Cluster') found.clusters.push({ decl: d.decl, r });
    else if (d.kind === 'Node') found.nodes.push({ decl: d.decl, r });
    else if (d.kind === 'Endpoint') found.endpoints.push({ decl: d.decl, r });
    else if (d.kind === 'Service') found.services.push({ decl: d.decl, r });
    else found.healthChecks.push({ decl: d.decl, r });
  }
  checkCrossDocument(found);
  if (diagnostics.some((d) => d.severity === 'error')) return null;
  const decls = <S>(entries: readonly { decl: Declared<S> }[]) => sorted(entries.map((e) => e.decl));
  return {
    revision,
    cluster: found.clusters[0]?.decl ?? null,
    nodes: decls(found.nodes),
    endpoints: decls(found.endpoints),
    services: decls(found.services),
    healthChecks: decls(found.healthChecks),
    policies: sorted<PolicyDeclaration>(found.policies.map((p) => p.decl)),
    warnings: diagnostics.filter((d) => d.severity === 'warning'),
  };
}
