import { parseAllDocuments, stringify } from 'yaml';

// Structure-aware mutations of a configuration tree: each one parses a YAML
// file, changes one thing a hostile or careless author could change (a name,
// a port, a CIDR, a selector, a size, a type, the encoding) and writes it back.

export interface TreeFile {
  readonly path: string;
  readonly content: Uint8Array;
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const HOSTILE_NAMES = [
  'x netns 1',
  'x master br0',
  '..',
  '.',
  '',
  '-force',
  'a/b',
  'a:b',
  'UPPER',
  'a_b',
  'a..b',
  'ü',
  'a\nb',
  '#c',
  '"q"',
  "'q'",
  'a\\b',
  'n'.repeat(64),
  'n'.repeat(254),
  'a-b',
  'b-c',
  '0',
];
const PORTS: unknown[] = [-1, 0, 1, 80, 65535, 65536, 99999, 1e12, '80', 'http', '', '80-90', 'HTTP', 'a-', 1.5, null];
const CIDRS = [
  '0.0.0.0/0',
  '1.0.0.0/8',
  '1.2.3.4/32',
  '1.2.3.4/33',
  '256.0.0.1/8',
  '::/0',
  '10.0.0.0/8',
  '10.0.1.5',
  '1.2.3.4/-1',
  '',
  '192.168.0.0/16',
];
const VALUES: unknown[] = [null, 0, -1, true, 'x', [], {}, [[]], { a: { b: { c: 1 } } }, 'x'.repeat(70_000)];

type Doc = Record<string, unknown>;

/** Every (holder, key) pair of a document, for mutations that pick a spot at random. */
function spots(v: unknown, out: [Record<string | number, unknown>, string | number][] = []) {
  if (v === null || typeof v !== 'object') return out;
  const holder = v as Record<string | number, unknown>;
  for (const [k, x] of Object.entries(holder)) {
    out.push([holder, Array.isArray(v) ? Number(k) : k]);
    spots(x, out);
  }
  return out;
}

const MUTATORS: Record<string, (docs: Doc[], r: Rand) => void> = {
  name(docs, r) {
    const hits = docs
      .flatMap((d) => spots(d))
      .filter(([, k]) => ['name', 'namespace', 'node', 'device'].includes(String(k)));
    if (hits.length > 0) {
      const [h, k] = pick(r, hits);
      h[k] = pick(r, HOSTILE_NAMES);
    }
  },
  port(docs, r) {
    const hits = docs.flatMap((d) => spots(d)).filter(([, k]) => /port$/i.test(String(k)));
    if (hits.length > 0) {
      const [h, k] = pick(r, hits);
      h[k] = pick(r, PORTS);
    }
  },
  cidr(docs, r) {
    const inLists = docs.flatMap((d) => spots(d)).filter(([h]) => Array.isArray(h));
    const cidrLists = inLists.filter(([h, k]) => typeof h[k] === 'string' && /\d+\.\d+/.test(h[k] as string));
    if (cidrLists.length > 0) {
      const [h, k] = pick(r, cidrLists);
      h[k] = pick(r, CIDRS);
    } else {
      const d = pick(r, docs);
      (d['spec'] as Doc | undefined) ??= {};
      Object.assign(d['spec'] as Doc, {
        egress: [{ toCIDRSet: [{ cidr: pick(r, CIDRS), except: [pick(r, CIDRS)] }] }],
      });
    }
  },
  selector(docs, r) {
    const hits = docs.flatMap((d) => spots(d)).filter(([, k]) => /Selector$|^from|^to|matchLabels/.test(String(k)));
    if (hits.length === 0) return;
    const [h, k] = pick(r, hits);
    h[k] = pick(r, [
      {},
      { matchLabels: { [pick(r, HOSTILE_NAMES)]: pick(r, HOSTILE_NAMES) } },
      { matchExpressions: [{ key: 'app', operator: pick(r, ['In', 'Bogus', 'Exists']), values: ['a', 1] }] },
      [{}],
      [{ matchLabels: null }],
      null,
    ]);
  },
  size(docs, r) {
    const lists = docs
      .flatMap((d) => spots(d))
      .filter(([h, k]) => Array.isArray(h[k]) && (h[k] as unknown[]).length > 0);
    if (lists.length > 0) {
      const [h, k] = pick(r, lists);
      const list = h[k] as unknown[];
      h[k] = Array.from({ length: 1 + Math.floor(r() * 400) }, (_, i) => structuredClone(list[i % list.length]));
    } else {
      docs.push(...Array.from({ length: 50 }, () => structuredClone(pick(r, docs))));
    }
  },
  type(docs, r) {
    const all = docs.flatMap((d) => spots(d));
    if (all.length === 0) return;
    const [h, k] = pick(r, all);
    h[k] = structuredClone(pick(r, VALUES)); // a copy: a shared object placed twice makes a cycle
  },
  remove(docs, r) {
    const all = docs.flatMap((d) => spots(d));
    if (all.length === 0) return;
    const [h, k] = pick(r, all);
    if (Array.isArray(h)) h.splice(Number(k), 1);
    else delete h[k];
  },
  unknownKey(docs, r) {
    const objects = docs.flatMap((d) => spots(d)).filter(([h, k]) => h[k] !== null && typeof h[k] === 'object');
    if (objects.length > 0) {
      const [h, k] = pick(r, objects);
      (h[k] as Doc)[pick(r, ['bogus', 'auth', 'toFQDNs', 'spec', 'metadata'])] = 1;
    }
  },
  kind(docs, r) {
    const d = pick(r, docs);
    d['kind'] = pick(r, ['CiliumNetworkPolcy', 'Endpoint', 'Cluster', 'Node', 'Service', 'Pod', 'X', 1, null]);
    if (r() < 0.3) d['apiVersion'] = pick(r, ['cilium.io/v3', 'gitwire.io/v1', 'v1', 7]);
  },
};

const enc = new TextEncoder();

/** Encodings and YAML forms of the same documents: BOM, CRLF, flow style, UTF-16, invalid bytes, alias bombs. */
function encode(docs: Doc[], r: Rand): { how: string; bytes: Uint8Array } {
  const text = docs.map((d) => stringify(d)).join('---\n');
  const how = pick(r, [
    'plain',
    'plain',
    'plain',
    'bom',
    'crlf',
    'flow',
    'utf16',
    'badbytes',
    'aliasbomb',
    'nul',
    'tabs',
  ]);
  switch (how) {
    case 'bom':
      return { how, bytes: enc.encode('\uFEFF' + text) };
    case 'crlf':
      return { how, bytes: enc.encode(text.replace(/\n/g, '\r\n')) };
    case 'flow':
      return { how, bytes: enc.encode(docs.map((d) => stringify(d, { collectionStyle: 'flow' })).join('---\n')) };
    case 'utf16':
      return { how, bytes: new Uint8Array(Buffer.from('\uFEFF' + text, 'utf16le')) };
    case 'badbytes': {
      const b = enc.encode(text);
      b[Math.floor(r() * b.length)] = 0xff;
      return { how, bytes: b };
    }
    case 'aliasbomb': {
      const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 12; i++)
        lines.push(
          `a${i}: &a${i} [${Array(10)
            .fill(`*a${i - 1}`)
            .join(', ')}]`,
        );
      return { how, bytes: enc.encode(`${text}---\n${lines.join('\n')}\n`) };
    }
    case 'nul':
      return { how, bytes: enc.encode(text.replace(/name: /, 'name: a\u0000')) };
    case 'tabs':
      return { how, bytes: enc.encode(text.replace(/^ {2}/gm, '\t')) };
    default:
      return { how, bytes: enc.encode(text) };
  }
}

/** One mutation of one YAML file of the tree; returns the new tree and what was done. */
export function mutateTree(files: readonly TreeFile[], r: Rand): { files: TreeFile[]; what: string } {
  const yamlFiles = files.filter((f) => /\.ya?ml$/.test(f.path));
  const target = pick(r, yamlFiles);
  const docs = parseAllDocuments(new TextDecoder().decode(target.content))
    .map((d) => d.toJS({ maxAliasCount: 100 }) as unknown)
    .filter((d): d is Doc => d !== null && typeof d === 'object' && !Array.isArray(d));
  if (docs.length === 0) return { files: [...files], what: `${target.path}: nothing to mutate` };
  const names = Object.keys(MUTATORS);
  const ops = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, names));
  for (const op of ops) MUTATORS[op]!(docs, r);
  const { how, bytes } = encode(docs, r);
  const out = files.map((f) => (f === target ? { path: f.path, content: bytes } : f));
  return { files: out, what: `${target.path}: ${ops.join('+')} (${how})` };
}
