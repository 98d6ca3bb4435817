import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PolicyValue } from '../../src/desired/desired-state.js';
import { tcxSupport } from '../../src/datapath/libbpf/index.js';
import { EventReader, type DatapathEvent, type Reason } from '../../src/datapath/maps/index.js';
import { EndpointDatapath, pinLayout } from '../../src/datapath/programs/index.js';
import {
  createNetns,
  deleteNetns,
  execIn,
  listenTcp,
  makeVethPair,
  pings,
  tcpConnects,
  uniqueName,
} from '../support/netns.js';

// Node namespace N holds the host side of the endpoint's veth and the
// clients (one address per identity); the workload lives in namespace E.
const EP_ADDR = '10.77.0.2';
const X_ADDR = '10.77.0.1';
const Y_ADDR = '10.77.0.3';
const CIDR_ADDR = '10.77.0.4';
const X = 2001;
const Y = 2002;
const EP_ID = 7;
const EP_IDENTITY = 1000;

const nodeNs = uniqueName('gwb-n');
const epNs = uniqueName('gwb-e');
const hostIf = uniqueName('gwb-h');
const pinRoot = `/sys/fs/bpf/${uniqueName('gwtest-')}`;
let dp: EndpointDatapath;
let ifindex: number;
let events: EventReader;
const seen: DatapathEvent[] = [];
const stops: Array<() => void> = [];

function setEndpoint(flags: { enforceIngress?: boolean; enforceEgress?: boolean; audit?: boolean }): void {
  dp.endpoints.put(EP_ADDR, {
    ifindex,
    identity: EP_IDENTITY,
    id: EP_ID,
    enforceIngress: flags.enforceIngress ?? false,
    enforceEgress: flags.enforceEgress ?? false,
    audit: flags.audit ?? false,
    mac: '02:00:00:00:00:02',
    ifName: hostIf,
  });
}

function rule(p: Partial<PolicyValue>): PolicyValue {
  return {
    endpointId: EP_ID,
    direction: 'ingress',
    identity: X,
    protocol: 6,
    port: 80,
    portPrefixLen: 16,
    verdict: 'allow',
    proxyPort: 0,
    ruleId: 1,
    ...p,
  };
}

function counts(): Record<Reason, bigint> {
  return Object.fromEntries(Object.entries(dp.counters.read()).map(([k, v]) => [k, v.packets])) as Record<
    Reason,
    bigint
  >;
}

beforeAll(async () => {
  if (!tcx) return;
  createNetns(nodeNs);
  createNetns(epNs);
  makeVethPair(
    { netns: nodeNs, name: hostIf, addresses: [`${X_ADDR}/24`, `${Y_ADDR}/24`, `${CIDR_ADDR}/24`] },
    { netns: epNs, name: 'eth0', addresses: [`${EP_ADDR}/24`] },
  );
  ifindex = Number(JSON.parse(execIn(nodeNs, ['ip', '-j', 'link', 'show', hostIf]))[0].ifindex);
  dp = EndpointDatapath.load({ pins: pinLayout('node-a', pinRoot) });
  dp.attach(hostIf, nodeNs);
  events = new EventReader(dp.events, (e) => seen.push(e));
  stops.push((await listenTcp(epNs, [80, 81, 8081, 8084])).stop);
  stops.push((await listenTcp(nodeNs, [9000])).stop);
});

afterAll(() => {
  try {
    for (const stop of stops) stop();
    events?.close();
    dp?.close();
  } finally {
    // Deleting the namespaces removes the veth and with it the tcx links; the pins go with the directory.
    deleteNetns(nodeNs);
    deleteNetns(epNs);
    fs.rmSync(pinRoot, { recursive: true, force: true });
  }
});

beforeEach(() => {
  if (!tcx) return;
  dp.policy.erase(dp.policy.read());
  dp.ipcache.erase(dp.ipcache.read().map((e) => e.prefix));
  dp.ct.removeMany(dp.ct.dump().map(([k]) => k));
  dp.ipcache.write([
    { prefix: `${X_ADDR}/32`, identity: X, tunnelEndpoint: null },
    { prefix: `${Y_ADDR}/32`, identity: Y, tunnelEndpoint: null },
  ]);
});

// EndpointDatapath.attach uses tcx (kernel 6.6+); elsewhere this file skips, saying why.
const tcx = tcxSupport() === 'works';

