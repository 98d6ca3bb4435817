export { checkPolicyRule } from './check-policy-rule.js';
export { CILIUM_API, classifyDocument, type DocumentClass, type GitwireKind } from './classify-document.js';
export { LoadCache } from './load-cache.js';
export { assembleModel, validateDocument, type Declaration, type ValidatedDocument } from './validate-documents.js';
export { validateFiles, type ValidatedFiles } from './validate-files.js';
export { ValidateCode } from './validate-codes.js';
