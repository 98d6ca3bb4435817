import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import { inflate } from 'node:zlib';
import { SourceCorruptObjectError } from '../errors/source-corrupt-object-error.js';
import { SourceFileTooLargeError } from '../errors/source-file-too-large-error.js';
import { isomorphicGit } from './isomorphic-git.js';
import { looseHeader, looseObjectFile, ObjectHeaders, type ObjectType } from './object-header.js';

const inflateAsync = promisify(inflate);
// `<type> <size>\0`: a type of at most 6 letters and a size of at most 20 digits.
const MAX_HEADER_BYTES = 32;

/**
 * Reads under way: two trees read at once (the two commits of a plan) read
 * what they share once. Only while a read is under way; nothing is kept.
 */
const inFlight = new Map<string, Promise<Uint8Array>>();

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
  read(oid: string, type: ObjectType, maxBytes: number, path: string): Promise<Uint8Array> {
    const key = `${this.gitdir}\0${oid}\0${type}\0${maxBytes}\0${path}`;
    let read = inFlight.get(key);
    if (read === undefined) {
      read = this.readOnce(oid, type, maxBytes, path).finally(() => inFlight.delete(key));
      inFlight.set(key, read);
    }
    return read;
  }

  private async readOnce(oid: string, type: ObjectType, maxBytes: number, path: string): Promise<Uint8Array> {
    let deflated;
    try {
      deflated = looseFile(looseObjectFile(this.gitdir, oid));
    } catch (err) {
      throw this.corrupt(oid, err instanceof Error ? err.message : String(err), err);
    }
    if (deflated !== undefined) return this.readLoose(oid, type, maxBytes, path, deflated);
    let header;
    try {
      header = await this.headers.packedHeader(oid);
    } catch (err) {
      throw this.corrupt(oid, err instanceof Error ? err.message : String(err), err);
    }
    if (header === undefined) throw this.corrupt(oid, 'missing from the object database');
    if (header.type !== type) throw this.corrupt(oid, `a ${header.type} where a ${type} was expected`);
    if (header.size > maxBytes) throw new SourceFileTooLargeError({ path, size: header.size, limit: maxBytes });
    let content: Uint8Array;
    try {
      const git = await isomorphicGit();
      const read = await git.readObject({ fs, gitdir: this.gitdir, oid, format: 'content', cache: this.cache });
      content = read.object as Uint8Array;
    } catch (err) {
      throw this.corrupt(oid, err instanceof Error ? err.message : String(err), err);
    }
    const hash = createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
    if (hash !== oid) throw this.corrupt(oid, `its content hashes to ${hash}`);
    return content;
  }

  /**
   * A loose object, inflated and hashed once, both off the main thread. The
   * inflating stops at `maxBytes` (plus the header): a larger object costs no
   * more than that, and its size for the error comes from its header.
   */
  private async readLoose(
    oid: string,
    type: ObjectType,
    maxBytes: number,
    path: string,
    deflated: Buffer,
  ): Promise<Uint8Array> {
    let raw: Buffer;
    try {
      raw = await inflateAsync(deflated, { maxOutputLength: maxBytes + MAX_HEADER_BYTES });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw this.corrupt(oid, String(err), err);
      let header;
      try {
        header = await looseHeader(oid, deflated);
      } catch (e) {
        throw this.corrupt(oid, e instanceof Error ? e.message : String(e), e);
      }
      if (header.type !== type) throw this.corrupt(oid, `a ${header.type} where a ${type} was expected`);
      throw new SourceFileTooLargeError({ path, size: header.size, limit: maxBytes });
    }
    const nul = raw.indexOf(0);
    const m = nul < 0 ? null : /^(commit|tree|blob|tag) (\d+)$/.exec(raw.toString('latin1', 0, nul));
    if (!m) throw this.corrupt(oid, 'malformed loose object header');
    if (m[1] !== type) throw this.corrupt(oid, `a ${m[1]} where a ${type} was expected`);
    const size = Number(m[2]);
    if (size > maxBytes) throw new SourceFileTooLargeError({ path, size, limit: maxBytes });
    if (raw.length - nul - 1 !== size)
      throw this.corrupt(oid, `${raw.length - nul - 1} bytes where its header says ${size}`);
    const hash = Buffer.from(await crypto.subtle.digest('SHA-1', raw)).toString('hex');
    if (hash !== oid) throw this.corrupt(oid, `its content hashes to ${hash}`);
    return raw.subarray(nul + 1);
  }

  private corrupt(oid: string, detail: string, cause?: unknown): SourceCorruptObjectError {
    return new SourceCorruptObjectError({ gitdir: this.gitdir, oid, detail }, cause);
  }
}

/**
 * The file of a loose object, or undefined when the object is not loose.
 * Read in one call: a loose object is small and local, and an asynchronous
 * read costs four round trips through the thread pool.
 */
function looseFile(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
