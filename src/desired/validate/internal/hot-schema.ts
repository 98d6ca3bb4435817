import type { z } from 'zod';
import { fastParser, REJECT, type FastParse } from './fast-parser.js';

/** Documents of a kind zod parses before the fast parser is built: about what a small repository has of a kind. */
export const WARMUP = 10;

/**
 * A schema that a repository may send thousands of documents through
 * (10,000 Services, 2,000 policies in a large cluster): past `warmup`
 * documents they go through its fast parser first, and to zod only when
 * that rejects them, so the output and the issues stay zod's. Building the
 * fast parser costs up to 2 ms (a policy's schema), more than zod spends on
 * the few documents of a small repository.
 */
export class HotSchema<T extends z.ZodType> {
  private parses = 0;
  private fast: FastParse | null | undefined;

  constructor(
    readonly schema: T,
    private readonly warmup: number,
  ) {}

  safeParse(value: unknown): z.ZodSafeParseResult<z.output<T>> {
    if (this.fast === undefined && ++this.parses > this.warmup) this.fast = fastParser(this.schema);
    const out = this.fast ? this.fast(value) : REJECT;
    return out === REJECT ? this.schema.safeParse(value) : { success: true, data: out as z.output<T> };
  }
}
