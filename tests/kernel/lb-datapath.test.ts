import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BackendValue, ServiceValue } from '../../src/desired/desired-state.js';
import { maglevTable } from '../../src/desired/compile/service/maglev-table.js';
import { encodeMaglevTable } from '../../src/desired/compile/service/maglev-encoding.js';
import { EventReader, type DatapathEvent, type Reason, type ServiceMapValue } from '../../src/datapath/maps/index.js';
import { EndpointDatapath, pinLayout } from '../../src/datapath/programs/index.js';
import { uniqueName } from '../support/netns.js';
import { TCP_ACK, TCP_SYN } from '../support/packets.js';
import { readTuple, tcpPacket, udpChecksum, udpPacket, validChecksums } from '../support/lb-packets.js';

// The load balancer in the endpoint and node-device programs, driven with
// crafted packets through BPF_PROG_TEST_RUN: translation, conntrack pinning,
// reverse NAT, algorithms, affinity, backend states and policy on the backend.

const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;
const CLIENT = '10.66.0.2';
const CLIENT_ID = 9;
const VIP = '10.96.0.10';
const NODE = '192.0.2.1';
const pinRoot = `/sys/fs/bpf/${uniqueName('gwltest-')}`;
let dp: EndpointDatapath;

const backend = (id: number, state: BackendValue['state'] = 'active'): BackendValue => ({
  id,
  address: `10.66.1.${id}`,
  port: 8080,
  protocol: 6,
  state,
});

const service = (backendIds: number[], extra: Partial<ServiceValue> = {}): ServiceMapValue => ({
  address: VIP,
  port: 80,
  protocol: 6,
  type: 'ClusterIP',
  backendIds,
  revNatIndex: 7,
  algorithm: 'random',
  affinityTimeout: 0,
  mode: 'snat',
  ...extra,
});

function setService(backends: BackendValue[], extra: Partial<ServiceValue> = {}): void {
  dp.backends.write(backends);
  dp.revnat.write([{ index: extra.revNatIndex ?? 7, address: extra.address ?? VIP, port: extra.port ?? 80 }]);
  dp.services.write([
    service(
      backends.map((b) => b.id),
      extra,
    ),
  ]);
}

/** Sends one packet of a connection from the client; returns the verdict and where it went. */
function send(sport: number, flags = TCP_SYN, saddr = CLIENT, daddr = VIP, dport = 80) {
  const r = dp.program('gw_from_endpoint').testRun({ data: tcpPacket({ saddr, daddr, sport, dport, flags }) });
  return { retval: r.retval, out: r.dataOut, ...readTuple(r.dataOut) };
}

function counts(): Record<Reason, bigint> {
  return Object.fromEntries(Object.entries(dp.counters.read()).map(([k, v]) => [k, v.packets])) as Record<
    Reason,
    bigint
  >;
}

function clearConnections(): void {
  dp.ct.removeMany(dp.ct.dump().map(([k]) => k));
  dp.lbCt.removeMany(dp.lbCt.dump().map(([k]) => k));
  dp.affinity.removeMany(dp.affinity.dump().map(([k]) => k));
}

beforeAll(() => {
  dp = EndpointDatapath.load({ pins: pinLayout('lb', pinRoot) });
});

afterAll(() => {
  dp?.close();
  fs.rmSync(pinRoot, { recursive: true, force: true });
});

beforeEach(() => {
  clearConnections();
  dp.services.erase(dp.services.read());
  dp.maglev.erase(dp.maglev.read());
  dp.backends.removeMany(dp.backends.read().map((b) => b.id));
  dp.policy.erase(dp.policy.read());
  dp.ipcache.erase(dp.ipcache.read().map((e) => e.prefix));
  dp.endpoints.put(CLIENT, {
    ifindex: 0,
    identity: 1000,
    id: CLIENT_ID,
    enforceIngress: false,
    enforceEgress: false,
    audit: false,
    mac: '02:00:00:00:00:02',
    ifName: 'lxc-client',
  });
});

