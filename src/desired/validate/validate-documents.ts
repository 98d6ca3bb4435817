import type { Diagnostic } from '../diagnostics.js';
import type { ParsedDocument } from '../load/index.js';
import type { Declared, Model, PolicyDeclaration } from '../model.js';
import type { ClusterSpec, EndpointSpec, NodeSpec, ServiceSpec } from '../schema/gitwire-kinds.js';
import type { HealthCheckSpec } from '../schema/health-check.js';
import { checkCrossDocument, checkDuplicateNames, type Declarations } from './check-cross-document.js';
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

/** The declarations of one tree by kind, in file order, and what was found and built from them. */
export interface AssembledTree {
  readonly inFileOrder: DeclarationLists;
  readonly sorted: DeclarationLists;
  /** checkCrossDocument found nothing. */
  readonly clean: boolean;
}

interface DeclarationLists {
  readonly clusters: readonly Declared<ClusterSpec>[];
  readonly nodes: readonly Declared<NodeSpec>[];
  readonly endpoints: readonly Declared<EndpointSpec>[];
  readonly services: readonly Declared<ServiceSpec>[];
  readonly healthChecks: readonly Declared<HealthCheckSpec>[];
  readonly policies: readonly PolicyDeclaration[];
}

/**
 * Runs the checks across documents and builds the Model, in a stable order,
 * when no error was found (in `diagnostics` so far or by these checks).
 * With a LoadCache, what depends only on declarations that are the very
 * same objects as the previous tree's is reused: the sorted lists, and
 * checkCrossDocument's verdict when it found nothing and no declaration but
 * policies changed (a commit that changes policies only).
 */
export function assembleModel(
  validated: readonly ValidatedDocument[],
  revision: string | null,
  diagnostics: Diagnostic[],
  cache?: { assembled: AssembledTree | null },
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
  const decls = <T>(entries: readonly { decl: T }[]) => entries.map((e) => e.decl);
  const lists: DeclarationLists = {
    clusters: decls(found.clusters),
    nodes: decls(found.nodes),
    endpoints: decls(found.endpoints),
    services: decls(found.services),
    healthChecks: decls(found.healthChecks),
    policies: decls(found.policies),
  };
  const last = cache?.assembled ?? null;
  const same = (kind: keyof DeclarationLists) => last !== null && sameItems(last.inFileOrder[kind], lists[kind]);
  const unchanged = last !== null && GITWIRE_LISTS.every(same);
  // The last tree was accepted (else no cache.assembled), so the very same other declarations hold no duplicate.
  checkDuplicateNames(
    unchanged ? { ...found, clusters: [], nodes: [], endpoints: [], services: [], healthChecks: [] } : found,
  );
  let clean = unchanged && last.clean;
  if (!clean) {
    const before = diagnostics.length;
    checkCrossDocument(found);
    clean = diagnostics.length === before;
  }
  if (cache) cache.assembled = null;
  if (diagnostics.some((d) => d.severity === 'error')) return null;
  const sortedList = <T extends Sortable>(kind: keyof DeclarationLists, list: readonly T[], earlier?: readonly T[]) =>
    earlier !== undefined && same(kind) ? earlier : sorted(list);
  const sortedLists: DeclarationLists = {
    clusters: lists.clusters,
    nodes: sortedList('nodes', lists.nodes, last?.sorted.nodes),
    endpoints: sortedList('endpoints', lists.endpoints, last?.sorted.endpoints),
    services: sortedList('services', lists.services, last?.sorted.services),
    healthChecks: sortedList('healthChecks', lists.healthChecks, last?.sorted.healthChecks),
    policies: sortedList('policies', lists.policies, last?.sorted.policies),
  };
  if (cache) cache.assembled = { inFileOrder: lists, sorted: sortedLists, clean };
  return {
    revision,
    cluster: lists.clusters[0] ?? null,
    nodes: sortedLists.nodes,
    endpoints: sortedLists.endpoints,
    services: sortedLists.services,
    healthChecks: sortedLists.healthChecks,
    policies: sortedLists.policies,
    warnings: diagnostics.filter((d) => d.severity === 'warning'),
  };
}

/** Every kind but policies: what checkCrossDocument reads. */
const GITWIRE_LISTS = ['clusters', 'nodes', 'endpoints', 'services', 'healthChecks'] as const;

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
