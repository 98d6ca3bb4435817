import { labelSetKey, RESERVED_IDENTITIES } from '../../../desired/identity/index.js';
import type { DesiredState, EndpointValue, Model } from '../../../desired/index.js';
import { explainFlow, explainIngress, type FlowProtocol } from '../../explain/index.js';
import type { ImpactVerdict } from '../impact-report.js';

/** One revision as impact reads it: the model explain asks, and every node's compiled state. */
export interface RevisionView {
  readonly revision: string | null;
  readonly model: Model;
  readonly states: ReadonlyMap<string, DesiredState>;
}

export type Outcome = { readonly verdict: ImpactVerdict } | { readonly unevaluated: string };

export const PROTOCOL_NAMES: Readonly<Record<number, FlowProtocol>> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP', 1: 'ICMP' };

/** Documentation addresses (RFC 5737): a stand-in for "an address the node maps to the world". */
const WORLD_SAMPLES = ['192.0.2.1', '198.51.100.1', '203.0.113.1'];

interface Located {
  readonly node: string;
  readonly ep: EndpointValue;
}

/** One end of a flow: its labels, and the endpoints that carried them where the flow was seen. */
export interface FlowEnd {
  readonly labels: readonly string[];
  readonly endpoints: readonly string[];
}

/**
 * The verdict in `rev` of a flow between two label sets as `node` saw it.
 * Policies select by labels, so any endpoint carrying the labels stands for
 * them; one on `node` is preferred (that node recorded the flow). Labels the
 * revision no longer has (a relabelled workload) are followed by endpoint
 * name. An end that is no endpoint (world, a CIDR, a node) is an address the
 * revision maps to the same identity. explain decides; nothing here judges a packet.
 */
export function flowVerdict(
  rev: RevisionView,
  node: string,
  src: FlowEnd,
  dst: FlowEnd,
  port: number,
  protocolNumber: number,
): Outcome {
  const protocol = PROTOCOL_NAMES[protocolNumber];
  if (!protocol) return { unevaluated: `IP protocol ${protocolNumber} is not one explain answers for` };
  const at = revText(rev);
  const endpoints = [...rev.states].flatMap(([n, s]) => s.resources.endpoint.map((e) => ({ node: n, ep: e.value })));
  const from = candidates(rev, endpoints, src);
  const s = prefer(from.endpoints, node)[0];
  const to = candidates(rev, endpoints, dst);
  const d = prefer(
    to.endpoints.filter((e) => e.ep.address !== s?.ep.address),
    s?.node === node ? null : node,
  )[0];
  if (s && !d && to.endpoints.length > 0)
    return { unevaluated: `the source is the only endpoint with the destination's labels at ${at}` };
  const query = { port, protocol };
  if (s && d) {
    const x = explainFlow(rev.model, { ...query, from: key(s.ep), to: d.ep.address }, rev.states);
    const path = x.paths[0]!;
    return { verdict: { allowed: x.allowed, from: key(s.ep), to: key(d.ep), sides: sides(path.egress, path.ingress) } };
  }
  if (s && to.identity !== null) {
    for (const address of addressesOf(rev.states.get(s.node)!, to.identity)) {
      const x = explainFlow(rev.model, { ...query, from: key(s.ep), to: address }, rev.states);
      const path = x.paths[0]!;
      if (path.egress.peerIdentity === to.identity && path.ingress === null)
        return { verdict: { allowed: x.allowed, from: key(s.ep), to: address, sides: [path.egress] } };
    }
  }
  if (d && from.identity !== null) {
    for (const address of addressesOf(rev.states.get(d.node)!, from.identity)) {
      const side = explainIngress(rev.model, { ...query, from: address, to: key(d.ep) }, rev.states);
      if (side.peerIdentity === from.identity)
        return { verdict: { allowed: side.passes, from: address, to: key(d.ep), sides: [side] } };
    }
  }
  if (!s && !d) return { unevaluated: `neither end is an endpoint at ${at}` };
  const [missing, identity] = s ? ['destination', to.identity] : ['source', from.identity];
  return {
    unevaluated:
      identity === null
        ? `the ${missing}'s labels have no identity at ${at}`
        : `no address maps to the ${missing}'s identity ${identity} at ${at}`,
  };
}

/** The revision's number for the labels and its endpoints carrying it; by name when the labels are gone. */
function candidates(
  rev: RevisionView,
  endpoints: readonly Located[],
  end: FlowEnd,
): { identity: number | null; endpoints: Located[] } {
  const identity = identityNumbers(rev).get(labelSetKey(end.labels));
  if (identity !== undefined) return { identity, endpoints: endpoints.filter((e) => e.ep.identity === identity) };
  return { identity: null, endpoints: endpoints.filter((e) => end.endpoints.includes(key(e.ep))) };
}

const numbers = new WeakMap<RevisionView, ReadonlyMap<string, number>>();

function identityNumbers(rev: RevisionView): ReadonlyMap<string, number> {
  let ids = numbers.get(rev);
  if (!ids) {
    const first = rev.states.values().next().value as DesiredState | undefined;
    ids = new Map((first?.resources.identity ?? []).map((e) => [labelSetKey(e.value.labels), e.value.id]));
    numbers.set(rev, ids);
  }
  return ids;
}

/** Endpoints on `node` first, then by name: the choice is the same on every run. */
function prefer(list: Located[], node: string | null): Located[] {
  const rank = (l: Located) => (l.node === node ? 0 : 1);
  return list.sort((a, b) => rank(a) - rank(b) || key(a.ep).localeCompare(key(b.ep)));
}

/** Addresses the node's ipcache maps to `identity` (each prefix's first host), the world's samples last. */
function addressesOf(state: DesiredState, identity: number): string[] {
  const out: string[] = [];
  for (const { value } of state.resources.ipcache) {
    if (value.identity !== identity) continue;
    const [base, len] = value.prefix.split('/') as [string, string];
    out.push(Number(len) >= 31 ? base : nthAddress(base, 1));
  }
  return identity === RESERVED_IDENTITIES.world ? [...out, ...WORLD_SAMPLES] : out;
}

function nthAddress(base: string, n: number): string {
  const v = base.split('.').reduce((a, o) => a * 256 + Number(o), 0) + n;
  return [24, 16, 8, 0].map((shift) => (v >>> shift) & 255).join('.');
}

const sides = <T>(...list: (T | null)[]): T[] => list.filter((x): x is T => x !== null);

const key = (ep: EndpointValue): string => `${ep.namespace}/${ep.name}`;

const revText = (rev: RevisionView): string => rev.revision?.slice(0, 12) ?? 'the working tree';
