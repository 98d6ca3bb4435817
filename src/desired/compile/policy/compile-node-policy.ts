import type { Entry, PolicyValue, RuleRef } from '../../desired-state.js';
import { SelectorIndex } from '../../selector/index.js';
import type { ClusterView, EndpointInfo } from '../cluster-view.js';
import type { Warnings } from '../warnings.js';
import type { CompiledRule, DirectionRule, PortSpec } from './compiled-rule.js';
import type { PolicyProgram } from './compile-policy-rules.js';
import { PolicyBudget } from './policy-budget.js';
import { PolicyEntrySet } from './policy-entry-set.js';
import { proxyPort } from './proxy-port.js';

export interface LocalEndpoint {
  readonly info: EndpointInfo;
  readonly id: number;
}

export interface Enforcement {
  readonly ingress: boolean;
  readonly egress: boolean;
}

export interface NodePolicy {
  readonly entries: Entry<PolicyValue>[];
  /** By endpoint key (`namespace/name`). */
  readonly enforcement: ReadonlyMap<string, Enforcement>;
  /** The rules the entries name, by id. */
  readonly rules: RuleRef[];
}

/** Policy map entries and default-deny flags for the endpoints of one node. */
export function compileNodePolicy(
  view: ClusterView,
  program: PolicyProgram,
  local: readonly LocalEndpoint[],
  warnings: Warnings,
): NodePolicy {
  const mode = view.cluster.spec.policyEnforcement;
  const enforcement = new Map<string, { ingress: boolean; egress: boolean }>();
  for (const ep of local) enforcement.set(ep.info.key, { ingress: mode === 'always', egress: mode === 'always' });
  if (mode === 'never') return { entries: [], enforcement, rules: [] };

  const index = new SelectorIndex(local, (ep) => ep.info.labels);
  const set = new PolicyEntrySet();
  const budget = new PolicyBudget(local[0]?.info.decl.spec.node ?? '');
  const used = new Map<number, RuleRef>();
  for (const rule of program.rules) {
    if (!rule.subject) continue;
    for (const ep of index.select(rule.subject)) {
      const e = enforcement.get(ep.info.key)!;
      if (rule.ingress && rule.defaultDenyIngress) e.ingress = true;
      if (rule.egress && rule.defaultDenyEgress) e.egress = true;
      for (const item of rule.items) {
        budget.reserve(rule, item, ep);
        if (emit(view, rule, item, ep, set, warnings)) used.set(item.ref.id, item.ref);
        budget.check(rule, ep, set.size);
      }
    }
  }
  const entries = set.entries();
  // Only rules that decide some entry: merged or deny-covered ones are not named by any.
  const named = new Set(entries.map((e) => e.value.ruleId));
  const rules = [...used.values()].filter((r) => named.has(r.id)).sort((a, b) => a.id - b.id);
  return { entries, enforcement, rules };
}

function emit(
  view: ClusterView,
  rule: CompiledRule,
  item: DirectionRule,
  ep: LocalEndpoint,
  set: PolicyEntrySet,
  warnings: Warnings,
): boolean {
  const label =
    rule.policy.namespace === null
      ? `policy ${rule.policy.name}`
      : `policy ${rule.policy.namespace}/${rule.policy.name}`;
  let emitted = false;
  const add = (identity: number, protocol: number, port: number, portPrefixLen: number, l7: boolean) => {
    const verdict = item.deny ? 'deny' : l7 ? 'redirect' : 'allow';
    set.add(
      {
        endpointId: ep.id,
        direction: item.direction,
        identity,
        protocol,
        port,
        portPrefixLen,
        verdict,
        proxyPort: verdict === 'redirect' ? proxyPort('http', item.direction) : 0,
        ruleId: item.ref.id,
      },
      label,
    );
    emitted = true;
  };
  for (const spec of item.ports) {
    if (spec.kind === 'any') {
      for (const peer of item.peers) add(peer, 0, 0, 0, false);
    } else if (spec.kind === 'blocks') {
      for (const peer of item.peers)
        for (const b of spec.blocks) add(peer, spec.protocol, b.port, b.prefixLen, spec.l7);
    } else {
      emitNamed(view, rule, item, ep, spec, add, warnings);
    }
  }
  return emitted;
}

type Add = (identity: number, protocol: number, port: number, prefixLen: number, l7: boolean) => void;

/** Named ports: the local endpoint's own ports on ingress, the selected peers' ports on egress. */
function emitNamed(
  view: ClusterView,
  rule: CompiledRule,
  item: DirectionRule,
  ep: LocalEndpoint,
  spec: Extract<PortSpec, { kind: 'named' }>,
  add: Add,
  warnings: Warnings,
): void {
  const unresolved = (who: string) =>
    warnings.add(
      'W_NAMED_PORT_UNRESOLVED',
      rule.rule.source,
      item.ref.path,
      `named port "${spec.name}" is not declared by ${who}; no entry for it`,
    );
  if (item.direction === 'ingress') {
    const ports = namedPorts(ep.info, spec);
    if (ports.length === 0) unresolved(`endpoint ${ep.info.key}`);
    for (const peer of item.peers) for (const p of ports) add(peer, p.protocol, p.port, 16, spec.l7);
    return;
  }
  for (const peer of item.peers) {
    const peers = peer === 0 ? view.endpoints : (view.endpointsByIdentity.get(peer) ?? []);
    const ports = dedupe(peers.flatMap((p) => namedPorts(p, spec)));
    if (ports.length === 0) unresolved(peer === 0 ? 'any endpoint' : `the peers of identity ${peer}`);
    for (const p of ports) add(peer, p.protocol, p.port, 16, spec.l7);
  }
}

const PROTOCOL_NUMBERS = { TCP: 6, UDP: 17, SCTP: 132 } as const;

function namedPorts(
  ep: EndpointInfo,
  spec: Extract<PortSpec, { kind: 'named' }>,
): { protocol: number; port: number }[] {
  return ep.decl.spec.ports
    .filter((p) => p.name === spec.name && spec.protocols.includes(PROTOCOL_NUMBERS[p.protocol]))
    .map((p) => ({ protocol: PROTOCOL_NUMBERS[p.protocol], port: p.containerPort }));
}

function dedupe(ports: { protocol: number; port: number }[]): { protocol: number; port: number }[] {
  const seen = new Map(ports.map((p) => [`${p.protocol}/${p.port}`, p]));
  return [...seen.values()];
}
