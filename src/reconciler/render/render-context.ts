import type { DesiredState, RuleRef } from '../../desired/desired-state.js';
import { LOCAL_IDENTITY_FLAG, MIN_GLOBAL_IDENTITY, RESERVED_IDENTITIES } from '../../desired/identity/index.js';

/** An identity carried by more endpoints than this is named by the first few and a count. */
const NAMED_CARRIERS = 3;

/**
 * What a plan's entries refer to by number, named: the kernel keys policy by
 * endpoint id, peer identity and rule id, which mean nothing to a reviewer.
 */
export interface RenderContext {
  /**
   * Who carries an identity: its endpoints (`ns/name`), a reserved name
   * (`world`, `host`) or a CIDR; else its labels (these, or the states'), else `identity N`.
   */
  identity(id: number, labels?: readonly string[]): string;
  /** A local endpoint's `ns/name`. */
  endpoint(id: number): string;
  /** The policy rule behind a rule id, when one of the states declared it. */
  rule(id: number): RuleRef | undefined;
}

const RESERVED_BY_ID = new Map<number, string>(Object.entries(RESERVED_IDENTITIES).map(([n, id]) => [id, n]));

/**
 * The names the desired states a plan came from give to their numbers. The
 * first state that names a thing wins, so pass the target revision first.
 * Without states, numbers are named by what they are (`identity 300`).
 */
export function renderContext(states: readonly (DesiredState | null | undefined)[] = []): RenderContext {
  const endpoints = new Map<number, string>();
  const carriers = new Map<number, Set<string>>();
  const identityLabels = new Map<number, readonly string[]>();
  const rules = new Map<number, RuleRef>();
  const carry = (identity: number, name: string) =>
    carriers.set(identity, (carriers.get(identity) ?? new Set()).add(name));
  // Both sides of a plan often hold the very same identity and ipcache lists (a compile cache hands them
  // out): a list read once names nothing new the second time.
  const read = new Set<readonly unknown[]>();
  const unread = (list: readonly unknown[]): boolean => {
    if (read.has(list)) return false;
    read.add(list);
    return true;
  };
  for (const s of states) {
    if (!s) continue;
    for (const { value: e } of s.resources.endpoint) {
      const name = `${e.namespace}/${e.name}`;
      if (!endpoints.has(e.id)) endpoints.set(e.id, name);
      carry(e.identity, name);
    }
    if (unread(s.resources.identity)) {
      for (const i of s.resources.identity)
        if (!identityLabels.has(i.value.id)) identityLabels.set(i.value.id, i.value.labels);
    }
    // Remote endpoints are known only through the ipcache, labelled with their `ns/name` by compile.
    const ipcache = s.resources.ipcache;
    if (unread(ipcache)) {
      // Indexed: a for-of over thousands of entries costs a result object per step while the code is cold.
      for (let i = 0; i < ipcache.length; i++) {
        const c = ipcache[i]!;
        if (c.label && isGlobal(c.value.identity)) carry(c.value.identity, c.label);
      }
    }
    for (const r of s.rules) if (!rules.has(r.id)) rules.set(r.id, r);
  }
  // A plan names the same few peers on thousands of entries: name each once.
  const named = new Map<number, string>();
  const identity = (id: number): string => {
    let name = named.get(id);
    if (name === undefined) named.set(id, (name = identityName(id, carriers.get(id), identityLabels.get(id))));
    return name;
  };
  return {
    identity: (id, labels) => (labels ? identityName(id, carriers.get(id), labels) : identity(id)),
    endpoint: (id) => endpoints.get(id) ?? `endpoint ${id}`,
    rule: (id) => rules.get(id),
  };
}

function identityName(id: number, carriers: Set<string> | undefined, labels: readonly string[] | undefined): string {
  if (id === 0) return 'any peer';
  const reserved = RESERVED_BY_ID.get(id);
  if (reserved) return reserved;
  const cidr = labels?.find((l) => l.startsWith('cidr:'));
  if (cidr) return cidr.slice('cidr:'.length);
  if (!carriers || carriers.size === 0) return labels?.length ? labels.join(',') : `identity ${id}`;
  const names = [...carriers].sort();
  if (names.length === 1) return names[0]!;
  const shown = names.slice(0, NAMED_CARRIERS).join(', ');
  const more = names.length - NAMED_CARRIERS;
  return `{${shown}${more > 0 ? ` +${more} more` : ''}}`;
}

/** Reserved and CIDR identities are named by what they are; only workload identities by their endpoints. */
function isGlobal(id: number): boolean {
  return id >= MIN_GLOBAL_IDENTITY && (id & LOCAL_IDENTITY_FLAG) === 0;
}