describe.skipIf(!tcx)('endpoint program on real packets (needs tcx)', () => {
  it('passes TCP and ping when the endpoint has no policy and nothing is enforced', () => {
    setEndpoint({});
    expect(tcpConnects(nodeNs, EP_ADDR, 80)).toBe(true);
    expect(pings(nodeNs, EP_ADDR)).toBe(true);
  });

  it('drops TCP and ping into an enforced endpoint without entries', () => {
    setEndpoint({ enforceIngress: true });
    const before = counts();
    expect(tcpConnects(nodeNs, EP_ADDR, 80, X_ADDR, 1)).toBe(false);
    expect(pings(nodeNs, EP_ADDR, X_ADDR, 1)).toBe(false);
    expect(counts()['denied-default']).toBeGreaterThan(before['denied-default']);
  });

  it('allows identity X on TCP/80 only: not port 81, not identity Y', () => {
    setEndpoint({ enforceIngress: true });
    dp.policy.write([rule({})]);
    expect(tcpConnects(nodeNs, EP_ADDR, 80, X_ADDR)).toBe(true);
    expect(tcpConnects(nodeNs, EP_ADDR, 81, X_ADDR, 1)).toBe(false);
    expect(tcpConnects(nodeNs, EP_ADDR, 80, Y_ADDR, 1)).toBe(false);
  });

  it('lets a deny for any identity beat an allow for X', () => {
    setEndpoint({ enforceIngress: true });
    dp.policy.write([rule({}), rule({ identity: 0, verdict: 'deny', ruleId: 9 })]);
    expect(tcpConnects(nodeNs, EP_ADDR, 80, X_ADDR, 1)).toBe(false);
  });

  it('enforces a CIDR with an except through ipcache prefixes', () => {
    const cidr = (1 << 24) | 1;
    const except = (1 << 24) | 2;
    dp.ipcache.write([
      { prefix: '10.77.0.0/24', identity: cidr, tunnelEndpoint: null },
      { prefix: `${Y_ADDR}/32`, identity: except, tunnelEndpoint: null },
    ]);
    setEndpoint({ enforceIngress: true });
    dp.policy.write([rule({ identity: cidr })]);
    expect(tcpConnects(nodeNs, EP_ADDR, 80, CIDR_ADDR)).toBe(true);
    expect(tcpConnects(nodeNs, EP_ADDR, 80, Y_ADDR, 1)).toBe(false);
  });

  it('allows a port range written as a prefix entry (8080-8083 = 8080/14)', () => {
    setEndpoint({ enforceIngress: true });
    dp.policy.write([rule({ port: 8080, portPrefixLen: 14 })]);
    expect(tcpConnects(nodeNs, EP_ADDR, 8081, X_ADDR)).toBe(true);
    expect(tcpConnects(nodeNs, EP_ADDR, 8084, X_ADDR, 1)).toBe(false);
  });

  it('allows ICMP by type: echo requests from X, not from Y', () => {
    setEndpoint({ enforceIngress: true });
    dp.policy.write([rule({ protocol: 1, port: 8, portPrefixLen: 16 })]);
    expect(pings(nodeNs, EP_ADDR, X_ADDR)).toBe(true);
    expect(pings(nodeNs, EP_ADDR, Y_ADDR, 1)).toBe(false);
  });

  it('passes would-be drops in audit mode and counts them', () => {
    setEndpoint({ enforceIngress: true, audit: true });
    const before = counts();
    expect(tcpConnects(nodeNs, EP_ADDR, 81, Y_ADDR)).toBe(true);
    const after = counts();
    expect(after.audit).toBeGreaterThan(before.audit);
    expect(after['denied-default']).toBe(before['denied-default']);
  });

  it('passes replies of an outbound connection back in while unsolicited inbound is dropped', () => {
    setEndpoint({ enforceIngress: true });
    const before = counts();
    expect(tcpConnects(epNs, X_ADDR, 9000)).toBe(true);
    expect(counts()['ct-reply']).toBeGreaterThan(before['ct-reply']);
    expect(tcpConnects(nodeNs, EP_ADDR, 80, X_ADDR, 1)).toBe(false);
    expect(dp.ct.dump().some(([k]) => k.direction === 'egress' && k.dport === 9000 && k.endpointId === EP_ID)).toBe(
      true,
    );
  });

  it('reports a drop on the ring buffer with identities, addresses, ports and the deciding rule', () => {
    setEndpoint({ enforceIngress: true });
    dp.policy.write([rule({ identity: Y, port: 81, verdict: 'deny', ruleId: 4242 })]);
    expect(tcpConnects(nodeNs, EP_ADDR, 81, Y_ADDR, 1)).toBe(false);
    events.drain();
    const drop = seen.find((e) => e.type === 'drop' && e.ruleId === 4242);
    expect(drop).toMatchObject({
      reason: 'denied-policy',
      direction: 'ingress',
      srcIdentity: Y,
      dstIdentity: EP_IDENTITY,
      saddr: Y_ADDR,
      daddr: EP_ADDR,
      dport: 81,
      protocol: 6,
      verdict: 'deny',
      endpointId: EP_ID,
      ifindex,
    });
    expect(drop!.sport).toBeGreaterThan(0);
  });

  it('keeps enforcing through pinned links after the loading process lets go, and a reload re-attaches nothing', () => {
    setEndpoint({ enforceIngress: true });
    const before = dp.attachments();
    expect(before).toHaveLength(2);
    dp.close();
    expect(tcpConnects(nodeNs, EP_ADDR, 80, X_ADDR, 1)).toBe(false);
    const observer = EndpointDatapath.openPinned(pinLayout('node-a', pinRoot));
    try {
      expect(observer?.endpoints.get(EP_ADDR)?.enforceIngress).toBe(true);
    } finally {
      observer?.close();
    }
    dp = EndpointDatapath.load({ pins: pinLayout('node-a', pinRoot) });
    const again = dp.attach(hostIf, nodeNs);
    const ids = (xs: typeof before) => xs.map((a) => `${a.hook}:${a.linkId}:${a.progId}`).sort();
    expect(ids(again)).toEqual(ids(before));
    dp.policy.write([rule({})]);
    expect(tcpConnects(nodeNs, EP_ADDR, 80, X_ADDR)).toBe(true);
  });

  it('swaps the program behind the same pinned links when the configuration changes', () => {
    setEndpoint({ enforceIngress: true });
    dp.policy.write([rule({})]);
    const before = dp.attachments();
    dp.close();
    dp = EndpointDatapath.load({ pins: pinLayout('node-a', pinRoot), config: { ctLifetimeTcp: 3600 } });
    const after = dp.attach(hostIf, nodeNs);
    expect(after.map((a) => a.linkId).sort()).toEqual(before.map((a) => a.linkId).sort());
    expect(after.map((a) => a.progId).sort()).not.toEqual(before.map((a) => a.progId).sort());
    expect(tcpConnects(nodeNs, EP_ADDR, 80, X_ADDR)).toBe(true);
    expect(tcpConnects(nodeNs, EP_ADDR, 81, X_ADDR, 1)).toBe(false);
  });
});
