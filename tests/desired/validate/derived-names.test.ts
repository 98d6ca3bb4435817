import { describe, expect, it } from 'vitest';
import { endpointMark } from '../../../src/datapath/net/internal/ownership.js';
import { compile } from '../../../src/desired/index.js';
import { endpointAlias, endpointAliasLength, endpointNetns } from '../../../src/desired/names/index.js';
import { errorsOf, load } from '../load/tree-of.js';

const head = (kind: string, name: string, meta = '') =>
  `apiVersion: gitwire.io/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${meta}spec:\n`;
const base = (nodeName = 'n1') => ({
  'c.yaml': `${head('Cluster', 'c')}  clusterCIDR: 10.0.0.0/16\n`,
  'n.yaml': `${head('Node', nodeName)}  address: 192.168.1.1\n  podCIDR: 10.0.1.0/24\n`,
});
const endpoint = (namespace: string, name: string, address: string, nodeName = 'n1') =>
  `${head('Endpoint', name, `  namespace: ${namespace}\n`)}  node: ${nodeName}\n  address: ${address}\n`;

describe('names derived from endpoints are injective and checked at validation', () => {
  it('gives endpoints a-b/c and a/b-c different network namespaces', () => {
    const res = load({
      ...base(),
      'a.yaml': endpoint('a-b', 'c', '10.0.1.5'),
      'b.yaml': endpoint('a', 'b-c', '10.0.1.6'),
    });
    expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const netns = compile(res.model!, 'n1').resources.endpoint.map((e) => e.value.netns);
    expect(netns.sort()).toEqual(['gw-n1_a-b_c', 'gw-n1_a_b-c']);
  });

  it('keeps the netns of node "a" out of the prefix of node "a-b"', () => {
    expect(endpointNetns('a', 'b', 'c').startsWith(endpointNetns('a-b', 'x', 'y').slice(0, 5))).toBe(false);
    expect(endpointNetns('a-b', 'c', 'd')).not.toBe(endpointNetns('a', 'b-c', 'd'));
  });

  it('hashes a netns name that would exceed a file name, never equal to a plain one', () => {
    const long = endpointNetns('n'.repeat(200), 'default', 'x'.repeat(60));
    expect(long).toMatch(/^gw-[0-9a-f]{40}$/);
  });

  it('rejects at validation an endpoint whose interface alias would not fit, instead of failing after creating its netns', () => {
    const ns = 'n'.repeat(63);
    const name = 'x'.repeat(120);
    expect(errorsOf({ ...base(), 'a.yaml': endpoint(ns, name, '10.0.1.5') })).toEqual([
      'a.yaml:4: metadata.name: node, namespace and name are too long together for the 255-byte interface alias that records the endpoint; shorten them',
    ]);
  });

  it('accepts the longest names whose alias fits, and apply can write that alias', () => {
    const node = 'n'.repeat(63);
    // 36 fixed bytes + node + 2 × (namespace + name) is the widest alias; 156 is what is left for the two names.
    const ns = 'a'.repeat(63);
    const name = 'b'.repeat(15);
    const res = load({ ...base(node), 'a.yaml': endpoint(ns, name, '10.0.1.5', node) });
    expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const [ep] = compile(res.model!, node).resources.endpoint;
    const widest = {
      ...ep!.value,
      id: 65535,
      identity: 0xffffffff,
      enforceIngress: true,
      enforceEgress: true,
      audit: true,
    };
    expect(endpointMark(node, ep!.key, widest).length).toBeLessThanOrEqual(255);
    const tooLong = load({ ...base(node), 'a.yaml': endpoint(ns, `${name}b`, '10.0.1.5', node) });
    expect(tooLong.model).toBeNull();
  });

  it('counts an alias as long as the alias it would write, escapes included', () => {
    const cases: [string, string[]][] = [
      ['n1', ['ns/pod', '65535', 'ns', 'pod', '4294967295', '7']],
      ['node.a-b', ["it's", 'a b', 'ü', '%', '|', "!~*()'", '']],
      ['n', []],
      ['n', ['']],
    ];
    for (const [owner, fields] of cases)
      expect(endpointAliasLength(owner, fields)).toBe(endpointAlias(owner, fields).length);
  });

  it('rejects a node name too long for the alias that marks its links', () => {
    const long = `${'n'.repeat(63)}.${'n'.repeat(63)}.${'n'.repeat(63)}.${'n'.repeat(60)}`;
    expect(errorsOf(base(long))).toEqual([
      "n.yaml:4: metadata.name: the node name is too long for the 255-byte interface alias that marks the node's links",
    ]);
  });
});
