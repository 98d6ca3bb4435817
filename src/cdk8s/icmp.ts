import type { IcmpFieldProps } from './props.js';

/** An ICMP message type a rule allows, by number or by name (`EchoRequest`). */
export class Icmp {
  private constructor(readonly field: IcmpFieldProps) {}

  static type(type: number | string, family?: 'IPv4' | 'IPv6'): Icmp {
    return new Icmp({ ...(family ? { family } : {}), type });
  }

  static echoRequest(family?: 'IPv4' | 'IPv6'): Icmp {
    return Icmp.type('EchoRequest', family);
  }
}