describe('service translation in the endpoint program', () => {
  it('DNATs a connection to the frontend onto a backend with valid IP and TCP checksums', () => {
    setService([backend(1), backend(2)]);
    const r = send(40000);
    expect(r.retval).toBe(TC_ACT_OK);
    expect(['10.66.1.1', '10.66.1.2']).toContain(r.daddr);
    expect(r.dport).toBe(8080);
    expect(r.saddr).toBe(CLIENT);
    expect(validChecksums(r.out)).toBe(true);
  });

  it('keeps every packet of a connection on the backend its first packet was given', () => {
    setService([backend(1), backend(2), backend(3)]);
    for (let sport = 41000; sport < 41040; sport++) {
      const first = send(sport).daddr;
      for (let i = 0; i < 5; i++) expect(send(sport, TCP_ACK).daddr).toBe(first);
    }
  });

  it('reverse-NATs the backend reply to the frontend address and port', () => {
    setService([backend(1)]);
    send(42000);
    const reply = dp.program('gw_to_endpoint').testRun({
      data: tcpPacket({ saddr: '10.66.1.1', daddr: CLIENT, sport: 8080, dport: 42000, flags: TCP_SYN | TCP_ACK }),
    });
    expect(reply.retval).toBe(TC_ACT_OK);
    expect(readTuple(reply.dataOut)).toMatchObject({ saddr: VIP, sport: 80, daddr: CLIENT, dport: 42000 });
    expect(validChecksums(reply.dataOut)).toBe(true);
  });

  it('translates UDP with a valid checksum, and leaves a UDP checksum of 0 (none) at 0', () => {
    const udp = backend(1);
    dp.backends.write([{ ...udp, protocol: 17 }]);
    dp.revnat.write([{ index: 7, address: VIP, port: 53 }]);
    dp.services.write([service([1], { port: 53, protocol: 17 })]);
    const prog = dp.program('gw_from_endpoint');
    const withSum = prog.testRun({ data: udpPacket({ saddr: CLIENT, daddr: VIP, sport: 5353, dport: 53 }) });
    expect(readTuple(withSum.dataOut)).toMatchObject({ daddr: '10.66.1.1', dport: 8080 });
    expect(validChecksums(withSum.dataOut)).toBe(true);
    const noSum = prog.testRun({
      data: udpPacket({ saddr: CLIENT, daddr: VIP, sport: 5354, dport: 53, noChecksum: true }),
    });
    expect(readTuple(noSum.dataOut)).toMatchObject({ daddr: '10.66.1.1', dport: 8080 });
    expect(udpChecksum(noSum.dataOut)).toBe(0);
  });

  it('drops connections to a service without backends under lb-no-backend, with a drop event naming the frontend', () => {
    setService([]);
    const before = counts();
    const seen: DatapathEvent[] = [];
    const reader = new EventReader(dp.events, (e) => seen.push(e));
    try {
      expect(send(43000).retval).toBe(TC_ACT_SHOT);
      reader.drain();
    } finally {
      reader.close();
    }
    expect(counts()['lb-no-backend'] - before['lb-no-backend']).toBe(1n);
    expect(seen.find((e) => e.sport === 43000)).toMatchObject({
      type: 'drop',
      reason: 'lb-no-backend',
      saddr: CLIENT,
      daddr: VIP,
      dport: 80,
    });
  });

  it('drops under lb-backend-missing when a slot names a backend the map does not hold', () => {
    dp.services.write([service([99])]);
    const before = counts();
    expect(send(43100).retval).toBe(TC_ACT_SHOT);
    expect(counts()['lb-backend-missing'] - before['lb-backend-missing']).toBe(1n);
  });

  it('leaves traffic to addresses that are no frontend untouched', () => {
    setService([backend(1)]);
    const r = send(43200, TCP_SYN, CLIENT, '10.66.9.9');
    expect(r).toMatchObject({ retval: TC_ACT_OK, daddr: '10.66.9.9', dport: 80 });
  });

  it('lets an existing connection finish on a backend that left the service while new ones avoid it', () => {
    setService([backend(1), backend(2)]);
    let onOne = 44000;
    while (send(onOne).daddr !== '10.66.1.1') onOne++;
    setService([backend(2)]);
    dp.backends.removeMany([1]);
    expect(send(onOne, TCP_ACK).daddr).toBe('10.66.1.1');
    for (let s = 45000; s < 45050; s++) expect(send(s).daddr).toBe('10.66.1.2');
  });

  it('spreads random choices over the backends within statistical bounds', () => {
    setService([backend(1), backend(2), backend(3), backend(4)]);
    const n = 4000;
    const hits = new Map<string, number>();
    for (let s = 0; s < n; s++) {
      const d = send(10000 + s).daddr;
      hits.set(d, (hits.get(d) ?? 0) + 1);
    }
    expect(hits.size).toBe(4);
    // Binomial(4000, 1/4): mean 1000, sd ≈ 27; six sd either side never fails by chance in practice.
    for (const count of hits.values()) expect(Math.abs(count - n / 4)).toBeLessThan(6 * 27.4);
  });
});

