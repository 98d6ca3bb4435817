import type { RepoFile } from '../../source/repo-tree.js';

export type FileRole = 'yaml' | 'json' | 'skip';

/**
 * What to do with one file of the tree. Hidden folders and files (`.github`,
 * `.pre-commit-config.yaml`) and `node_modules` hold tooling, not declarations.
 */
export function fileRole(file: RepoFile): FileRole {
  const segments = file.path.split('/');
  if (segments.some((s) => s.startsWith('.') || s === 'node_modules')) return 'skip';
  const name = (segments[segments.length - 1] ?? '').toLowerCase();
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return 'yaml';
  if (name.endsWith('.json')) return 'json';
  return 'skip';
}
