import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fastParser, REJECT } from '../../../src/desired/validate/internal/fast-parser.js';
import { HotSchema } from '../../../src/desired/validate/internal/hot-schema.js';
import { ciliumClusterwideNetworkPolicy, ciliumNetworkPolicy } from '../../../src/desired/schema/cilium-policy.js';
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

const selector = { matchLabels: { app: 'web', 'k8s:io.kubernetes.pod.namespace': 'ns' } };
const fullSelector = {
  matchLabels: { 'k8s.io/tier': 'x' },
  matchExpressions: [
    { key: 'env', operator: 'In', values: ['a', 'b'] },
    { key: 'x', operator: 'Exists' },
  ],
};
const portRule = {
  ports: [
    { port: '80', protocol: 'TCP' },
    { port: 9000, endPort: 9010 },
  ],
  rules: {
    http: [
      {
        method: 'GET',
        path: '/',
        host: 'h',
        headers: ['X: y'],
        headerMatches: [{ name: 'n', value: 'v', mismatch: 'LOG', secret: { name: 's', namespace: 'ns' } }],
      },
    ],
  },
  serverNames: ['a.example'],
  terminatingTLS: { secret: { name: 't' } },
};
const rule = {
  endpointSelector: fullSelector,
  ingress: [
    { fromEndpoints: [selector, {}], toPorts: [portRule], authentication: { mode: 'required' } },
    {
      fromCIDR: ['10.0.0.0/8'],
      fromCIDRSet: [
        { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] },
        { cidrGroupRef: 'g', cidrGroupSelector: selector },
      ],
    },
    {
      fromEntities: ['world', 'cluster'],
      fromNodes: [selector],
      fromGroups: [{ aws: {} }],
      fromRequires: [],
      icmps: [{ fields: [{ family: 'IPv4', type: 8 }, { type: 'EchoRequest' }] }],
    },
  ],
  ingressDeny: [{ fromEndpoints: [selector], toPorts: [{ ports: [{ port: '22' }] }] }],
  egress: [
    {
      toEndpoints: [selector],
      toPorts: [
        {
          ports: [{ port: '53', protocol: 'UDP' }],
          rules: { dns: [{ matchName: 'a.example' }, { matchPattern: '*.example' }] },
        },
      ],
    },
    {
      toServices: [
        { k8sService: { serviceName: 's', namespace: 'ns' } },
        { k8sServiceSelector: { selector, namespace: 'ns' } },
      ],
    },
    {
      toFQDNs: [{ matchName: 'b.example' }],
      toCIDR: ['192.0.2.0/24'],
      toPorts: [{ ports: [{ port: '9092' }], rules: { kafka: [{ topic: 't' }] } }],
    },
    {
      toEntities: ['all'],
      toPorts: [{ ports: [{ port: '80' }], rules: { l7proto: 'p', l7: [{ k: 'v' }] }, listener: { name: 'l' } }],
    },
  ],
  egressDeny: [{ toCIDRSet: [{ cidr: '0.0.0.0/0' }], toRequires: null }],
  enableDefaultDeny: { ingress: true, egress: false },
  labels: [{ key: 'k', value: 'v', source: 'unspec', extra: 1 }],
  description: 'd',
  log: { value: 'x' },
};
const policyMeta = { name: 'p', namespace: 'ns', annotations: { a: 'b' }, uid: 'u' };
const POLICIES: [string, z.ZodType, Record<string, unknown>][] = [
  [
    'CiliumNetworkPolicy',
    ciliumNetworkPolicy,
    { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: policyMeta, spec: rule, status: { x: 1 } },
  ],
  [
    'CiliumClusterwideNetworkPolicy',
    ciliumClusterwideNetworkPolicy,
    {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'c' },
      description: 'top',
      specs: [
        { nodeSelector: selector, ingress: [{ fromEntities: ['health'] }] },
        { endpointSelector: {}, egress: [{}] },
      ],
    },
  ],
];

/** A copy with every mapping's keys in reverse order: zod's output has them in the schema's order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversed(v)]),
  );
}

/**
 * The document itself and with its keys reversed, then for every field: left out, null, a word, a
 * negative, a fraction, an unknown key beside it, a long string, one with a surrogate pair, 0, a large number.
 */
function variants(doc: unknown): unknown[] {
  const out: unknown[] = [doc, reversed(doc)];
  const visit = (path: (string | number)[]) => {
    const at = (root: unknown) => path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], root);
    const last = path.at(-1)!;
    for (const change of [undefined, null, 'x y', -1, 1.5, 'extra', 'a'.repeat(300), 'ab\u{1F600}', 0, 70_000]) {
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

describe('HotSchema: a fast parser in front of zod, same output and issues', () => {
  it.each([...DOCUMENTS, ...POLICIES])(
    '%s: every variant parses as the plain schema parses it',
    (_kind, schema, doc) => {
      const hot = new HotSchema(schema, 0);
      const docs = variants(doc);
      const results = docs.map((d) => outcome(hot.safeParse(d)));
      expect(results).toEqual(docs.map((d) => outcome(schema.safeParse(d))));
      // Both outcomes are exercised: the document and variants that keep it valid, and variants that break it.
      expect(results.filter((r) => 'ok' in r).length).toBeGreaterThan(1);
      expect(results.filter((r) => 'issues' in r).length).toBeGreaterThan(10);
      // The outputs compared are the fast parser's, not zod's: it accepts every variant zod accepts.
      const fast = fastParser(schema);
      expect(fast).not.toBeNull();
      expect(docs.filter((d) => fast!(d) !== REJECT).length).toBe(results.filter((r) => 'ok' in r).length);
    },
  );

  it('a default is a fresh value for each document, as zod gives it', () => {
    const hot = new HotSchema(serviceDocument, 0);
    const doc = {
      apiVersion: 'gitwire.io/v1alpha1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80 }] },
    };
    const [a, b] = [hot.safeParse(doc), hot.safeParse(doc)].map((r) => r.data as { spec: { backends: unknown[] } });
    expect(a!.spec.backends).toEqual([]);
    expect(a!.spec.backends).not.toBe(b!.spec.backends);
  });

  it('a construct the fast parser does not model leaves the schema to zod', () => {
    expect(fastParser(z.string().transform((s) => s.length))).toBeNull();
    expect(fastParser(z.strictObject({ a: z.string().refine(() => true, { when: () => true }) }))).toBeNull();
  });

  it('a Service past the first hundreds reports its errors at the same file, line and field path', () => {
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
