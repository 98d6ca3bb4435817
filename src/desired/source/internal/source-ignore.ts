import ignoreModule, { type Ignore } from 'ignore';

/** The ignore file Flux's source-controller reads; gitignore syntax, anchored at the directory holding it. */
export const SOURCE_IGNORE_FILE = '.sourceignore';

/** The extensions the loader reads (YAML) or looks at (JSON); nothing else is ever read from a repository. */
// A CommonJS module whose types declare an ES default: under NodeNext the factory sits on `.default`.
const ignore = ignoreModule.default;

const DECLARATION = /\.(ya?ml|json)$/i;

/** One `.sourceignore` and the directory (as shown) its patterns are relative to. */
interface Scope {
  readonly base: string;
  readonly rules: Ignore;
}

/**
 * What the walker reads: declaration files only, outside hidden folders and
 * `node_modules` (which the loader skips anyway), and not excluded by a
 * `.sourceignore` in the folder or any folder above it.
 */
export class SourceFilter {
  private constructor(private readonly scopes: readonly Scope[]) {}

  static readonly root = new SourceFilter([]);

  /** The filter for the folder `base`, adding the patterns of its own ignore file. */
  within(base: string, ignoreFile: string): SourceFilter {
    return new SourceFilter([...this.scopes, { base, rules: ignore().add(ignoreFile) }]);
  }

  /** Whether the file at `path` (as shown) is a declaration to read. */
  readsFile(path: string): boolean {
    const name = path.slice(path.lastIndexOf('/') + 1);
    return DECLARATION.test(name) && !skippedName(name) && !this.ignored(path, false);
  }

  /** Whether to walk into the folder at `path`. */
  entersDir(path: string): boolean {
    return !skippedName(path.slice(path.lastIndexOf('/') + 1)) && !this.ignored(path, true);
  }

  private ignored(path: string, dir: boolean): boolean {
    return this.scopes.some(({ base, rules }) => {
      const rel = base === '' ? path : path.startsWith(`${base}/`) ? path.slice(base.length + 1) : undefined;
      return rel !== undefined && rules.ignores(dir ? `${rel}/` : rel);
    });
  }
}

const skippedName = (name: string) => name.startsWith('.') || name === 'node_modules';
