import { z } from 'zod';

/** DNS-1123 subdomain, as Kubernetes requires for object names. */
export const objectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase DNS-1123 name (a-z, 0-9, "-", ".")');

/** A Kubernetes label value: empty, or up to 63 alphanumerics with '-', '_', '.' inside. */
export const labelValue = z
  .string()
  .max(63)
  .regex(
    /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/,
    'must be a label value: alphanumerics with "-", "_" or "." inside',
  );

export const labelMap = z.record(z.string().min(1).max(317), labelValue);

export const objectMeta = z.looseObject({
  name: objectName,
  namespace: objectName.optional(),
  labels: labelMap.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ObjectMeta = z.infer<typeof objectMeta>;

export const labelSelectorRequirement = z.strictObject({
  key: z.string().min(1),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
  values: z.array(z.string()).optional(),
});

/** Kubernetes LabelSelector as Cilium's EndpointSelector uses it. */
export const labelSelector = z.strictObject({
  matchLabels: z.record(z.string(), labelValue).nullish(),
  matchExpressions: z.array(labelSelectorRequirement).nullish(),
});
export type LabelSelector = z.infer<typeof labelSelector>;
