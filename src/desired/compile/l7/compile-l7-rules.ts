import type { Direction } from '../../desired-state.js';
import type { EgressRule, HttpRule, IngressRule, PortRule } from '../../schema/cilium-policy.js';
import { SelectorIndex } from '../../selector/index.js';
import type { ClusterView, EndpointInfo } from '../cluster-view.js';
import type { LocalEndpoint } from '../policy/compile-node-policy.js';
import type { PolicyProgram } from '../policy/compile-policy-rules.js';
import type { CompiledRule, DirectionRule } from '../policy/compiled-rule.js';
import { ANY_PORT, blockContains, portRangeBlocks, type PortBlock } from '../policy/port-blocks.js';
import { PROTO_TCP, protocolNumbers } from '../policy/protocols.js';
import type { Warnings } from '../warnings.js';
import { anchoredRegex } from './anchored-regex.js';
import { headerRequirements } from './header-requirements.js';
import type { HttpRuleSpec, L7RuleRef, L7RuleSet } from './l7-rule-set.js';

/** What one allow item grants one local endpoint: a peer, a TCP port block, and the requests it lets through. */
interface Grant {
  readonly ep: LocalEndpoint;
  readonly direction: Direction;
  readonly peer: number;
  readonly block: PortBlock;
  /** Whether the grant carries HTTP rules (else it allows every request: one match-all rule). */
  readonly l7: boolean;
  readonly rules: readonly HttpRuleSpec[];
}

/**
 * The L7 rule sets of one node: one per (local endpoint, direction, peer
 * identity, TCP port block) that some policy gives HTTP rules, holding the
 * HTTP rules of every allow that covers it. Deny items never reach the proxy
 * (the datapath drops first) and are ignored here.
 */
export function compileL7Rules(
  view: ClusterView,
  program: PolicyProgram,
  local: readonly LocalEndpoint[],
  warnings: Warnings,
): L7RuleSet[] {
  if (view.cluster.spec.policyEnforcement === 'never' || !program.httpRules) return [];
  const index = new SelectorIndex(local, (ep) => ep.info.labels);
  const grants: Grant[] = [];
  for (const rule of program.rules) {
    if (!rule.subject) continue;
    const selected = index.select(rule.subject);
    if (selected.length === 0) continue;
    for (const item of rule.items) {
      if (item.deny) continue;
      const raw = rawItem(rule, item);
      const toPorts = raw.toPorts ?? [];
      if (toPorts.length === 0) {
        // An L3-only allow (every port) also lets every request through; ICMP-only items allow no TCP.
        if ((raw.icmps ?? []).length > 0) continue;
        const all = [matchAll(ref(rule, item.ref.path))];
        for (const ep of selected)
          for (const peer of item.peers)
            grants.push({ ep, direction: item.direction, peer, block: ANY_PORT, l7: false, rules: all });
        continue;
      }
      toPorts.forEach((pr, j) => {
        const path = `${item.ref.path}.toPorts[${j}]`;
        const http = pr.rules?.http ?? [];
        const l7 = http.length > 0;
        const rules = l7
          ? http.flatMap((h, k) => httpSpec(h, ref(rule, `${path}.rules.http[${k}]`), warnings, rule))
          : [matchAll(ref(rule, path))];
        for (const ep of selected) {
          for (const peer of item.peers) {
            for (const block of tcpBlocks(view, item, ep, peer, pr))
              grants.push({ ep, direction: item.direction, peer, block, l7, rules });
          }
        }
      });
    }
  }
  return ruleSets(grants);
}

function ruleSets(grants: readonly Grant[]): L7RuleSet[] {
  const keys = new Map<string, Grant>();
  for (const g of grants)
    if (g.l7) keys.set(`${g.ep.id}/${g.direction}/${g.peer}/${g.block.port}/${g.block.prefixLen}`, g);
  const sets: L7RuleSet[] = [];
  for (const k of keys.values()) {
    const byRef = new Map<string, HttpRuleSpec>();
    for (const g of grants) {
      if (g.ep.id !== k.ep.id || g.direction !== k.direction) continue;
      if (g.peer !== k.peer && g.peer !== 0) continue;
      if (!blockContains(g.block, k.block)) continue;
      for (const r of g.rules) byRef.set(refKey(r.ref), r);
    }
    sets.push({
      endpointId: k.ep.id,
      endpoint: k.ep.info.key,
      address: k.ep.info.address,
      direction: k.direction,
      identity: k.peer,
      port: k.block.port,
      portPrefixLen: k.block.prefixLen,
      rules: [...byRef.values()],
    });
  }
  return sets.sort(
    (a, b) =>
      a.endpointId - b.endpointId ||
      (a.direction < b.direction ? -1 : a.direction > b.direction ? 1 : 0) ||
      a.identity - b.identity ||
      a.port - b.port ||
      a.portPrefixLen - b.portPrefixLen,
  );
}

