import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PolicyValue } from '../../src/desired/desired-state.js';
import {
  BpfError,
  BpfMap,
  BpfObject,
  batchSupport,
  ifIndex,
  inNetns,
  tcAttach,
  tcDetach,
  tcHookDestroy,
  tcQuery,
  tcxQuery,
  tcxSupport,
  progInfo,
  transparentListener,
} from '../../src/datapath/libbpf/index.js';
import { EventReader, ProxyMap, type DatapathEvent } from '../../src/datapath/maps/index.js';
import { EndpointDatapath, pinLayout } from '../../src/datapath/programs/index.js';
import { createNetns, deleteNetns, makeVethPair, uniqueName } from '../support/netns.js';
import { arpPacket, ipv4Packet, ipv6Packet, TCP_ACK } from '../support/packets.js';

const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;
const TC_ACT_REDIRECT = 7;
const EP = '10.88.0.2';
const X = 3001;
const Y = 3002;
const pinRoot = `/sys/fs/bpf/${uniqueName('gwtest-')}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gwb-'));
let dp: EndpointDatapath;

function rule(p: Partial<PolicyValue>): PolicyValue {
  return {
    endpointId: 5,
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

function toEndpoint(saddr: string, proto: 'tcp' | 'udp' | 'icmp', dport = 80, extra = {}): number {
  return dp
    .program('gw_to_endpoint')
    .testRun({ data: ipv4Packet({ saddr, daddr: EP, protocol: proto, dport, ...extra }) }).retval;
}

beforeAll(() => {
  dp = EndpointDatapath.load({ pins: pinLayout('bind', pinRoot), config: { ctLifetimeNonTcp: 0 } });
});

afterAll(() => {
  dp?.close();
  fs.rmSync(pinRoot, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  dp.policy.erase(dp.policy.read());
  dp.ct.removeMany(dp.ct.dump().map(([k]) => k));
  dp.ipcache.write([
    { prefix: '10.88.1.0/24', identity: X, tunnelEndpoint: null },
    { prefix: '10.88.2.0/24', identity: Y, tunnelEndpoint: '192.0.2.1' },
  ]);
  dp.endpoints.put(EP, {
    ifindex: 0,
    identity: 900,
    id: 5,
    enforceIngress: true,
    enforceEgress: false,
    audit: false,
    mac: '02:00:00:00:00:05',
    ifName: 'lxc-test',
  });
});

describe('BPF_PROG_TEST_RUN verdicts on crafted packets', () => {
  it('agrees with the real-packet rules: X to 80 passes, X to 81 and Y to 80 drop', () => {
    dp.policy.write([rule({})]);
    expect(toEndpoint('10.88.1.9', 'tcp', 80)).toBe(TC_ACT_OK);
    expect(toEndpoint('10.88.1.9', 'tcp', 81)).toBe(TC_ACT_SHOT);
    expect(toEndpoint('10.88.2.9', 'tcp', 80)).toBe(TC_ACT_SHOT);
  });

  it('lets a deny from the any-identity lookup beat an allow for the peer', () => {
    dp.policy.write([rule({}), rule({ identity: 0, verdict: 'deny' })]);
    expect(toEndpoint('10.88.1.9', 'tcp', 80)).toBe(TC_ACT_SHOT);
  });

  it('treats protocol 0 as any protocol and port, and an unknown address as world (2)', () => {
    dp.policy.write([rule({ identity: 2, protocol: 0, port: 0, portPrefixLen: 0 })]);
    expect(toEndpoint('203.0.113.5', 'udp', 53)).toBe(TC_ACT_OK);
    expect(toEndpoint('10.88.1.9', 'udp', 53)).toBe(TC_ACT_SHOT);
  });

  it('applies a policy change to the next packet despite the verdict cache', () => {
    dp.policy.write([rule({})]);
    expect(toEndpoint('10.88.1.9', 'tcp', 80)).toBe(TC_ACT_OK);
    dp.policy.write([rule({ verdict: 'deny' })]);
    expect(toEndpoint('10.88.1.9', 'tcp', 80)).toBe(TC_ACT_SHOT);
    dp.policy.erase([rule({})]);
    expect(toEndpoint('10.88.1.9', 'tcp', 80)).toBe(TC_ACT_SHOT);
    dp.endpoints.put(EP, { ...dp.endpoints.get(EP)!, enforceIngress: false });
    expect(toEndpoint('10.88.1.9', 'tcp', 80)).toBe(TC_ACT_OK);
  });

  it('drops a redirect verdict while no proxy listens (fail closed), counted as proxy-unavailable', () => {
    const ns = uniqueName('gwb-noproxy-');
    createNetns(ns);
    try {
      dp.policy.write([rule({ verdict: 'redirect', proxyPort: 15001 })]);
      const before = dp.counters.read()['proxy-unavailable'].packets;
      expect(inNetns(ns, () => toEndpoint('10.88.1.9', 'tcp', 80))).toBe(TC_ACT_SHOT);
      expect(dp.counters.read()['proxy-unavailable'].packets - before).toBe(1n);
    } finally {
      deleteNetns(ns);
    }
  });

  it('turns a redirected ingress packet around to the proxy and records the peer identity for it', () => {
    const ns = uniqueName('gwb-proxy-');
    createNetns(ns);
    const listener = transparentListener({ port: 15001, netns: ns });
    const records = BpfMap.fromPin(path.join(pinLayout('bind', pinRoot).mapsDir, 'gw_proxy'));
    try {
      dp.policy.write([rule({ verdict: 'redirect', proxyPort: 15001 })]);
      const before = dp.counters.read().redirect.packets;
      const spec = { saddr: '10.88.1.9', daddr: EP, protocol: 'tcp' as const, sport: 41234, dport: 80 };
      const packet = ipv4Packet(spec);
      // BPF_PROG_TEST_RUN runs in the caller's namespace: the listener's.
      const run = inNetns(ns, () => dp.program('gw_to_endpoint').testRun({ data: packet }));
      expect(run.retval).toBe(TC_ACT_REDIRECT);
      expect(dp.counters.read().redirect.packets - before).toBe(1n);
      const key = { saddr: '10.88.1.9', daddr: EP, sport: 41234, dport: 80 };
      const recorded = () => new ProxyMap(records).get(key)?.identity;
      expect(new ProxyMap(records).get(key)).toEqual({ identity: X, endpointId: 5, direction: 'ingress' });

      // The peer's identity changes while the tuple's conntrack entry lives: a new SYN records it, an ACK does not.
      dp.policy.write([rule({ identity: Y, verdict: 'redirect', proxyPort: 15001 })]);
      dp.ipcache.write([{ prefix: '10.88.1.9/32', identity: Y, tunnelEndpoint: null }]);
      const ack = ipv4Packet({ ...spec, tcpFlags: TCP_ACK });
      expect(inNetns(ns, () => dp.program('gw_to_endpoint').testRun({ data: ack })).retval).toBe(TC_ACT_REDIRECT);
      expect(recorded()).toBe(X);
      expect(inNetns(ns, () => dp.program('gw_to_endpoint').testRun({ data: packet })).retval).toBe(TC_ACT_REDIRECT);
      expect(recorded()).toBe(Y);
    } finally {
      dp.ipcache.erase(['10.88.1.9/32']);
      records.close();
      fs.closeSync(listener);
      deleteNetns(ns);
    }
  });

  it('matches ICMP by type', () => {
    dp.policy.write([rule({ protocol: 1, port: 8 })]);
    expect(toEndpoint('10.88.1.9', 'icmp', 0, { icmpType: 8 })).toBe(TC_ACT_OK);
    expect(toEndpoint('10.88.1.9', 'icmp', 0, { icmpType: 13 })).toBe(TC_ACT_SHOT);
  });

  it('passes ARP, drops IPv6, and counts each under its reason', () => {
    const before = dp.counters.read();
    const prog = dp.program('gw_to_endpoint');
    expect(prog.testRun({ data: arpPacket() }).retval).toBe(TC_ACT_OK);
    expect(prog.testRun({ data: ipv6Packet() }).retval).toBe(TC_ACT_SHOT);
    const after = dp.counters.read();
    expect(after['not-ip'].packets - before['not-ip'].packets).toBe(1n);
    expect(after.ipv6.packets - before.ipv6.packets).toBe(1n);
  });

  it('passes a reply of a tracked connection without a policy lookup', () => {
    dp.policy.write([]);
    dp.endpoints.put(EP, { ...dp.endpoints.get(EP)!, enforceEgress: false });
    const out = ipv4Packet({ saddr: EP, daddr: '10.88.2.9', protocol: 'tcp', sport: 41000, dport: 443 });
    expect(dp.program('gw_from_endpoint').testRun({ data: out }).retval).toBe(TC_ACT_OK);
    const reply = {
      saddr: '10.88.2.9',
      daddr: EP,
      protocol: 'tcp' as const,
      sport: 443,
      dport: 41000,
      tcpFlags: TCP_ACK,
    };
    expect(dp.program('gw_to_endpoint').testRun({ data: ipv4Packet(reply) }).retval).toBe(TC_ACT_OK);
    expect(dp.program('gw_to_endpoint').testRun({ data: ipv4Packet({ ...reply, sport: 444 }) }).retval).toBe(
      TC_ACT_SHOT,
    );
  });

  it('runs asynchronously with the same verdict', async () => {
    dp.policy.write([rule({})]);
    const data = ipv4Packet({ saddr: '10.88.1.9', daddr: EP, protocol: 'tcp', dport: 80 });
    const r = await dp.program('gw_to_endpoint').testRunAsync({ data, repeat: 1000 });
    expect(r.retval).toBe(TC_ACT_OK);
    expect(r.durationNs).toBeGreaterThan(0);
  });

  it('emits a drop event naming the deny rule, and an audit event instead of a drop in audit mode', () => {
    const seen: DatapathEvent[] = [];
    const reader = new EventReader(dp.events, (e) => seen.push(e));
    try {
      dp.policy.write([rule({ identity: Y, port: 22, verdict: 'deny', ruleId: 808 })]);
      expect(toEndpoint('10.88.2.9', 'tcp', 22, { sport: 5000 })).toBe(TC_ACT_SHOT);
      dp.endpoints.put(EP, { ...dp.endpoints.get(EP)!, audit: true });
      expect(toEndpoint('10.88.2.9', 'tcp', 22, { sport: 5001 })).toBe(TC_ACT_OK);
      reader.drain();
      expect(seen.find((e) => e.sport === 5000)).toMatchObject({
        type: 'drop',
        reason: 'denied-policy',
        ruleId: 808,
        srcIdentity: Y,
        dstIdentity: 900,
        saddr: '10.88.2.9',
        daddr: EP,
        dport: 22,
      });
      expect(seen.find((e) => e.sport === 5001)).toMatchObject({ type: 'audit', reason: 'denied-policy', ruleId: 808 });
    } finally {
      reader.close();
    }
  });

  it('garbage-collects expired conntrack entries and keeps live ones', () => {
    dp.endpoints.put(EP, { ...dp.endpoints.get(EP)!, enforceEgress: false });
    const udp = ipv4Packet({ saddr: EP, daddr: '10.88.2.9', protocol: 'udp', sport: 7000, dport: 53 });
    const tcp = ipv4Packet({ saddr: EP, daddr: '10.88.2.9', protocol: 'tcp', sport: 7001, dport: 443 });
    dp.program('gw_from_endpoint').testRun({ data: udp });
    dp.program('gw_from_endpoint').testRun({ data: tcp });
    expect(dp.ct.dump()).toHaveLength(2);
    expect(dp.ct.gc()).toBe(1);
    expect(dp.ct.dump().map(([k]) => k.protocol)).toEqual([6]);
  });
});

describe('libbpf binding', () => {
  it('puts the verifier log into the error of a rejected program', () => {
    const src = path.join(tmp, 'bad.bpf.c');
    const obj = path.join(tmp, 'bad.bpf.o');
    fs.writeFileSync(
      src,
      '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("tc") int bad(struct __sk_buff *skb) { return *(int *)(long)skb->data; }\nchar LICENSE[] SEC("license") = "GPL";\n',
    );
    execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', '-c', src, '-o', obj]);
    let err: unknown;
    try {
      BpfObject.load({ file: obj }).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BpfError);
    expect((err as BpfError).code).toBe('BPF_VERIFIER_REJECTED');
    expect((err as BpfError).message).toMatch(/^object load: EACCES/);
    expect((err as BpfError).message).toMatch(/invalid access to packet/);
  });

  it('reuses pinned maps on reload and refuses a pinned map whose definition changed', () => {
    dp.policy.write([rule({ ruleId: 31337 })]);
    const again = EndpointDatapath.load({ pins: pinLayout('bind', pinRoot) });
    try {
      expect(again.policy.read().map((p) => p.ruleId)).toEqual([31337]);
    } finally {
      again.close();
    }
    expect(() => EndpointDatapath.load({ pins: pinLayout('bind', pinRoot), maxEntries: { gw_policy: 128 } })).toThrow(
      expect.objectContaining({ code: 'BPF_PINNED_MAP_MISMATCH', message: expect.stringContaining('gw_policy') }),
    );
  });

  it('names the errno and the operation in errors', () => {
    const m = BpfMap.create({ type: 'hash', name: 'gw_t_err', keySize: 4, valueSize: 4, maxEntries: 4 });
    try {
      const k = Buffer.alloc(4);
      m.update(k, Buffer.alloc(4));
      expect(() => m.update(k, Buffer.alloc(4), 'noexist')).toThrow(/^map update: EEXIST \(File exists\)/);
    } finally {
      m.close();
    }
  });

  it('batch-updates, dumps and batch-deletes, treating absent keys as already deleted', () => {
    expect(batchSupport('hash')).toBe('works');
    const n = 10_000;
    const m = BpfMap.create({ type: 'hash', name: 'gw_t_batch', keySize: 4, valueSize: 8, maxEntries: n });
    try {
      const keys = Buffer.alloc(n * 4);
      const values = Buffer.alloc(n * 8);
      for (let i = 0; i < n; i++) {
        keys.writeUInt32LE(i * 7, i * 4);
        values.writeBigUInt64LE(BigInt(i), i * 8);
      }
      m.updateBatch(keys, values, n);
      const dump = m.lookupBatch(256);
      expect(dump.count).toBe(n);
      const seen = new Map<number, bigint>();
      for (let i = 0; i < n; i++) seen.set(dump.keys.readUInt32LE(i * 4), dump.values.readBigUInt64LE(i * 8));
      expect(seen.get(7 * 1234)).toBe(1234n);
      expect(m.keys()).toHaveLength(n);
      expect(m.delete(keys.subarray(0, 4))).toBe(true);
      expect(m.delete(keys.subarray(0, 4))).toBe(false);
      expect(m.deleteBatch(keys, n)).toBe(n - 1);
      expect(m.lookupBatch().count).toBe(0);
    } finally {
      m.close();
    }
  });

  it('attaches, queries and detaches with legacy tc and with tcx inside a namespace', () => {
    const ns = uniqueName('gwb-t');
    const ifa = uniqueName('gwb-a');
    createNetns(ns);
    try {
      makeVethPair({ netns: ns, name: ifa }, { netns: ns, name: uniqueName('gwb-b') });
      const prog = dp.program('gw_to_endpoint');
      const progId = progInfo(prog.fd).id;
      inNetns(ns, () => {
        const ifindex = ifIndex(ifa);
        expect(tcAttach(ifindex, 'egress', prog.fd).progId).toBe(progId);
        expect(tcQuery(ifindex, 'egress')).toBe(progId);
        expect(tcDetach(ifindex, 'egress')).toBe(true);
        expect(tcQuery(ifindex, 'egress')).toBeUndefined();
        tcHookDestroy(ifindex);
        if (tcxSupport() === 'works') {
          dp.attach(ifa);
          expect(tcxQuery(ifindex, 'egress')).toContain(progId);
          dp.detach(ifa);
          expect(tcxQuery(ifindex, 'egress')).toEqual([]);
        }
      });
    } finally {
      deleteNetns(ns);
    }
  });
});
