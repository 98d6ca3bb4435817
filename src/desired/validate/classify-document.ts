import type { ParsedDocument } from '../load/index.js';
import type { PolicyKind } from '../model.js';
import { GITWIRE_API } from '../schema/gitwire-kinds.js';
import { Reporter } from './internal/reporter.js';
import { ValidateCode } from './validate-codes.js';

export type GitwireKind = 'Cluster' | 'Node' | 'Endpoint' | 'Service' | 'HealthCheck';

export type DocumentClass =
  | { readonly type: 'policy'; readonly kind: PolicyKind }
  | { readonly type: 'gitwire'; readonly kind: GitwireKind }
  | { readonly type: 'skip' };

export const CILIUM_API = 'cilium.io/v2';
const POLICY_KINDS: readonly string[] = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];
const GITWIRE_KINDS: readonly string[] = ['Cluster', 'Node', 'Endpoint', 'Service', 'HealthCheck'];
const CILIUM_GROUP = CILIUM_API.split('/')[0]!;
const GITWIRE_GROUP = GITWIRE_API.split('/')[0]!;

/**
 * Decides what a document is. Kinds gitwire does not handle (Pods, Deployments,
 * v1 Services, tool configs without apiVersion/kind) are skipped with a warning,
 * so that mixed repositories such as Cilium's demos load. A policy kind under
 * the wrong apiVersion, or a kind that neither gitwire nor Cilium serves in the
 * cilium.io or gitwire.io group (a typo), is an error: skipping it would
 * silently drop a declaration the user meant.
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
  // The common cases first, without taking the group apart.
  if (apiVersion === GITWIRE_API && GITWIRE_KINDS.includes(kind)) return { type: 'gitwire', kind: kind as GitwireKind };
  if (apiVersion === CILIUM_API && POLICY_KINDS.includes(kind)) return { type: 'policy', kind: kind as PolicyKind };
  const group = apiVersion.split('/')[0];
  if (group === CILIUM_GROUP && !POLICY_KINDS.includes(kind) && !OTHER_CILIUM_KINDS.has(kind)) {
    r.error(ValidateCode.unknownGitwireKind, ['kind'], unknownKind(kind, apiVersion, POLICY_KINDS));
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
  if (group === GITWIRE_GROUP) {
    if (apiVersion !== GITWIRE_API) {
      r.error(
        ValidateCode.wrongApiVersion,
        ['apiVersion'],
        `unknown gitwire API version ${apiVersion}; this gitwire reads ${GITWIRE_API}`,
      );
    } else if (!GITWIRE_KINDS.includes(kind)) {
      r.error(ValidateCode.unknownGitwireKind, ['kind'], unknownKind(kind, apiVersion, GITWIRE_KINDS));
    } else {
      return { type: 'gitwire', kind: kind as GitwireKind };
    }
    return { type: 'skip' };
  }
  r.warn(ValidateCode.ignoredKind, [], `ignored ${kind} (${apiVersion}): not a kind gitwire handles`);
  return { type: 'skip' };
}

/**
 * Kinds Cilium serves in its group that gitwire does not handle: skipped with a
 * warning like any other foreign kind. Any other kind in the group is a typo.
 */
const OTHER_CILIUM_KINDS = new Set([
  'CiliumCIDRGroup',
  'CiliumEndpoint',
  'CiliumEndpointSlice',
  'CiliumNode',
  'CiliumNodeConfig',
  'CiliumIdentity',
  'CiliumExternalWorkload',
  'CiliumEnvoyConfig',
  'CiliumClusterwideEnvoyConfig',
  'CiliumEgressGatewayPolicy',
  'CiliumLocalRedirectPolicy',
  'CiliumLoadBalancerIPPool',
  'CiliumL2AnnouncementPolicy',
  'CiliumPodIPPool',
  'CiliumBGPPeeringPolicy',
  'CiliumBGPClusterConfig',
  'CiliumBGPPeerConfig',
  'CiliumBGPAdvertisement',
  'CiliumBGPNodeConfig',
  'CiliumBGPNodeConfigOverride',
  'CiliumGatewayClassConfig',
]);

function unknownKind(kind: string, apiVersion: string, known: readonly string[]): string {
  const near = known
    .map((k) => ({ k, d: editDistance(k.toLowerCase(), kind.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)[0];
  const hint = near && near.d <= Math.max(2, Math.floor(near.k.length / 4)) ? `; did you mean ${near.k}?` : '';
  return `unknown kind ${kind} in ${apiVersion}${hint} (gitwire reads ${known.join(', ')} there)`;
}

/** Levenshtein distance, for did-you-mean hints on short words. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
