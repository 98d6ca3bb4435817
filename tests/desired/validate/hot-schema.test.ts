import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { HotSchema } from '../../../src/desired/validate/internal/hot-schema.js';
import {
  clusterDocument,
  endpointDocument,
  nodeDocument,
  serviceDocument,
} from '../../../src/desired/schema/gitwire-kinds.js';
import { errorsOf } from '../load/tree-of.js';

const meta = { name: 'a', namespace: 'ns', labels: { app: 'web', 'k8s.io/tier': 'x' }, annotations: { n: 'v' } };
const DOCUMENTS: [string, z.ZodType, Record<string, unknown>][] = [
  [
    'Service',
    serviceDocument,
    {
      apiVersion: 'gitwire.io/v1alpha1',
      kind: 'Service',
      metadata: meta,
      spec: {
        type: 'NodePort',
        clusterIP: '10.96.0.1',
        externalIPs: ['192.0.2.1'],
        ports: [
          { name: 'http', port: 80, targetPort: 'web', nodePort: 30080 },
          { port: 53, protocol: 'UDP' },
        ],
        selector: { app: 'web' },
        backends: [
          { address: '10.0.0.1', port: 8080 },
          { address: '10.0.0.2', state: 'terminating' },
        ],
        algorithm: 'maglev',
      },
    },
  ],
  [
    'Endpoint',
    endpointDocument,
    {
      apiVersion: 'gitwire.io/v1alpha1',
      kind: 'Endpoint',
      metadata: meta,
      spec: {
        node: 'n1',
        address: '10.0.1.5',
        mac: '0a:58:0a:00:01:05',
        serviceAccount: 'sa',
        ports: [{ name: 'http', containerPort: 80 }],
      },
    },
  ],
  [
    'Node',
    nodeDocument,
    {
      apiVersion: 'gitwire.io/v1alpha1',
      kind: 'Node',
      metadata: { name: 'n1' },
      spec: { address: '192.168.1.1', podCIDR: '10.0.1.0/24' },
    },
  ],
  [
    'Cluster',
    clusterDocument,
    {
      apiVersion: 'gitwire.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'c' },
      spec: { clusterCIDR: '10.0.0.0/16', tunnel: { protocol: 'geneve' }, loadBalancer: { maglevTableSize: 251 } },
    },
  ],
];

/** The document itself, then for every field: left out, null, a word, a negative, a fraction, an unknown key beside it. */
function variants(doc: unknown): unknown[] {
  const out: unknown[] = [doc];
  const visit = (path: (string | number)[]) => {
    const at = (root: unknown) => path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], root);
    const last = path.at(-1)!;
    for (const change of [undefined, null, 'x y', -1, 1.5, 'extra']) {
      const copy = structuredClone(doc);
      const holder = at(copy) as Record<string | number, unknown>;
      if (change === undefined) delete holder[last];
      else if (change === 'extra') holder.extra = 1;
      else holder[last] = change;
      out.push(copy);
    }
    const value = at(doc) as Record<string | number, unknown>;
    const here = value[last];
    if (here !== null && typeof here === 'object')
      for (const k of Object.keys(here)) visit([...path, Array.isArray(here) ? Number(k) : k]);
  };
  for (const k of Object.keys(doc as object)) visit([k]);
  return out;
}

/** Success, output (keys in order) and issues, comparable with toEqual. */
const outcome = (r: z.ZodSafeParseResult<unknown>) =>
  r.success ? { ok: JSON.stringify(r.data) } : { issues: r.error.issues };

describe('HotSchema: zod compiled after a warm-up, same output and issues', () => {
  it.each(DOCUMENTS)('%s: every variant parses as the plain schema parses it', (_kind, schema, doc) => {
    const compiled = new HotSchema(schema, 0);
    const docs = variants(doc);
    const results = docs.map((d) => outcome(compiled.safeParse(d)));
    expect(results).toEqual(docs.map((d) => outcome(schema.safeParse(d))));
    // Both outcomes are exercised: the document and variants that keep it valid, and variants that break it.
    expect(results.filter((r) => 'ok' in r).length).toBeGreaterThan(1);
    expect(results.filter((r) => 'issues' in r).length).toBeGreaterThan(10);
  });

  it('a Service past the warm-up reports its errors at the same file, line and field path', () => {
    const service = (i: number, address = `10.0.${i >> 8}.${i & 255}`, port = 8080) =>
      `apiVersion: gitwire.io/v1alpha1\nkind: Service\nmetadata:\n  name: s${i}\nspec:\n  ports:\n    - port: 80\n` +
      `  backends:\n    - address: 10.1.0.1\n    - address: ${address}\n      port: ${port}\n`;
    const bad = service(0, '10.0.0.300', 70000);
    const alone = errorsOf({ 'zz.yaml': bad });
    expect(alone).toEqual([
      'zz.yaml:10: spec.backends[1].address: Invalid IPv4 address',
      'zz.yaml:11: spec.backends[1].port: Too big: expected number to be <=65535',
    ]);
    const files: Record<string, string> = {};
    for (let i = 1; i <= 600; i++) files[`s${i}.yaml`] = service(i);
    files['zz.yaml'] = bad;
    expect(errorsOf(files)).toEqual(alone);
  });
});
