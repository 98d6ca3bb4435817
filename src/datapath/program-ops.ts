import type { Entry, ProgramHook, ProgramValue } from '../desired/desired-state.js';
import { KINDS } from '../desired/kinds/index.js';
import type { NetOps } from './net/index.js';
import type { EndpointDatapath } from './programs/index.js';

/**
 * Attachments of the endpoint programs to host-side veths (tcx links pinned
 * under the node's bpffs directory, so enforcement outlives the agent).
 * A link running a program other than this build's reads back as program
 * "(prog N)", so an upgrade or a swap behind gitwire's back shows in the plan
 * and apply replaces it. A pin whose link lost its device (a kill between
 * detaching and unpinning) reads back as "(detached)", so apply removes it.
 */
export class ProgramOps implements NetOps<ProgramValue> {
  private count = 0;

  constructor(
    private readonly datapath: EndpointDatapath,
    private readonly nodeNs: string | null,
  ) {}

  get writes(): number {
    return this.count;
  }

  update(entry: Entry<ProgramValue>): Promise<void> {
    return this.updateMany([entry]);
  }

  async updateMany(entries: readonly Entry<ProgramValue>[]): Promise<void> {
    const overlay = (e: Entry<ProgramValue>) => e.value.program.endsWith('_overlay');
    const host = (e: Entry<ProgramValue>) => e.value.program === 'gw_from_host';
    for (const [ifName, hooks] of byDevice(entries.filter((e) => !overlay(e) && !host(e)))) {
      this.datapath.attach(ifName, this.nodeNs ?? undefined, hooks);
      this.count += hooks.length;
    }
    for (const [ifName, hooks] of byDevice(entries.filter(overlay))) {
      this.datapath.attachOverlay(ifName, this.nodeNs ?? undefined, hooks);
      this.count += hooks.length;
    }
    for (const [ifName, hooks] of byDevice(entries.filter(host))) {
      this.datapath.attachHost(ifName, this.nodeNs ?? undefined);
      this.count += hooks.length;
    }
  }

  delete(entry: Entry<ProgramValue>): Promise<void> {
    return this.deleteMany([entry]);
  }

  async deleteMany(entries: readonly Entry<ProgramValue>[]): Promise<void> {
    for (const [ifName, hooks] of byDevice(entries)) {
      this.datapath.detach(ifName, hooks);
      this.count += hooks.length;
    }
  }

  async prune(allDesired: readonly Entry<ProgramValue>[]): Promise<void> {
    const keep = new Set(allDesired.map((e) => e.key));
    await this.deleteMany((await this.observe()).filter((e) => !keep.has(e.key)));
  }

  async observe(): Promise<Entry<ProgramValue>[]> {
    return this.datapath
      .attachments()
      .map((a) => {
        const running = a.ifindex === 0 ? '(detached)' : (this.datapath.programOf(a.progId) ?? `(prog ${a.progId})`);
        const value = { ifName: a.ifName, hook: a.hook, program: running as ProgramValue['program'] };
        return { key: KINDS.program.key(value), value };
      })
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

function byDevice(entries: readonly Entry<ProgramValue>[]): Map<string, ProgramHook[]> {
  const out = new Map<string, ProgramHook[]>();
  for (const { value } of entries) out.set(value.ifName, [...(out.get(value.ifName) ?? []), value.hook]);
  return out;
}
