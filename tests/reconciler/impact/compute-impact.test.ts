import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAll, type DesiredState } from '../../../src/desired/index.js';
import type { FlowRecord } from '../../../src/reconciler/flows/index.js';
import { computeNodeImpact, type RevisionView } from '../../../src/reconciler/impact/index.js';
import { loadRevision } from '../../../src/reconciler/load-revision.js';
import { exampleFiles } from '../../support/cli.js';
import { makeRepo, makeTempDir, removeDir } from '../../support/git-fixtures.js';

const RULE1 = 'policies/starwars/deathstar-l3-l4.yaml';
const STARWARS = 'endpoints/starwars.yaml';
const NOW = new Date('2026-12-01T12:00:00Z');
const MINUTE = 60_000;

let dir: string;
let commits: string[];
const views = new Map<string, RevisionView>();

/**
 * examples/repo (A); then, each from A: rule1 moved to 8080 (cuts empire → deathstar :80), rule1 open to the
 * alliance too, a change that cuts nothing, the tiefighter relabelled out of the empire, rule1 open to the world.
 */
beforeAll(async () => {
  dir = makeTempDir('gitwire-impact-');
  const base = exampleFiles();
  const rule1 = base[RULE1]!;
  commits = makeRepo(join(dir, 'config'), [
    base,
    { [RULE1]: rule1.replace('port: "80"', 'port: "8080"') },
    {
      [RULE1]: rule1.replace(
        '        - matchLabels:\n            org: empire\n',
        '        - matchLabels:\n            org: empire\n        - matchLabels:\n            org: alliance\n',
      ),
    },
    { [RULE1]: rule1.replace('only over TCP/80', 'only over TCP/80 (reworded)') },
    {
      [STARWARS]: base[STARWARS]!.replace(
        '    org: empire\n    class: tiefighter',
        '    org: rebel\n    class: tiefighter',
      ),
    },
    { [RULE1]: `${rule1}    - fromEntities:\n        - world\n` },
  ]);
  for (const c of commits) {
    const { model, revision } = await loadRevision(join(dir, 'config'), { rev: c });
    views.set(c, { revision, model, states: compileAll(model) });
  }
});
afterAll(() => removeDir(dir));

const view = (i: number) => views.get(commits[i]!)!;

/** The number revision A gives an endpoint's labels: records carry numbers, as the datapath wrote them. */
function idOf(endpoint: string, state = view(0).states): number {
  for (const s of state.values())
    for (const e of s.resources.endpoint) if (e.value.name === endpoint) return e.value.identity;
  throw new Error(`no endpoint ${endpoint}`);
}

function record(src: number, dst: number, over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    srcIdentity: src,
    dstIdentity: dst,
    port: 80,
    protocol: 6,
    verdict: 'allow',
    count: 5,
    firstSeen: new Date(NOW.getTime() - 120 * MINUTE),
    lastSeen: new Date(NOW.getTime() - 5 * MINUTE),
    ...over,
  };
}

const impact = (to: number, records: FlowRecord[], node = 'node-1') =>
  computeNodeImpact({ node, before: view(0), after: view(to), records, now: NOW });

