import type { FieldPath } from '../../load/index.js';
import type { L7Rules, PortRule } from '../../schema/cilium-policy.js';
import { ValidateCode } from '../validate-codes.js';
import { checkPortProtocol } from './check-port.js';
import type { Reporter } from './reporter.js';

/** Cilium's maxPorts: ports per toPorts entry. */
export const MAX_PORTS = 40;

export interface PortRuleContext {
  readonly ingress: boolean;
  readonly deny: boolean;
  /** A nodeSelector rule: host policies take no L7 on ingress, and only DNS on egress. */
  readonly host: boolean;
}

export function hasL7(rules: L7Rules | null | undefined): boolean {
  if (!rules) return false;
  const n = (a: readonly unknown[] | null | undefined) => (a?.length ?? 0) > 0;
  return n(rules.http) || n(rules.kafka) || n(rules.dns) || n(rules.l7) || !!rules.l7proto;
}

/** One `toPorts[]` entry, with the cross-field rules Cilium's PortRule validation enforces. */
export function checkPortRule(pr: PortRule, path: FieldPath, ctx: PortRuleContext, r: Reporter): void {
  if (ctx.deny) {
    for (const field of ['rules', 'serverNames', 'listener', 'originatingTLS', 'terminatingTLS'] as const) {
      if (pr[field] != null)
        r.error(ValidateCode.l7, [...path, field], `deny rules take only ports; ${field} is not allowed here`);
    }
  }
  const rules = pr.rules;
  const l7 = hasL7(rules);
  const hasDns = (rules?.dns?.length ?? 0) > 0;
  const ports = pr.ports ?? [];
  if (ports.length > MAX_PORTS) {
    r.error(
      ValidateCode.port,
      [...path, 'ports'],
      `${ports.length} ports; Cilium allows at most ${MAX_PORTS} per toPorts entry`,
    );
  }
  let zeroPort = false;
  ports.forEach((pp, i) => {
    const at = [...path, 'ports', i];
    const kind = checkPortProtocol(pp, at, hasDns, r);
    if (kind.kind === 'number' && kind.value === 0) zeroPort = true;
    if (l7 && !hasDns && pp.protocol !== 'TCP') {
      const msg = `L7 rules apply only to TCP (protocol is ${pp.protocol ?? 'unset, i.e. ANY'}); only DNS rules also take UDP or ANY`;
      r.error(ValidateCode.l7, pp.protocol ? [...at, 'protocol'] : at, msg);
    }
  });
  (pr.serverNames ?? []).forEach((name, i) => {
    if (name === '') r.error(ValidateCode.tls, [...path, 'serverNames', i], 'empty server name is not allowed');
  });
  if ((pr.serverNames?.length ?? 0) > 0 && l7 && !pr.terminatingTLS) {
    r.error(ValidateCode.tls, [...path, 'serverNames'], 'serverNames with L7 rules need terminatingTLS');
  }
  if (pr.listener && ctx.ingress) r.error(ValidateCode.l7, [...path, 'listener'], 'listener is allowed only on egress');
  if (pr.listener && l7) r.error(ValidateCode.l7, [...path, 'listener'], 'listener cannot be combined with L7 rules');
  if (l7 && rules) checkL7(rules, [...path, 'rules'], { ...ctx, zeroPort, noPorts: ports.length === 0 }, r);
}

function checkL7(
  rules: L7Rules,
  path: FieldPath,
  ctx: PortRuleContext & { zeroPort: boolean; noPorts: boolean },
  r: Reporter,
): void {
  const present: string[] = (['http', 'kafka', 'dns'] as const).filter((k) => rules[k] != null);
  if (rules.l7proto) present.push('l7proto');
  if (present.length > 1) r.error(ValidateCode.l7, path, `one L7 protocol per rule; found ${present.join(', ')}`);
  if (rules.l7 != null && !rules.l7proto) r.error(ValidateCode.l7, [...path, 'l7'], '"l7" needs "l7proto"');
  if (ctx.zeroPort) r.error(ValidateCode.l7, path, 'L7 rules cannot be used when a port is 0');
  const dns = (rules.dns?.length ?? 0) > 0;
  if (dns && ctx.ingress) r.error(ValidateCode.l7, [...path, 'dns'], 'DNS rules are not allowed on ingress');
  if (dns && ctx.noPorts) r.error(ValidateCode.l7, [...path, 'dns'], 'DNS rules need their port (53) listed in ports');
  if (ctx.host && ctx.ingress) {
    r.error(ValidateCode.l7, path, 'L7 rules are not supported on host (nodeSelector) ingress');
  } else if (ctx.host && !dns) {
    r.error(ValidateCode.l7, path, 'host (nodeSelector) egress supports only DNS L7 rules');
  }
}
