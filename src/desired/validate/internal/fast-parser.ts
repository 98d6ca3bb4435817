import { z } from 'zod';

/** What a fast parser answers for input it does not accept; zod's own parser then gives the issues (or the output). */
export const REJECT: unique symbol = Symbol('reject');

/** The parsed value, built as zod builds it, or REJECT. */
export type FastParse = (value: unknown) => unknown;

/** The parts of zod's schema definitions the fast parser reads. */
interface Def {
  readonly type: string;
  readonly checks?: readonly { readonly _zod: { readonly def: CheckDef } }[];
  readonly coerce?: boolean;
  readonly format?: string;
  readonly check?: string;
  readonly pattern?: RegExp;
  readonly shape?: Record<string, z.ZodType>;
  readonly catchall?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly inclusive?: boolean;
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly mode?: string;
  readonly partial?: boolean;
  readonly values?: readonly unknown[];
  readonly defaultValue?: unknown;
}

interface CheckDef {
  readonly check: string;
  readonly when?: unknown;
  readonly format?: string;
  readonly pattern?: RegExp;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly value?: unknown;
  readonly inclusive?: boolean;
  readonly fn?: (value: unknown) => unknown;
}

class Unsupported extends Error {}

const defOf = (schema: z.ZodType): Def => schema._zod.def as unknown as Def;
const { codePointLength, isPlainObject } = z.util;

/**
 * A parser for a zod schema made of closures, one per schema node, that
 * accepts exactly what zod accepts and builds the same output (keys in the
 * same order), without zod's per-field payloads and issue arrays and without
 * z.compile's code generation, which costs 5-70 ms per kind before its first
 * document. Its closures are shared by every schema node of a kind, so they
 * are compiled early in a one-shot process (generated code per schema was
 * slower here). It only ever says yes with zod's answer or REJECT: whatever
 * it rejects, including what it is unsure of (a `__proto__` key, a record
 * key zod would try as a number), goes to zod. Null when the schema uses a
 * construct it does not model (a transform, a custom `when`).
 */
export function fastParser(schema: z.ZodType): FastParse | null {
  try {
    return build(schema);
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}

/** Parsers by schema node: the two policy kinds share their rules' schemas, and build them once. */
const built = new WeakMap<z.ZodType, FastParse>();

function build(schema: z.ZodType): FastParse {
  let parse = built.get(schema);
  if (!parse) built.set(schema, (parse = buildNode(schema)));
  return parse;
}

function buildNode(schema: z.ZodType): FastParse {
  const def = defOf(schema);
  if (def.coerce) throw new Unsupported('coercion');
  const checkDefs = (def.checks ?? []).map((c) => c._zod.def);
  if (def.type === 'number') return numberParser(def, checkDefs);
  const own = typeChecker(schema, def);
  const checks = checkDefs.map((c) => valueCheck(def.type, c));
  if (checks.length === 0) return own;
  return (v) => {
    const out = own(v);
    if (out === REJECT) return REJECT;
    for (const check of checks) if (!check(out)) return REJECT;
    return out;
  };
}

function typeChecker(schema: z.ZodType, def: Def): FastParse {
  switch (def.type) {
    case 'string':
      return stringParser(def);
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? v : REJECT);
    case 'unknown':
    case 'any':
      return (v) => v;
    case 'enum': {
      const values = schema._zod.values;
      if (!values) throw new Unsupported('enum without values');
      return (v) => (values.has(v as never) ? v : REJECT);
    }
    case 'literal': {
      const values = new Set(def.values);
      return (v) => (values.has(v) ? v : REJECT);
    }
    case 'optional': {
      const inner = def.innerType!;
      if (inner._zod.optin === 'defaulted' || schema._zod.traits.has('$ZodExactOptional'))
        throw new Unsupported('optional default');
      const parse = build(inner);
      return (v) => (v === undefined ? undefined : parse(v));
    }
    case 'nullable': {
      const parse = build(def.innerType!);
      return (v) => (v === null ? null : parse(v));
    }
    case 'default':
      return defaultParser(def);
    case 'prefault': {
      const parse = build(def.innerType!);
      return (v) => parse(v === undefined ? def.defaultValue : v);
    }
    case 'array':
      return arrayParser(def);
    case 'object':
      return objectParser(def);
    case 'record':
      return recordParser(def);
    case 'union':
      return unionParser(def);
    default:
      throw new Unsupported(def.type);
  }
}

