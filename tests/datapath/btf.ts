import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The BTF of a compiled object (built by `make -C bpf`, run by setup.sh), as bpftool dumps it.

export interface BtfType {
  kind: string;
  name?: string;
  size?: number;
  members?: Array<{ name: string; bits_offset: number }>;
  /** ENUM values as decimal strings: bpftool prints an unsigned 0xffffffff as a 64-bit number JSON cannot hold. */
  values?: Array<{ name: string; val: string }>;
}

export const bpfObject = (name: string) => fileURLToPath(new URL(`../../bpf/build/${name}`, import.meta.url));

export function readBtf(file: string): BtfType[] {
  const text = execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', file], { encoding: 'utf8' });
  return JSON.parse(text.replace(/"val":\s*(-?\d+)/g, '"val":"$1"')).types;
}

/** An enum's members and values, unsigned and as wide as the enum. */
export function btfEnum(btf: readonly BtfType[], name: string): Map<string, number> | undefined {
  const e = btf.find((t) => (t.kind === 'ENUM' || t.kind === 'ENUM64') && t.name === name);
  if (!e) return undefined;
  const bits = (e.size ?? 4) * 8;
  return new Map(e.values!.map((v) => [v.name, Number(BigInt.asUintN(bits, BigInt(v.val)))]));
}
