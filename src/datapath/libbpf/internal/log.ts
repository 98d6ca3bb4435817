import { libbpf_set_print, printFn, register, vsnprintf } from './ffi.js';

// libbpf prints through one process-wide callback. Calls run on the main
// thread, so a simple stack of active captures gives each operation its own
// log (the verifier log of a failed load in particular).
const LEVEL_DEBUG = 2;
const buf = Buffer.alloc(1 << 16);
const captures: string[][] = [];

const callback = register(
  ((level: number, fmt: string, args: bigint): number => {
    if (level >= LEVEL_DEBUG || captures.length === 0) {
      if (process.env.GITWIRE_LIBBPF_DEBUG) process.stderr.write(`libbpf: ${format(fmt, args)}`);
      return 0;
    }
    captures[captures.length - 1]!.push(format(fmt, args));
    return 0;
  }) as never,
  printFn,
);
libbpf_set_print(callback);

function format(fmt: string, args: bigint): string {
  const n = vsnprintf(buf, buf.length, fmt, args) as number;
  return buf.toString('utf8', 0, Math.max(0, Math.min(n, buf.length - 1)));
}

/** Runs `fn` with access to what libbpf has printed so far during it (warnings and info). */
export function captureLog<T>(fn: (log: () => string) => T): T {
  const lines: string[] = [];
  captures.push(lines);
  try {
    return fn(() => lines.join(''));
  } finally {
    captures.pop();
  }
}
