import type { Declared, Model } from '../model.js';
import type { EndpointSpec } from '../schema/gitwire-kinds.js';

// Label keys Cilium gives every pod (pkg/k8s/apis/cilium.io/const.go).
export const NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';
export const CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

/** An endpoint's identity labels, sorted: its metadata labels plus namespace, service account and cluster. */
export function endpointLabels(endpoint: Declared<EndpointSpec>, clusterName: string): string[] {
  const account = endpoint.spec.serviceAccount;
  const labels: string[] = [];
  // The three labels gitwire sets win over metadata labels of the same key. An indexed loop over the
  // keys: compile runs this for every endpoint while the code is cold.
  const own = endpoint.labels;
  const keys = Object.keys(own);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k !== NAMESPACE_LABEL && k !== CLUSTER_LABEL && !(account && k === SERVICE_ACCOUNT_LABEL))
      labels.push(`k8s:${k}=${own[k]}`);
  }
  labels.push(`k8s:${NAMESPACE_LABEL}=${endpoint.namespace ?? 'default'}`);
  if (account) labels.push(`k8s:${SERVICE_ACCOUNT_LABEL}=${account}`);
  labels.push(`k8s:${CLUSTER_LABEL}=${clusterName}`);
  return labels.sort();
}

/** Every label set a model's endpoints need an identity for, for an IdentityAllocator. */
export function modelLabelSets(model: Model): string[][] {
  const clusterName = model.cluster?.name ?? '';
  return model.endpoints.map((e) => endpointLabels(e, clusterName));
}
