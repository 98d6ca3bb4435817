import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObserveHub, startObserveServer, type ObserveServer } from '../../../src/reconciler/agent/index.js';
import type { FlowRecord } from '../../../src/reconciler/flows/index.js';
import { AgentFlowSource, NoFlowDataError, type FlowRecordSource } from '../../../src/reconciler/impact/index.js';

// plan --impact reading a node's flows from its agent over HTTP (a real observe server on loopback).
const TOKEN = 'impact-test-token';
const record = (lastSeenMsAgo: number): FlowRecord => ({
  srcIdentity: 1001,
  dstIdentity: 1002,
  port: 80,
  protocol: 6,
  verdict: 'allow',
  count: 4,
  firstSeen: new Date(Date.now() - 7200_000),
  lastSeen: new Date(Date.now() - lastSeenMsAgo),
});
const served = [record(60_000), record(3 * 3600_000)];
let server: ObserveServer;

beforeAll(async () => {
  server = await startObserveServer({
    addr: '127.0.0.1:0',
    token: TOKEN,
    node: 'node-a',
    hub: new ObserveHub(),
    identities: () => new Map(),
    lostEvents: () => 0,
    flows: async (since) => served.filter((f) => since === null || f.lastSeen.getTime() >= Date.now() - since * 1000),
  });
});
afterAll(() => server.close());

describe('AgentFlowSource', () => {
  it("reads the node's flows from its agent, since the window asked for", async () => {
    const source = new AgentFlowSource(new Map([['node-a', server.url]]), TOKEN);
    const got = await source.records('node-a', 3600);
    expect(got).toHaveLength(1);
    expect(got[0]!.lastSeen).toEqual(served[0]!.lastSeen);
  });

  it('says the flows are unknown when the agent refuses the token, never "no flows"', async () => {
    const source = new AgentFlowSource(new Map([['node-a', server.url]]), 'wrong');
    await expect(source.records('node-a', 3600)).rejects.toBeInstanceOf(NoFlowDataError);
  });

  it('reads a node without a registered agent from the fallback, or says it has no data', async () => {
    const local: FlowRecordSource = { records: async () => [record(1000)] };
    expect(await new AgentFlowSource(new Map(), TOKEN, local).records('node-b', 3600)).toHaveLength(1);
    await expect(new AgentFlowSource(new Map(), TOKEN).records('node-b', 3600)).rejects.toBeInstanceOf(NoFlowDataError);
  });
});
