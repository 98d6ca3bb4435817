import { SourceCorruptObjectError } from '../errors/source-corrupt-object-error.js';
import type { TreeEntryKind, TreeReader } from './tree-reader.js';
import type { VerifiedObjects } from './verified-objects.js';

interface GitEntry {
  readonly kind: TreeEntryKind;
  readonly oid: string;
}

const KIND_BY_MODE: Record<string, TreeEntryKind> = {
  '40000': 'dir',
  '100644': 'file',
  '100755': 'file',
  '120000': 'link',
  '160000': 'submodule',
};

/** A tree of a configuration repository is small; one this big is refused before it is inflated. */
export const MAX_TREE_BYTES = 16 * 1024 * 1024;
// A link target is a path.
const MAX_LINK_BYTES = 4096;

/**
 * Reads the tree `rootTree` straight from the object database: trees and
 * blobs by oid, each size-checked from its header and hash-verified.
 */
export function gitTreeReader(objects: VerifiedObjects, rootTree: string): TreeReader {
  const dirs = new Map<string, Promise<Map<string, GitEntry>>>();

  const listEntries = (dir: string): Promise<Map<string, GitEntry>> => {
    let listed = dirs.get(dir);
    if (listed === undefined) {
      listed = treeOid(dir).then(async (oid) =>
        parseTree(objects, oid, await objects.read(oid, 'tree', MAX_TREE_BYTES, dir || '.')),
      );
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

  return {
    list: async (dir) => new Map([...(await listEntries(dir))].map(([name, e]) => [name, e.kind])),
    readFile: async (path, maxBytes) => objects.read((await entry(path)).oid, 'blob', maxBytes, path),
    blobId: async (path) => (await entry(path)).oid,
    readLink: async (path) =>
      new TextDecoder().decode(await objects.read((await entry(path)).oid, 'blob', MAX_LINK_BYTES, path)),
  };
}

/** A tree object: entries of `<mode> <name>\0<20-byte id>`. */
function parseTree(objects: VerifiedObjects, oid: string, body: Uint8Array): Map<string, GitEntry> {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const out = new Map<string, GitEntry>();
  let at = 0;
  while (at < buf.length) {
    const space = buf.indexOf(0x20, at);
    const nul = buf.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 21 > buf.length) {
      throw new SourceCorruptObjectError({ gitdir: objects.gitdir, oid, detail: 'malformed tree' });
    }
    const mode = buf.toString('latin1', at, space);
    const name = buf.toString('utf8', space + 1, nul);
    out.set(name, { kind: KIND_BY_MODE[mode] ?? 'other', oid: buf.toString('hex', nul + 1, nul + 21) });
    at = nul + 21;
  }
  return out;
}
