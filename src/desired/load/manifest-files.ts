import type { Diagnostic } from '../diagnostics.js';
import type { RepoFile, RepoTree } from '../source/repo-tree.js';
import { fileRole, type FileRole } from './internal/select-files.js';
import { LoadCode } from './load-codes.js';
import { decodeText } from './internal/decode-text.js';

export interface ReadLimits {
  /** Files larger than this are refused whole. */
  readonly maxFileBytes: number;
  /** Documents in the whole tree, empty ones included; reading stops past it. */
  readonly maxDocuments: number;
  /** Alias expansions per document; yaml measures them so that a "billion laughs" fails early. */
  readonly maxAliasCount: number;
}

/** The files of a tree that gitwire reads (YAML) or looks at (JSON), sorted by path. */
export function manifestFiles(tree: RepoTree): { file: RepoFile; role: Exclude<FileRole, 'skip'> }[] {
  const out: { file: RepoFile; role: Exclude<FileRole, 'skip'> }[] = [];
  for (const file of tree.files) {
    const role = fileRole(file);
    if (role !== 'skip') out.push({ file, role });
  }
  return out.sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0));
}

/** Warns about a JSON file that looks like a manifest: gitwire reads YAML only, and says so instead of skipping it silently. */
export function noteJsonManifest(file: RepoFile, limits: ReadLimits): Diagnostic | null {
  if (file.content.byteLength > limits.maxFileBytes) return null;
  const decoded = decodeText(file.content);
  if (!decoded.ok) return null;
  let value: unknown;
  try {
    value = JSON.parse(decoded.text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || !('apiVersion' in value) || !('kind' in value)) return null;
  const msg =
    'looks like a Kubernetes manifest, but gitwire reads only .yaml/.yml files; not read (JSON is valid YAML: rename it)';
  return { severity: 'warning', code: LoadCode.jsonNotRead, file: file.path, line: 1, path: '', message: msg };
}
