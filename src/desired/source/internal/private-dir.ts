import { lstat, mkdir } from 'node:fs/promises';
import { SourceCacheUnsafeError } from '../errors/source-cache-unsafe-error.js';

/**
 * Makes sure `path` is a directory only this user can enter: created 0700 when
 * missing, refused when it is a link, belongs to another user, or lets group
 * or others in. Checked on every use, not only when created.
 */
export async function privateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  const st = await lstat(path);
  if (!st.isDirectory()) throw new SourceCacheUnsafeError({ path, reason: 'not-a-directory' });
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw new SourceCacheUnsafeError({ path, reason: 'owner', uid: st.uid });
  if ((st.mode & 0o077) !== 0) throw new SourceCacheUnsafeError({ path, reason: 'mode', mode: st.mode & 0o7777 });
}
