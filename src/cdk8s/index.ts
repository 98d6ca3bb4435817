// gitwire/cdk8s: author a gitwire configuration repository in TypeScript.
export {
  CiliumClusterwideNetworkPolicy,
  type CiliumClusterwideNetworkPolicyProps,
} from './cilium-clusterwide-network-policy.js';
export { CiliumNetworkPolicy, type CiliumNetworkPolicyProps } from './cilium-network-policy.js';
export { Cluster, type ClusterProps } from './cluster.js';
export { ConstructError } from './construct-error.js';
export { Endpoint, type EndpointProps } from './endpoint.js';
export { GENERATED_MARKER, isGenerated } from './generated-header.js';
export { GitwireApp, type GitwireAppProps } from './gitwire-app.js';
export { Icmp } from './icmp.js';
export { ManifestFile, type ManifestFileProps } from './manifest-file.js';
export { Node, type NodeProps } from './node.js';
export { Peer } from './peer.js';
export { PolicyRule, type Traffic } from './policy-rule.js';
export { Port } from './port.js';
export type * from './props.js';
export { Selector } from './selector.js';
export { Service, type ServiceProps } from './service.js';
export { SynthValidationError, formatSynthDiagnostic, type SynthDiagnostic } from './synth-validation-error.js';
export type { SynthesizedDocument, SynthesizedFile } from './synthesized-file.js';
export { TextFile, type TextFileProps } from './text-file.js';
export * from './deploy/index.js';
