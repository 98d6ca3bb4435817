// The kind registry: one declaration per resource kind, imported by desired, datapath and reconciler alike.
export type { KindSpec } from './kind-spec.js';
export { KINDS, RESOURCE_KINDS, DRIVEN_KINDS, kindSpec, type DrivenKind } from './kinds.js';
export { applyOrder, APPLY_ORDER, DELETE_ORDER } from './apply-order.js';
export { mapFit, type MapFit } from './map-fit.js';
export { attachmentKey, frontendKey, l7ProxyKey, policyKey } from './entry-keys.js';
