import type { Entry, HealthCheckValue } from '../desired-state.js';
import type { Declared } from '../model.js';
import { endpointNetns } from '../names/index.js';
import type { HealthCheckSpec } from '../schema/health-check.js';
import type { ClusterView, NodeInfo } from './cluster-view.js';
import type { ServiceProgram } from './service/service-program.js';
import { entry } from './sorted-entries.js';

/**
 * The HealthChecks a node runs: those whose `from` endpoint it hosts (and that
 * `nodes` does not leave out), with targets resolved to addresses. A check
 * whose endpoint compile skipped (unknown node, no address) runs nowhere.
 */
export function compileHealthChecks(
  view: ClusterView,
  services: ServiceProgram | null,
  checks: readonly Declared<HealthCheckSpec>[],
  node: NodeInfo,
): Entry<HealthCheckValue>[] {
  // Without checks, no map of every endpoint (each of 100 nodes of a plan --all-nodes would build one).
  if (checks.length === 0) return [];
  const endpoints = new Map(view.endpoints.map((e) => [e.key, e]));
  const out: Entry<HealthCheckValue>[] = [];
  for (const c of checks) {
    const s = c.spec;
    const from = endpoints.get(s.from.endpoint);
    if (!from || from.node.name !== node.name || (s.nodes && !s.nodes.includes(node.name))) continue;
    const target = resolveTarget(s, endpoints, services);
    const value: HealthCheckValue = {
      name: `${c.namespace ?? 'default'}/${c.name}`,
      probe: s.probe,
      from: from.key,
      netns: endpointNetns(node.name, from.namespace, from.name),
      to: target.to,
      address: target.address,
      port: target.port,
      path: s.probe === 'http' ? (s.path ?? '/') : null,
      status: s.probe === 'http' ? (s.status ?? 200) : null,
      expect: s.expect,
      deadlineMs: s.deadline,
      file: c.source.file,
      line: c.source.line,
    };
    out.push(entry(value.name, value, describeCheck(value)));
  }
  return out;
}

/** `tcp default/tiefighter → endpoint default/deathstar-1 (10.0.1.10:80) expect allow, checks.yaml:3`. */
export function describeCheck(v: HealthCheckValue): string {
  const where = v.address === null ? 'no address' : v.port === null ? v.address : `${v.address}:${v.port}`;
  return `${v.probe} ${v.from} → ${v.to} (${where}) expect ${v.expect}, ${v.file}:${v.line}`;
}

function resolveTarget(
  s: HealthCheckSpec,
  endpoints: ReadonlyMap<string, { readonly address: string }>,
  services: ServiceProgram | null,
): { to: string; address: string | null; port: number | null } {
  const port = s.probe === 'icmp' ? null : (s.port ?? null);
  if (s.to.endpoint !== undefined)
    return { to: `endpoint ${s.to.endpoint}`, address: endpoints.get(s.to.endpoint)?.address ?? null, port };
  if (s.to.address !== undefined) return { to: s.to.address, address: s.to.address, port };
  const wanted = s.to.port!;
  const plan = services?.ports.find(
    (p) => p.service === s.to.service && (p.port === wanted || p.decl.spec.ports[p.portIndex]?.name === wanted),
  );
  const servicePort = typeof wanted === 'number' ? wanted : (plan?.port ?? null);
  return { to: `service ${s.to.service}:${wanted}`, address: plan?.clusterIP ?? null, port: servicePort };
}
