import type { z } from 'zod';
import type { FieldPath } from '../load/index.js';
import type { Reporter } from './internal/reporter.js';
import { ValidateCode } from './validate-codes.js';

/** Why a field that the schema does not know was probably written; shown instead of a bare "unknown field". */
const FIELD_HINTS: Readonly<Record<string, string>> = {
  auth:
    'unknown field "auth": this is the old spelling; the current API names it ' +
    '"authentication: {mode: required|disabled}", and Cilium\'s CRD prunes or rejects "auth"',
  toFQDNs: 'unknown field "toFQDNs": toFQDNs is allowed only in egress rules, not in egressDeny',
  authentication:
    'unknown field "authentication": authentication is allowed only in ingress and egress rules, not in deny rules',
};

function valueAt(root: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || !(seg in v)) return { found: false, value: undefined };
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return { found: true, value: v };
}

function toFieldPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((seg) => (typeof seg === 'number' ? seg : String(seg)));
}

/**
 * Turns zod issues into diagnostics at the exact YAML node: one per unknown
 * key (at the key itself), "required" for a missing field, zod's own wording
 * otherwise. `value` is what was parsed, `base` its path inside the document.
 */
export function reportZodIssues(
  issues: readonly z.core.$ZodIssue[],
  value: unknown,
  base: FieldPath,
  r: Reporter,
): void {
  for (const issue of issues) {
    const path = [...base, ...toFieldPath(issue.path)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        r.error(ValidateCode.unknownField, [...path, key], FIELD_HINTS[key] ?? `unknown field "${key}"`);
      }
      continue;
    }
    if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && !valueAt(value, issue.path).found) {
      const expected = issue.code === 'invalid_type' ? ` (expected ${issue.expected})` : '';
      r.error(ValidateCode.schema, path, `required field is missing${expected}`);
      continue;
    }
    r.error(ValidateCode.schema, path, issue.message);
  }
}
