import { SourceSymlinkEscapeError } from '../errors/source-symlink-escape-error.js';
import type { RepoFile, RepoNote } from '../repo-tree.js';
import { SOURCE_IGNORE_FILE, SourceFilter } from './source-ignore.js';
import type { TreeEntryKind, TreeReader } from './tree-reader.js';

export interface WalkResult {
  readonly files: RepoFile[];
  readonly notes: RepoNote[];
}

// Same bound as the kernel's ELOOP for chains of links.
const MAX_LINK_HOPS = 40;
const READ_BATCH = 32;

/**
 * Reads the declaration files of the tree (see SourceFilter), following links
 * that stay inside it (a link to a directory shows that directory's files
 * under the link's path). Nothing else is read, so an image in docs/ or a
 * folder named in `.sourceignore` costs nothing. Files come back sorted by
 * path so the same tree always reads the same.
 */
export async function walkTree(reader: TreeReader, maxFileBytes: number): Promise<WalkResult> {
  const walk = new Walk(reader, maxFileBytes);
  await walk.dir('', '', [''], SourceFilter.root);
  walk.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: walk.files, notes: walk.notes };
}

const join = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);

class Walk {
  readonly files: RepoFile[] = [];
  readonly notes: RepoNote[] = [];

  constructor(
    private readonly reader: TreeReader,
    private readonly maxFileBytes: number,
  ) {}

  /** `real` is where the directory is, `shown` where it appears; `ancestors` are the real dirs being walked. */
  async dir(real: string, shown: string, ancestors: readonly string[], parent: SourceFilter): Promise<void> {
    const listed = await this.reader.list(real);
    const filter =
      listed.get(SOURCE_IGNORE_FILE) === 'file'
        ? parent.within(
            shown,
            new TextDecoder().decode(await this.reader.readFile(join(real, SOURCE_IGNORE_FILE), this.maxFileBytes)),
          )
        : parent;
    // Sorted, so that which error or note comes first does not depend on the file system's order.
    const entries = [...listed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    // A directory's files are read a batch at a time so the reads overlap without
    // holding thousands of descriptors; the first failure in name order is thrown.
    const files = entries
      .filter(([name, kind]) => kind === 'file' && filter.readsFile(join(shown, name)))
      .map(([name]) => name);
    for (let i = 0; i < files.length; i += READ_BATCH) {
      const batch = files.slice(i, i + READ_BATCH).map((name) => this.file(join(real, name), join(shown, name)));
      const failed = (await Promise.allSettled(batch)).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    for (const [name, kind] of entries) {
      if (kind !== 'file') await this.entry(join(real, name), join(shown, name), kind, ancestors, filter);
    }
  }

  private async file(real: string, shown: string): Promise<void> {
    const content = await this.reader.readFile(real, this.maxFileBytes);
    const blob = await this.reader.blobId?.(real);
    this.files.push(blob === undefined ? { path: shown, content } : { path: shown, content, blob });
  }

  private async entry(
    real: string,
    shown: string,
    kind: TreeEntryKind,
    ancestors: readonly string[],
    filter: SourceFilter,
  ): Promise<void> {
    switch (kind) {
      case 'file':
        return filter.readsFile(shown) ? this.file(real, shown) : undefined;
      case 'dir':
        return filter.entersDir(shown) ? this.dir(real, shown, [...ancestors, real], filter) : undefined;
      case 'submodule':
        if (filter.entersDir(shown))
          this.note(shown, 'W_SOURCE_SUBMODULE', 'submodule skipped: gitwire reads a single repository');
        return;
      case 'other':
        if (filter.readsFile(shown))
          this.note(shown, 'W_SOURCE_SPECIAL_FILE', 'skipped: not a regular file, directory or link');
        return;
      case 'link': {
        // A link shown where nothing would be read is not even resolved.
        if (!filter.readsFile(shown) && !filter.entersDir(shown)) return;
        const target = await this.resolveLink(real, shown);
        if (target === undefined) return;
        const inside = (dir: string) => dir === target.path || dir.startsWith(`${target.path}/`);
        if (target.kind === 'dir' && ancestors.some(inside)) {
          this.note(shown, 'W_SOURCE_SYMLINK_LOOP', `skipped: links to ${target.path || '.'}, which contains it`);
          return;
        }
        return this.entry(target.path, shown, target.kind, ancestors, filter);
      }
    }
  }

  /** Resolves a link one path component at a time, as the kernel does, refusing any step outside the root. */
  private async resolveLink(
    real: string,
    shown: string,
  ): Promise<{ path: string; kind: Exclude<TreeEntryKind, 'link'> } | undefined> {
    const target = await this.reader.readLink(real);
    const resolved = real.split('/').slice(0, -1);
    let pending = target.split('/');
    let kind: Exclude<TreeEntryKind, 'link'> = 'dir';
    let hops = 0;
    if (target.startsWith('/')) throw new SourceSymlinkEscapeError({ path: shown, target });
    while (pending.length > 0) {
      const part = pending.shift() as string;
      if (part === '' || part === '.') continue;
      if (kind !== 'dir') return this.dangling(shown, target);
      if (part === '..') {
        if (resolved.length === 0) throw new SourceSymlinkEscapeError({ path: shown, target });
        resolved.pop();
        continue;
      }
      const found = (await this.reader.list(resolved.join('/'))).get(part);
      if (found === undefined) return this.dangling(shown, target);
      if (found === 'link') {
        if (++hops > MAX_LINK_HOPS) {
          this.note(shown, 'W_SOURCE_SYMLINK_LOOP', `skipped: more than ${MAX_LINK_HOPS} links to follow`);
          return undefined;
        }
        const next = await this.reader.readLink([...resolved, part].join('/'));
        if (next.startsWith('/')) throw new SourceSymlinkEscapeError({ path: shown, target });
        pending = [...next.split('/'), ...pending];
        continue;
      }
      resolved.push(part);
      kind = found;
    }
    return { path: resolved.join('/'), kind };
  }

  private dangling(shown: string, target: string): undefined {
    this.note(shown, 'W_SOURCE_SYMLINK_DANGLING', `skipped: link target ${target} does not exist`);
    return undefined;
  }

  private note(path: string, code: string, message: string): void {
    this.notes.push({ path, code, message });
  }
}
