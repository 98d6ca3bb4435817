import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { gitTreeReader } from './git-tree-reader.js';
import { walkTree, type WalkResult } from './tree-walker.js';

/** Reads every file of `commit` from the object database at `gitdir`. */
export async function readGitTree(gitdir: string, commit: string, maxFileBytes: number): Promise<WalkResult> {
  const cache = {};
  const { commit: parsed } = await git.readCommit({ fs, gitdir, oid: commit, cache });
  return walkTree(gitTreeReader(gitdir, parsed.tree, cache), maxFileBytes);
}
