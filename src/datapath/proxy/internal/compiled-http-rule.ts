import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderRequirement, HttpRuleSpec, L7RuleRef } from '../../../desired/compile/l7/index.js';

export interface HeaderEdit {
  readonly op: 'add' | 'delete' | 'replace';
  readonly name: string;
  readonly value: string;
}

export interface RuleMatch {
  readonly rule: L7RuleRef;
  readonly edits: readonly HeaderEdit[];
  readonly mismatches: readonly string[];
}

export interface RequestHead {
  readonly method: string;
  /** The request target as sent (path and query): Cilium matches its path regex against all of it. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** An HttpRuleSpec with its regexes built once, when rules are swapped in. */
export class CompiledHttpRule {
  private readonly method: RegExp | null;
  private readonly path: RegExp | null;
  private readonly host: RegExp | null;

  constructor(private readonly spec: HttpRuleSpec) {
    this.method = spec.method === null ? null : new RegExp(spec.method);
    this.path = spec.path === null ? null : new RegExp(spec.path);
    this.host = spec.host === null ? null : new RegExp(spec.host);
  }

  /** null: the rule does not match. Headers with a mismatch action still match, with the action to take. */
  match(head: RequestHead): RuleMatch | null {
    if (this.method && !this.method.test(head.method)) return null;
    if (this.path && !this.path.test(head.url)) return null;
    if (this.host && !this.host.test(headerText(head.headers, 'host') ?? '')) return null;
    const edits: HeaderEdit[] = [];
    const mismatches: string[] = [];
    for (const h of this.spec.headers) {
      if (headerMatches(h, head.headers)) continue;
      if (h.mismatch === null) return null;
      mismatches.push(h.name);
      const edit = mismatchEdit(h);
      if (edit) edits.push(edit);
    }
    return { rule: this.spec.ref, edits, mismatches };
  }
}

function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Node joins repeated headers with ", "; an exact value matches the whole or one of the values. */
function headerMatches(h: HeaderRequirement, headers: IncomingHttpHeaders): boolean {
  const v = headerText(headers, h.name);
  if (h.match === 'fail' || v === undefined) return false;
  if (h.match === 'present') return true;
  return v === h.value || v.split(',').some((part) => part.trim() === h.value);
}

/** ADD and REPLACE need a value to write; without one (a presence match) they only log, as LOG does. */
function mismatchEdit(h: HeaderRequirement): HeaderEdit | null {
  switch (h.mismatch) {
    case 'ADD':
      return h.match === 'exact' ? { op: 'add', name: h.name, value: h.value } : null;
    case 'REPLACE':
      return h.match === 'exact' ? { op: 'replace', name: h.name, value: h.value } : null;
    case 'DELETE':
      return { op: 'delete', name: h.name, value: '' };
    default:
      return null;
  }
}
