import { encodeMaglevTable } from './maglev-encoding.js';
import { maglevTable, type MaglevBackend } from './maglev-table.js';

/**
 * Encoded Maglev tables by backend set and size, the only inputs of a table.
 * Ports with the same backends share one; a CompileCache carries the tables
 * of the last build into the next, so an unchanged backend set is not
 * filled again (each fill walks M slots several times over).
 */
export class MaglevTables {
  private readonly used = new Map<string, string>();

  constructor(private readonly previous: ReadonlyMap<string, string> = new Map()) {}

  get(backends: readonly MaglevBackend[], size: number): string {
    const key = `${size}|${backends.map((b) => `${b.id}=${b.name}`).join(',')}`;
    let table = this.used.get(key) ?? this.previous.get(key);
    if (table === undefined) table = encodeMaglevTable(maglevTable(backends, size));
    this.used.set(key, table);
    return table;
  }

  /** The tables this build used: what the next build may reuse. */
  tables(): ReadonlyMap<string, string> {
    return this.used;
  }
}