function stringParser(def: Def): FastParse {
  if (def.format === undefined) return (v) => (typeof v === 'string' ? v : REJECT);
  // Formats that are their pattern and nothing more; others (ipv6, url...) validate beyond it.
  if (!['ipv4', 'cidrv4', 'regex'].includes(def.format) || !def.pattern) throw new Unsupported(def.format);
  const pattern = def.pattern;
  return (v) => {
    if (typeof v !== 'string') return REJECT;
    pattern.lastIndex = 0;
    return pattern.test(v) ? v : REJECT;
  };
}

/** A number and its checks (int, min, max) in one closure: a port is parsed 100,000 times in a large cluster. */
function numberParser(def: Def, checks: readonly CheckDef[]): FastParse {
  let safe = def.check === 'number_format' && def.format === 'safeint';
  if (def.check !== undefined && !safe) throw new Unsupported(`number ${def.format}`);
  let min = -Infinity;
  let max = Infinity;
  let minIncluded = true;
  let maxIncluded = true;
  for (const c of checks) {
    const bound = c.value;
    if (c.when !== undefined) throw new Unsupported(`check ${c.check} with "when"`);
    if (c.check === 'number_format' && c.format === 'safeint') safe = true;
    else if (c.check === 'greater_than' && typeof bound === 'number' && !Number.isNaN(bound)) {
      if (bound > min || (bound === min && !c.inclusive)) [min, minIncluded] = [bound, !!c.inclusive];
    } else if (c.check === 'less_than' && typeof bound === 'number' && !Number.isNaN(bound)) {
      if (bound < max || (bound === max && !c.inclusive)) [max, maxIncluded] = [bound, !!c.inclusive];
    } else throw new Unsupported(`number check ${c.check}`);
  }
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (safe && !Number.isSafeInteger(v))) return REJECT;
    if (minIncluded ? v < min : v <= min) return REJECT;
    return (maxIncluded ? v > max : v >= max) ? REJECT : v;
  };
}

/** A check zod runs on a value its type accepted. */
function valueCheck(type: string, c: CheckDef): (v: unknown) => boolean {
  const length = c.check === 'min_length' || c.check === 'max_length';
  if (c.when !== undefined && !length) throw new Unsupported(`check ${c.check} with "when"`);
  if (length) {
    if (type !== 'string' && type !== 'array') throw new Unsupported(`length of ${type}`);
    const min = c.check === 'min_length' ? c.minimum! : 0;
    const max = c.check === 'max_length' ? c.maximum! : Infinity;
    return (v) => {
      const n = (v as string | unknown[]).length;
      if (typeof v !== 'string') return n >= min && n <= max;
      // zod counts a string's code points, between half its length and all of it: only a length in between needs counting.
      if (n >= 2 * min && n <= max) return true;
      if (n < min || n > 2 * max) return false;
      const points = codePointLength(v);
      return points >= min && points <= max;
    };
  }
  switch (c.check) {
    case 'string_format': {
      if (c.format !== 'regex' || !c.pattern) throw new Unsupported(`format ${c.format}`);
      const pattern = c.pattern;
      return (v) => {
        pattern.lastIndex = 0;
        return pattern.test(v as string);
      };
    }
    case 'custom': {
      const fn = c.fn;
      if (!fn) throw new Unsupported('custom check without a predicate');
      return (v) => {
        const ok = fn(v);
        // zod throws for an async refinement in a synchronous parse: let it.
        return !(ok instanceof Promise) && !!ok;
      };
    }
    default:
      throw new Unsupported(`check ${c.check}`);
  }
}

function defaultParser(def: Def): FastParse {
  const parse = build(def.innerType!);
  // zod's getter gives a fresh copy each time: a default array is not shared between documents.
  return (v) => {
    if (v === undefined) return def.defaultValue;
    const out = parse(v);
    return out === undefined ? def.defaultValue : out;
  };
}

function arrayParser(def: Def): FastParse {
  const element = build(def.element!);
  return (v) => {
    if (!Array.isArray(v)) return REJECT;
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const e = element(v[i]);
      if (e === REJECT) return REJECT;
      out[i] = e;
    }
    return out;
  };
}

