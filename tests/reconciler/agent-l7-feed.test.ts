import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { L7VerdictEvent } from '../../src/datapath/proxy/index.js';
import {
  followL7Feed,
  l7FeedPath,
  L7VerdictFeed,
  l7VerdictJson,
  l7VerdictText,
  type MonitoredL7Verdict,
} from '../../src/reconciler/agent/index.js';

const landing: L7VerdictEvent = {
  direction: 'ingress',
  identity: 9868,
  method: 'POST',
  path: '/v1/request-landing',
  status: 200,
  verdict: 'forwarded',
  rule: {
    kind: 'CiliumNetworkPolicy',
    namespace: 'default',
    name: 'rule1',
    path: 'spec.ingress[0].toPorts[0].rules.http[0]',
    file: 'policies/l7.yaml',
    line: 11,
  },
  mismatches: [],
  reason: null,
};
const exhaust: L7VerdictEvent = {
  ...landing,
  method: 'PUT',
  path: '/v1/exhaust-port',
  status: 403,
  verdict: 'denied',
  rule: null,
};

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves once `got` holds n verdicts. */
const until = (got: MonitoredL7Verdict[], n: number) =>
  new Promise<void>((resolve) => {
    const t = setInterval(() => got.length >= n && (clearInterval(t), resolve()), 5);
  });

describe('the L7 verdict feed from the agent to the monitor', () => {
  it('streams each verdict the agent publishes to the monitors following it, as the monitor prints them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gitwire-l7feed-'));
    const path = l7FeedPath('n1', dir);
    const feed = await L7VerdictFeed.listen(path);
    const got: MonitoredL7Verdict[] = [];
    const unfollow = followL7Feed(path, (v) => got.push(v));
    try {
      // The monitor's connection is accepted asynchronously: publish until it is there.
      while (got.length === 0) {
        feed.publish(landing);
        await new Promise((r) => setTimeout(r, 20));
      }
      const seen = got.length;
      feed.publish(exhaust);
      await until(got, seen + 1);
      expect(got[0]!.verdict).toEqual(landing);
      expect(got[seen]!.verdict).toEqual(exhaust);
      expect(l7VerdictText(got[0]!)).toMatch(
        /^\S+Z L7 forwarded ingress identity 9868 POST \/v1\/request-landing -> 200: policy default\/rule1 \(CiliumNetworkPolicy spec\.ingress\[0\]\.toPorts\[0\]\.rules\.http\[0\], policies\/l7\.yaml:11\)$/,
      );
      expect(l7VerdictText(got[seen]!)).toMatch(
        /L7 denied ingress identity 9868 PUT \/v1\/exhaust-port -> 403: no HTTP rule allows it$/,
      );
      expect(JSON.parse(l7VerdictJson(got[seen]!))).toMatchObject({ type: 'l7', method: 'PUT', status: 403 });
    } finally {
      unfollow();
      await feed.close();
    }
  });

  it('escapes terminal controls a client put in the path', () => {
    const text = l7VerdictText({ verdict: { ...exhaust, path: '/\u001b[2Jx' }, time: new Date(0) });
    expect(text).not.toContain('\u001b');
  });

  it('replaces a socket an earlier agent left behind', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gitwire-l7feed-'));
    const path = l7FeedPath('n1', dir);
    const first = await L7VerdictFeed.listen(path);
    const second = await L7VerdictFeed.listen(path);
    await second.close();
    await first.close();
  });
});
