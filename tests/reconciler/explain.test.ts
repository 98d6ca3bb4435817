import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explainFlow, renderExplanationText, type FlowQuery } from '../../src/reconciler/explain/index.js';
import { loadRevision } from '../../src/reconciler/load-revision.js';
import { EXAMPLE_REPO, gitwire } from '../support/cli.js';
import { makeTempDir, removeDir } from '../support/git-fixtures.js';

const POLICY = 'policies/starwars/deathstar-l3-l4.yaml';
const temps: string[] = [];
afterAll(() => temps.forEach(removeDir));

/** 1-based line of the first line of `file` in examples/repo that starts (after blanks) with `text`. */
function lineOf(file: string, text: string): number {
  return (
    readFileSync(join(EXAMPLE_REPO, file), 'utf8')
      .split('\n')
      .findIndex((l) => l.trim().startsWith(text)) + 1
  );
}

/** examples/repo with `edit` applied to a copy. */
function exampleCopy(edit: (dir: string) => void): string {
  const dir = makeTempDir('gitwire-explain-');
  temps.push(dir);
  cpSync(EXAMPLE_REPO, dir, { recursive: true });
  edit(dir);
  return dir;
}

async function explain(repo: string, q: Partial<FlowQuery> & Pick<FlowQuery, 'from' | 'to'>) {
  const { model } = await loadRevision(repo);
  return explainFlow(model, { port: 80, protocol: 'TCP', ...q });
}

describe('explain on the example repository', () => {
  it('allows tiefighter → deathstar-1 TCP/80 by default/rule1 at the ingress item’s own line', async () => {
    const x = await explain(EXAMPLE_REPO, { from: 'tiefighter', to: 'deathstar-1' });
    expect(x.allowed).toBe(true);
    const [path] = x.paths;
    expect(path!.egress.reason).toBe('not-enforced');
    expect(path!.ingress).toMatchObject({ reason: 'allowed', node: 'node-1', endpoint: 'default/deathstar-1' });
    expect(path!.ingress!.rule).toMatchObject({
      namespace: 'default',
      name: 'rule1',
      path: 'spec.ingress[0]',
      file: POLICY,
      line: lineOf(POLICY, '- fromEndpoints:'),
    });
    expect(renderExplanationText(x)).toContain(
      `allowed by CiliumNetworkPolicy default/rule1 spec.ingress[0] at ${POLICY}:${lineOf(POLICY, '- fromEndpoints:')}`,
    );
  });

  it('drops xwing → deathstar-1 by the default deny that default/rule1 puts on deathstar-1’s ingress', async () => {
    const x = await explain(EXAMPLE_REPO, { from: 'default/xwing', to: 'deathstar-1' });
    expect(x.allowed).toBe(false);
    const ingress = x.paths[0]!.ingress!;
    expect(ingress.reason).toBe('denied-default');
    expect(ingress.passes).toBe(false);
    expect(ingress.rule).toBeNull();
    expect(ingress.defaultDenyBy).toEqual([
      {
        kind: 'CiliumNetworkPolicy',
        namespace: 'default',
        name: 'rule1',
        path: 'spec',
        file: POLICY,
        line: lineOf(POLICY, 'spec:'),
      },
    ]);
    expect(renderExplanationText(x)).toContain(`default deny of CiliumNetworkPolicy default/rule1 spec at ${POLICY}:`);
  });

  it('says "not enforced" on both sides of a flow no policy selects', async () => {
    const x = await explain(EXAMPLE_REPO, { from: 'tiefighter', to: 'xwing' });
    expect(x.allowed).toBe(true);
    expect([x.paths[0]!.egress.reason, x.paths[0]!.ingress!.reason]).toEqual(['not-enforced', 'not-enforced']);
  });

  it('explains each backend of a ClusterIP: allowed to both for the tiefighter, dropped at both for the xwing', async () => {
    const tie = await explain(EXAMPLE_REPO, { from: 'tiefighter', to: '10.96.0.10' });
    expect(tie.service).toMatchObject({ name: 'default/deathstar', type: 'ClusterIP' });
    expect(tie.paths.map((p) => [p.endpoint, p.allowed])).toEqual([
      ['default/deathstar-1', true],
      ['default/deathstar-2', true],
    ]);
    expect(tie.paths.map((p) => p.ingress!.node)).toEqual(['node-1', 'node-2']);
    const xwing = await explain(EXAMPLE_REPO, { from: 'xwing', to: '10.96.0.10' });
    expect(xwing.allowed).toBe(false);
    expect(xwing.paths.map((p) => p.ingress!.reason)).toEqual(['denied-default', 'denied-default']);
  });

  it('has only the egress side for an address outside the cluster’s endpoints', async () => {
    const x = await explain(EXAMPLE_REPO, { from: 'tiefighter', to: '192.0.2.1' });
    expect(x.paths[0]!.ingress).toBeNull();
    expect(x.paths[0]!.egress.peerIdentity).toBe(2);
    expect(x.allowed).toBe(true);
  });
});

