import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatapathEvent } from '../../src/datapath/maps/index.js';
import { compileAll } from '../../src/desired/index.js';
import { FlowStore } from '../../src/reconciler/flows/index.js';
import { LocalFlowStores, NoFlowDataError } from '../../src/reconciler/impact/index.js';
import { loadRevision } from '../../src/reconciler/load-revision.js';
import { exampleFiles, gitwire } from '../support/cli.js';
import { makeRepo, makeTempDir, removeDir } from '../support/git-fixtures.js';

const RULE1 = 'policies/starwars/deathstar-l3-l4.yaml';
const MINUTE = 60_000;

let dir: string;
let repo: string;
let flowsDir: string;
let commits: string[];
const ids = new Map<string, number>();

/** One datapath event as the agent's recorder hands it to the store. */
function event(src: string, dst: string, verdict: 'allow' | 'deny', at: number) {
  const e: DatapathEvent = {
    timestampNs: 1n,
    type: verdict === 'allow' ? 'verdict' : 'drop',
    reason: verdict === 'allow' ? 'allowed' : 'denied-default',
    direction: 'ingress',
    endpointId: 1,
    ifindex: 3,
    srcIdentity: ids.get(src)!,
    dstIdentity: ids.get(dst)!,
    saddr: '10.0.1.20',
    daddr: '10.0.1.10',
    sport: 40000,
    dport: 80,
    protocol: 6,
    verdict,
    ruleId: 1,
    length: 60,
  };
  return { event: e, rule: null, time: new Date(at) };
}

beforeAll(async () => {
  dir = makeTempDir('gitwire-plan-impact-');
  repo = join(dir, 'config');
  const base = exampleFiles();
  commits = makeRepo(repo, [
    base,
    { [RULE1]: base[RULE1]!.replace('port: "80"', 'port: "8080"') },
    { [RULE1]: base[RULE1]!.replace('only over TCP/80', 'only over TCP/80 (reworded)') },
  ]);
  const { model } = await loadRevision(repo, { rev: commits[0] });
  for (const s of compileAll(model).values())
    for (const e of s.resources.endpoint) ids.set(e.value.name, e.value.identity);
  // node-1's agent saw the tiefighter land 12 times (the last a minute ago) and the xwing dropped 3 times, 3 hours ago.
  flowsDir = join(dir, 'nodes');
  mkdirSync(join(flowsDir, 'node-1'), { recursive: true });
  const store = await FlowStore.open({ path: join(flowsDir, 'node-1', 'flows.sqlite') });
  const now = Date.now();
  for (let i = 0; i < 12; i++) await store.record(event('tiefighter', 'deathstar-1', 'allow', now - (i + 1) * MINUTE));
  for (let i = 0; i < 3; i++) await store.record(event('xwing', 'deathstar-1', 'deny', now - 180 * MINUTE));
  await store.close();
});
afterAll(() => removeDir(dir));

const plan = (...args: string[]) =>
  gitwire(['plan', '--repo', repo, '--impact', '--flows-dir', flowsDir, '--node', 'node-1', ...args]);

describe('gitwire plan --impact', () => {
  it('puts the newly dropped flow, seen in the last hour, at the top of the Markdown report', async () => {
    const r = await plan('--from', commits[0]!, '--to', commits[1]!, '-o', 'markdown');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('## gitwire impact on real traffic');
    expect(lines[2]).toBe('**Would newly drop 1 flow seen in the last 24h** — **1 of them in the last hour**.');
    const row = lines.find((l) => l.startsWith('| **last hour** |'))!;
    expect(row).toContain('| node-1 | default/tiefighter | default/deathstar-1, default/deathstar-2 |');
    expect(row).toContain('| 12 |');
    // Markdown shows `:` as an entity, so no autolink forms.
    expect(row).toContain(`dropped by default deny of CiliumNetworkPolicy default/rule1 spec at ${RULE1}&#58;8 |`);
    expect(r.stdout.indexOf('## gitwire plan')).toBeGreaterThan(r.stdout.indexOf('Newly dropped'));
  });

  it('says so when the change cuts nothing', async () => {
    const r = await plan('--from', commits[0]!, '--to', commits[2]!);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('node-1: 2 flows (15 events) observed');
    expect(r.stdout).toContain('Would newly drop no flow seen in the last 24h.');
    expect(r.stdout).toContain('Would newly allow no flow.');
  });

  it('counts only the flows seen since --since', async () => {
    const r = await plan('--from', commits[0]!, '--to', commits[1]!, '--since', '1h', '-o', 'json');
    expect(r.status).toBe(0);
    const { plan: p, impact } = JSON.parse(r.stdout);
    expect(p.node).toBe('node-1');
    expect(impact.sinceSeconds).toBe(3600);
    expect(impact.nodes[0].flowData).toEqual({ available: true, flows: 1, events: 12 });
    expect(impact.nodes[0].newlyDropped).toHaveLength(1);
    expect(impact.nodes[0].newlyDropped[0]).toMatchObject({ count: 12, port: 80, protocol: 6, recent: true });
  });

  it('reports a node without flow records as unknown, never as no impact', async () => {
    const r = await gitwire([
      'plan',
      '--repo',
      repo,
      '--impact',
      '--flows-dir',
      flowsDir,
      '--node',
      'node-2',
      '--from',
      commits[0]!,
      '--to',
      commits[1]!,
      '-o',
      'markdown',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[2]).toBe('**No flow data: the impact on real traffic is unknown.**');
    expect(r.stdout).toContain('- node-2: **no flow data** (no flow records at');
    expect(r.stdout).toContain('impact unknown');
  });

  it('says which nodes have no flow data next to a headline that finds nothing cut', async () => {
    const r = await gitwire([
      ...['plan', '--repo', repo, '--impact', '--flows-dir', flowsDir, '--all-nodes'],
      ...['--from', commits[0]!, '--to', commits[2]!, '-o', 'markdown'],
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[2]).toBe(
      'Would newly drop **no** flow seen in the last 24h (**2 of 3 nodes have no flow data: impact unknown**).',
    );
  });

  it('refuses --impact without --from', async () => {
    const r = await plan('--to', commits[1]!);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('plan --impact needs --from');
  });
});

describe('LocalFlowStores', () => {
  it('reads a node store without writing to it, filtered by last seen', async () => {
    const source = new LocalFlowStores(flowsDir);
    const all = await source.records('node-1', 24 * 3600);
    expect(all.map((r) => [r.verdict, r.count]).sort()).toEqual([
      ['allow', 12],
      ['deny', 3],
    ]);
    expect(await source.records('node-1', 3600)).toHaveLength(1);
    await expect(source.records('node-9', 3600)).rejects.toBeInstanceOf(NoFlowDataError);
  });
});
