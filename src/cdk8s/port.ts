import type { HttpRuleProps, PortProtocolProps, PortRuleProps, ProtocolName } from './props.js';

/**
 * A port (or range) a rule opens, optionally with L7 HTTP rules. Port numbers
 * are written as strings, as Cilium's own examples and CRD write them.
 */
export class Port {
  private constructor(
    readonly port: PortProtocolProps,
    readonly http: readonly HttpRuleProps[] = [],
  ) {}

  static tcp(port: number | string): Port {
    return Port.of(port, 'TCP');
  }

  static udp(port: number | string): Port {
    return Port.of(port, 'UDP');
  }

  static sctp(port: number | string): Port {
    return Port.of(port, 'SCTP');
  }

  /** A port number or a named container port; without a protocol Cilium matches any. */
  static of(port: number | string, protocol?: ProtocolName): Port {
    return new Port({ port: String(port), ...(protocol ? { protocol } : {}) });
  }

  /** `first` to `last` inclusive (`port` with `endPort`). */
  static range(first: number, last: number, protocol: ProtocolName = 'TCP'): Port {
    return new Port({ port: String(first), endPort: last, protocol });
  }

  /** The same port, restricted to these HTTP requests (Cilium's L7 proxy). */
  withHttp(...rules: HttpRuleProps[]): Port {
    return new Port(this.port, [...this.http, ...rules]);
  }

  /**
   * `toPorts` for a list of ports: ports without L7 rules share one entry, as a
   * person would write them; each port with HTTP rules gets its own entry.
   */
  static toPortRules(ports: readonly Port[]): PortRuleProps[] {
    const out: PortRuleProps[] = [];
    let plain: PortProtocolProps[] | null = null;
    for (const p of ports) {
      if (p.http.length === 0) {
        if (!plain) out.push({ ports: (plain = []) });
        plain.push(p.port);
      } else {
        plain = null;
        out.push({ ports: [p.port], rules: { http: [...p.http] } });
      }
    }
    return out;
  }
}
