import { execFile, spawn, type ChildProcess } from 'node:child_process';

/**
 * Tiny workloads for a local cluster, run inside endpoint namespaces with this
 * Node binary: a server that answers each connection with its name, and a
 * client that reports who answered one new connection.
 */
export async function serveName(netns: string, name: string, port = 80): Promise<ChildProcess> {
  const script = `require('net').createServer(s=>{s.end(${JSON.stringify(name)}+'\\n');s.on('error',()=>{})}).listen(${port},'0.0.0.0',()=>console.log('ready'))`;
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', script], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`server ${name} in ${netns} exited with ${code}`)));
  });
  return child;
}

/** Name of the server that answered one new TCP connection from `netns`, or null when none did within `timeoutMs`. */
export function whoAnswers(netns: string, address: string, port: number, timeoutMs = 2000): Promise<string | null> {
  const script = `const s=require('net').connect(${port},${JSON.stringify(address)});s.setTimeout(${timeoutMs},()=>{process.exit()});s.on('data',d=>{console.log(String(d).trim());process.exit()});s.on('error',()=>process.exit())`;
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', netns, process.execPath, '-e', script], (_err, stdout) => {
      const answer = String(stdout).trim();
      resolve(answer === '' ? null : answer);
    });
  });
}
