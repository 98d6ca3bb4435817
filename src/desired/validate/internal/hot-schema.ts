import { z } from 'zod';

/**
 * A schema that a repository may send thousands of documents through
 * (10,000 Services in a large cluster). After `warmup` parses it switches to
 * zod's compiled fast path (z.compile), which parses a Service about twice
 * as fast but takes a few milliseconds to build: a repository of a few
 * documents never pays for it. zod hands any input the fast path rejects to
 * its ordinary parser, so the output and the issues stay the same.
 */
export class HotSchema<T extends z.ZodType> {
  private parses = 0;
  private compiled: T | null = null;

  constructor(
    readonly schema: T,
    private readonly warmup: number,
  ) {}

  safeParse(value: unknown): z.ZodSafeParseResult<z.output<T>> {
    if (this.compiled === null && ++this.parses > this.warmup) this.compiled = z.compile(this.schema);
    return (this.compiled ?? this.schema).safeParse(value);
  }
}
