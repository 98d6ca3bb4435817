import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/datapath/libbpf/index.js';
import {
  configCodec,
  counterCodec,
  ctKeyCodec,
  ctValueCodec,
  endpointKeyCodec,
  endpointValueCodec,
  eventCodec,
  ipcacheKeyCodec,
  ipcacheValueCodec,
  lbAffinityKeyCodec,
  lbAffinityValueCodec,
  lbBackendCodec,
  lbCtValueCodec,
  lbMaglevKeyCodec,
  lbRevnatCodec,
  lbSvcKeyCodec,
  lbSvcValueCodec,
  policyKeyCodec,
  policyValueCodec,
  proxyKeyCodec,
  proxyValueCodec,
  snatKeyCodec,
  snatValueCodec,
  type FieldInfo,
  type StructLayout,
} from '../../src/datapath/maps/index.js';
import { bpfObject, btfEnum, readBtf } from '../datapath/btf.js';

// The codecs against the C structs BY VALUE, through bpf/test/codec-probe.bpf.c
// run with BPF_PROG_TEST_RUN: TypeScript's encoding read by C field by field,
// and C's struct decoded by TypeScript. The sentinel rule is the probe's:
// field i's byte j is i * 16 + j + 1; an enum field holds its last member.
const OBJECT = bpfObject('test/codec-probe.bpf.o');
const PROBE_BYTES = 64;
const PROBE_SLOTS = 24;
const ZERO_KEY = Buffer.alloc(4);
const btf = readBtf(OBJECT);
let probe: BpfObject;

const codecs: StructLayout[] = [
  ipcacheKeyCodec,
  ipcacheValueCodec,
  endpointKeyCodec,
  endpointValueCodec,
  policyKeyCodec,
  policyValueCodec,
  ctKeyCodec,
  ctValueCodec,
  counterCodec,
  eventCodec,
  configCodec,
  lbSvcKeyCodec,
  lbSvcValueCodec,
  lbBackendCodec,
  lbRevnatCodec,
  lbMaglevKeyCodec,
  lbCtValueCodec,
  lbAffinityKeyCodec,
  lbAffinityValueCodec,
  proxyKeyCodec,
  proxyValueCodec,
  snatKeyCodec,
  snatValueCodec,
];

const sentinelBytes = (i: number, n: number) =>
  Buffer.from(Array.from({ length: n }, (_, j) => (i * 16 + j + 1) & 0xff));

/** Field i's sentinel as the codec's value, and the u64 slots C writes when it reads that value. */
function sentinel(f: FieldInfo, i: number): { value: unknown; slots: bigint[] } {
  const t = f.type;
  const bytes = sentinelBytes(i, t.size);
  const asSlots = (b: Buffer) => {
    const padded = Buffer.concat([b, Buffer.alloc((8 - (b.length % 8)) % 8)]);
    return Array.from({ length: padded.length / 8 }, (_, k) => padded.readBigUInt64LE(k * 8));
  };
  switch (t.kind) {
    case 'uint': {
      const n = t.size === 8 ? bytes.readBigUInt64LE() : bytes.readUIntLE(0, t.size);
      return { value: n, slots: [BigInt(n)] };
    }
    case 'ipv4': {
      const n = bytes.readUInt32LE();
      return { value: [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.'), slots: [BigInt(n)] };
    }
    case 'mac':
      return { value: Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':'), slots: asSlots(bytes) };
    case 'cstr': {
      const text = bytes.subarray(0, t.size - 1);
      return { value: text.toString('latin1'), slots: asSlots(Buffer.concat([text, Buffer.alloc(1)])) };
    }
    case 'enum': {
      const e = t.cEnum!;
      const member = Object.keys(e.values).at(-1)!;
      const cValue = btfEnum(btf, e.cName)?.get(e.constants[member]!);
      expect(cValue, `${e.constants[member]} in BTF`).toBeDefined();
      return { value: member, slots: [BigInt(cValue!)] };
    }
    default:
      throw new Error(`no sentinel for a ${t.kind} field`);
  }
}

function run(codec: StructLayout, input: Buffer): { slots: bigint[]; bytes: Buffer } {
  probe.map('probe_in').update(ZERO_KEY, Buffer.concat([input, Buffer.alloc(PROBE_BYTES - input.length)]));
  probe.map('probe_out').update(ZERO_KEY, Buffer.alloc(PROBE_SLOTS * 8 + PROBE_BYTES));
  expect(probe.program(`probe_${codec.cName}`).testRun({ data: Buffer.alloc(64) }).retval).toBe(0);
  const out = probe.map('probe_out').lookup(ZERO_KEY)!;
  const slots = Array.from({ length: PROBE_SLOTS }, (_, k) => out.readBigUInt64LE(k * 8));
  return { slots, bytes: out.subarray(PROBE_SLOTS * 8, PROBE_SLOTS * 8 + codec.size) };
}

beforeAll(() => {
  probe = BpfObject.load({ file: OBJECT });
});

afterAll(() => probe?.close());

describe('codecs agree with the C structs by value (BPF_PROG_TEST_RUN)', () => {
  it.each(codecs.map((c) => [c.cName, c] as const))('%s: C reads what TypeScript wrote, and back', (_, codec) => {
    const fields = codec.fields.filter((f) => f.type.kind !== 'pad');
    const sentinels = fields.map((f, i) => sentinel(f, i));
    const values = Object.fromEntries(fields.map((f, i) => [f.name, sentinels[i]!.value]));
    const { slots, bytes } = run(codec, codec.encodeFields(values));

    const expected = sentinels.flatMap((s) => s.slots);
    expect(slots.slice(0, expected.length)).toEqual(expected);
    expect(codec.decodeFields(bytes)).toEqual(values);
    expect(bytes.equals(codec.encodeFields(values))).toBe(true);
  });
});
