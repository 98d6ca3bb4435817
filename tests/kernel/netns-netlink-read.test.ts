import { rmSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkSocket } from '../../src/datapath/netlink/index.js';
import { NetlinkError } from '../../src/datapath/net/netlink-error.js';
import { scanNamed } from '../../src/datapath/net/internal/node-scan.js';
import { readFdb, readNetns, readNode } from '../../src/datapath/net/internal/netns-read.js';
import { dump } from '../../src/datapath/net/internal/netlink-dump.js';
import { ipLinks, linkRequest, RTM_GETLINK } from '../../src/datapath/net/internal/rtnl-links.js';
import type { IpLink, IpNeigh, IpRoute } from '../../src/datapath/net/internal/ip-json.js';
import { addNodeNs, cleanupNetns, ipIn, ipJson, nsName, sh } from '../support/net-fixtures.js';

// The netlink reader of endpoint namespaces against iproute2 on the same
// namespaces: every field IpLink and IpRoute hold must read the same.

const LINK_KEYS = ['ifindex', 'ifname', 'flags', 'mtu', 'address', 'operstate', 'ifalias', 'link_index'] as const;
const MORE_LINK_KEYS = ['link_netnsid', 'link'] as const;
const ROUTE_KEYS = ['type', 'dst', 'gateway', 'dev', 'protocol', 'scope', 'prefsrc', 'flags'] as const;

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}

// The parts of `ip -j netns list-id` and `ip -j netconf show` the node's scan read before it used netlink.
interface IpNsid {
  readonly nsid: number;
  readonly name?: string;
}
interface IpNetconf {
  readonly family: string;
  readonly interface: string;
  readonly forwarding?: boolean;
}

const TUNNEL_KEYS = ['external', 'id', 'local', 'port', 'learning'];

/** iproute2's JSON cut down to the fields gitwire's types name (of a device's parameters, the tunnels' it reads). */
function asIpLink(l: Record<string, unknown>): Record<string, unknown> {
  const info = l.linkinfo as Record<string, unknown> | undefined;
  const data = info?.info_data as Record<string, unknown> | undefined;
  const tunnel = info?.info_kind === 'vxlan' || info?.info_kind === 'geneve';
  const addrs = (l.addr_info ?? []) as Record<string, unknown>[];
  return {
    ...pick(l, [...LINK_KEYS, ...MORE_LINK_KEYS]),
    ...(info === undefined
      ? {}
      : {
          linkinfo: { ...pick(info, ['info_kind']), ...(tunnel ? { info_data: pick(data ?? {}, TUNNEL_KEYS) } : {}) },
        }),
    addr_info: addrs.map((a) => pick(a, ['family', 'local', 'prefixlen', 'scope'])),
  };
}

/** A route cut down likewise; of the metrics, the MTU. */
function asIpRoute(r: Record<string, unknown>): Record<string, unknown> {
  const mtu = (r.metrics as Record<string, unknown>[] | undefined)?.[0]?.mtu;
  return { ...pick(r, ROUTE_KEYS), ...(mtu === undefined ? {} : { metrics: [{ mtu }] }) };
}

async function iproute2Read(ns: string): Promise<{ links: unknown[]; routes: unknown[] }> {
  const links = await ipJson<Record<string, unknown>[]>(ns, '-d', 'addr', 'show');
  const routes = await ipJson<Record<string, unknown>[]>(ns, '-d', 'route', 'show', 'table', 'main');
  return { links: links.map(asIpLink), routes: routes.map(asIpRoute) };
}

/**
 * Links change on their own for a moment after they come up (operstate, IPv6
 * link-local addresses): compare once two netlink reads around the iproute2
 * read agree.
 */
async function settledReads(ns: string): Promise<{ netlink: unknown; iproute2: unknown }> {
  for (let i = 0; ; i++) {
    const before = readNetns(ns);
    const iproute2 = await iproute2Read(ns);
    const after = readNetns(ns);
    if (JSON.stringify(before) === JSON.stringify(after) || i === 20) return { netlink: after, iproute2 };
    await new Promise((r) => setTimeout(r, 250));
  }
}

const threadNetns = (): number => statSync('/proc/thread-self/ns/net').ino;

