import type { Entry, PolicyValue, RuleRef } from '../../desired-state.js';
import { SelectorIndex } from '../../selector/index.js';
import type { ClusterView, EndpointInfo } from '../cluster-view.js';
import { Warnings } from '../warnings.js';
import type { CompiledRule, DirectionRule, PortSpec } from './compiled-rule.js';
import type { PolicyProgram } from './compile-policy-rules.js';
import { policyKey } from '../../kinds/index.js';
import { PolicyBudget } from './policy-budget.js';
import { PolicyEntrySet } from './policy-entry-set.js';
import { entry } from '../sorted-entries.js';
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
  /** Sorted by key. */
  readonly entries: Entry<PolicyValue>[];
  /** By endpoint key (`namespace/name`). */
  readonly enforcement: ReadonlyMap<string, Enforcement>;
  /** The rules the entries name, by id. */
  readonly rules: RuleRef[];
}

/** What one rule gives one node: its entries, where it turns default deny on, the refs its entries name. */
interface Contribution {
  /** Shared with the node's entries while the rule is unchanged: a memo holds no copy of them. */
  readonly adds: readonly Entry<PolicyValue>[];
  /** An endpoint the rule selects, to name in a budget error. */
  readonly firstEndpoint: LocalEndpoint | null;
  readonly denyIngress: readonly string[];
  readonly denyEgress: readonly string[];
  readonly used: readonly RuleRef[];
  readonly warnings: Warnings;
}

/**
 * A node's policy work of its last compile, as Cilium's selector cache keeps
 * it: each rule's contribution by compiled rule, and the sorted entries.
 * Valid for one cluster view (it fixes the node's endpoints and their ids).
 */
export class NodePolicyMemo {
  /** @internal */
  readonly byRule = new WeakMap<CompiledRule, Contribution>();
  /** @internal */
  last: readonly Entry<PolicyValue>[] = [];
}

/**
 * Policy map entries and default-deny flags for the endpoints of one node.
 * With a memo, an unchanged compiled rule (the same object) adds what it
 * added last time: only changed rules are matched against the endpoints.
 */
export function compileNodePolicy(
  view: ClusterView,
  program: PolicyProgram,
  local: readonly LocalEndpoint[],
  warnings: Warnings,
  memo: NodePolicyMemo = new NodePolicyMemo(),
): NodePolicy {
  const mode = view.cluster.spec.policyEnforcement;
  const enforcement = new Map<string, { ingress: boolean; egress: boolean }>();
  for (const ep of local) enforcement.set(ep.info.key, { ingress: mode === 'always', egress: mode === 'always' });
  if (mode === 'never') return { entries: [], enforcement, rules: [] };

  let index: SelectorIndex<LocalEndpoint> | null = null;
  const set = new PolicyEntrySet();
  const used = new Map<number, RuleRef>();
  const budget = new PolicyBudget(local[0]?.info.decl.spec.node ?? '');
  // An indexed loop: a for-of over thousands of rules costs a result object per step while the code is cold.
  const all = program.rules;
  for (let r = 0; r < all.length; r++) {
    const rule = all[r]!;
    if (!rule.subject) continue;
    let c = memo.byRule.get(rule);
    if (!c) {
      index ??= new SelectorIndex(local, (ep) => ep.info.labels);
      const selected = index.select(rule.subject);
      c = selected.length === 0 ? NOTHING : contribute(view, rule, selected, budget);
      memo.byRule.set(rule, c);
    }
    if (c === NOTHING) continue;
    warnings.addAll(c.warnings);
    for (const key of c.denyIngress) enforcement.get(key)!.ingress = true;
    for (const key of c.denyEgress) enforcement.get(key)!.egress = true;
    for (const a of c.adds) set.add(a);
    for (const ref of c.used) used.set(ref.id, ref);
    if (c.adds.length > 0) budget.check(rule, c.firstEndpoint!, set.size);
  }
  const entries = set.entries(memo.last);
  memo.last = entries;
  // Only rules that decide some entry: merged or deny-covered ones are not named by any.
  const named = new Set(entries.map((e) => e.value.ruleId));
  const rules = [...used.values()].filter((r) => named.has(r.id)).sort((a, b) => a.id - b.id);
  return { entries, enforcement, rules };
}

/** What a rule that selects none of the node's endpoints gives it: most rules, on most nodes. */
const NOTHING: Contribution = {
  adds: [],
  firstEndpoint: null,
  denyIngress: [],
  denyEgress: [],
  used: [],
  warnings: new Warnings(),
};

function contribute(
  view: ClusterView,
  rule: CompiledRule,
  selected: readonly LocalEndpoint[],
  budget: PolicyBudget,
): Contribution {
  const adds: Entry<PolicyValue>[] = [];
  const distinct = new Set<string>();
  const sink = {
    add: (value: PolicyValue, label: string) => {
      const key = policyKey(value);
      distinct.add(key);
      adds.push(entry(key, value, label));
    },
  };
  const warnings = new Warnings();
  const used = new Map<number, RuleRef>();
  for (const ep of selected) {
    for (const item of rule.items) {
      // Counted before the entries exist, and checked after each item: memory stays bounded by the map's size.
      budget.reserve(rule, item, ep);
      if (emit(view, rule, item, ep, sink, warnings)) used.set(item.ref.id, item.ref);
      budget.check(rule, ep, distinct.size);
    }
  }
  const keys = selected.map((ep) => ep.info.key);
  return {
    adds,
    firstEndpoint: selected[0] ?? null,
    denyIngress: rule.ingress && rule.defaultDenyIngress ? keys : [],
    denyEgress: rule.egress && rule.defaultDenyEgress ? keys : [],
    used: [...used.values()],
    warnings,
  };
}

interface Sink {
  add(value: PolicyValue, label: string): void;
}

function emit(
  view: ClusterView,
  rule: CompiledRule,
  item: DirectionRule,
  ep: LocalEndpoint,
  set: Sink,
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
