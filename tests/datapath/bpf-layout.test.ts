import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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
  policyKeyCodec,
  policyValueCodec,
  lbAffinityKeyCodec,
  lbAffinityValueCodec,
  lbBackendCodec,
  lbCtValueCodec,
  lbMaglevKeyCodec,
  lbRevnatCodec,
  lbSvcKeyCodec,
  lbSvcValueCodec,
  type StructLayout,
} from '../../src/datapath/maps/index.js';

// Reads the compiled object's BTF (built by `make -C bpf`, run by setup.sh)
// and holds every codec to the C struct it mirrors.
const OBJECT = fileURLToPath(new URL('../../bpf/build/endpoint.bpf.o', import.meta.url));

interface BtfType {
  kind: string;
  name?: string;
  size?: number;
  members?: Array<{ name: string; bits_offset: number }>;
}

const btf: BtfType[] = JSON.parse(
  execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', OBJECT], { encoding: 'utf8' }),
).types;

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
];

describe('codec layouts match the compiled C structs', () => {
  it.each(codecs.map((c) => [c.cName, c] as const))(
    '%s has the size and field offsets of its C struct',
    (name, codec) => {
      const struct = btf.find((t) => t.kind === 'STRUCT' && t.name === name);
      expect(struct, `struct ${name} in BTF`).toBeDefined();
      expect(codec.size).toBe(struct!.size);
      const offsets = Object.fromEntries(struct!.members!.map((m) => [m.name, m.bits_offset / 8]));
      expect(codec.offsets).toEqual(offsets);
    },
  );
});
