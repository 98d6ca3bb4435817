import {
  CompileCache,
  compileAll,
  type DesiredState,
  type Direction,
  type EndpointValue,
  type Model,
} from '../../desired/index.js';
import { ExplainError } from './explain-error.js';
import type {
  FlowExplanation,
  FlowPath,
  FlowProtocol,
  FlowQuery,
  SideReason,
  SideVerdict,
} from './flow-explanation.js';
import { defaultDenySources } from './internal/default-deny-sources.js';
import { peerIdentity } from './internal/ipcache-lookup.js';
import { policyDecide } from './internal/policy-lookup.js';

const PROTOCOLS: Readonly<Record<FlowProtocol, number>> = { TCP: 6, UDP: 17, SCTP: 132, ICMP: 1 };
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

interface Located {
  readonly node: string;
  readonly state: DesiredState;
  readonly ep: EndpointValue;
}

/**
 * The verdict on a flow from the desired state alone, as the datapath reaches
 * it: service translation on the sender, then the sender's egress policy on the
 * backend's identity and port, then the receiver's ingress policy.
 */
export function explainFlow(
  model: Model,
  query: FlowQuery,
  states?: ReadonlyMap<string, DesiredState>,
): FlowExplanation {
  if (!Number.isInteger(query.port) || query.port < 0 || query.port > 65_535)
    throw new ExplainError('E_EXPLAIN_BAD_FLOW', `port ${query.port} is out of 0..65535`);
  const cache = new CompileCache();
  const all = states ?? compileAll(model, { cache });
  const src = locate(all, query.from);
  const protocol = PROTOCOLS[query.protocol];
  const toAddress = IPV4.test(query.to) ? checkedAddress(query.to) : locate(all, query.to).ep.address;
  if (toAddress === src.ep.address)
    throw new ExplainError(
      'E_EXPLAIN_BAD_FLOW',
      `${query.to} is ${query.from}'s own address: the flow never leaves it`,
    );
  const ctx: Ctx = { model, all, cache, src, protocol };

  const frontend = src.state.resources.service.find(
    (s) => s.value.address === toAddress && s.value.port === query.port && s.value.protocol === protocol,
  );
  const base = {
    revision: model.revision,
    from: key(src.ep),
    to: query.to,
    port: query.port,
    protocol: query.protocol,
  };
  if (!frontend) {
    const path = explainPath(ctx, toAddress, query.port);
    return { ...base, service: null, paths: [path], allowed: path.allowed };
  }
  const backends = new Map(src.state.resources.backend.map((b) => [b.value.id, b.value]));
  const paths = frontend.value.backendIds.map((id) => {
    const b = backends.get(id)!;
    return explainPath(ctx, b.address, b.port);
  });
  const service = {
    name: frontend.label ?? '',
    type: frontend.value.type,
    address: frontend.value.address,
    port: frontend.value.port,
  };
  return { ...base, service, paths, allowed: paths.length > 0 && paths.every((p) => p.allowed) };
}

/**
 * The receiving side alone, for a sender that is no endpoint (the world, a
 * CIDR, a node): `query.to`'s ingress policy on the identity its node gives `query.from`.
 */
export function explainIngress(
  model: Model,
  query: FlowQuery,
  states?: ReadonlyMap<string, DesiredState>,
): SideVerdict {
  const cache = new CompileCache();
  const all = states ?? compileAll(model, { cache });
  if (!IPV4.test(query.from)) throw new ExplainError('E_EXPLAIN_BAD_FLOW', `${query.from} is not an IPv4 address`);
  const pkt = { protocol: PROTOCOLS[query.protocol], port: query.port };
  return side({ model, cache }, locate(all, query.to), 'ingress', checkedAddress(query.from), pkt);
}

interface Ctx {
  readonly model: Model;
  readonly all: ReadonlyMap<string, DesiredState>;
  readonly cache: CompileCache;
  readonly src: Located;
  readonly protocol: number;
}

function explainPath(ctx: Ctx, address: string, port: number): FlowPath {
  const dst = byAddress(ctx.all, address);
  const pkt = { protocol: ctx.protocol, port };
  const egress = side(ctx, ctx.src, 'egress', address, pkt);
  const ingress = dst ? side(ctx, dst, 'ingress', ctx.src.ep.address, pkt) : null;
  return {
    address,
    port,
    endpoint: dst ? key(dst.ep) : null,
    egress,
    ingress,
    allowed: egress.passes && (ingress?.passes ?? true),
  };
}

function side(
  ctx: Pick<Ctx, 'model' | 'cache'>,
  at: Located,
  direction: Direction,
  peerAddress: string,
  pkt: { protocol: number; port: number },
): SideVerdict {
  const peer = peerIdentity(at.state, peerAddress);
  const entry = policyDecide(at.state, at.ep.id, direction, peer, pkt);
  const enforced = direction === 'ingress' ? at.ep.enforceIngress : at.ep.enforceEgress;
  const reason: SideReason = entry
    ? entry.verdict === 'deny'
      ? 'denied-policy'
      : entry.verdict === 'redirect'
        ? 'redirect'
        : 'allowed'
    : enforced
      ? 'denied-default'
      : 'not-enforced';
  const drops = reason === 'denied-policy' || reason === 'denied-default';
  const always = ctx.model.cluster?.spec.policyEnforcement === 'always';
  return {
    direction,
    node: at.node,
    endpoint: key(at.ep),
    peerAddress,
    peerIdentity: peer,
    reason,
    passes: !drops || at.ep.audit,
    audited: drops && at.ep.audit,
    rule: entry ? (at.state.rules.find((r) => r.id === entry.ruleId) ?? null) : null,
    defaultDenyBy:
      reason === 'denied-default' && !always ? defaultDenySources(ctx.model, at.node, at.ep, direction, ctx.cache) : [],
    enforcementAlways: reason === 'denied-default' && always,
  };
}

function locate(all: ReadonlyMap<string, DesiredState>, name: string): Located {
  const [ns, n] = name.includes('/') ? (name.split('/', 2) as [string, string]) : [null, name];
  const found: Located[] = [];
  for (const [node, state] of all)
    for (const { value: ep } of state.resources.endpoint)
      if (ep.name === n && (ns === null || ep.namespace === ns)) found.push({ node, state, ep });
  if (found.length === 0) throw new ExplainError('E_EXPLAIN_UNKNOWN_ENDPOINT', `no endpoint ${name} is declared`);
  if (found.length > 1)
    throw new ExplainError(
      'E_EXPLAIN_AMBIGUOUS_ENDPOINT',
      `${name} names ${found.length} endpoints (${found.map((f) => key(f.ep)).join(', ')}); say namespace/name`,
    );
  return found[0]!;
}

function byAddress(all: ReadonlyMap<string, DesiredState>, address: string): Located | null {
  for (const [node, state] of all)
    for (const { value: ep } of state.resources.endpoint) if (ep.address === address) return { node, state, ep };
  return null;
}

function checkedAddress(address: string): string {
  if (
    IPV4.exec(address)!
      .slice(1)
      .some((o) => Number(o) > 255)
  )
    throw new ExplainError('E_EXPLAIN_BAD_FLOW', `${address} is not an IPv4 address`);
  return address;
}

const key = (ep: EndpointValue): string => `${ep.namespace}/${ep.name}`;
