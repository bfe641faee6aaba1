/** Receive side shared by every ClusterNetwork: verify the envelope, count drops, hand payloads to topic handlers. */
import type { Verifier } from '../consensus/types.ts';
import { EnvelopeError, openEnvelope } from './envelope.ts';
import { P2P_DROP_REASONS, type MessageHandler, type NetworkStats, type P2pDropReason, type P2pMetrics } from './types.ts';

export class Dispatcher {
  readonly #handlers = new Map<string, Set<MessageHandler>>();
  readonly #cluster: Uint8Array;
  readonly #verifier: Verifier;
  readonly #n: number;
  readonly #metrics: P2pMetrics;
  readonly counters: NetworkStats;
  /** invalid[k]: invalid messages attributed to peer k (by connection, or by the claimed sender if unknown). */
  readonly invalid: number[];
  readonly lastSeen: (number | null)[];
  /** Called for every invalid message (for logs). */
  onInvalid: ((reason: P2pDropReason, from: number | null, detail: string) => void) | undefined;
  /** Called when a topic handler throws (default: console.error). */
  onHandlerError: (topic: string, error: unknown) => void = (topic, error) => console.error(`p2p handler for topic ${topic} threw:`, error);

  constructor(cluster: Uint8Array, verifier: Verifier, n: number, metrics: P2pMetrics = {}) {
    this.#cluster = cluster;
    this.#verifier = verifier;
    this.#n = n;
    this.#metrics = metrics;
    this.counters = { sent: 0, received: 0, dropped: Object.fromEntries(P2P_DROP_REASONS.map((r) => [r, 0])) as Record<P2pDropReason, number> };
    this.invalid = Array.from({ length: n }, () => 0);
    this.lastSeen = Array.from({ length: n }, () => null);
  }

  on(topic: string, handler: MessageHandler): () => void {
    let set = this.#handlers.get(topic);
    if (set === undefined) this.#handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  drop(reason: P2pDropReason, from: number | null, detail: string): void {
    this.counters.dropped[reason]++;
    if (from !== null && reason !== 'no-handler') this.invalid[from]!++;
    this.#metrics.messageDropped?.(reason, from);
    this.onInvalid?.(reason, from, detail);
  }

  sent(topic: string, bytes: number, copies: number): void {
    this.counters.sent += copies;
    for (let i = 0; i < copies; i++) this.#metrics.messageSent?.(topic, bytes);
  }

  /**
   * Handles one frame. `connectionPeer` is the authenticated peer the frame came from (null when unknown, e.g.
   * the in-memory network's injected frames); a frame claiming another sender is dropped.
   */
  receive(frame: Uint8Array, connectionPeer: number | null): void {
    let env;
    try {
      env = openEnvelope(frame, this.#cluster, this.#verifier, this.#n);
    } catch (e) {
      if (e instanceof EnvelopeError) return this.drop(e.reason, connectionPeer, e.message);
      throw e;
    }
    if (connectionPeer !== null && env.sender !== connectionPeer) {
      return this.drop('sender-mismatch', connectionPeer, `frame from peer ${connectionPeer} claims sender ${env.sender}`);
    }
    if (!env.signed && connectionPeer === null) {
      // an unsigned (payload-signed topic) frame is attributed only by its authenticated connection
      return this.drop('bad-signature', null, `unsigned frame on topic ${env.topic} from an unauthenticated source`);
    }
    this.lastSeen[env.sender] = Date.now();
    const set = this.#handlers.get(env.topic);
    if (set === undefined || set.size === 0) return this.drop('no-handler', null, `no handler for topic ${env.topic}`);
    this.counters.received++;
    this.#metrics.messageReceived?.(env.topic, env.sender, env.payload.length);
    for (const h of [...set]) {
      try {
        h(env.sender, env.payload);
      } catch (e) {
        // A handler's bug must not take the network down, nor go unnoticed.
        this.onHandlerError(env.topic, e);
      }
    }
  }
}
