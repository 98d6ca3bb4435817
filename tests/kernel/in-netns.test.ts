import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfError, inNetns } from '../../src/datapath/libbpf/index.js';
import { addNodeNs, cleanupNetns } from '../support/net-fixtures.js';

// inNetns is the one way a thread of gitwire enters another namespace (the
// netlink reader goes through the same function): whatever the block does,
// the thread is back in its own namespace afterwards.

const threadNetns = (): number => statSync('/proc/thread-self/ns/net').ino;

describe('inNetns', () => {
  let ns = '';
  const dir = mkdtempSync(join(os.tmpdir(), 'gw-inns-'));
  let home = 0;

  beforeAll(async () => {
    ns = await addNodeNs('inns');
    home = threadNetns();
  });
  afterAll(async () => {
    await cleanupNetns();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the block in the named namespace and comes back', () => {
    const inside = inNetns(ns, threadNetns);
    expect(inside).not.toBe(home);
    expect(inside).toBe(statSync(`/run/netns/${ns}`).ino);
    expect(threadNetns()).toBe(home);
  });

  it('comes back when the block throws, and passes the error on', () => {
    expect(() =>
      inNetns(ns, () => {
        throw new RangeError('inside');
      }),
    ).toThrow(RangeError);
    expect(threadNetns()).toBe(home);
  });

  it('refuses an async block, back home', () => {
    expect(() => inNetns(ns, async () => 1)).toThrow(/must be synchronous/);
    expect(threadNetns()).toBe(home);
  });

  it('a file holding no namespace is a BpfError naming setns EINVAL, and the thread never left', () => {
    const plain = join(dir, 'not-a-netns');
    writeFileSync(plain, '');
    expect(() => inNetns(plain, () => 1)).toThrow(BpfError);
    expect(() => inNetns(plain, () => 1)).toThrow(
      expect.objectContaining({ code: 'BPF_CALL_FAILED', op: 'netns enter', errno: os.constants.errno.EINVAL }),
    );
    expect(threadNetns()).toBe(home);
  });

  it('a name that does not exist fails before anything is entered', () => {
    expect(() => inNetns(`${ns}-absent`, () => 1)).toThrow(/ENOENT/);
    expect(threadNetns()).toBe(home);
  });
});
