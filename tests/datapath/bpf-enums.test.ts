import { describe, expect, it } from 'vitest';
import { C_ENUMS } from '../../src/datapath/maps/index.js';
import { bpfObject, btfEnum, readBtf } from './btf.js';

// Every C constant that crosses the boundary is an enum, so the compiled
// object's BTF carries its values; every TypeScript mirror must equal them.
const btf = readBtf(bpfObject('endpoint.bpf.o'));

describe('TypeScript enum mirrors equal the C enums in the compiled object', () => {
  it.each(C_ENUMS.map((e) => [e.cName, e] as const))('enum %s: same members, same values', (name, mirror) => {
    const c = btfEnum(btf, name);
    expect(c, `enum ${name} in BTF`).toBeDefined();
    const mirrored = Object.fromEntries(Object.entries(mirror.values).map(([n, v]) => [mirror.constants[n], v]));
    expect(mirrored).toEqual(Object.fromEntries(c!));
  });

  it('names every gw_ enum in the object, so none is left unchecked', () => {
    const inBtf = btf.filter((t) => t.kind.startsWith('ENUM') && t.name?.startsWith('gw_')).map((t) => t.name);
    expect(C_ENUMS.map((e) => e.cName).sort()).toEqual([...inBtf].sort());
  });
});
