import type { ParsedDocument } from '../load/index.js';
import type { PolicyKind } from '../model.js';
import { GITWIRE_API } from '../schema/gitwire-kinds.js';
import { Reporter } from './internal/reporter.js';
import { ValidateCode } from './validate-codes.js';

export type GitwireKind = 'Cluster' | 'Node' | 'Endpoint' | 'Service';

export type DocumentClass =
  | { readonly type: 'policy'; readonly kind: PolicyKind }
  | { readonly type: 'gitwire'; readonly kind: GitwireKind }
  | { readonly type: 'skip' };

export const CILIUM_API = 'cilium.io/v2';
const POLICY_KINDS: readonly string[] = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];
const GITWIRE_KINDS: readonly string[] = ['Cluster', 'Node', 'Endpoint', 'Service'];

/**
 * Decides what a document is. Kinds gitwire does not handle (Pods, Deployments,
 * v1 Services, tool configs without apiVersion/kind) are skipped with a warning,
 * so that mixed repositories such as Cilium's demos load. A policy kind under
 * the wrong apiVersion, or a kind gitwire does not know in its own group, is an
 * error: skipping it would silently drop a declaration the user meant.
 */
export function classifyDocument(doc: ParsedDocument, r: Reporter): DocumentClass {
  const v = doc.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    r.warn(ValidateCode.notManifest, [], 'document is not a mapping, so not a Kubernetes object; ignored');
    return { type: 'skip' };
  }
  const { apiVersion, kind } = v as Record<string, unknown>;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    const msg =
      'document has no apiVersion and kind, so it is not a Kubernetes object (a tool config such as cdk8s.yaml?); ignored';
    r.warn(ValidateCode.notManifest, [], msg);
    return { type: 'skip' };
  }
  if (POLICY_KINDS.includes(kind)) {
    if (apiVersion === CILIUM_API) return { type: 'policy', kind: kind as PolicyKind };
    r.error(
      ValidateCode.wrongApiVersion,
      ['apiVersion'],
      `${kind} is served only as apiVersion ${CILIUM_API}, not ${apiVersion}`,
    );
    return { type: 'skip' };
  }
  if (apiVersion.split('/')[0] === GITWIRE_API.split('/')[0]) {
    if (apiVersion !== GITWIRE_API) {
      r.error(
        ValidateCode.wrongApiVersion,
        ['apiVersion'],
        `unknown gitwire API version ${apiVersion}; this gitwire reads ${GITWIRE_API}`,
      );
    } else if (!GITWIRE_KINDS.includes(kind)) {
      r.error(
        ValidateCode.unknownGitwireKind,
        ['kind'],
        `unknown kind ${kind} in ${GITWIRE_API}; known: ${GITWIRE_KINDS.join(', ')}`,
      );
    } else {
      return { type: 'gitwire', kind: kind as GitwireKind };
    }
    return { type: 'skip' };
  }
  r.warn(ValidateCode.ignoredKind, [], `ignored ${kind} (${apiVersion}): not a kind gitwire handles`);
  return { type: 'skip' };
}
