import type { Declared } from '../model.js';
import type { EndpointSpec, NodeSpec, ServiceSpec } from '../schema/gitwire-kinds.js';
import type { HealthCheckSpec } from '../schema/health-check.js';
import type { Reporter } from './internal/reporter.js';
import { ValidateCode } from './validate-codes.js';

type Entry<S> = { readonly decl: Declared<S>; readonly r: Reporter };

const key = (d: Declared<unknown>) => `${d.namespace ?? 'default'}/${d.name}`;

/**
 * A HealthCheck names endpoints, a service port and nodes that must exist in
 * the same commit: a probe of something undeclared would fail on every node
 * and roll every commit back.
 */
export function checkHealthChecks(
  checks: readonly Entry<HealthCheckSpec>[],
  endpoints: readonly Entry<EndpointSpec>[],
  services: readonly Entry<ServiceSpec>[],
  nodes: readonly Entry<NodeSpec>[],
): void {
  // The lookups below cost ~15,000 keys in a large cluster; most repositories declare no checks.
  if (checks.length === 0) return;
  const endpointByKey = new Map(endpoints.map((e) => [key(e.decl), e.decl]));
  const serviceByKey = new Map(services.map((s) => [key(s.decl), s.decl]));
  const nodeNames = new Set(nodes.map((n) => n.decl.name));
  for (const { decl, r } of checks) {
    const { from, to, nodes: only } = decl.spec;
    const source = endpointByKey.get(from.endpoint);
    if (!source)
      r.error(ValidateCode.healthCheckRef, ['spec', 'from', 'endpoint'], `unknown endpoint "${from.endpoint}"`);
    if (to.endpoint !== undefined && !endpointByKey.has(to.endpoint))
      r.error(ValidateCode.healthCheckRef, ['spec', 'to', 'endpoint'], `unknown endpoint "${to.endpoint}"`);
    if (to.service !== undefined) {
      const service = serviceByKey.get(to.service);
      if (!service) r.error(ValidateCode.healthCheckRef, ['spec', 'to', 'service'], `unknown service "${to.service}"`);
      else if (!service.spec.ports.some((p) => p.port === to.port || (p.name !== undefined && p.name === to.port))) {
        const ports = service.spec.ports.map((p) => p.name ?? String(p.port)).join(', ');
        r.error(
          ValidateCode.healthCheckRef,
          ['spec', 'to', 'port'],
          `service ${to.service} has no port ${String(to.port)} (its ports: ${ports})`,
        );
      }
    }
    only?.forEach((name, i) => {
      if (!nodeNames.has(name)) r.error(ValidateCode.unknownNode, ['spec', 'nodes', i], `unknown node "${name}"`);
    });
    if (source && only && !only.includes(source.spec.node)) {
      const msg = `the probe runs on the node hosting ${from.endpoint} (${source.spec.node}), which spec.nodes leaves out: it never runs`;
      r.warn(ValidateCode.healthCheckNowhere, ['spec', 'nodes'], msg);
    }
  }
}