/** The YAML item a compiled DirectionRule came from (its path is `<rule path>.<field>[<i>]`). */
function rawItem(rule: CompiledRule, item: DirectionRule): IngressRule & EgressRule {
  const suffix = item.ref.path.slice(rule.rule.path.length + 1);
  const m = /^(ingress|egress)\[(\d+)\]$/.exec(suffix)!;
  const list = rule.rule.rule[m[1] as 'ingress' | 'egress'] ?? [];
  return list[Number(m[2])] as IngressRule & EgressRule;
}

function ref(rule: CompiledRule, path: string): L7RuleRef {
  const p = rule.policy;
  return {
    kind: p.kind,
    namespace: p.namespace,
    name: p.name,
    path,
    file: rule.rule.source.file,
    line: rule.rule.source.line,
  };
}

function refKey(r: L7RuleRef): string {
  return `${r.kind}/${r.namespace ?? ''}/${r.name}/${r.path}`;
}

function matchAll(r: L7RuleRef): HttpRuleSpec {
  return { method: null, path: null, host: null, headers: [], ref: r };
}

/** One HTTP rule, or none when a regex does not compile: a rule that cannot be checked allows nothing. */
function httpSpec(h: HttpRule, r: L7RuleRef, warnings: Warnings, rule: CompiledRule): HttpRuleSpec[] {
  const fields = { method: h.method, path: h.path, host: h.host };
  const out: Record<string, string | null> = {};
  for (const [field, pattern] of Object.entries(fields)) {
    if (pattern === undefined || pattern === '') {
      out[field] = null;
      continue;
    }
    const source = anchoredRegex(pattern);
    if (source === null) {
      warnings.add(
        'W_L7_REGEX_INVALID',
        rule.rule.source,
        `${r.path}.${field}`,
        `"${pattern}" is not a valid regular expression; the HTTP rule allows nothing`,
      );
      return [];
    }
    out[field] = source;
  }
  return [{ method: out.method!, path: out.path!, host: out.host!, headers: headerRequirements(h), ref: r }];
}

/** TCP port blocks of a port rule; named ports resolve on the endpoint (ingress) or the peer's endpoints (egress). */
function tcpBlocks(view: ClusterView, item: DirectionRule, ep: LocalEndpoint, peer: number, pr: PortRule): PortBlock[] {
  const ports = pr.ports ?? [];
  if (ports.length === 0) return [ANY_PORT];
  const blocks: PortBlock[] = [];
  for (const pp of ports) {
    if (!protocolNumbers(pp.protocol).includes(PROTO_TCP)) continue;
    const port = pp.port === undefined || pp.port === '' ? 0 : pp.port;
    const numeric = typeof port === 'number' ? port : /^\d+$/.test(port) ? Number(port) : null;
    if (numeric === null) {
      const owners: readonly EndpointInfo[] =
        item.direction === 'ingress'
          ? [ep.info]
          : peer === 0
            ? view.endpoints
            : (view.endpointsByIdentity.get(peer) ?? []);
      for (const o of owners)
        for (const p of o.decl.spec.ports)
          if (p.name === port && p.protocol === 'TCP') blocks.push({ port: p.containerPort, prefixLen: 16 });
      continue;
    }
    if (numeric > 65_535) continue;
    if (numeric === 0) {
      blocks.push(ANY_PORT);
      continue;
    }
    const end = pp.endPort !== undefined && pp.endPort > numeric ? pp.endPort : numeric;
    blocks.push(...portRangeBlocks(numeric, end));
  }
  return blocks;
}
