import type { HttpRule } from '../../schema/cilium-policy.js';
import type { HeaderRequirement } from './l7-rule-set.js';

/**
 * `headers` and `headerMatches` of one HTTP rule. A `headers` entry is
 * `Name` (presence) or `Name: value` / `Name value` (exact value), split at the
 * first space as Cilium does. A headerMatches secret cannot be read by gitwire:
 * its value is used if given, otherwise the match fails, as Cilium documents
 * for a missing secret.
 */
export function headerRequirements(rule: HttpRule): HeaderRequirement[] {
  const out: HeaderRequirement[] = [];
  for (const h of rule.headers ?? []) {
    const space = h.indexOf(' ');
    if (space < 0) {
      out.push({ name: h.replace(/:$/, '').toLowerCase(), match: 'present', value: '', mismatch: null });
    } else {
      const name = h.slice(0, space).replace(/:+$/, '').toLowerCase();
      out.push({ name, match: 'exact', value: h.slice(space + 1).trim(), mismatch: null });
    }
  }
  for (const m of rule.headerMatches ?? []) {
    const match = m.value !== undefined ? 'exact' : m.secret ? 'fail' : 'present';
    out.push({ name: m.name.toLowerCase(), match, value: m.value ?? '', mismatch: m.mismatch ?? null });
  }
  return out;
}
