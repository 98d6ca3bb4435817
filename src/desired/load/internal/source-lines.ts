import { LineCounter, type Document } from 'yaml';
import { YamlLocator } from './yaml-locator.js';

type ComposeAll = (text: string, counter: LineCounter) => Iterator<Document.Parsed>;

/**
 * The way back from a file's documents to its lines. The syntax trees built
 * while reading are kept only until release(); a later question parses the
 * text again, as far as the document asked about, so a cache of read files
 * holds text instead of trees.
 */
export class SourceLines {
  private locators: YamlLocator[] | null = [];
  private rest: Iterator<Document.Parsed> | null = null;
  private counter: LineCounter | null = null;

  constructor(
    private readonly text: string,
    private readonly compose: ComposeAll,
  ) {}

  /** Registers the next document of the first reading. */
  add(doc: Document.Parsed, counter: LineCounter): YamlLocator {
    const locator = new YamlLocator(doc, counter);
    this.locators?.push(locator);
    return locator;
  }

  locator(index: number): YamlLocator {
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
