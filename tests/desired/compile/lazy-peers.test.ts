import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileAll, compileCluster } from '../../../src/desired/compile.js';
import { SelectorIndex, type Selector } from '../../../src/desired/selector/index.js';
import { twoNodeCluster } from '../../support/model-builder.js';

// rule-n1 selects an endpoint on n1 only, rule-n2 one on n2 only; each allows from its own peers.
const model = () =>
  twoNodeCluster()
    .endpoint('a', 'n1', { labels: { app: 'a' } })
    .endpoint('b', 'n2', { labels: { app: 'b' } })
    .endpoint('peer-a', 'n2', { labels: { peer: 'for-a' } })
    .endpoint('peer-b', 'n1', { labels: { peer: 'for-b' } })
    .policy('rule-n1', {
      endpointSelector: { matchLabels: { app: 'a' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { peer: 'for-a' } }] }],
    })
    .policy('rule-n2', {
      endpointSelector: { matchLabels: { app: 'b' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { peer: 'for-b' } }] }],
    })
    .build();

/** The peer selectors the identity index was asked to resolve, by the values of their `peer` label. */
function peerLookups(calls: readonly (readonly [Selector])[]): string[] {
  const out: string[] = [];
  for (const [s] of calls) {
    const peer = s.requirements.find((r) => r.key === 'peer');
    if (peer) out.push(peer.values.join(','));
  }
  return out;
}

describe("a rule's peers", () => {
  afterEach(() => vi.restoreAllMocks());

  it('are resolved only for the node asked for: a one-node plan skips the other nodes’ rules', () => {
    const select = vi.spyOn(SelectorIndex.prototype, 'select');
    const cluster = compileCluster(model());
    expect(peerLookups(select.mock.calls)).toEqual([]);
    const n1 = cluster.node('n1');
    expect(peerLookups(select.mock.calls)).toEqual(['for-a']);
    expect(n1.resources.policy.length).toBeGreaterThan(0);
  });

  it('give every node the same entries as when all nodes are compiled together', () => {
    const all = compileAll(model());
    for (const name of ['n1', 'n2']) {
      expect(compileCluster(model()).node(name)).toEqual(all.get(name));
    }
  });
});
