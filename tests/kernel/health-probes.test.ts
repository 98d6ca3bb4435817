import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthCheckValue } from '../../src/desired/desired-state.js';
import { runProbe } from '../../src/reconciler/health/index.js';

// The probes as the agent runs them (ip netns exec + node, curl, ping), between
// two namespaces of this run joined by a veth: a server in B, probes from A.
const RUN = process.pid.toString(36);
const A = `hr${RUN}a`;
const B = `hr${RUN}b`;
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });

const probe = (over: Partial<HealthCheckValue>): HealthCheckValue => ({
  name: 'default/p',
  probe: 'tcp',
  from: 'default/a',
  netns: A,
  to: 'address',
  address: '10.99.0.2',
  port: 8080,
  path: null,
  status: null,
  expect: 'allow',
  deadlineMs: 500,
  file: 'checks.yaml',
  line: 1,
  ...over,
});

describe('health probes from a network namespace', () => {
  let server: ChildProcess | null = null;

  beforeAll(async () => {
    ip('netns', 'add', A);
    ip('netns', 'add', B);
    ip('-n', A, 'link', 'add', 'a0', 'type', 'veth', 'peer', 'name', 'b0', 'netns', B);
    ip('-n', A, 'addr', 'add', '10.99.0.1/24', 'dev', 'a0');
    ip('-n', B, 'addr', 'add', '10.99.0.2/24', 'dev', 'b0');
    for (const [ns, dev] of [
      [A, 'a0'],
      [B, 'b0'],
      [A, 'lo'],
      [B, 'lo'],
    ] as const)
      ip('-n', ns, 'link', 'set', dev, 'up');
    const script = `require('http').createServer((q,s)=>{s.writeHead(q.url==='/admin'?403:200);s.end()}).listen(8080,'0.0.0.0',()=>console.log('ready'))`;
    const child = spawn('ip', ['netns', 'exec', B, process.execPath, '-e', script], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    server = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
  });

  afterAll(() => {
    server?.kill('SIGKILL');
    for (const ns of [A, B]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // not created
      }
    }
  });

  it('connects over TCP, and tells a refused port from a silent address', async () => {
    expect(await runProbe(probe({}))).toEqual({ reached: true, got: 'connected' });
    expect(await runProbe(probe({ port: 8081 }))).toEqual({ reached: false, got: 'refused' });
    expect(await runProbe(probe({ address: '10.99.0.3' }))).toEqual({ reached: false, got: 'timeout' });
  });

  it('reads the HTTP status, and an unanswered request as such', async () => {
    const http = (over: Partial<HealthCheckValue>) =>
      runProbe(probe({ probe: 'http', path: '/', status: 200, ...over }));
    expect(await http({})).toEqual({ reached: true, got: 'HTTP 200', status: 200 });
    expect(await http({ path: '/admin' })).toEqual({ reached: true, got: 'HTTP 403', status: 403 });
    expect(await http({ port: 8081 })).toEqual({ reached: false, got: 'refused' });
  });

  it('sends one ICMP echo and waits its deadline for the reply', async () => {
    expect(await runProbe(probe({ probe: 'icmp', port: null }))).toEqual({ reached: true, got: 'reply' });
    expect(await runProbe(probe({ probe: 'icmp', port: null, address: '10.99.0.3' }))).toEqual({
      reached: false,
      got: 'no reply',
    });
  });

  it('does not reach anything from a namespace that does not exist', async () => {
    const out = await runProbe(probe({ netns: `hr${RUN}-missing` }));
    expect(out.reached).toBe(false);
    expect(out.got).toMatch(/^probe failed: /);
  });
});
