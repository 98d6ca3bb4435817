import type { BpfMap } from '../libbpf/index.js';
import { proxyKeyCodec, proxyValueCodec, type ProxyKey, type ProxyValue } from './proxy-codec.js';
import { TypedMap } from './typed-map.js';

/**
 * The redirect's record of each connection it sends to the L7 proxy: the
 * client's tuple → the peer's identity. Written by the datapath on the
 * connection's first packet, read by the proxy; an LRU, so never collected.
 */
export class ProxyMap extends TypedMap<ProxyKey, ProxyValue> {
  constructor(map: BpfMap) {
    super(map, proxyKeyCodec, proxyValueCodec);
  }
}
