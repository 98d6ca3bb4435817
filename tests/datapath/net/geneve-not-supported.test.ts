import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Entry, LinkValue } from '../../../src/desired/desired-state.js';
import type { RunResult } from '../../../src/datapath/net/internal/ip-runner.js';

// The not-supported path of geneve tunnels, on any kernel: the probe's
// iproute2 runs are answered as a kernel without CONFIG_GENEVE answers
// (tests/kernel/net-overlay.test.ts runs the real probe). Everything above the
// probe is the real code.

const answers: Array<(args: readonly string[]) => RunResult | undefined> = [];
const calls: string[] = [];

vi.mock('../../../src/datapath/net/internal/ip-runner.js', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  run: async (cmd: string, args: readonly string[]): Promise<RunResult> => {
    calls.push([cmd, ...args].join(' '));
    for (const answer of answers) {
      const r = answer(args);
      if (r) return r;
    }
    return { code: 0, stdout: '', stderr: '' };
  },
}));

const kernelSays = (stderr: string) =>
  answers.push((args) => (args.includes('geneve') ? { code: 2, stdout: '', stderr } : undefined));

const geneve: Entry<LinkValue> = {
  key: 'gw_geneve',
  value: {
    name: 'gw_geneve',
    kind: 'geneve',
    mtu: 1450,
    vni: 7,
    port: 6081,
    local: null,
    peerNetns: null,
    peerName: null,
  },
};

beforeEach(() => {
  answers.length = 0;
  calls.length = 0;
  vi.resetModules();
});

describe('geneve on a kernel without CONFIG_GENEVE', () => {
  it.each(['Error: Unknown device type.', 'RTNETLINK answers: Operation not supported'])(
    'link update fails with not-supported and writes nothing when ip says %j',
    async (stderr) => {
      kernelSays(stderr);
      const { LinkOps, NotSupportedError } = await import('../../../src/datapath/net/index.js');
      const ops = new LinkOps({ nodeNs: 'gwn-unused', owner: 'node-1' });
      const err = await ops.updateMany([geneve]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotSupportedError);
      expect(err).toMatchObject({ code: 'E_NOT_SUPPORTED', kernelConfig: 'CONFIG_GENEVE' });
      expect(ops.writes).toBe(0);
      // The probe ran in its own throwaway namespace and removed it.
      expect(calls.filter((c) => c.includes('netns add') || c.includes('netns del'))).toHaveLength(2);
    },
  );

  it('caches a conclusive answer, and retries after an inconclusive one', async () => {
    const { geneveSupported } = await import('../../../src/datapath/net/index.js');
    kernelSays('RTNETLINK answers: Operation not permitted');
    await expect(geneveSupported()).rejects.toThrow(/geneve probe: RTNETLINK answers: Operation not permitted/);
    answers.length = 0;
    kernelSays('Error: Unknown device type.');
    expect(await geneveSupported()).toBe(false);
    const probes = calls.length;
    expect(await geneveSupported()).toBe(false);
    expect(calls).toHaveLength(probes);
  });
});
