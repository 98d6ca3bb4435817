import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  observeAddressPath,
  ObserveHub,
  removeObserveAddress,
  startObserveServer,
  writeObserveAddress,
  type ObserveServer,
} from '../../../src/reconciler/agent/index.js';
import { gitwire } from '../../support/cli.js';
import { dropped, identities } from './observe-events.js';

// A node whose agent serves its events: `gitwire monitor --node N` on that machine reads from the agent
// (found through the address file beside the node lock), not from the ring buffer the agent holds.

const NODE = `mnl${process.pid.toString(36)}`;
const TOKEN = 'local-agent-token';
const hub = new ObserveHub();
let server: ObserveServer;

beforeAll(async () => {
  server = await startObserveServer({
    addr: '127.0.0.1:0',
    token: TOKEN,
    node: NODE,
    hub,
    identities: () => identities,
    lostEvents: () => 0,
    flows: async () => [],
  });
  writeObserveAddress(observeAddressPath(NODE), { url: server.url, pid: process.pid, tokenRequired: true });
});

afterAll(async () => {
  removeObserveAddress(observeAddressPath(NODE));
  await server.close();
});

describe('gitwire monitor beside an agent that serves its events', () => {
  it('reads the node through its agent, untagged as a local monitor prints', async () => {
    const running = gitwire(['monitor', '--node', NODE, '--count', '1'], { env: { GITWIRE_OBSERVE_TOKEN: TOKEN } });
    while (hub.observers === 0) await new Promise((r) => setTimeout(r, 20));
    hub.publish(dropped());
    const res = await running;
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toContain(`monitoring node ${NODE} through its agent at ${server.url}`);
    expect(res.stdout).toMatch(/^\S+Z DROP denied-default ingress .*policies\/rule1\.yaml:14\)\)\n$/);
  }, 60_000);

  it('says the agent holds the ring buffer and asks for the token when none is set', async () => {
    const res = await gitwire(['monitor', '--node', NODE, '--count', '1'], { env: { GITWIRE_OBSERVE_TOKEN: '' } });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(
      new RegExp(`node ${NODE}'s agent reads the ring buffer and serves its events at .* set \\$GITWIRE_OBSERVE_TOKEN`),
    );
  }, 60_000);

  it('reads the ring buffer itself once the agent is gone (its address file names a dead process)', async () => {
    writeObserveAddress(observeAddressPath(NODE), { url: server.url, pid: 2 ** 22 + 1, tokenRequired: true });
    try {
      const res = await gitwire(['monitor', '--node', NODE, '--bpffs-root', '/nonexistent-gitwire', '--count', '1'], {
        env: { GITWIRE_OBSERVE_TOKEN: '' },
      });
      expect(res.stderr).toMatch(/E_MONITOR_NOT_APPLIED|no pinned datapath/);
    } finally {
      writeObserveAddress(observeAddressPath(NODE), { url: server.url, pid: process.pid, tokenRequired: true });
    }
  }, 60_000);
});
