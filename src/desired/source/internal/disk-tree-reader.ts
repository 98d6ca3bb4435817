import { readdirSync, readFileSync, readlinkSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { SourceFileTooLargeError } from '../errors/source-file-too-large-error.js';
import type { TreeEntryKind, TreeReader } from './tree-reader.js';

// Git metadata and installed packages are never configuration.
const SKIPPED = new Set(['.git', 'node_modules']);

const kindOf = (d: Dirent): TreeEntryKind =>
  d.isFile() ? 'file' : d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'link' : 'other';

/**
 * Reads a plain directory as it is on disk; links are left to the walker so disk and git resolve them alike.
 * Synchronous calls: a configuration directory is small, and fs/promises' thread-pool round trips (and loading
 * it) cost a CLI start more than the reads themselves.
 */
export function diskTreeReader(root: string): TreeReader {
  const onDisk = (path: string) => (path === '' ? root : join(root, ...path.split('/')));
  return {
    list: async (dir) => {
      const entries = readdirSync(onDisk(dir), { withFileTypes: true });
      return new Map(entries.filter((d) => !SKIPPED.has(d.name)).map((d) => [d.name, kindOf(d)]));
    },
    readFile: async (path, maxBytes) => {
      const { size } = statSync(onDisk(path));
      if (size > maxBytes) throw new SourceFileTooLargeError({ path, size, limit: maxBytes });
      return new Uint8Array(readFileSync(onDisk(path)));
    },
    readLink: async (path) => readlinkSync(onDisk(path)),
  };
}