/** How an object's output gets a key: always, when the input has it, or when either the input has it or the value is defined. */
type Keep = 'always' | 'present' | 'presentOrDefined';

interface Field {
  readonly key: string;
  readonly parse: FastParse;
  readonly keep: Keep;
  /** A required field whose schema would accept the undefined an absent key reads as. */
  readonly mustExist: boolean;
}

function objectParser(def: Def): FastParse {
  const shape = def.shape!;
  if (Object.getOwnPropertySymbols(shape).length > 0) throw new Unsupported('symbol keys');
  const keys = Object.keys(shape);
  if (keys.includes('__proto__')) throw new Unsupported('__proto__ key');
  const fields: Field[] = keys.map((key) => {
    const s = shape[key]!;
    const { optin, optout } = s._zod;
    const keep: Keep =
      optin === 'optional' && optout === 'optional'
        ? 'present'
        : (optin !== 'defaulted' || optout === 'optional') && mayBeUndefined(s)
          ? 'presentOrDefined'
          : 'always';
    return { key, parse: build(s), keep, mustExist: optin === undefined && acceptsUndefined(s) };
  });
  const known = new Set(keys);
  const catchall = def.catchall && defOf(def.catchall);
  if (catchall && catchall.type !== 'never' && !(catchall.type === 'unknown' && !catchall.checks?.length))
    throw new Unsupported(`catchall ${catchall.type}`);
  const strict = catchall?.type === 'never';
  const loose = catchall?.type === 'unknown';
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return REJECT;
    const input = v as Record<string, unknown>;
    if (strict) for (const k in input) if (!known.has(k)) return REJECT;
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const raw = input[f.key];
      if (raw === undefined && f.keep === 'present' && !(f.key in input)) continue;
      if (f.mustExist && !(f.key in input)) return REJECT;
      const parsed = f.parse(raw);
      if (parsed === REJECT) return REJECT;
      if (f.keep === 'always' || parsed !== undefined || f.key in input) out[f.key] = parsed;
    }
    if (loose)
      for (const k in input) {
        if (k !== '__proto__' && !known.has(k)) out[k] = input[k];
      }
    return out;
  };
}

/** Whether zod's output for the schema can be undefined (then an absent key stays absent). */
function mayBeUndefined(s: z.ZodType): boolean {
  return undefinedPasses(s, 'output');
}

/** Whether the schema accepts undefined, so an absent required key needs its own test. */
function acceptsUndefined(s: z.ZodType): boolean {
  return undefinedPasses(s, 'input');
}

/** Whether undefined can come out of the schema (`output`) or get through it (`input`, an optional's own undefined aside). */
function undefinedPasses(s: z.ZodType, side: 'input' | 'output'): boolean {
  const def = defOf(s);
  switch (def.type) {
    case 'optional':
      return side === 'output' || undefinedPasses(def.innerType!, side);
    case 'nullable':
      return undefinedPasses(def.innerType!, side);
    case 'union':
      return def.options!.some((o) => undefinedPasses(o, side));
    case 'literal':
      return def.values!.includes(undefined);
    case 'enum':
      return s._zod.values?.has(undefined as never) ?? true;
    case 'string':
    case 'number':
    case 'boolean':
    case 'object':
    case 'array':
    case 'record':
      return false;
    default:
      return true;
  }
}

function recordParser(def: Def): FastParse {
  if (def.keyType!._zod.values || def.partial || def.mode === 'loose') throw new Unsupported('record kind');
  const key = build(def.keyType!);
  const value = build(def.valueType!);
  return (v) => {
    if (!isPlainObject(v) || Object.getOwnPropertySymbols(v).length > 0) return REJECT;
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(input)) {
      // zod leaves `__proto__` out and tries a numeric key again as a number; both go to zod.
      if (k === '__proto__' || key(k) !== k) return REJECT;
      const parsed = value(input[k]);
      if (parsed === REJECT) return REJECT;
      out[k] = parsed;
    }
    return out;
  };
}

function unionParser(def: Def): FastParse {
  if (def.discriminator !== undefined || def.inclusive === false) throw new Unsupported('union kind');
  const options = def.options!.map(build);
  return (v) => {
    for (const option of options) {
      const out = option(v);
      if (out !== REJECT) return out;
    }
    return REJECT;
  };
}
