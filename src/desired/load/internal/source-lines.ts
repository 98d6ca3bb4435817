import { LineCounter, type Document } from 'yaml';
import type { FieldPath } from '../field-path.js';
import { YamlLocator } from './yaml-locator.js';

type ComposeAll = (text: string, counter: LineCounter) => Iterator<Document.Parsed>;

/** Answers "which line holds this field" for one document. */
export interface Locator {
  lineOf(path: FieldPath): number;
}

/**
 * The way back from a file's documents to its lines. What the first reading
 * built is kept only until release(); a later question parses the text again
 * with the full parser, as far as the document asked about, so a cache of
 * read files holds text instead of syntax trees.
 */
export class SourceLines {
  private locators: Locator[] | null = [];
  private rest: Iterator<Document.Parsed> | null = null;
  private counter: LineCounter | null = null;

  constructor(
    private readonly text: string,
    private readonly compose: ComposeAll,
  ) {}

  /** Registers the locator of document `index` of the first reading. */
  add(index: number, locator: Locator): void {
    if (this.locators) this.locators[index] = locator;
  }

  locator(index: number): Locator {
    if (!this.locators) {
      this.locators = [];
      this.counter = new LineCounter();
      this.rest = this.compose(this.text, this.counter);
    }
    while (this.locators.length <= index && this.rest && this.counter) {
      const next = this.rest.next();
      if (next.done) break;
      this.locators.push(new YamlLocator(next.value, this.counter));
    }
    const found = this.locators[index];
    // Only documents the first reading produced ask, and the same text yields the same documents.
    if (!found) throw new RangeError(`document ${index} is not in the file`);
    return found;
  }

  release(): void {
    this.locators = null;
    this.rest = null;
    this.counter = null;
  }
}
