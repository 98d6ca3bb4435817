export * from './errors/index.js';
export { readRepository } from './read-repository.js';
export type { RepoFile, RepoNote, RepoTree } from './repo-tree.js';
export { resolveRevision } from './resolve-revision.js';
export {
  DEFAULT_MAX_FETCH_BYTES,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_TIMEOUTS,
  defaultCacheDir,
  type SignatureVerification,
  type SourceAuth,
  type SourceOptions,
  type SourceTimeouts,
} from './source-options.js';
