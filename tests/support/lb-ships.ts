import { spawn, type ChildProcess } from 'node:child_process';
import { execIn } from './netns.js';
import { endpointYaml, type TestNode } from './node-fixture.js';

// Workloads for load-balancer tests: endpoints with a named port, servers
// that say who they are, and clients that report which backend answered.

export function endpointWithPort(
  node: TestNode,
  name: string,
  address: string,
  labels: Record<string, string>,
  port = 0,
): string {
  const ports = port ? `  ports:\n    - name: http\n      containerPort: ${port}\n` : '';
  return endpointYaml(node, name, address, labels) + ports;
}

/** A server on port 80 that greets each connection with its name and answers each line with `name:line`. */
export async function serveName(netns: string, name: string): Promise<ChildProcess> {
  const script = `require('net').createServer(s=>{s.write('${name}\\n');s.on('data',d=>s.write('${name}:'+d));s.on('error',()=>{})}).listen(80,'0.0.0.0',()=>console.log('ready'))`;
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', script]);
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`server ${name} in ${netns} exited with ${code}`)));
  });
  return child;
}

/** Which server answers one new connection from `netns` to address:port ('none' when nothing does). */
export function whoAnswers(netns: string, address: string, port = 80): string {
  const script = `const s=require('net').connect(${port},'${address}');s.setTimeout(3000,()=>{console.log('none');process.exit()});s.on('data',d=>{console.log(String(d).trim());process.exit()});s.on('error',()=>{console.log('none');process.exit()})`;
  return execIn(netns, [process.execPath, '-e', script]).trim();
}

const COUNT = 20;

/**
 * COUNT connections held open from `netns` to address:80: `opened` resolves
 * with the server each one reached; `ping()` sends a line on each and resolves
 * with each answer (`none` where a connection has not answered within 5 s).
 */
export function heldConnections(
  netns: string,
  address: string,
): { opened: Promise<string[]>; ping: () => Promise<string[]>; process: ChildProcess } {
  const script = `const net=require('net');const rl=require('readline').createInterface({input:process.stdin});const socks=[];const first=[];let n=0;
for(let i=0;i<${COUNT};i++){const s=net.connect(80,'${address}');socks.push(s);let buf='';s.on('error',()=>{});s.on('data',d=>{buf+=d;const lines=buf.split('\\n');if(first[i]===undefined&&lines.length>1){first[i]=lines[0];if(++n===${COUNT})console.log(JSON.stringify(first))}else if(lines.length>2){s.answer=lines[1]}})}
rl.on('line',()=>{socks.forEach(s=>s.write('ping\\n'));const t0=Date.now();const check=()=>{if(socks.every(s=>s.answer)||Date.now()-t0>5000)console.log(JSON.stringify(socks.map(s=>s.answer??'none')));else setTimeout(check,50)};check()})`;
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', script]);
  const lines: string[] = [];
  const waiters: Array<(l: string) => void> = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const next = () =>
    new Promise<string[]>((resolve) => {
      const take = (l: string) => resolve(JSON.parse(l) as string[]);
      const l = lines.shift();
      if (l !== undefined) take(l);
      else waiters.push(take);
    });
  return {
    opened: next(),
    ping: () => {
      child.stdin.write('go\n');
      return next();
    },
    process: child,
  };
}

/**
 * New connections from `netns` to address:80, one after another, until
 * `stop()`: resolves with how many a server answered and how many failed.
 */
export function connectionLoop(
  netns: string,
  address: string,
): { stop: () => Promise<{ ok: number; failed: number }> } {
  const script = `const net=require('net');let ok=0,failed=0,done=false;
function one(){if(done)return;const s=net.connect(80,'${address}');s.setTimeout(2000,()=>{failed++;s.destroy();one()});s.on('data',()=>{ok++;s.destroy();one()});s.on('error',()=>{failed++;one()})}
one();require('readline').createInterface({input:process.stdin}).on('line',()=>{done=true;console.log(JSON.stringify({ok,failed}));process.exit()})`;
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', script]);
  return {
    stop: () =>
      new Promise((resolve) => {
        child.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()) as { ok: number; failed: number }));
        child.stdin.write('stop\n');
      }),
  };
}
