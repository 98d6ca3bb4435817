import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { SourceCorruptObjectError } from '../errors/source-corrupt-object-error.js';
import { SourceFileTooLargeError } from '../errors/source-file-too-large-error.js';
import { ObjectHeaders, type ObjectType } from './object-header.js';

/**
 * Reads objects so that nothing unverified or oversized is used: the size is
 * checked from the object's header before it is inflated, and the content
 * must hash to the object's id (a pack planted in a cache cannot pass off
 * other content under a real commit id).
 */
export class VerifiedObjects {
  private readonly headers: ObjectHeaders;

  constructor(
    readonly gitdir: string,
    private readonly cache: object,
  ) {
    this.headers = new ObjectHeaders(gitdir);
  }

  /** The content of `oid`, which must be a `type` of at most `maxBytes`; `path` names it in a too-large error. */
  async read(oid: string, type: ObjectType, maxBytes: number, path: string): Promise<Uint8Array> {
    const corrupt = (detail: string, cause?: unknown) =>
      new SourceCorruptObjectError({ gitdir: this.gitdir, oid, detail }, cause);
    let header;
    try {
      header = await this.headers.header(oid);
    } catch (err) {
      throw corrupt(err instanceof Error ? err.message : String(err), err);
    }
    if (header === undefined) throw corrupt('missing from the object database');
    if (header.type !== type) throw corrupt(`a ${header.type} where a ${type} was expected`);
    if (header.size > maxBytes) throw new SourceFileTooLargeError({ path, size: header.size, limit: maxBytes });
    let content: Uint8Array;
    try {
      const read = await git.readObject({ fs, gitdir: this.gitdir, oid, format: 'content', cache: this.cache });
      content = read.object as Uint8Array;
    } catch (err) {
      throw corrupt(err instanceof Error ? err.message : String(err), err);
    }
    const hash = createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
    if (hash !== oid) throw corrupt(`its content hashes to ${hash}`);
    return content;
  }
}
