import { run } from './ip-runner.js';

let cached: Promise<boolean> | null = null;

/**
 * Whether the kernel can create geneve devices, probed once per process in a
 * throwaway namespace. Only "works" and "unknown device type" are conclusive;
 * any other failure is thrown and not cached.
 */
export function geneveSupported(): Promise<boolean> {
  cached ??= probe().catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached;
}

async function probe(): Promise<boolean> {
  const ns = `gw-probe-${process.pid}`;
  const add = await run('ip', ['netns', 'add', ns]);
  if (add.code !== 0) throw new Error(`geneve probe: netns add: ${add.stderr.trim()}`);
  try {
    const res = await run('ip', [
      '-n',
      ns,
      'link',
      'add',
      'gw-probe',
      'type',
      'geneve',
      'id',
      '1',
      'remote',
      '192.0.2.1',
    ]);
    if (res.code === 0) return true;
    if (/Unknown device type|Operation not supported/.test(res.stderr)) return false;
    throw new Error(`geneve probe: ${res.stderr.trim()}`);
  } finally {
    await run('ip', ['netns', 'del', ns]);
  }
}