describe('reading endpoint namespaces over rtnetlink', () => {
  let a: string;
  let b: string;
  let pristine: string;

  beforeAll(async () => {
    a = await addNodeNs('nl-a');
    b = await addNodeNs('nl-b');
    // What `ip netns add` leaves: lo down, no route, so not even a main table.
    pristine = nsName('nl-pristine');
    await sh('ip', 'netns', 'add', pristine);
    await ipIn(a, 'link', 'set', 'lo', 'alias', 'gitwire:nl-node');
    // A veth into the other namespace (link_index, link_netnsid), with a MAC, an MTU and IPv4/IPv6 addresses.
    await ipIn(a, 'link', 'add', 'eth0', 'mtu', '1400', 'type', 'veth', 'peer', 'name', 'peer0', 'netns', b);
    await ipIn(a, 'link', 'set', 'eth0', 'address', '02:00:0a:4d:00:01', 'alias', 'gitwire:nl-node:ep');
    await ipIn(a, 'addr', 'add', '10.77.0.1/32', 'dev', 'eth0');
    await ipIn(a, 'addr', 'add', '10.77.1.1/24', 'dev', 'eth0');
    await ipIn(a, 'addr', 'add', '2001:db8::1/64', 'dev', 'eth0', 'nodad');
    await ipIn(a, 'addr', 'add', '::ffff:10.1.2.3/128', 'dev', 'eth0', 'nodad');
    await ipIn(a, 'link', 'set', 'eth0', 'up');
    await ipIn(b, 'addr', 'add', '10.77.0.2/24', 'dev', 'peer0');
    await ipIn(b, 'link', 'set', 'peer0', 'up');
    // A pair inside one namespace with one end down (link by name, M-DOWN, NO-CARRIER) and a VXLAN stacked on it.
    await ipIn(a, 'link', 'add', 'pa', 'type', 'veth', 'peer', 'name', 'pb');
    await ipIn(a, 'link', 'set', 'pa', 'up', 'arp', 'off');
    await ipIn(a, 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'dev', 'pb');
    // Routes: onlink gateway with gitwire's protocol, scope link, a source address, a host route, several types.
    await ipIn(a, 'route', 'add', 'default', 'via', '10.77.0.254', 'dev', 'eth0', 'onlink', 'proto', '103');
    await ipIn(a, 'route', 'add', '10.80.0.0/16', 'dev', 'eth0', 'scope', 'link', 'proto', 'static');
    await ipIn(
      a,
      'route',
      'add',
      '10.81.0.0/24',
      'via',
      '10.77.1.2',
      'dev',
      'eth0',
      'src',
      '10.77.0.1',
      'proto',
      '200',
    );
    await ipIn(a, 'route', 'add', '10.82.0.1', 'dev', 'eth0', 'proto', '104');
    await ipIn(a, 'route', 'add', 'blackhole', '10.90.0.0/16', 'proto', '104');
    await ipIn(a, 'route', 'add', 'unreachable', '10.91.0.0/16');
    await ipIn(a, 'route', 'add', 'prohibit', '10.92.0.0/16', 'proto', 'kernel');
    await ipIn(a, 'route', 'add', '10.93.0.0/16', 'dev', 'pa');
    // Another table: `route show table main` leaves it out, and so must the reader.
    await ipIn(a, 'route', 'add', '10.94.0.0/16', 'dev', 'eth0', 'table', '100');
  });

  afterAll(cleanupNetns);

  it('reads every field IpLink and IpRoute hold as `ip -d -j` prints them', async () => {
    for (const ns of [a, b, pristine]) {
      const { netlink, iproute2 } = await settledReads(ns);
      expect(netlink).toStrictEqual(iproute2);
    }
    const read = readNetns(a);
    // The fixture covers what the comparison should: without these, equality could be vacuous.
    expect(read.links.map((l) => l.ifname).sort()).toEqual(['eth0', 'lo', 'pa', 'pb', 'vx0']);
    expect(read.links.find((l) => l.ifname === 'pa')?.flags).toContain('M-DOWN');
    expect(read.links.find((l) => l.ifname === 'eth0')).toMatchObject({
      link_index: expect.any(Number),
      link_netnsid: expect.any(Number),
    });
    expect(read.links.find((l) => l.ifname === 'eth0')?.addr_info?.map((x) => x.local)).toContain('::ffff:10.1.2.3');
    expect(read.routes.map((r) => r.type)).toEqual(expect.arrayContaining(['blackhole', 'unreachable', 'prohibit']));
    expect(read.routes.some((r) => r.dst === '10.94.0.0/16')).toBe(false);
    expect(readNetns(pristine)).toMatchObject({ links: [{ ifname: 'lo', flags: ['LOOPBACK'] }], routes: [] });
  });

  it('gives the same answer when every datagram is larger than the buffer it starts with', () => {
    const sock = NetlinkSocket.open(0, a, 64);
    try {
      const links = dump(sock, RTM_GETLINK, linkRequest(), 'link');
      const linksOnly = (ls: IpLink[]) => ls.map(({ addr_info: _addrs, ...rest }) => rest);
      expect(linksOnly(ipLinks(links, []))).toStrictEqual(linksOnly(readNetns(a).links));
    } finally {
      sock.close();
    }
  });

  it('skips a namespace deleted after it was listed and a file that holds none, and the thread stays in its own', async () => {
    const gone = await addNodeNs('nl-gone');
    await ipIn(gone, 'link', 'set', 'lo', 'alias', 'gitwire:nl-node');
    await sh('ip', 'netns', 'del', gone);
    const leftover = nsName('nl-file');
    writeFileSync(`/run/netns/${leftover}`, '');
    try {
      const home = threadNetns();
      const scans = scanNamed([a, gone, leftover, b]);
      expect([...scans.keys()]).toEqual([a, b]);
      expect(scans.get(a)?.owner).toBe('nl-node');
      expect(threadNetns()).toBe(home);
      expect(() => readNetns(leftover)).toThrow(
        expect.objectContaining({ code: 'NETLINK_NETNS_ABSENT', data: expect.objectContaining({ errno: 'EINVAL' }) }),
      );
      expect(() => readNetns(gone)).toThrow(
        expect.objectContaining({ code: 'NETLINK_NETNS_ABSENT', data: expect.objectContaining({ errno: 'ENOENT' }) }),
      );
    } finally {
      rmSync(`/run/netns/${leftover}`, { force: true });
    }
  });

  it('brings the thread back when a call fails inside the namespace', () => {
    const home = threadNetns();
    // No netlink protocol has this number: socket() fails after the thread entered the namespace.
    expect(() => NetlinkSocket.open(9999, a)).toThrow(
      expect.objectContaining({ syscall: 'socket', code: 'EPROTONOSUPPORT' }),
    );
    expect(threadNetns()).toBe(home);
    const routes: readonly IpRoute[] = readNetns(a).routes;
    expect(routes.length).toBeGreaterThan(0);
    expect(threadNetns()).toBe(home);
  });

  it('errors carry a stable code', () => {
    expect(() => readNetns('../etc')).toThrow(NetlinkError);
    expect(() => readNetns('../etc')).toThrow(expect.objectContaining({ code: 'NETLINK_NETNS_ABSENT' }));
  });
});

