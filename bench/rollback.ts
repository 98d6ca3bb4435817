// Health-gated rollback (issue 15) on one real node: the example repository's
// node-1 (renamed per run) in a fresh namespace, driven by the agent with its
// real dependencies. A HealthCheck expects the tiefighter to reach deathstar-1
// (both on node-1, a server listens there). Each round commits a policy that
// cuts that flow, runs one agent pass (apply → probe fails → rollback), then
// commits the good policy again and runs a pass. Reports the agent's own
// measure, from the failed probe to the previous state enforced again (the
// probe's deadline, spent waiting for the cut connection, is not part of it),
// and the whole failing pass for context.
// Run: npx tsx bench/rollback.ts [rounds=20]
import { execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { endpointNetns, endpointNetnsPrefix } from '../src/desired/names/index.js';
import { Agent, condition } from '../src/reconciler/agent/index.js';
import { serveName, whoAnswers } from '../src/reconciler/cluster/local/index.js';

const ROUNDS = Number(process.argv[2] ?? 20);
const DEADLINE = '500ms';
const name = `gwrb${process.pid.toString(36)}`;
const nodeNs = `${name}-ns`;
const bpffsRoot = `/sys/fs/bpf/${name}`;
const repo = mkdtempSync(join(os.tmpdir(), `${name}-`));
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const git = (...args: string[]) =>
  execFileSync('git', ['-C', repo, '-c', 'user.name=bench', '-c', 'user.email=bench@gitwire.test', ...args], {
    encoding: 'utf8',
  }).trim();
const POLICY = join(repo, 'policies', 'starwars', 'deathstar-l3-l4.yaml');
const EMPIRE_PEER = '            org: empire\n';

function renameNode(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) renameNode(p);
    else if (/\.ya?ml$/.test(entry)) writeFileSync(p, readFileSync(p, 'utf8').replaceAll('node-1', name));
  }
}

function commit(policy: string, message: string): string {
  writeFileSync(POLICY, policy);
  git('commit', '-q', '--allow-empty', '-am', message);
  return git('rev-parse', 'HEAD');
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function main(): Promise<ChildProcess> {
  cpSync(new URL('../examples/repo', import.meta.url).pathname, repo, { recursive: true });
  renameNode(repo);
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'example');
  ip('netns', 'add', nodeNs);
  ip('-n', nodeNs, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0-peer');
  ip('-n', nodeNs, 'addr', 'add', '192.168.50.11/24', 'dev', 'eth0');
  ip('-n', nodeNs, 'link', 'set', 'eth0', 'up');

  const agent = new Agent({ repo, node: name, rev: 'main', nodeNs, bpffsRoot, intervalMs: 3_600_000, stores: [] });
  const good = readFileSync(POLICY, 'utf8');
  const cut = good.replace(EMPIRE_PEER, '            org: rebels\n');
  // The endpoints exist once the first commit is applied; the check comes with the next one.
  await agent.reconcileNow();
  const ds = await serveName(endpointNetns(name, 'default', 'deathstar-1'), 'deathstar-1');
  mkdirSync(join(repo, 'checks'));
  writeFileSync(
    join(repo, 'checks', 'starwars.yaml'),
    `apiVersion: gitwire.io/v1alpha1
kind: HealthCheck
metadata:
  name: tiefighter-lands
spec:
  from: {endpoint: default/tiefighter}
  to: {endpoint: default/deathstar-1}
  probe: tcp
  port: 80
  deadline: ${DEADLINE}
`,
  );
  git('add', '-A');
  commit(good, 'a health check');
  await agent.reconcileNow();
  if (condition(agent.status, 'Ready')?.status !== 'True')
    throw new Error(`not Ready: ${agent.status.lastError?.message}`);

  const rollback: number[] = [];
  const pass: number[] = [];
  const writes: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const bad = commit(cut, `cut ${i}`);
    const t0 = performance.now();
    await agent.reconcileNow();
    pass.push(performance.now() - t0);
    const health = agent.status.health;
    if (health?.revision !== bad || health.rollbackSeconds === null) throw new Error(`round ${i}: no rollback`);
    rollback.push(health.rollbackSeconds * 1000);
    writes.push(Number(/\((\d+) kernel writes\)/.exec(health.outcome)?.[1] ?? 0));
    const from = endpointNetns(name, 'default', 'tiefighter');
    if ((await whoAnswers(from, '10.0.1.10', 80, 1000)) !== 'deathstar-1') throw new Error(`round ${i}: flow not back`);
    commit(good, `good ${i}`);
    await agent.reconcileNow();
    if (condition(agent.status, 'Ready')?.status !== 'True') throw new Error(`round ${i}: good commit not Ready`);
  }
  await agent.stop();
  const row = (label: string, xs: number[]) =>
    `| ${label} | ${percentile(xs, 50).toFixed(0)} ms | ${percentile(xs, 99).toFixed(0)} ms | ${Math.max(...xs).toFixed(0)} ms |`;
  console.log(`${ROUNDS} rollbacks on ${name}, probe deadline ${DEADLINE}, ${writes[0]} kernel writes each`);
  console.log('| | p50 | p99 | max |');
  console.log('|---|---|---|---|');
  console.log(row('failed probe → previous state enforced', rollback));
  console.log(row('whole failing pass (apply, probe deadline, rollback, confirm)', pass));
  return ds;
}

let server: ChildProcess | null = null;
try {
  server = await main();
} finally {
  server?.kill('SIGKILL');
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of namespaces.split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    if (ns === nodeNs || ns.startsWith(endpointNetnsPrefix(name))) ip('netns', 'del', ns);
  }
  rmSync(bpffsRoot, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
}
