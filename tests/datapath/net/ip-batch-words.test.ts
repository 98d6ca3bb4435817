import { describe, expect, it } from 'vitest';
import { IpRunner, ipLine } from '../../../src/datapath/net/internal/ip-runner.js';
import { StalledError } from '../../../src/datapath/net/stalled-error.js';

// A tool that does not exist: were a hostile line let through, spawning it
// would fail with ENOENT instead of the StalledError the writer must raise.
const NO_TOOL = 'gitwire-test-no-such-tool';

describe('ip batch writer refuses anything but plain words', () => {
  it('refuses a device name that would add arguments to its line', () => {
    expect(() => ipLine`link add ${'x netns 1'} mtu 1450 type vxlan id 2`).toThrow(StalledError);
    expect(() => ipLine`link set dev ${'x master br0'} up`).toThrow(/refusing the value "x master br0"/);
    expect(() => ipLine`netns add ${'a\nnetns del b'}`).toThrow(StalledError);
  });

  it('builds a line from plain words unchanged', () => {
    expect(ipLine`link set dev ${'vxlan.gw'} mtu ${1450}`).toBe('link set dev vxlan.gw mtu 1450');
    expect(ipLine`link set dev lo up alias ${'gitwire:n1:ep:default%2Fweb|7'}`).toBe(
      'link set dev lo up alias gitwire:n1:ep:default%2Fweb|7',
    );
  });

  it.each([
    ['a quoted word', 'link add "x y" type dummy'],
    ['a second command on a new line', 'link add x type dummy\nlink set x master br0'],
    ['a comment', 'link add x type dummy # y'],
    ['a backslash', 'link add x\\ y type dummy'],
    ['a tab', 'link add x\ttype dummy'],
  ])('refuses %s before running anything and counts no write', async (_, line) => {
    const counter = { writes: 0 };
    const ip = new IpRunner(counter);
    await expect(ip.write(null, [line], NO_TOOL)).rejects.toBeInstanceOf(StalledError);
    await expect(ip.remove(null, [line], NO_TOOL)).rejects.toBeInstanceOf(StalledError);
    await expect(
      ip.writeEach([
        ['ns-a', [line]],
        ['ns-b', ['link set dev lo up']],
      ]),
    ).rejects.toBeInstanceOf(StalledError);
    expect(counter.writes).toBe(0);
  });

  it('refuses a namespace argument that is not one word', async () => {
    const ip = new IpRunner({ writes: 0 });
    await expect(ip.write('x -force', ['link set dev lo up'], NO_TOOL)).rejects.toBeInstanceOf(StalledError);
  });
});
