import { describe, expect, it } from 'vitest';
import { errorsOf, load, warningsOf } from '../load/tree-of.js';

const cluster = (rollout: string) =>
  `apiVersion: gitwire.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: c\nspec:\n  clusterCIDR: 10.0.0.0/16\n  rollout:\n${rollout}`;
const node = (name: string, n: number, labels = '') =>
  `apiVersion: gitwire.io/v1alpha1\nkind: Node\nmetadata:\n  name: ${name}\n${labels}spec:\n  address: 192.168.1.${n}\n  podCIDR: 10.0.${n}.0/24\n`;
const nodes = {
  'nodes.yaml': `${node('n1', 1, '  labels: {canary: "true"}\n')}---\n${node('n2', 2)}---\n${node('n3', 3)}`,
};

describe('Cluster.spec.rollout', () => {
  it('accepts waves by name, selector and percent, with maxUnavailable and a pause', () => {
    const res = load({
      ...nodes,
      'cluster.yaml': cluster(
        '    waves:\n    - selector: {matchLabels: {canary: "true"}}\n    - nodes: [n2]\n    - percent: 100\n    maxUnavailable: 50%\n    pause: 30s\n',
      ),
    });
    expect(res.diagnostics).toEqual([]);
    expect(res.model?.cluster?.spec.rollout).toEqual({
      waves: [{ selector: { matchLabels: { canary: 'true' } } }, { nodes: ['n2'] }, { percent: 100 }],
      maxUnavailable: '50%',
      pause: '30s',
    });
  });

  it('rejects a wave that names two ways to pick nodes, a bad pause and a bad maxUnavailable, each at its line', () => {
    const errors = errorsOf({
      ...nodes,
      'cluster.yaml': cluster(
        '    waves:\n    - nodes: [n1]\n      percent: 50\n    maxUnavailable: 150%\n    pause: soon\n',
      ),
    });
    expect(errors).toEqual([
      'cluster.yaml:9: spec.rollout.waves[0]: a wave names exactly one of nodes, selector or percent',
      expect.stringMatching(/^cluster\.yaml:11: spec\.rollout\.maxUnavailable: /),
      'cluster.yaml:12: spec.rollout.pause: must be a duration like 30s, 5m, 1m30s or 0s',
    ]);
  });

  it('rejects an unknown node and a node named in two waves; warns on a selector that matches nothing', () => {
    const files = {
      ...nodes,
      'cluster.yaml': cluster(
        '    waves:\n    - nodes: [n1, n9]\n    - nodes: [n1]\n    - selector: {matchLabels: {zone: mars}}\n',
      ),
    };
    expect(errorsOf(files)).toEqual([
      'cluster.yaml:9: spec.rollout.waves[0].nodes[1]: unknown node "n9" (declared nodes: n1, n2, n3)',
      'cluster.yaml:10: spec.rollout.waves[1].nodes[0]: node "n1" is already in wave 1',
    ]);
    expect(warningsOf(files)).toEqual([
      'warning: cluster.yaml:11: spec.rollout.waves[2].selector: the selector matches no declared node',
    ]);
  });
});
