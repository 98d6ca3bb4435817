import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { SourceFileTooLargeError } from '../errors/source-file-too-large-error.js';
import type { TreeEntryKind, TreeReader } from './tree-reader.js';

interface GitEntry {
  readonly kind: TreeEntryKind;
  readonly oid: string;
}

const KIND_BY_MODE: Record<string, TreeEntryKind> = {
  '040000': 'dir',
  '100644': 'file',
  '100755': 'file',
  '120000': 'link',
  '160000': 'submodule',
};

/**
 * Reads the tree `rootTree` straight from the object database at `gitdir`:
 * trees and blobs by oid, never `readBlob({filepath})`, which walks from the root per file.
 */
export function gitTreeReader(gitdir: string, rootTree: string, cache: object): TreeReader {
  const dirs = new Map<string, Promise<Map<string, GitEntry>>>();

  const listEntries = (dir: string): Promise<Map<string, GitEntry>> => {
    let listed = dirs.get(dir);
    if (listed === undefined) {
      listed = treeOid(dir).then(async (oid) => {
        const { tree } = await git.readTree({ fs, gitdir, oid, cache });
        return new Map(tree.map((e) => [e.path, { kind: KIND_BY_MODE[e.mode] ?? 'other', oid: e.oid }]));
      });
      dirs.set(dir, listed);
    }
    return listed;
  };

  const entry = async (path: string): Promise<GitEntry> => {
    const slash = path.lastIndexOf('/');
    const found = (await listEntries(slash < 0 ? '' : path.slice(0, slash))).get(path.slice(slash + 1));
    if (found === undefined) throw new Error(`git tree: no entry ${path}`);
    return found;
  };

  const treeOid = async (dir: string): Promise<string> => (dir === '' ? rootTree : (await entry(dir)).oid);

  const blob = async (path: string): Promise<Uint8Array> =>
    (await git.readBlob({ fs, gitdir, oid: (await entry(path)).oid, cache })).blob;

  return {
    list: async (dir) => new Map([...(await listEntries(dir))].map(([name, e]) => [name, e.kind])),
    readFile: async (path, maxBytes) => {
      const content = await blob(path);
      if (content.length > maxBytes) throw new SourceFileTooLargeError({ path, size: content.length, limit: maxBytes });
      return content;
    },
    readLink: async (path) => new TextDecoder().decode(await blob(path)),
  };
}
