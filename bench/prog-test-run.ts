// Per-packet cost of the endpoint program through BPF_PROG_TEST_RUN, with
// 10, 1,000 and 10,000 policy entries in the map.
// Usage: npx tsx bench/prog-test-run.ts [repeat=200000] [rounds=5]
import fs from 'node:fs';
import type { PolicyValue } from '../src/desired/desired-state.js';
import { EndpointDatapath, pinLayout } from '../src/datapath/programs/index.js';
import { ipv4Packet } from '../tests/support/packets.js';

const repeat = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 5);
const SIZES = [10, 1_000, 10_000];
const EP = '10.99.0.2';
const PEER = '10.99.1.9';
const PEER_ID = 5000;
const pinRoot = `/sys/fs/bpf/gwbench-${process.pid}`;
const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;

// Entries spread over 100 endpoints, many identities and ports, so that the
// trie grows in every dimension; the measured flows always find theirs.
function policies(count: number): PolicyValue[] {
  const out: PolicyValue[] = [];
  for (let i = 0; out.length < count; i++) {
    out.push({
      endpointId: 1 + (i % 100),
      direction: i % 3 === 0 ? 'egress' : 'ingress',
      identity: 256 + (i % 4000),
      protocol: i % 5 === 0 ? 17 : 6,
      port: 1024 + ((i * 7) % 60000),
      portPrefixLen: i % 4 === 0 ? 12 : 16,
      verdict: 'allow',
      proxyPort: 0,
      ruleId: i,
    });
  }
  out[0] = {
    ...out[0]!,
    endpointId: 1,
    direction: 'ingress',
    identity: PEER_ID,
    protocol: 6,
    port: 80,
    portPrefixLen: 16,
  };
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(policyCache: boolean): Promise<Map<string, number[]>> {
  const dp = EndpointDatapath.load({
    pins: pinLayout(policyCache ? 'cache' : 'nocache', pinRoot),
    config: { eventBurst: 0, policyCache },
  });
  try {
    dp.endpoints.put(EP, {
      ifindex: 0,
      identity: 900,
      id: 1,
      enforceIngress: true,
      enforceEgress: true,
      audit: false,
      mac: '02:00:00:00:00:01',
      ifName: 'bench0',
    });
    dp.ipcache.write([{ prefix: '10.99.1.0/24', identity: PEER_ID, tunnelEndpoint: null }]);
    const prog = dp.program('gw_to_endpoint');
    const out = new Map<string, number[]>();
    for (const size of SIZES) {
      dp.policy.erase(dp.policy.read());
      dp.policy.write(policies(size));
      for (const [flow, { data, verdict }] of Object.entries(FLOWS)) {
        // A run that returns another verdict measured another path: the figure would be wrong, so stop.
        const timed = async (n: number) => {
          const r = await prog.testRunAsync({ data, repeat: n });
          if (r.retval !== verdict)
            throw new Error(`${flow}, ${size} entries: the program returned ${r.retval}, expected ${verdict}`);
          return r.durationNs;
        };
        await timed(1000);
        const ns: number[] = [];
        for (let r = 0; r < rounds; r++) ns.push(await timed(repeat));
        out.set(`${size}|${flow}`, ns);
      }
    }
    return out;
  } finally {
    dp.close();
  }
}

const FLOWS = {
  'allowed (policy hit)': {
    data: ipv4Packet({ saddr: PEER, daddr: EP, protocol: 'tcp', dport: 80 }),
    verdict: TC_ACT_OK,
  },
  'denied (default deny)': {
    data: ipv4Packet({ saddr: PEER, daddr: EP, protocol: 'tcp', dport: 81 }),
    verdict: TC_ACT_SHOT,
  },
};

try {
  const cached = await measure(true);
  const walked = await measure(false);
  const cell = (ns: number[]) => `${median(ns)} (${Math.min(...ns)}–${Math.max(...ns)})`;
  console.log(`BPF_PROG_TEST_RUN, gw_to_endpoint, 66-byte TCP SYN, repeat ${repeat}, median (range) of ${rounds}`);
  console.log('| policy entries | flow | verdict cache on, ns/packet | cache off (trie walk), ns/packet |');
  console.log('|---|---|---|---|');
  for (const size of SIZES) {
    for (const flow of Object.keys(FLOWS)) {
      const k = `${size}|${flow}`;
      console.log(`| ${size.toLocaleString('en')} | ${flow} | ${cell(cached.get(k)!)} | ${cell(walked.get(k)!)} |`);
    }
  }
} finally {
  fs.rmSync(pinRoot, { recursive: true, force: true });
}
