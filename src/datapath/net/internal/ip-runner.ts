import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StalledError } from '../stalled-error.js';
import { TransientError } from '../transient-error.js';
import { netnsMountPrefix } from './netns-mounts.js';

export interface WriteCounter {
  writes: number;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// iproute2 messages that mean "already gone"; a delete that meets them succeeded.
const ABSENT =
  /Cannot find device|No such process|No such file or directory|does not exist|Cannot open network namespace|No such device/;

/** Runs a command, feeding `input` on stdin; never throws for a non-zero exit. */
export function run(cmd: string, args: readonly string[], input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // `ip -batch` exits at its first failing line; writing the rest then raises EPIPE.
    child.stdin.on('error', () => {});
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

// A word of an `ip -batch` line: `ip` splits lines on blanks and reads quotes, backslashes and '#' itself.
const WORD = /^[A-Za-z0-9_.:/%|@+=,-]+$/;
// A namespace name passed as an argument: one word that is not '.', '..' nor an option.
const NETNS = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function refuse(what: string, value: string): never {
  throw new StalledError('ip batch', `refusing ${what} ${JSON.stringify(value)}: not a plain word`, { value });
}

/**
 * Builds a batch line in which every interpolated value must be one plain
 * word, so that a value such as "x netns 1" can never add arguments to the
 * command it is part of. The grammars at validation are the first defence.
 */
export function ipLine(parts: TemplateStringsArray, ...values: readonly (string | number)[]): string {
  let line = parts[0] ?? '';
  values.forEach((v, i) => {
    const text = String(v);
    if (!WORD.test(text)) refuse('the value', text);
    line += text + (parts[i + 1] ?? '');
  });
  return line;
}

/** Every line handed to `ip -batch`: plain words separated by single spaces, nothing `ip` would interpret. */
export function checkBatchLines(lines: readonly string[]): void {
  for (const line of lines) {
    if (!line.split(' ').every((w) => WORD.test(w))) refuse('the batch line', line);
  }
}

function nsArgs(ns: string | null): string[] {
  if (ns !== null && !NETNS.test(ns)) refuse('the namespace', ns);
  return ns === null ? [] : ['-n', ns];
}

const hostMounts = netnsMountPrefix();

function command(tool: string, args: readonly string[], netnsFiles: boolean): [string, string[]] {
  const argv = netnsFiles ? [...hostMounts, tool, ...args] : [tool, ...args];
  return [argv[0] as string, argv.slice(1)];
}

/**
 * gitwire's iproute2 driver: batched writes in one namespace (`null` = the
 * process's own), counting every write line. Reads go over netlink (netns-read.ts).
 */
export class IpRunner {
  constructor(private readonly counter: WriteCounter) {}

  /** Applies write commands in one `-batch` process; stops at the first failure and reports its line. */
  async write(ns: string | null, lines: readonly string[], tool = 'ip'): Promise<void> {
    if (lines.length === 0) return;
    checkBatchLines(lines);
    this.counter.writes += lines.length;
    const res = await run(
      ...command(tool, [...nsArgs(ns), '-batch', '-'], isNetnsFile(lines)),
      lines.join('\n') + '\n',
    );
    if (res.code !== 0) {
      throw new TransientError(`${tool} batch`, res.stderr.trim() || `exit ${res.code}`, { ns, lines });
    }
  }

  /**
   * Applies write commands in several namespaces with one `ip -force -batch`
   * whose lines are `netns exec NS ip -batch FILE` (iproute2 forks the
   * writers, cheaper than spawning each from Node). Each namespace stops at
   * its first failing command; the failed namespaces are reported together.
   */
  async writeEach(perNetns: readonly (readonly [string, readonly string[]])[]): Promise<void> {
    const work = perNetns.filter(([, lines]) => lines.length > 0);
    for (const [ns, lines] of work) {
      nsArgs(ns);
      checkBatchLines(lines);
    }
    if (work.length <= 1) {
      for (const [ns, lines] of work) await this.write(ns, lines);
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), 'gitwire-net-'));
    try {
      const files = await Promise.all(
        work.map(async ([, lines], i) => {
          const file = join(dir, `${i}.batch`);
          await writeFile(file, lines.join('\n') + '\n');
          return file;
        }),
      );
      for (const [, lines] of work) this.counter.writes += lines.length;
      const batch = work.map(([ns], i) => ipLine`netns exec ${ns} ip -batch ${files[i]!}`);
      const res = await run('ip', ['-force', '-batch', '-'], batch.join('\n') + '\n');
      const failed = [...res.stderr.matchAll(/Command failed -:(\d+)/g)].map((m) => work[Number(m[1]) - 1]?.[0]);
      if (res.code !== 0 || failed.length > 0) {
        throw new TransientError('ip netns batch', res.stderr.trim() || `exit ${res.code}`, { failed });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Deletes with `-force` (keep going past errors); errors that mean "already absent" are not failures. */
  async remove(ns: string | null, lines: readonly string[], tool = 'ip'): Promise<void> {
    if (lines.length === 0) return;
    checkBatchLines(lines);
    this.counter.writes += lines.length;
    const res = await run(
      ...command(tool, [...nsArgs(ns), '-force', '-batch', '-'], isNetnsFile(lines)),
      lines.join('\n') + '\n',
    );
    const real = res.stderr
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('Command failed') && !ABSENT.test(l));
    if (real.length > 0) {
      throw new TransientError(`${tool} batch delete`, real.join('; '), { ns, lines });
    }
  }

  /** Runs one write command that is not an `ip` subcommand (sysctl inside a namespace). */
  async exec(cmd: string, args: readonly string[]): Promise<void> {
    for (const a of args) if (!WORD.test(a)) refuse('the argument', a);
    this.counter.writes += 1;
    const res = await run(cmd, args);
    if (res.code !== 0) throw new TransientError(cmd, res.stderr.trim() || `exit ${res.code}`, { args });
  }
}

const isNetnsFile = (lines: readonly string[]): boolean => lines.some((l) => l.startsWith('netns '));

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
