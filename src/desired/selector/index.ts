export { ANY_SOURCE, formatLabel, parseLabel, parseSelectorKey, toLabelMap } from './label.js';
export type { Label, LabelMap } from './label.js';
export {
  parseSelector,
  requirementMatches,
  selectorFrom,
  selectorHasKey,
  selectorHasKeyPrefix,
  selectorHasSource,
  selectorMatches,
  selectorRequirements,
  withRequirement,
} from './label-selector.js';
export type { Operator, Requirement, Selector } from './label-selector.js';
export { SelectorIndex } from './selector-index.js';