describe('impact of a change on observed flows', () => {
  it('lists tiefighter → deathstar TCP/80 as newly dropped by the default deny of default/rule1, with its count', () => {
    const tie = idOf('tiefighter');
    const star = idOf('deathstar-1');
    const r = impact(1, [record(tie, star, { count: 7 }), record(tie, star, { verdict: 'deny', count: 2 })]);
    expect(r.newlyAllowed).toEqual([]);
    expect(r.newlyDropped).toHaveLength(1);
    const [f] = r.newlyDropped;
    expect(f).toMatchObject({ port: 80, protocol: 6, count: 9, recent: true, observed: ['allow', 'deny'] });
    expect(f!.source.endpoints).toEqual(['default/tiefighter']);
    expect(f!.destination.endpoints).toEqual(['default/deathstar-1', 'default/deathstar-2']);
    expect(f!.before.allowed).toBe(true);
    expect(f!.after).toMatchObject({ allowed: false, from: 'default/tiefighter', to: 'default/deathstar-1' });
    const ingress = f!.after.sides.find((s) => s.direction === 'ingress')!;
    expect(ingress.reason).toBe('denied-default');
    expect(ingress.defaultDenyBy).toEqual([expect.objectContaining({ name: 'rule1', file: RULE1 })]);
  });

  it('lists xwing → deathstar TCP/80 as newly allowed by the rule that lets the alliance in, at its file:line', () => {
    const r = impact(2, [record(idOf('xwing'), idOf('deathstar-1'), { verdict: 'deny' })]);
    expect(r.newlyDropped).toEqual([]);
    expect(r.newlyAllowed).toHaveLength(1);
    const ingress = r.newlyAllowed[0]!.after.sides.find((s) => s.direction === 'ingress')!;
    expect(ingress.reason).toBe('allowed');
    expect(ingress.rule).toMatchObject({ name: 'rule1', file: RULE1, path: 'spec.ingress[0]' });
  });

  it('finds nothing to flip when the change cuts nothing, and counts the flows it kept', () => {
    const r = impact(3, [
      record(idOf('tiefighter'), idOf('deathstar-1')),
      record(idOf('xwing'), idOf('deathstar-1'), { verdict: 'deny' }),
    ]);
    expect(r).toMatchObject({ newlyDropped: [], newlyAllowed: [], unevaluated: [], unchanged: 2 });
    expect(r.flowData).toEqual({ available: true, flows: 2, events: 10 });
  });

  it('leaves flows on other ports alone', () => {
    const r = impact(1, [record(idOf('tiefighter'), idOf('deathstar-1'), { port: 443 })]);
    expect(r).toMatchObject({ newlyDropped: [], newlyAllowed: [], unchanged: 1 });
  });

  it('reports an identity neither revision knows as such, never guessed', () => {
    const r = impact(1, [record(4242, idOf('deathstar-1'))]);
    expect(r.newlyDropped).toEqual([]);
    expect(r.unevaluated).toHaveLength(1);
    expect(r.unevaluated[0]!.source).toMatchObject({ identity: 4242, labels: null });
    expect(r.unevaluated[0]!.reason).toBe('identity 4242 exists in neither revision');
  });

  it('trusts the cluster store over the revisions for a global number', () => {
    const tie = idOf('tiefighter');
    const labels = [...view(0).states.values()][0]!.resources.identity.find((e) => e.value.id === tie)!.value.labels;
    // The agents recorded 4242 for the tiefighter's labels (the store gave it that number): it is the tiefighter.
    const r = computeNodeImpact({
      node: 'node-1',
      before: view(0),
      after: view(1),
      records: [record(4242, idOf('deathstar-1'))],
      now: NOW,
      clusterIdentities: new Map([
        [4242, labels],
        [idOf('deathstar-1'), labelsOf(idOf('deathstar-1'))],
      ]),
    });
    expect(r.newlyDropped.map((f) => f.source.endpoints)).toEqual([['default/tiefighter']]);
  });

  it('follows a relabelled workload by name: the tiefighter leaving the empire is newly dropped at the deathstar', () => {
    const r = impact(4, [record(idOf('tiefighter'), idOf('deathstar-1'))]);
    expect(r.unevaluated).toEqual([]);
    expect(r.newlyDropped).toHaveLength(1);
    expect(r.newlyDropped[0]!.after).toMatchObject({ allowed: false, from: 'default/tiefighter' });
    expect(r.newlyDropped[0]!.after.sides.at(-1)!.peerIdentity).not.toBe(idOf('tiefighter'));
  });

  it('lists the world newly allowed into the deathstar by fromEntities: world, judged on the receiving side', () => {
    const r = impact(5, [record(2, idOf('deathstar-1'), { verdict: 'deny' })]);
    expect(r.newlyAllowed).toHaveLength(1);
    const f = r.newlyAllowed[0]!;
    expect(f.source).toMatchObject({ identity: 2, labels: ['reserved:world'], endpoints: [] });
    expect(f.after.sides).toHaveLength(1);
    expect(f.after.sides[0]).toMatchObject({ direction: 'ingress', peerIdentity: 2, reason: 'allowed' });
    expect(f.after.sides[0]!.rule).toMatchObject({ name: 'rule1', path: 'spec.ingress[1]' });
  });

  it('judges a flow from the world into an endpoint on the receiving side alone', () => {
    // default/rule1 selects the deathstars' ingress: the world is dropped in both revisions, nothing flips.
    const r = impact(1, [record(2, idOf('deathstar-1'))]);
    expect(r).toMatchObject({ newlyDropped: [], newlyAllowed: [], unevaluated: [], unchanged: 1 });
  });

  it('puts the flows seen in the last hour first, then the most recent', () => {
    const star = idOf('deathstar-1');
    const old = new Date(NOW.getTime() - 300 * MINUTE);
    const r = impact(1, [
      record(idOf('tiefighter'), star, { lastSeen: old, count: 100 }),
      record(star, idOf('deathstar-2', view(0).states)),
    ]);
    expect(r.newlyDropped.map((f) => [f.source.endpoints[0], f.recent])).toEqual([
      ['default/deathstar-1', true],
      ['default/tiefighter', false],
    ]);
  });
});

function labelsOf(id: number): readonly string[] {
  const states: ReadonlyMap<string, DesiredState> = view(0).states;
  return [...states.values()][0]!.resources.identity.find((e) => e.value.id === id)!.value.labels;
}
