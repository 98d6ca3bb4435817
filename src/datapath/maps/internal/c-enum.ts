/**
 * A TypeScript mirror of a C enum in bpf/include/abi/: the enum's name, and per
 * member the value and the C constant it mirrors (the prefix plus the member's
 * name in upper snake case). tests/datapath/bpf-enums.test.ts holds every
 * mirror to the enum's values in the compiled object's BTF.
 */
export interface CEnum<N extends string> {
  readonly cName: string;
  readonly values: Readonly<Record<N, number>>;
  /** TypeScript member -> C constant. */
  readonly constants: Readonly<Record<N, string>>;
  code(name: N): number;
  /** The member with this value, or null for a value the mirror does not know. */
  name(code: number): N | null;
}

/** `not-enforced` -> `NOT_ENFORCED`, `ClusterIP` -> `CLUSTER_IP`. */
const constantName = (name: string) =>
  name
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toUpperCase();

export function cEnum<N extends string>(cName: string, prefix: string, values: Record<N, number>): CEnum<N> {
  const names = Object.keys(values) as N[];
  const byCode = new Map(names.map((n) => [values[n], n] as const));
  const constants = Object.fromEntries(names.map((n) => [n, prefix + constantName(n)])) as Record<N, string>;
  return {
    cName,
    values,
    constants,
    code: (name) => values[name],
    name: (code) => byCode.get(code) ?? null,
  };
}
