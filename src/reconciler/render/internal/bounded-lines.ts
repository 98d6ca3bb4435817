/**
 * Lines of a report that stop being worth writing past `max` characters, so
 * that a plan of millions of entries is not rendered whole only to be summarized.
 */
export class BoundedLines {
  readonly lines: string[] = [];
  private size = 0;
  private overflowed = false;

  constructor(readonly max: number) {}

  /** Adds the lines; false once the report is longer than `max`. */
  add(...lines: string[]): boolean {
    for (const l of lines) {
      this.lines.push(l);
      this.size += l.length + 1;
    }
    return this.room(0);
  }

  /** Whether `extra` more characters fit; a no marks the report as over its limit. */
  room(extra: number): boolean {
    if (this.size + extra > this.max) this.overflowed = true;
    return !this.overflowed;
  }

  get over(): boolean {
    return this.overflowed;
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}
