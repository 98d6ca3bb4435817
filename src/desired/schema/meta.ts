import { z } from 'zod';

// Strict grammars for every string that becomes a file name, a device name, a
// command argument or a label: they are the first line of defence against a
// declaration that smuggles extra arguments into an `ip -batch` line.

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dnsSubdomainRe = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
const dnsLabelRe = new RegExp(`^${DNS_LABEL}$`);
const labelNameRe = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** DNS-1123 subdomain, as Kubernetes requires for object names: dot-separated DNS labels, 253 characters at most. */
export const objectName = z
  .string()
  .min(1)
  .max(253)
  .regex(dnsSubdomainRe, 'must be a lowercase DNS-1123 subdomain (labels of a-z, 0-9, "-" joined by ".")');

/** DNS-1123 label, as Kubernetes requires for namespace names: 63 characters at most, no dots. */
export const namespaceName = z
  .string()
  .min(1)
  .max(63)
  .regex(dnsLabelRe, 'must be a lowercase DNS-1123 label (a-z, 0-9 and "-" inside, no dots)');

/** A Kubernetes label value: empty, or up to 63 alphanumerics with '-', '_', '.' inside. */
export const labelValue = z
  .string()
  .max(63)
  .regex(
    /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/,
    'must be a label value: alphanumerics with "-", "_" or "." inside',
  );

/** A Kubernetes label key: an optional DNS-1123 subdomain prefix and "/", then a name of up to 63 characters. */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? null : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== null && (prefix.length > 253 || !dnsSubdomainRe.test(prefix))) return false;
  return name.length <= 63 && labelNameRe.test(name);
}

/**
 * A key in a Cilium selector: a label key, optionally after the label's source
 * (`k8s:`, `any:`, `reserved:`), as Cilium writes `k8s:io.kubernetes.pod.namespace`.
 */
export function isSelectorKey(key: string): boolean {
  const m = /^([a-z0-9][-a-z0-9]*):(.*)$/.exec(key);
  return isLabelKey(m ? m[2]! : key);
}

const LABEL_KEY_MSG =
  'must be a label key: an optional DNS-1123 prefix and "/", then up to 63 alphanumerics with "-", "_" or "." inside';

export const labelKey = z.string().refine(isLabelKey, LABEL_KEY_MSG);
export const selectorKey = z.string().refine(isSelectorKey, `${LABEL_KEY_MSG} (optionally after a source like "k8s:")`);

export const labelMap = z.record(labelKey, labelValue);

/**
 * A Linux interface name the kernel and `ip` accept as one word: 1-15
 * characters (IFNAMSIZ), letters, digits, '-', '_' and '.', starting with a letter
 * or digit (so never '.', '..' or an option).
 */
export const interfaceName = z
  .string()
  .min(1)
  .max(15)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    'must be an interface name: a letter or digit, then letters, digits, "-", "_" or "." (no spaces, "/" or ":")',
  );

/** IANA_SVC_NAME (RFC 6335), as Kubernetes port names: 1-15 of a-z, 0-9 and single inner hyphens, a letter among them. */
export const portName = z
  .string()
  .max(15)
  .regex(
    /^(?=[a-z0-9-]*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/,
    'must be a port name (IANA_SVC_NAME): a-z, 0-9 and single inner "-", with at least one letter',
  );

export const objectMeta = z.looseObject({
  name: objectName,
  namespace: namespaceName.optional(),
  labels: labelMap.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ObjectMeta = z.infer<typeof objectMeta>;

export const labelSelectorRequirement = z.strictObject({
  key: selectorKey,
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
  values: z.array(labelValue).optional(),
});

/** Kubernetes LabelSelector as Cilium's EndpointSelector uses it. */
export const labelSelector = z.strictObject({
  matchLabels: z.record(selectorKey, labelValue).nullish(),
  matchExpressions: z.array(labelSelectorRequirement).nullish(),
});
export type LabelSelector = z.infer<typeof labelSelector>;
