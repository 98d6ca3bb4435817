import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import initSqlJs, { type Database, type SqlValue } from 'sql.js';
import type { MonitoredEvent } from '../agent/index.js';
import { verdictOf, type Verdict } from './event-filter.js';

/** One aggregated flow: every event with the same identities, port, protocol and verdict. */
export interface FlowRecord {
  readonly srcIdentity: number;
  readonly dstIdentity: number;
  /** Destination port, or the ICMP type. */
  readonly port: number;
  readonly protocol: number;
  readonly verdict: Verdict;
  readonly count: number;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
}

export interface FlowStoreOptions {
  /** The SQLite file; created on first flush, read back on open. */
  readonly path: string;
  /** Records kept on disk; the least recently seen go first. */
  readonly maxRecords?: number;
  /** Distinct flows held in memory between flushes; one more flushes first. */
  readonly maxPending?: number;
}

export const DEFAULT_MAX_FLOW_RECORDS = 10_000;
export const DEFAULT_MAX_PENDING_FLOWS = 1_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS flows (
  src_identity INTEGER NOT NULL, dst_identity INTEGER NOT NULL, port INTEGER NOT NULL,
  protocol INTEGER NOT NULL, verdict TEXT NOT NULL, count INTEGER NOT NULL,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  PRIMARY KEY (src_identity, dst_identity, port, protocol, verdict));
CREATE INDEX IF NOT EXISTS flows_last_seen ON flows (last_seen);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);`;

const UPSERT = `INSERT INTO flows VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO UPDATE SET count = count + excluded.count,
  first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`;

interface Pending {
  key: readonly [number, number, number, number, Verdict];
  count: number;
  first: number;
  last: number;
}

/**
 * The agent's flow records in SQLite (sql.js: the engine in WebAssembly, the
 * database in memory, written whole to `path` on each flush by write-and-rename,
 * so a crash leaves the previous flush). Events aggregate in memory first; the
 * file is bounded by evicting the flows seen least recently.
 */
export class FlowStore {
  private readonly pending = new Map<string, Pending>();
  private readonly maxRecords: number;
  private readonly maxPending: number;

  private constructor(
    private readonly db: Database,
    private readonly path: string,
    opts: FlowStoreOptions,
  ) {
    this.maxRecords = opts.maxRecords ?? DEFAULT_MAX_FLOW_RECORDS;
    this.maxPending = opts.maxPending ?? DEFAULT_MAX_PENDING_FLOWS;
  }

  static async open(opts: FlowStoreOptions): Promise<FlowStore> {
    const SQL = await initSqlJs();
    const bytes = await readFile(opts.path).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    const db = bytes ? new SQL.Database(bytes) : new SQL.Database();
    db.exec(SCHEMA);
    return new FlowStore(db, opts.path, opts);
  }

  /** Adds one event to its flow; flushes first when a new flow would exceed what memory holds. */
  async record(m: MonitoredEvent): Promise<void> {
    const e = m.event;
    const key = [e.srcIdentity, e.dstIdentity, e.dport, e.protocol, verdictOf(e.type)] as const;
    const id = key.join('/');
    const at = m.time.getTime();
    const p = this.pending.get(id);
    if (p) {
      p.count += 1;
      p.first = Math.min(p.first, at);
      p.last = Math.max(p.last, at);
      return;
    }
    if (this.pending.size >= this.maxPending) await this.flush();
    this.pending.set(id, { key, count: 1, first: at, last: at });
  }

  /** The datapath's lost-event total (ring buffer full), kept with the flows it is missing from. */
  setLostEvents(total: number): void {
    this.db.run('INSERT INTO counters VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value', [
      'events_lost',
      total,
    ]);
  }

  lostEvents(): number {
    const [row] = this.db.exec("SELECT value FROM counters WHERE name = 'events_lost'");
    return Number(row?.values[0]?.[0] ?? 0);
  }

  /** Writes the pending flows, evicts beyond the bound and saves the file. */
  async flush(): Promise<void> {
    const upsert = this.db.prepare(UPSERT);
    try {
      this.db.exec('BEGIN');
      for (const p of this.pending.values()) upsert.run([...p.key, p.count, p.first, p.last]);
      this.db.run(
        'DELETE FROM flows WHERE rowid IN (SELECT rowid FROM flows ORDER BY last_seen DESC LIMIT -1 OFFSET ?)',
        [this.maxRecords],
      );
      this.db.exec('COMMIT');
    } finally {
      upsert.free();
    }
    this.pending.clear();
    await this.save();
  }

  /** Flows on disk (after a flush), most recently seen first. */
  flows(limit = this.maxRecords): FlowRecord[] {
    const [res] = this.db.exec(
      'SELECT src_identity, dst_identity, port, protocol, verdict, count, first_seen, last_seen FROM flows ' +
        'ORDER BY last_seen DESC, count DESC LIMIT ?',
      [limit],
    );
    return (res?.values ?? []).map(toRecord);
  }

  async close(): Promise<void> {
    await this.flush();
    this.db.close();
  }

  private async save(): Promise<void> {
    const tmp = `${this.path}.${randomUUID()}.tmp`;
    try {
      await writeFile(tmp, this.db.export(), { mode: 0o600 });
      await rename(tmp, this.path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
}

function toRecord(v: SqlValue[]): FlowRecord {
  const [src, dst, port, protocol, verdict, count, first, last] = v;
  return {
    srcIdentity: Number(src),
    dstIdentity: Number(dst),
    port: Number(port),
    protocol: Number(protocol),
    verdict: verdict as Verdict,
    count: Number(count),
    firstSeen: new Date(Number(first)),
    lastSeen: new Date(Number(last)),
  };
}
