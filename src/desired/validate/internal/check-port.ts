import type { FieldPath } from '../../load/index.js';
import type { PortProtocol } from '../../schema/cilium-policy.js';
import { ValidateCode } from '../validate-codes.js';
import type { Reporter } from './reporter.js';

/** Protocols without ports: a port on them is meaningless, so only empty or 0 is accepted. */
const PORTLESS = new Set(['VRRP', 'IGMP', 'GRE', 'IPIP', 'IPV6', 'ESP', 'AH']);

const SERVICE_NAME = /^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/;
const LETTER = /[a-zA-Z]/;
const PORT_DIGITS = /^[0-9]{1,5}$/;

/** IANA_SVC_NAME (RFC 6335): 1-15 letters, digits and single inner hyphens, at least one letter. */
export function isServiceName(s: string): boolean {
  return s.length <= 15 && SERVICE_NAME.test(s) && LETTER.test(s);
}

export type PortKind = { kind: 'number'; value: number } | { kind: 'name' } | { kind: 'none' } | { kind: 'bad' };

export function classifyPort(port: string | number | undefined): PortKind {
  if (port === undefined || port === '') return { kind: 'none' };
  if (typeof port === 'number') return port >= 0 && port <= 65535 ? { kind: 'number', value: port } : { kind: 'bad' };
  // Digits alone are never a name (a name has a letter), so the usual "80" is tried as a number first.
  if (PORT_DIGITS.test(port)) return Number(port) <= 65535 ? { kind: 'number', value: Number(port) } : { kind: 'bad' };
  if (isServiceName(port)) return { kind: 'name' };
  return { kind: 'bad' };
}

/** One `ports[]` entry; returns how its port was read so the caller can apply L7 rules. */
export function checkPortProtocol(pp: PortProtocol, path: FieldPath, hasDns: boolean, r: Reporter): PortKind {
  const port = classifyPort(pp.port);
  const proto = pp.protocol ?? 'ANY';
  if (port.kind === 'bad') {
    const msg = `"${String(pp.port)}" is neither a port number 0-65535 nor a port name (IANA service name: up to 15 letters, digits and inner hyphens, with a letter)`;
    r.error(ValidateCode.port, [...path, 'port'], msg);
  } else if (port.kind === 'none' && !PORTLESS.has(proto)) {
    r.error(ValidateCode.port, path, `port is required for protocol ${proto} ("0" means every port)`);
  } else if (PORTLESS.has(proto) && !(port.kind === 'none' || (port.kind === 'number' && port.value === 0))) {
    r.error(ValidateCode.port, [...path, 'port'], `protocol ${proto} has no ports; leave port empty or 0`);
  }
  if (pp.endPort !== undefined && pp.endPort !== 0) {
    const at = [...path, 'endPort'];
    if (port.kind === 'name') r.error(ValidateCode.port, at, 'endPort needs a numeric port, not a port name');
    else if (port.kind === 'none') r.error(ValidateCode.port, at, 'endPort needs a port to start the range');
    else if (port.kind === 'number' && pp.endPort < port.value) {
      r.error(ValidateCode.port, at, `endPort ${pp.endPort} is below port ${port.value}`);
    } else if (port.kind === 'number' && hasDns && pp.endPort > port.value) {
      r.error(ValidateCode.port, at, 'DNS rules do not support port ranges');
    }
  }
  return port;
}
