import type { Diagnostic } from '../diagnostics.js';
import type { ParsedDocument } from '../load/index.js';
import type { Declared, Model, PolicyDeclaration } from '../model.js';
import { checkCrossDocument, type Declarations } from './check-cross-document.js';
import { classifyDocument } from './classify-document.js';
import { Reporter } from './internal/reporter.js';
import { validateGitwireDocument } from './validate-gitwire-document.js';
import { validatePolicyDocument } from './validate-policy-document.js';

type Sortable = { readonly kind: string; readonly namespace: string | null; readonly name: string };

function byIdentity(a: Sortable, b: Sortable): number {
  const ka = [a.kind, a.namespace ?? '', a.name];
  const kb = [b.kind, b.namespace ?? '', b.name];
  for (let i = 0; i < 3; i++) {
    if (ka[i]! < kb[i]!) return -1;
    if (ka[i]! > kb[i]!) return 1;
  }
  return 0;
}

const sorted = <T extends Sortable>(items: readonly T[]): T[] => [...items].sort(byIdentity);

/**
 * Validates parsed documents one by one, then across documents, appending
 * every finding to `diagnostics`. The Model, in a stable order, is returned
 * only when no error was found.
 */
export function validateDocuments(
  docs: readonly ParsedDocument[],
  revision: string | null,
  diagnostics: Diagnostic[],
): Model | null {
  const found: Declarations = { clusters: [], nodes: [], endpoints: [], services: [], policies: [] };
  for (const doc of docs) {
    const r = new Reporter(doc, diagnostics);
    const cls = classifyDocument(doc, r);
    if (cls.type === 'policy') {
      const decl = validatePolicyDocument(cls.kind, r);
      if (decl) found.policies.push({ decl, r });
    } else if (cls.type === 'gitwire') {
      const entry = validateGitwireDocument(cls.kind, r);
      if (entry?.kind === 'Cluster') found.clusters.push(entry);
      else if (entry?.kind === 'Node') found.nodes.push(entry);
      else if (entry?.kind === 'Endpoint') found.endpoints.push(entry);
      else if (entry?.kind === 'Service') found.services.push(entry);
    }
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
    policies: sorted<PolicyDeclaration>(found.policies.map((p) => p.decl)),
    warnings: diagnostics.filter((d) => d.severity === 'warning'),
  };
}
