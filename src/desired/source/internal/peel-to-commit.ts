import * as fs from 'node:fs';
import { isomorphicGit } from './isomorphic-git.js';

// Tags of tags are legal; a chain this long is not a real repository.
const MAX_PEEL = 10;

/**
 * Follows annotated tags from `oid` to the commit they name. Returns undefined
 * when the object is missing from the database, `'not-a-commit'` when the
 * chain ends at a tree or blob.
 */
export async function peelToCommit(
  gitdir: string,
  oid: string,
  cache: object,
): Promise<string | 'not-a-commit' | undefined> {
  const git = await isomorphicGit();
  let current = oid;
  for (let i = 0; i < MAX_PEEL; i++) {
    let read;
    try {
      read = await git.readObject({ fs, gitdir, oid: current, format: 'parsed', cache });
    } catch (err) {
      if (err instanceof git.Errors.NotFoundError) return undefined;
      throw err;
    }
    if (read.type === 'commit') return current;
    if (read.type !== 'tag') return 'not-a-commit';
    current = (read.object as { object: string }).object;
  }
  return 'not-a-commit';
}
