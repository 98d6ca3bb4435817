export { checkPolicyRule } from './check-policy-rule.js';
export { CILIUM_API, classifyDocument, type DocumentClass, type GitwireKind } from './classify-document.js';
export { validateDocuments } from './validate-documents.js';
export { ValidateCode } from './validate-codes.js';
