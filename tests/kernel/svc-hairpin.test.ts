import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EndpointDatapath, pinLayout } from '../../src/datapath/programs/index.js';
import { uniqueName } from '../support/netns.js';
import { TCP_ACK, TCP_SYN } from '../support/packets.js';
import { readTuple, tcpPacket, validChecksums } from '../support/lb-packets.js';

// Hairpin in the endpoint programs, driven with crafted packets through
// BPF_PROG_TEST_RUN: a workload whose connection to its own service is given
// to itself sees it come from the hairpin address, and the reply goes back to
// it from the frontend; both are sent back out of the veth they came in on.

const TC_ACT_REDIRECT = 7;
const POD = '10.66.0.2';
const VIP = '10.96.0.10';
const HAIRPIN = '169.254.42.1';
const POD_MAC = Buffer.from([2, 0, 0, 0, 0, 2]);
const HOST_MAC = Buffer.from([2, 0, 0, 0, 0, 1]);
const pinRoot = `/sys/fs/bpf/${uniqueName('gwhtest-')}`;
let dp: EndpointDatapath;

/** A frame from the pod to its gateway (the host side of its veth). */
function fromPod(saddr: string, daddr: string, sport: number, dport: number, flags: number): Buffer {
  const b = tcpPacket({ saddr, daddr, sport, dport, flags });
  HOST_MAC.copy(b, 0);
  POD_MAC.copy(b, 6);
  return b;
}

beforeAll(() => {
  dp = EndpointDatapath.load({ pins: pinLayout('hairpin', pinRoot) });
  dp.endpoints.put(POD, {
    ifindex: 0,
    identity: 1000,
    id: 9,
    enforceIngress: false,
    enforceEgress: false,
    audit: false,
    mac: '02:00:00:00:00:02',
    ifName: 'lxc-pod',
  });
  dp.backends.write([
    { id: 1, address: POD, port: 8080, protocol: 6, state: 'active' },
    { id: 2, address: '10.66.1.1', port: 8080, protocol: 6, state: 'active' },
  ]);
  dp.revnat.write([{ index: 7, address: VIP, port: 80 }]);
  dp.services.write([
    {
      address: VIP,
      port: 80,
      protocol: 6,
      type: 'ClusterIP',
      backendIds: [1, 2],
      revNatIndex: 7,
      algorithm: 'random',
      affinityTimeout: 0,
      mode: 'snat',
    },
  ]);
});

afterAll(() => {
  dp?.close();
  fs.rmSync(pinRoot, { recursive: true, force: true });
});

it('sends a connection the service gives to its own client back to it, from the hairpin address, and its reply from the frontend', () => {
  // Random choice between the pod and another backend: the first connection given to the pod itself.
  let sport = 41000;
  let out = dp.program('gw_from_endpoint').testRun({ data: fromPod(POD, VIP, sport, 80, TCP_SYN) });
  for (; out.retval !== TC_ACT_REDIRECT && sport < 41100; sport++)
    out = dp.program('gw_from_endpoint').testRun({ data: fromPod(POD, VIP, sport + 1, 80, TCP_SYN) });
  expect(out.retval).toBe(TC_ACT_REDIRECT);
  expect(readTuple(out.dataOut)).toMatchObject({ saddr: HAIRPIN, sport, daddr: POD, dport: 8080 });
  expect(validChecksums(out.dataOut)).toBe(true);
  expect(out.dataOut.subarray(0, 6)).toEqual(POD_MAC);
  expect(dp.program('gw_to_endpoint').testRun({ data: out.dataOut }).retval).toBe(0);

  const reply = dp.program('gw_from_endpoint').testRun({ data: fromPod(POD, HAIRPIN, 8080, sport, TCP_SYN | TCP_ACK) });
  expect(reply.retval).toBe(TC_ACT_REDIRECT);
  expect(readTuple(reply.dataOut)).toMatchObject({ saddr: VIP, sport: 80, daddr: POD, dport: sport });
  expect(validChecksums(reply.dataOut)).toBe(true);
  expect(reply.dataOut.subarray(0, 6)).toEqual(POD_MAC);
  expect(dp.program('gw_to_endpoint').testRun({ data: reply.dataOut }).retval).toBe(0);
  // Every later packet of the connection stays on it (the choice is found again, not made anew).
  for (let i = 0; i < 12; i++) {
    const next = dp.program('gw_from_endpoint').testRun({ data: fromPod(POD, VIP, sport, 80, TCP_ACK) });
    expect(readTuple(next.dataOut)).toMatchObject({ saddr: HAIRPIN, daddr: POD });
  }
  const counts = dp.counters.read();
  expect(counts['ct-reply']?.packets).toBeGreaterThanOrEqual(2n);
});
