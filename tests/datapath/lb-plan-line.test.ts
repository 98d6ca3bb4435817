import { describe, expect, it } from 'vitest';
import type { BackendValue, ServiceValue } from '../../src/desired/desired-state.js';
import { plan } from '../../src/reconciler/plan.js';
import { renderMarkdown, renderText } from '../../src/reconciler/render/index.js';
import type { DesiredState, Entry, ObservedState } from '../../src/desired/desired-state.js';

// The plan shows a service change as the service reads: frontend, name and backends by address.

const svc = (backendIds: number[], extra: Partial<ServiceValue> = {}): Entry<ServiceValue> => ({
  key: '10.96.0.10:80/TCP',
  label: 'default/deathstar',
  value: {
    address: '10.96.0.10',
    port: 80,
    protocol: 6,
    type: 'ClusterIP',
    backendIds,
    revNatIndex: 7,
    algorithm: 'random',
    affinityTimeout: 0,
    mode: 'snat',
    ...extra,
  },
});
const be = (id: number, address: string): Entry<BackendValue> => ({
  key: String(id),
  label: `${address}:80`,
  value: { id, address, port: 80, protocol: 6, state: 'active' },
});

function state(service: Entry<ServiceValue>[], backend: Entry<BackendValue>[]): DesiredState {
  const empty = { identity: [], ipcache: [], endpoint: [], lxc: [], policy: [], revnat: [], maglev: [] };
  const rest = { tunnel: [], route: [], link: [], program: [], netdev: [], l7proxy: [], healthcheck: [] };
  return {
    node: 'n1',
    inputs: { commit: null, generation: 0 },
    resources: { ...empty, ...rest, service, backend },
    rules: [],
    warnings: [],
  };
}

const observed = (s: DesiredState): ObservedState => ({ node: s.node, resources: s.resources });

describe('service lines in the plan', () => {
  it('renders a backend swap as +new -old by address on one service line', () => {
    const before = state([svc([1, 2])], [be(1, '10.0.1.5'), be(2, '10.0.1.6')]);
    const after = state([svc([2, 3])], [be(2, '10.0.1.6'), be(3, '10.0.1.7')]);
    const text = renderText(plan(after, observed(before)));
    expect(text).toContain('  ~ service default/deathstar 10.96.0.10:80/TCP  backends +10.0.1.7:80 -10.0.1.5:80\n');
    expect(renderMarkdown([plan(after, observed(before))])).toContain(
      '! service default/deathstar 10.96.0.10:80/TCP  backends +10.0.1.7:80 -10.0.1.5:80',
    );
  });

  it('names a new service with its backends and algorithm, and a changed algorithm on update', () => {
    const empty = state([], []);
    const one = state([svc([1], { algorithm: 'maglev' })], [be(1, '10.0.1.5')]);
    expect(renderText(plan(one, observed(empty)))).toContain(
      '+ service default/deathstar 10.96.0.10:80/TCP  backends +10.0.1.5:80  ClusterIP maglev',
    );
    const random = state([svc([1])], [be(1, '10.0.1.5')]);
    expect(renderText(plan(random, observed(one)))).toContain(
      '~ service default/deathstar 10.96.0.10:80/TCP  algorithm maglev → random',
    );
  });
});