describe('explain follows the datapath’s lookup', () => {
  it('lets a deny of the peer win over an allow of the same port', async () => {
    const repo = exampleCopy((dir) =>
      writeFileSync(
        join(dir, 'policies/starwars/no-tiefighter.yaml'),
        `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: no-tiefighter
spec:
  endpointSelector:
    matchLabels:
      class: deathstar
  ingressDeny:
    - fromEndpoints:
        - matchLabels:
            class: tiefighter
`,
      ),
    );
    const x = await explain(repo, { from: 'tiefighter', to: 'deathstar-1' });
    expect(x.allowed).toBe(false);
    expect(x.paths[0]!.ingress).toMatchObject({ reason: 'denied-policy', passes: false });
    expect(x.paths[0]!.ingress!.rule).toMatchObject({
      name: 'no-tiefighter',
      path: 'spec.ingressDeny[0]',
      file: 'policies/starwars/no-tiefighter.yaml',
      line: 10,
    });
  });

  it('lets a deny for any peer (the identity-0 lookup) win over an allow of the peer itself', async () => {
    const repo = exampleCopy((dir) =>
      writeFileSync(
        join(dir, 'policies/starwars/closed.yaml'),
        `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: closed
spec:
  endpointSelector:
    matchLabels:
      class: deathstar
  ingressDeny:
    - toPorts:
        - ports:
            - port: "80"
              protocol: TCP
`,
      ),
    );
    const x = await explain(repo, { from: 'tiefighter', to: 'deathstar-1' });
    expect(x.paths[0]!.ingress).toMatchObject({ reason: 'denied-policy', rule: { name: 'closed' } });
    // Another port is still decided by the peer's own allow or the default deny.
    const other = await explain(repo, { from: 'tiefighter', to: 'deathstar-1', port: 81 });
    expect(other.paths[0]!.ingress!.reason).toBe('denied-default');
  });

  it('passes a would-be drop in audit mode and says so', async () => {
    const repo = exampleCopy((dir) => {
      const file = join(dir, 'cluster.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('auditMode: false', 'auditMode: true'));
    });
    const x = await explain(repo, { from: 'xwing', to: 'deathstar-1' });
    expect(x.allowed).toBe(true);
    expect(x.paths[0]!.ingress).toMatchObject({ reason: 'denied-default', passes: true, audited: true });
  });
});

describe('explain matches ports as the trie does', () => {
  it('allows a port inside a range rule and drops the next one outside it', async () => {
    const inside = await explain(EXAMPLE_REPO, { from: 'cart', to: 'payments', port: 9099 });
    const outside = await explain(EXAMPLE_REPO, { from: 'cart', to: 'payments', port: 9100 });
    expect(inside.paths[0]!.ingress).toMatchObject({
      reason: 'allowed',
      rule: { name: 'api', path: 'specs[1].ingress[0]' },
    });
    expect(outside.paths[0]!.ingress!.reason).toBe('denied-default');
  });

  it('looks ICMP up by its type: echo request allowed by its own rule, echo reply not', async () => {
    const echo = await explain(EXAMPLE_REPO, { from: 'cart', to: 'postgres', port: 8, protocol: 'ICMP' });
    const reply = await explain(EXAMPLE_REPO, { from: 'cart', to: 'postgres', port: 0, protocol: 'ICMP' });
    expect(echo.paths[0]!.ingress).toMatchObject({ reason: 'allowed', rule: { path: 'spec.ingress[1]' } });
    expect(reply.paths[0]!.ingress!.reason).toBe('denied-default');
  });
});

describe('gitwire explain', () => {
  it('exits 0 for an allowed flow, 1 for a dropped one and 2 for an unknown endpoint', async () => {
    const [ok, dropped, unknown] = await Promise.all([
      gitwire(['explain', '--from', 'tiefighter', '--to', 'deathstar-1', '--port', '80/TCP']),
      gitwire(['explain', '--from', 'xwing', '--to', '10.96.0.10', '--port', '80/tcp', '-o', 'json']),
      gitwire(['explain', '--from', 'nobody', '--to', 'deathstar-1', '--port', '80/TCP']),
    ]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/: ALLOWED\n/);
    expect(dropped.status).toBe(1);
    expect(JSON.parse(dropped.stdout)).toMatchObject({ allowed: false, service: { name: 'default/deathstar' } });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('E_EXPLAIN_UNKNOWN_ENDPOINT');
  }, 60_000);
});
