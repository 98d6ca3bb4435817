export { compileL7Proxy } from './compile-l7-proxy.js';
export { compileL7Rules } from './compile-l7-rules.js';
export { compileNodeL7, type NodeL7 } from './compile-node-l7.js';
export type { HeaderRequirement, HttpRuleSpec, L7RuleRef, L7RuleSet, MismatchAction } from './l7-rule-set.js';
