import type { z } from 'zod';
import { fastParser, REJECT, type FastParse } from './fast-parser.js';

/**
 * A schema that a repository may send thousands of documents through
 * (10,000 Services, 2,000 policies in a large cluster): documents go through
 * its fast parser first, and to zod only when that rejects them, so the
 * output and the issues stay zod's. The fast parser is built at the first
 * parse, so a command that reads no document of the kind never builds it.
 */
export class HotSchema<T extends z.ZodType> {
  private fast: FastParse | null | undefined;

  constructor(readonly schema: T) {}

  safeParse(value: unknown): z.ZodSafeParseResult<z.output<T>> {
    if (this.fast === undefined) this.fast = fastParser(this.schema);
    const out = this.fast === null ? REJECT : this.fast(value);
    return out === REJECT ? this.schema.safeParse(value) : { success: true, data: out as z.output<T> };
  }
}
