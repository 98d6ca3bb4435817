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
  proxyKeyCodec,
  proxyValueCodec,
  type StructLayout,
} from '../../src/datapath/maps/index.js';
import { bpfObject, readBtf } from './btf.js';

// Reads the compiled object's BTF and holds every codec to the C struct it mirrors.
const btf = readBtf(bpfObject('endpoint.bpf.o'));

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
