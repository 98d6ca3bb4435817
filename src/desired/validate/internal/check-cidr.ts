import type { FieldPath } from '../../load/index.js';
import type { CidrRule } from '../../schema/cilium-policy.js';
import { ValidateCode } from '../validate-codes.js';
import { containsPrefix, formatPrefix, hasHostBits, parsePrefix, type IpPrefix } from './ip-prefix.js';
import type { Reporter } from './reporter.js';

/** Parses a CIDR field; reports it and returns null when malformed, warns when host bits are set. */
export function checkCidr(text: string, path: FieldPath, r: Reporter): IpPrefix | null {
  const prefix = parsePrefix(text);
  if (!prefix) {
    r.error(ValidateCode.cidr, path, `"${text}" is not a CIDR (address/prefix-length, e.g. 10.0.0.0/8 or fd00::/64)`);
    return null;
  }
  if (hasHostBits(prefix)) {
    r.warn(ValidateCode.hostBits, path, `"${text}" has host bits set; it is treated as ${formatPrefix(prefix)}`);
  }
  return prefix;
}

/** A CIDRSet entry: exactly one of cidr, cidrGroupRef, cidrGroupSelector; every except inside cidr. */
export function checkCidrRule(rule: CidrRule, path: FieldPath, r: Reporter): void {
  const set = [rule.cidr, rule.cidrGroupRef, rule.cidrGroupSelector].filter((v) => v !== undefined).length;
  if (set !== 1) {
    const msg = `needs exactly one of cidr, cidrGroupRef or cidrGroupSelector (found ${set})`;
    r.error(ValidateCode.cidr, path, msg);
  }
  if (rule.cidr === undefined) {
    if ((rule.except ?? []).length > 0)
      r.error(ValidateCode.cidr, [...path, 'except'], 'except needs a cidr to lie in');
    return;
  }
  const outer = checkCidr(rule.cidr, [...path, 'cidr'], r);
  (rule.except ?? []).forEach((text, i) => {
    const at = [...path, 'except', i];
    const inner = checkCidr(text, at, r);
    if (outer && inner && !containsPrefix(outer, inner)) {
      r.error(ValidateCode.cidr, at, `except ${text} does not lie inside cidr ${rule.cidr}`);
    }
  });
}
