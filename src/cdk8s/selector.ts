import type { EndpointSelectorProps } from './props.js';

/** Shorthands for the label selectors people write most; anything else is a plain EndpointSelectorProps. */
export const Selector = {
  /** `{matchLabels: labels}`. */
  labels(labels: Readonly<Record<string, string>>): EndpointSelectorProps {
    return { matchLabels: { ...labels } };
  },
  /** `{}`: every endpoint (of the policy's namespace, for a namespaced policy). */
  all(): EndpointSelectorProps {
    return {};
  },
  /** `{matchExpressions: [{key, operator: In, values}]}`. */
  in(key: string, ...values: string[]): EndpointSelectorProps {
    return { matchExpressions: [{ key, operator: 'In', values }] };
  },
  /** `{matchExpressions: [{key, operator: NotIn, values}]}`. */
  notIn(key: string, ...values: string[]): EndpointSelectorProps {
    return { matchExpressions: [{ key, operator: 'NotIn', values }] };
  },
  /** `{matchExpressions: [{key, operator: Exists}]}`. */
  exists(key: string): EndpointSelectorProps {
    return { matchExpressions: [{ key, operator: 'Exists' }] };
  },
};
