import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/desired/compile.js';
import { twoNodeCluster } from '../../support/model-builder.js';

describe('compile: per-endpoint datapath entries', () => {
  const model = twoNodeCluster()
    .endpoint('web', 'n1', { labels: { app: 'web' }, address: '10.0.1.10' })
    .endpoint('db', 'n2', { labels: { app: 'db' } })
    .policy('web-in', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{}] })
    .build();
  const state = compile(model, 'n1');
  const web = state.resources.endpoint.find((e) => e.value.name === 'web')!.value;

  it('gives each local endpoint a BPF endpoint map entry mirroring its endpoint', () => {
    expect(state.resources.lxc).toEqual([
      {
        key: '10.0.1.10',
        label: 'default/web',
        value: {
          address: '10.0.1.10',
          id: web.id,
          identity: web.identity,
          enforceIngress: true,
          enforceEgress: false,
          audit: false,
          mac: web.mac,
          ifName: web.ifName,
        },
      },
    ]);
  });

  it('attaches the from- and to-endpoint programs to both hooks of its host-side veth', () => {
    const veth = state.resources.program.filter((e) => e.value.ifName === web.ifName);
    expect(veth.map((e) => [e.key, e.value.program])).toEqual([
      [`${web.ifName}/egress`, 'gw_to_endpoint'],
      [`${web.ifName}/ingress`, 'gw_from_endpoint'],
    ]);
  });
});
