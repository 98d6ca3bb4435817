import type { Etcd3 } from 'etcd3';
import PQueue from 'p-queue';
import {
  labelSetKey,
  MAX_GLOBAL_IDENTITY,
  MIN_GLOBAL_IDENTITY,
  NumberSpaceExhaustedError,
  stableHash32,
  type IdentityAllocator,
  type IdentityTable,
} from '../../desired/identity/index.js';
import { bumpGeneration } from './cluster-generation.js';

/** Where identities live in etcd: one key per number (its owner) and one per label set (its number). */
export const IDENTITY_PREFIX = '/gitwire/identities/';
const BY_ID = `${IDENTITY_PREFIX}id/`;
const BY_LABELS = `${IDENTITY_PREFIX}labels/`;

const CLAIM_CONCURRENCY = 32;
const SPACE = MAX_GLOBAL_IDENTITY - MIN_GLOBAL_IDENTITY + 1;

/**
 * Cluster-wide identities with compare-and-swap, as Cilium's kvstore
 * allocator: a label set's number is claimed by creating both its `id/N` and
 * its `labels/<set>` key in one transaction that succeeds only if neither
 * exists. Whoever loses the race reads the winner's number, so every node
 * gets the same number for the same labels, and a number once given is never
 * moved (nothing here deletes; identities outlive the commits that use them).
 * The first number tried is the label set's hash, the same one the local
 * allocator gives, so a cluster that starts without etcd keeps its numbers.
 */
export class EtcdIdentityAllocator implements IdentityAllocator {
  constructor(private readonly client: Etcd3) {}

  /** Every identity this allocator has read or claimed: enough to compile a commit with no new labels while etcd is away. */
  private readonly seen = new Map<string, number>();

  async allocate(labelSets: readonly (readonly string[])[]): Promise<IdentityTable> {
    const wanted = [...new Set(labelSets.map(labelSetKey))].sort();
    let known: Map<string, number>;
    try {
      known = await this.readAll();
    } catch (e) {
      // etcd unreachable: numbers never move, so the ones seen before still hold; a new label set must wait for etcd.
      if (!wanted.every((k) => this.seen.has(k))) throw new IdentityStoreUnreachableError((e as Error).message);
      return new Map(wanted.map((k) => [k, this.seen.get(k)!]));
    }
    const missing = wanted.filter((key) => !known.has(key));
    // Claims are independent transactions (a lost race only moves to the next number), so they can overlap.
    const queue = new PQueue({ concurrency: CLAIM_CONCURRENCY });
    const claimed = await Promise.all(missing.map((key) => queue.add(() => this.claim(key))));
    missing.forEach((key, i) => known.set(key, claimed[i]!));
    for (const key of wanted) this.seen.set(key, known.get(key)!);
    return new Map(wanted.map((key) => [key, known.get(key)!]));
  }

  /** Every identity in the store, label-set key → number. */
  async readAll(): Promise<Map<string, number>> {
    const all = await this.client.getAll().prefix(BY_LABELS).strings();
    return new Map(Object.entries(all).map(([k, v]) => [k.slice(BY_LABELS.length), Number(v)]));
  }

  private async claim(key: string): Promise<number> {
    const start = stableHash32(key, 'global identities') % SPACE;
    for (let step = 0; step < SPACE; step++) {
      const id = MIN_GLOBAL_IDENTITY + ((start + step) % SPACE);
      const idKey = `${BY_ID}${id}`;
      const labelsKey = `${BY_LABELS}${key}`;
      const won = await this.client
        .if(idKey, 'Create', '==', 0)
        .and(labelsKey, 'Create', '==', 0)
        .then(
          this.client.put(idKey).value(key),
          this.client.put(labelsKey).value(String(id)),
          // A new identity is a new cluster generation, in the same transaction: no claim goes unannounced.
          bumpGeneration(this.client, 'identity', key),
        )
        .commit();
      if (won.succeeded) return id;
      // Lost: either another node claimed these labels (take its number) or this number belongs to other labels.
      const theirs = await this.client.get(labelsKey).string();
      if (theirs !== null) return Number(theirs);
    }
    throw new NumberSpaceExhaustedError('global identities');
  }
}

/** etcd could not be read and the commit needs a label set never seen: retried until etcd answers. */
export class IdentityStoreUnreachableError extends Error {
  readonly code = 'E_IDENTITY_STORE_UNREACHABLE';
  readonly errorKind = 'transient';
  constructor(cause: string) {
    super(`identities: etcd unreachable and the commit has labels without an identity yet (${cause})`);
    this.name = 'IdentityStoreUnreachableError';
  }
}
