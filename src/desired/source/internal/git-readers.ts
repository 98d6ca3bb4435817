// The git side of the source, imported on demand: isomorphic-git costs ~70 ms
// of CPU to load, which a plain directory (validate, the examples) never needs.
export { readGitTree } from './read-git-tree.js';
export { remoteConnection } from './remote-connection.js';
export { listRemoteRefs, matchRemoteRef } from './remote-refs.js';
export { resolveLocalRevision } from './resolve-local-revision.js';
export { syncRemote } from './sync-remote.js';
export { openTransfer } from './transfer-scope.js';
