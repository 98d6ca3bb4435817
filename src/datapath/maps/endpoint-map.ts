import type { BpfMap } from '../libbpf/index.js';
import { endpointKeyCodec, endpointValueCodec, type EndpointMapValue } from './endpoint-codec.js';
import { TypedMap } from './typed-map.js';

/** The node's endpoint map: workload address → id, identity, enforcement, veth. */
export class EndpointMap extends TypedMap<string, EndpointMapValue> {
  constructor(map: BpfMap) {
    super(map, endpointKeyCodec, endpointValueCodec);
  }
}
