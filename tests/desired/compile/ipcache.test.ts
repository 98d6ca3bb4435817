import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/desired/compile.js';
import { twoNodeCluster } from '../../support/model-builder.js';

describe('compile: ipcache entries of node gateways', () => {
  const model = twoNodeCluster().endpoint('a', 'n1', { address: '10.0.1.10' }).build();
  const ipcache = (node: string) => new Map(compile(model, node).resources.ipcache.map((e) => [e.key, e]));

  it("maps this node's gateway to the host identity, as Cilium maps its router IP", () => {
    expect(ipcache('n1').get('10.0.1.1/32')).toMatchObject({
      value: { prefix: '10.0.1.1/32', identity: 1, tunnelEndpoint: null },
      label: 'gateway of n1',
    });
  });

  it("maps another node's gateway to remote-node, reached through that node", () => {
    expect(ipcache('n1').get('10.0.2.1/32')?.value).toEqual({
      prefix: '10.0.2.1/32',
      identity: 6,
      tunnelEndpoint: '192.168.1.2',
    });
    expect(ipcache('n2').get('10.0.1.1/32')?.value).toEqual({
      prefix: '10.0.1.1/32',
      identity: 6,
      tunnelEndpoint: '192.168.1.1',
    });
  });

  it('lets an endpoint declared on a gateway address keep its own identity', () => {
    const odd = twoNodeCluster().endpoint('gw', 'n1', { address: '10.0.1.1' }).build();
    const s = compile(odd, 'n1');
    const ep = s.resources.endpoint.find((e) => e.key === 'default/gw')!.value;
    expect(s.resources.ipcache.find((e) => e.key === '10.0.1.1/32')?.value.identity).toBe(ep.identity);
  });
});