describe('Maglev', () => {
  const N = 10;
  const SIZE = 4093;
  const table = (ids: number[]) =>
    encodeMaglevTable(
      maglevTable(
        ids.map((id) => ({ id, name: `10.66.1.${id}:8080/6` })),
        SIZE,
      ),
    );

  function flows(): string[] {
    clearConnections();
    const out: string[] = [];
    for (let i = 0; i < 10000; i++) out.push(send(20000 + i).daddr);
    return out;
  }

  it(`moves only about 1/${N} of the flows when one of ${N} backends is removed`, () => {
    const ids = Array.from({ length: N }, (_, i) => i + 1);
    setService(
      ids.map((id) => backend(id)),
      { algorithm: 'maglev' },
    );
    dp.maglev.write([{ revNatIndex: 7, tableSize: SIZE, table: table(ids) }]);
    const before = flows();
    expect(new Set(before).size).toBe(N);

    const rest = ids.filter((id) => id !== 4);
    dp.maglev.write([{ revNatIndex: 7, tableSize: SIZE, table: table(rest) }]);
    setService(
      rest.map((id) => backend(id)),
      { algorithm: 'maglev' },
    );
    const after = flows();

    const moved = before.filter((d, i) => d !== after[i]).length / before.length;
    const onRemoved = before.filter((d) => d === '10.66.1.4').length / before.length;
    expect(after).not.toContain('10.66.1.4');
    expect(moved).toBeGreaterThanOrEqual(onRemoved);
    expect(moved).toBeLessThan(1.5 / N);
  });

  it('maps the same flow to the same backend without conntrack, and reads the table back as written', () => {
    const ids = [1, 2, 3];
    setService(
      ids.map((id) => backend(id)),
      { algorithm: 'maglev' },
    );
    dp.maglev.write([{ revNatIndex: 7, tableSize: SIZE, table: table(ids) }]);
    const a = send(30000).daddr;
    clearConnections();
    expect(send(30000).daddr).toBe(a);
    expect(dp.maglev.read()).toEqual([{ revNatIndex: 7, tableSize: SIZE, table: table(ids) }]);
  });
});

describe('session affinity', () => {
  it('keeps a client on one backend until the timeout has passed', () => {
    setService([backend(1), backend(2), backend(3)], { affinityTimeout: 60 });
    const first = send(46000).daddr;
    for (let s = 46001; s < 46040; s++) expect(send(s).daddr).toBe(first);
    // Age the client's entry past the timeout instead of sleeping through it.
    const [key, value] = dp.affinity.dump()[0]!;
    dp.affinity.put(key, { ...value, lastUsedNs: value.lastUsedNs - 61n * 1_000_000_000n });
    const later = new Set<string>();
    for (let s = 47000; s < 47040; s++) {
      later.add(send(s).daddr);
      dp.affinity.removeMany(dp.affinity.dump().map(([k]) => k));
    }
    expect(later.size).toBeGreaterThan(1);
  });
});

describe('policy after translation', () => {
  it('enforces egress policy against the backend identity, not the frontend', () => {
    setService([backend(1), backend(2)]);
    dp.ipcache.write([
      { prefix: '10.66.1.1/32', identity: 301, tunnelEndpoint: null },
      { prefix: '10.66.1.2/32', identity: 302, tunnelEndpoint: null },
    ]);
    dp.endpoints.put(CLIENT, { ...dp.endpoints.get(CLIENT)!, enforceEgress: true });
    dp.policy.write([
      {
        endpointId: CLIENT_ID,
        direction: 'egress',
        identity: 301,
        protocol: 6,
        port: 8080,
        portPrefixLen: 16,
        verdict: 'allow',
        proxyPort: 0,
        ruleId: 1,
      },
    ]);
    const seen = new Set<string>();
    for (let s = 48000; s < 48060; s++) {
      const r = send(s);
      seen.add(r.daddr);
      expect(r.retval).toBe(r.daddr === '10.66.1.1' ? TC_ACT_OK : TC_ACT_SHOT);
    }
    expect(seen.size).toBe(2);
  });
});

describe('node device (NodePort)', () => {
  it('translates NodePort traffic from outside and reverse-NATs its replies on the way out', () => {
    setService([backend(1)], { address: NODE, port: 30080, type: 'NodePort', revNatIndex: 8 });
    // A backend on this node: the packet keeps the client's source (one on another node is SNATed, svc-across-nodes).
    dp.endpoints.put('10.66.1.1', {
      ifindex: 0,
      identity: 1001,
      id: CLIENT_ID + 1,
      enforceIngress: false,
      enforceEgress: false,
      audit: false,
      mac: '02:00:00:00:00:03',
      ifName: 'lxc-backend',
    });
    const outside = '198.51.100.7';
    const inbound = dp.program('gw_from_netdev').testRun({
      data: tcpPacket({ saddr: outside, daddr: NODE, sport: 50000, dport: 30080, flags: TCP_SYN }),
    });
    expect(inbound.retval).toBe(TC_ACT_OK);
    expect(readTuple(inbound.dataOut)).toMatchObject({ daddr: '10.66.1.1', dport: 8080, saddr: outside });
    const reply = dp.program('gw_to_netdev').testRun({
      data: tcpPacket({ saddr: '10.66.1.1', daddr: outside, sport: 8080, dport: 50000, flags: TCP_SYN | TCP_ACK }),
    });
    expect(readTuple(reply.dataOut)).toMatchObject({ saddr: NODE, sport: 30080 });
    expect(validChecksums(reply.dataOut)).toBe(true);
    dp.endpoints.remove('10.66.1.1');
  });

  it('does not expose a ClusterIP on the node device', () => {
    setService([backend(1)]);
    const r = dp.program('gw_from_netdev').testRun({
      data: tcpPacket({ saddr: '198.51.100.7', daddr: VIP, sport: 50001, dport: 80, flags: TCP_SYN }),
    });
    expect(readTuple(r.dataOut)).toMatchObject({ daddr: VIP, dport: 80 });
  });
});
