import { RingBufferReader, type BpfMap } from '../libbpf/index.js';
import { eventCodec, type DatapathEvent } from './event-codec.js';

/** Decoded datapath events from the ring buffer, delivered on the event loop. */
export class EventReader {
  private readonly reader: RingBufferReader;

  constructor(map: BpfMap, onEvent: (e: DatapathEvent) => void, intervalMs = 10) {
    this.reader = new RingBufferReader(map, (data) => onEvent(eventCodec.decode(data)), { intervalMs });
  }

  /** Delivers whatever is ready now. */
  drain(): number {
    return this.reader.consume();
  }

  close(): void {
    this.reader.close();
  }
}