describe('reading the node namespace over rtnetlink', () => {
  let node: string;
  let ep: string;

  beforeAll(async () => {
    node = await addNodeNs('nl-node');
    ep = await addNodeNs('nl-ep');
    await ipIn(node, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0-peer');
    await ipIn(node, 'addr', 'add', '192.168.60.1/24', 'dev', 'eth0');
    await ipIn(node, 'link', 'set', 'eth0', 'up');
    await ipIn(node, 'link', 'set', 'eth0-peer', 'up');
    // A veth into an endpoint namespace (its nsid), a same-namespace pair without ARP, two VXLAN devices.
    await ipIn(node, 'link', 'add', 'lxc0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ep);
    await ipIn(node, 'link', 'set', 'lxc0', 'up', 'alias', 'gitwire:nl-node');
    await ipIn(node, 'link', 'add', 'gw_host', 'arp', 'off', 'type', 'veth', 'peer', 'name', 'gw_net', 'arp', 'off');
    await ipIn(node, 'link', 'set', 'gw_host', 'up');
    await ipIn(node, 'link', 'set', 'gw_net', 'up');
    await ipIn(
      node,
      'link',
      'add',
      'vx0',
      'address',
      '02:76:c0:a8:3c:01',
      'type',
      'vxlan',
      'id',
      '7',
      'dstport',
      '4789',
      'local',
      '192.168.60.1',
      'nolearning',
    );
    await ipIn(node, 'link', 'add', 'vxe', 'type', 'vxlan', 'external', 'dstport', '4790');
    await ipIn(node, 'link', 'set', 'vx0', 'up');
    await ipIn(node, 'addr', 'add', '10.250.0.0/32', 'dev', 'vx0');
    // gitwire's routes (with an MTU and a source), one left to the kernel's choice of device, someone else's.
    await ipIn(
      node,
      'route',
      'add',
      '10.60.1.0/24',
      'via',
      '10.250.0.1',
      'dev',
      'vx0',
      'onlink',
      'mtu',
      '1400',
      'src',
      '192.168.60.1',
      'proto',
      '103',
    );
    await ipIn(node, 'route', 'add', '10.60.2.0/24', 'via', '192.168.60.2', 'proto', '104');
    await ipIn(node, 'route', 'add', '10.61.0.5', 'dev', 'lxc0', 'proto', '103');
    await ipIn(node, 'route', 'add', '10.62.0.0/16', 'via', '192.168.60.3', 'proto', 'static');
    // Permanent neighbours (one with a protocol) and one that is not: `nud permanent` leaves it out.
    await ipIn(node, 'neigh', 'add', '10.250.0.1', 'lladdr', '02:76:c0:a8:3c:02', 'dev', 'vx0', 'nud', 'permanent');
    await ipIn(
      node,
      'neigh',
      'add',
      '192.168.60.9',
      'lladdr',
      '02:00:00:00:00:09',
      'dev',
      'eth0',
      'nud',
      'permanent',
      'proto',
      '103',
    );
    await ipIn(node, 'neigh', 'add', '192.168.60.8', 'lladdr', '02:00:00:00:00:08', 'dev', 'eth0', 'nud', 'stale');
    await sh('ip', 'netns', 'exec', node, 'sysctl', '-qw', 'net.ipv4.conf.all.forwarding=1');
    // The VXLAN device's remotes: a flood entry and one per MAC.
    const bridge = (...args: string[]) => sh('ip', 'netns', 'exec', node, 'bridge', 'fdb', ...args);
    await bridge('append', '00:00:00:00:00:00', 'dev', 'vx0', 'dst', '192.168.60.5');
    await bridge('append', '00:00:00:00:00:00', 'dev', 'vx0', 'dst', '192.168.60.6');
    await bridge('add', '02:76:c0:a8:3c:02', 'dev', 'vx0', 'dst', '192.168.60.2');
  });

  afterAll(cleanupNetns);

  async function iproute2Node() {
    const links = await ipJson<Record<string, unknown>[]>(node, '-d', 'addr', 'show');
    const routes = await ipJson<Record<string, unknown>[]>(node, '-d', 'route', 'show', 'table', 'main');
    const nsids = await ipJson<IpNsid[]>(node, 'netns', 'list-id');
    const netconf = await ipJson<IpNetconf[]>(node, 'netconf', 'show');
    const neighbours = await ipJson<IpNeigh[]>(node, 'neigh', 'show', 'nud', 'permanent');
    return {
      links: links.map(asIpLink),
      routes: routes.map(asIpRoute),
      neighbours: neighbours.map((n) =>
        pick(n as unknown as Record<string, unknown>, ['dst', 'dev', 'lladdr', 'state', 'protocol']),
      ),
      nsNames: new Map(nsids.filter((n) => n.name !== undefined).map((n) => [n.nsid, n.name])),
      forwarding: netconf.find((c) => c.family === 'inet' && c.interface === 'all')?.forwarding === true,
    };
  }

  it('reads links, routes, permanent neighbours, nsids and forwarding as iproute2 prints them', async () => {
    for (let i = 0; ; i++) {
      const before = await readNode(node);
      const iproute2 = await iproute2Node();
      const after = await readNode(node);
      if (JSON.stringify(before.links) !== JSON.stringify(after.links) && i < 20) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      expect(after).toStrictEqual(iproute2);
      break;
    }
    const read = await readNode(node);
    expect(read.forwarding).toBe(true);
    expect([...read.nsNames.values()]).toContain(ep);
    expect(read.neighbours.map((n) => n.dst).sort()).toEqual(['10.250.0.1', '192.168.60.9']);
    expect(read.links.find((l) => l.ifname === 'vx0')?.linkinfo?.info_data).toEqual({
      id: 7,
      local: '192.168.60.1',
      port: 4789,
      learning: false,
    });
    expect(read.links.find((l) => l.ifname === 'vxe')?.linkinfo?.info_data).toMatchObject({ external: true });
    expect(read.routes.find((r) => r.dst === '10.60.1.0/24')?.metrics).toEqual([{ mtu: 1400 }]);
  });

  it("reads a VXLAN device's forwarding database as `bridge -j fdb show dev` prints it", async () => {
    const vx0 = (await readNode(node)).links.find((l) => l.ifname === 'vx0');
    const bridge = JSON.parse(
      await sh('ip', 'netns', 'exec', node, 'bridge', '-j', 'fdb', 'show', 'dev', 'vx0'),
    ) as Record<string, unknown>[];
    const fdb = readFdb(node, vx0?.ifindex ?? 0);
    expect(fdb).toStrictEqual(bridge.map((f) => pick(f, ['mac', 'dst', 'flags', 'state'])));
    expect(fdb.map((f) => f.dst).sort()).toEqual(['192.168.60.2', '192.168.60.5', '192.168.60.6']);
  });
});
