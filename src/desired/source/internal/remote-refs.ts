import git, { type ServerRef } from 'isomorphic-git';
import { SourceRefNotFoundError } from '../errors/source-ref-not-found-error.js';
import { mapTransportError, redact } from './map-transport-error.js';
import type { RemoteConnection } from './remote-connection.js';

/** What a revision names on the remote. */
export type RemoteTarget =
  /** An advertised ref: `oid` is what to fetch, `commit` the commit it peels to. */
  | { readonly kind: 'ref'; readonly fullref: string; readonly oid: string; readonly commit: string }
  /** A full SHA no ref points at: fetchable only if the server allows it. */
  | { readonly kind: 'sha'; readonly oid: string }
  /** A short SHA no ref points at: only a commit already in the cache can match it. */
  | { readonly kind: 'short'; readonly prefix: string };

/** Lists the remote's refs with symbolic refs and peeled tags; protocol v1 does it in one request, v2 in two. */
export async function listRemoteRefs(conn: RemoteConnection): Promise<ServerRef[]> {
  try {
    const refs = await git.listServerRefs({
      http: conn.http,
      url: conn.url,
      headers: conn.headers(),
      onAuth: conn.onAuth,
      protocolVersion: 1,
      symrefs: true,
      peelTags: true,
    });
    // A body cut short can parse as fewer refs: a stopped transfer fails whatever isomorphic-git made of it.
    const stopped = conn.http.stopped();
    if (stopped) throw stopped;
    return refs;
  } catch (err) {
    throw mapTransportError(err, conn);
  }
}

/** Matches `rev` (default HEAD) against the advertised refs in git's order: exact, `refs/<x>`, tags, heads. */
export function matchRemoteRef(
  refs: readonly ServerRef[],
  rev: string | undefined,
  conn: RemoteConnection,
): RemoteTarget {
  const ref = rev ?? 'HEAD';
  const repo = redact(conn.url);
  if (refs.length === 0) throw new SourceRefNotFoundError({ repo, ref, reason: 'empty-repository' });
  const byName = new Map(refs.map((r) => [r.ref, r]));
  for (const name of [ref, `refs/${ref}`, `refs/tags/${ref}`, `refs/heads/${ref}`]) {
    const found = byName.get(name);
    if (found) return { kind: 'ref', fullref: found.ref, oid: found.oid, commit: found.peeled ?? found.oid };
  }
  if (!/^[0-9a-f]{4,40}$/i.test(ref)) throw new SourceRefNotFoundError({ repo, ref, reason: 'unknown' });
  const sha = ref.toLowerCase();
  const tips = refs.filter((r) => r.ref !== 'HEAD' && (r.peeled ?? r.oid).startsWith(sha));
  const commits = [...new Set(tips.map((r) => r.peeled ?? r.oid))];
  if (commits.length > 1) throw new SourceRefNotFoundError({ repo, ref, reason: 'ambiguous', matches: commits });
  const tip = tips[0];
  if (tip) return { kind: 'ref', fullref: tip.ref, oid: tip.oid, commit: tip.peeled ?? tip.oid };
  return sha.length === 40 ? { kind: 'sha', oid: sha } : { kind: 'short', prefix: sha };
}
