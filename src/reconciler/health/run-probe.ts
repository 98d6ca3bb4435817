import { execFile } from 'node:child_process';
import type { HealthCheckValue } from '../../desired/index.js';

/** What a probe saw: whether it got through, and in words (`connected`, `timeout`, `HTTP 403`, `no reply`). */
export interface ProbeOutcome {
  readonly reached: boolean;
  readonly got: string;
  /** The HTTP status, for an http probe that got an answer. */
  readonly status?: number;
}

/** Time `ip netns exec` and the probe process take to start, on top of the probe's own deadline. */
const START_MS = 3000;

/**
 * Runs one probe inside the `from` endpoint's network namespace within its
 * deadline: a TCP connect (this Node binary), an HTTP GET (curl) or one ICMP
 * echo (ping). Never throws: a probe that cannot even start is not reached.
 */
export async function runProbe(check: HealthCheckValue): Promise<ProbeOutcome> {
  if (check.address === null) return { reached: false, got: 'no address to probe (the target has none)' };
  const secs = (check.deadlineMs / 1000).toFixed(3);
  if (check.probe === 'tcp') {
    const script = `const s=require('net').connect(${check.port},${JSON.stringify(check.address)});const t=setTimeout(()=>{console.log('timeout');process.exit()},${check.deadlineMs});s.on('connect',()=>{console.log('connected');process.exit()});s.on('error',e=>{clearTimeout(t);console.log(e.code==='ECONNREFUSED'?'refused':'error '+e.code);process.exit()})`;
    const r = await inNetns(check, [process.execPath, '-e', script]);
    const got = r.stdout.trim() || describeFailure(r);
    return { reached: got === 'connected', got };
  }
  if (check.probe === 'http') {
    const url = `http://${check.address}:${check.port}${check.path ?? '/'}`;
    const args = ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', secs, '--', url];
    const r = await inNetns(check, args);
    const status = Number(r.stdout.trim());
    if (status > 0) return { reached: true, got: `HTTP ${status}`, status };
    return { reached: false, got: CURL_ERRORS[r.code ?? -1] ?? describeFailure(r) };
  }
  const wait = String(Math.max(1, Math.ceil(check.deadlineMs / 1000)));
  const r = await inNetns(check, ['ping', '-n', '-q', '-c', '1', '-W', wait, '--', check.address]);
  return r.code === 0
    ? { reached: true, got: 'reply' }
    : { reached: false, got: r.code === 1 ? 'no reply' : describeFailure(r) };
}

// curl's exit codes for what a probe meets: 7 could not connect, 28 timed out, 52 empty reply.
const CURL_ERRORS: Readonly<Record<number, string>> = { 7: 'refused', 28: 'timeout', 52: 'empty reply' };

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function inNetns(check: HealthCheckValue, argv: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'ip',
      ['netns', 'exec', check.netns, ...argv],
      { timeout: check.deadlineMs + START_MS, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

function describeFailure(r: Run): string {
  const line = r.stderr.trim().split('\n')[0];
  return line ? `probe failed: ${line}` : r.code === null ? 'timeout' : `probe failed (exit ${r.code})`;
}
