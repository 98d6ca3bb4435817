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

/**
 * The verdict in `rev` of a flow between two label sets as `node` saw it.
 * Policies select by labels, so any endpoint carrying the labels stands for
 * them; one on `node` is preferred (that node recorded the flow). An end that
 * is no endpoint (world, a CIDR, a node) is an address the revision maps to
 * the same identity. explain decides; nothing here judges a packet.
 */
export function flowVerdict(
  rev: RevisionView,
  node: string,
  src: readonly string[],
  dst: readonly string[],
  port: number,
  protocolNumber: number,
): Outcome {
  const protocol = PROTOCOL_NAMES[protocolNumber];
  if (!protocol) return { unevaluated: `IP protocol ${protocolNumber} is not one explain answers for` };
  const ids = identityNumbers(rev);
  const srcId = ids.get(labelSetKey(src));
  const dstId = ids.get(labelSetKey(dst));
  const at = revText(rev);
  if (srcId === undefined) return { unevaluated: `the source's labels have no identity at ${at}` };
  if (dstId === undefined) return { unevaluated: `the destination's labels have no identity at ${at}` };
  const endpoints = [...rev.states].flatMap(([n, s]) => s.resources.endpoint.map((e) => ({ node: n, ep: e.value })));
  const srcEps = prefer(
    endpoints.filter((e) => e.ep.identity === srcId),
    node,
  );
  const s = srcEps[0];
  const dstEps = prefer(
    endpoints.filter((e) => e.ep.identity === dstId && e.ep.address !== s?.ep.address),
    s?.node === node ? null : node,
  );
  const d = dstEps[0];
  const isEndpoint = (id: number) => endpoints.some((e) => e.ep.identity === id);
  if (s && !d && isEndpoint(dstId))
    return { unevaluated: `the source is the only endpoint with the destination's identity at ${at}` };
  const query = { port, protocol };
  if (s && d) {
    const x = explainFlow(rev.model, { ...query, from: key(s.ep), to: d.ep.address }, rev.states);
    const path = x.paths[0]!;
    return { verdict: { allowed: x.allowed, from: key(s.ep), to: key(d.ep), sides: sides(path.egress, path.ingress) } };
  }
  if (s) {
    for (const to of addressesOf(rev.states.get(s.node)!, dstId)) {
      const x = explainFlow(rev.model, { ...query, from: key(s.ep), to }, rev.states);
      const path = x.paths[0]!;
      if (path.egress.peerIdentity === dstId && path.ingress === null)
        return { verdict: { allowed: x.allowed, from: key(s.ep), to, sides: [path.egress] } };
    }
    return { unevaluated: `no address maps to the destination's identity ${dstId} at ${at}` };
  }
  if (d) {
    for (const from of addressesOf(rev.states.get(d.node)!, srcId)) {
      const side = explainIngress(rev.model, { ...query, from, to: key(d.ep) }, rev.states);
      if (side.peerIdentity === srcId) return { verdict: { allowed: side.passes, from, to: key(d.ep), sides: [side] } };
    }
    return { unevaluated: `no address maps to the source's identity ${srcId} at ${at}` };
  }
  return { unevaluated: `neither end is an endpoint at ${at}` };
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
