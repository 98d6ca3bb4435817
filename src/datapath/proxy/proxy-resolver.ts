import type { Socket } from 'node:net';

/** What the datapath knows about a redirected connection. */
export interface ProxyResolution {
  /** Security identity of the peer the policy is about: the source on ingress, the destination on egress. */
  readonly identity: number;
  /** Where the client was connecting before the datapath redirected it to the proxy. */
  readonly originalDst: { readonly address: string; readonly port: number };
}

/**
 * Looks a proxied connection up in the datapath (the redirect records it
 * there); never guessed from addresses. null: unknown connection, refused.
 */
export interface ProxyResolver {
  resolve(socket: Socket): ProxyResolution | null;
}
