import { SourceCorruptObjectError } from '../errors/source-corrupt-object-error.js';
import type { SignatureVerification } from '../source-options.js';
import { gitTreeReader } from './git-tree-reader.js';
import { walkTree, type WalkResult } from './tree-walker.js';
import { VerifiedObjects } from './verified-objects.js';
import { verifyCommitSignature } from './verify-signature.js';

/** A commit object is a few headers, a signature and a message. */
export const MAX_COMMIT_BYTES = 1024 * 1024;

/** The commit object `commit` as stored, size-checked and hash-verified. */
export function readCommitObject(objects: VerifiedObjects, commit: string): Promise<Uint8Array> {
  return objects.read(commit, 'commit', MAX_COMMIT_BYTES, `commit ${commit}`);
}

/**
 * Reads the declaration files of `commit` from the object database at
 * `gitdir`; with `verify`, only once the commit's signature checks out.
 */
export async function readGitTree(
  gitdir: string,
  commit: string,
  maxFileBytes: number,
  verify: SignatureVerification | undefined,
): Promise<WalkResult> {
  const objects = new VerifiedObjects(gitdir, {});
  const object = await readCommitObject(objects, commit);
  if (verify) await verifyCommitSignature(commit, object, verify);
  const raw = new TextDecoder().decode(object);
  const tree = /^tree ([0-9a-f]{40})\n/.exec(raw)?.[1];
  if (tree === undefined)
    throw new SourceCorruptObjectError({ gitdir, oid: commit, detail: 'a commit without a tree' });
  return walkTree(gitTreeReader(objects, tree), maxFileBytes);
}
