/**
 * An in-process ClusterNetwork for unit tests of other components (consensus, duty pipeline, DKG). It runs the
 * real envelope code — messages are signed by the sender's operator key and verified on receipt — and delivers
 * asynchronously (setImmediate), in order per link. Test controls: take a member down and back up (messages to a
 * down member are queued as on libp2p), drop links with a filter, inject raw frames (forgeries).
 *
 *   const hub = new MemoryClusterHub({ cluster: definitionHash, identities });
 *   const nets = identities.map((_, i) => hub.endpoint(i));
 */
import { MessageVerifier } from '../consensus/message-keys.ts';
import { fromHex } from '../consensus/hex.ts';
import type { OperatorIdentity } from '../identity/identity.ts';
import { Dispatcher } from './dispatch.ts';
import { assertTopic, sealEnvelope } from './envelope.ts';
import type { ClusterNetwork, Hex, MessageHandler, NetworkStats, P2pMetrics, PeerStatus } from './types.ts';

/** Return false to drop the delivery from → to. */
export type MemoryLinkFilter = (from: number, to: number, topic: string, payload: Uint8Array) => boolean;

/** Per-peer queue bound while a member is down (same default as libp2p). */
export const MEMORY_QUEUE_LIMIT = 4096;

export class MemoryClusterHub {
  readonly n: number;
  readonly #cluster: Uint8Array;
  readonly #identities: readonly OperatorIdentity[];
  readonly #endpoints: (MemoryClusterNetwork | undefined)[];
  readonly #up: boolean[];
  readonly #queues: Uint8Array[][][];
  filter: MemoryLinkFilter | undefined;

  constructor(options: { cluster: Hex; identities: readonly OperatorIdentity[] }) {
    this.n = options.identities.length;
    this.#cluster = fromHex(options.cluster);
    this.#identities = options.identities;
    this.#endpoints = Array.from({ length: this.n }, () => undefined);
    this.#up = Array.from({ length: this.n }, () => true);
    this.#queues = Array.from({ length: this.n }, () => Array.from({ length: this.n }, () => []));
  }

  /** Member i's network (a new one replaces the old: a "restart"). */
  endpoint(i: number, metrics?: P2pMetrics): MemoryClusterNetwork {
    if (!Number.isInteger(i) || i < 0 || i >= this.n) throw new RangeError(`no member ${i} in a cluster of ${this.n}`);
    const verifier = new MessageVerifier(this.#identities.map((x) => x.publicKey));
    const ep = new MemoryClusterNetwork(this, i, this.#identities, new Dispatcher(this.#cluster, verifier, this.n, metrics));
    this.#endpoints[i] = ep;
    this.#up[i] = true;
    return ep;
  }

  get clusterId(): Uint8Array {
    return this.#cluster;
  }

  /** Takes member i off the network: frames to it queue up, frames from it are lost. */
  down(i: number): void {
    this.#up[i] = false;
  }

  /** Brings member i back: queued frames are delivered. */
  up(i: number): void {
    this.#up[i] = true;
    for (let from = 0; from < this.n; from++) this.#flush(from, i);
  }

  isUp(i: number): boolean {
    return this.#up[i]! && this.#endpoints[i] !== undefined && !this.#endpoints[i]!.closed;
  }

  /** Delivers a raw frame to member `to` as if it came over the link from `from` (null = unauthenticated). */
  inject(to: number, frame: Uint8Array, from: number | null = null): void {
    setImmediate(() => this.#endpoints[to]?.dispatcher.receive(frame, from));
  }

  /** @internal */
  deliver(from: number, to: number, topic: string, payload: Uint8Array, frame: Uint8Array): void {
    if (!this.isUp(from)) return;
    if (this.filter && !this.filter(from, to, topic, payload)) return;
    const q = this.#queues[from]![to]!;
    if (q.length >= MEMORY_QUEUE_LIMIT) q.shift();
    q.push(frame);
    this.#flush(from, to);
  }

  /** @internal */
  queued(from: number, to: number): number {
    return this.#queues[from]![to]!.length;
  }

  #flush(from: number, to: number): void {
    if (!this.isUp(to)) return;
    const q = this.#queues[from]![to]!;
    const frames = q.splice(0, q.length);
    const ep = this.#endpoints[to]!;
    if (frames.length > 0) setImmediate(() => {
      for (const f of frames) ep.dispatcher.receive(f, from);
    });
  }
}

export class MemoryClusterNetwork implements ClusterNetwork {
  readonly self: number;
  readonly size: number;
  readonly dispatcher: Dispatcher;
  closed = false;
  readonly #hub: MemoryClusterHub;
  readonly #identities: readonly OperatorIdentity[];

  constructor(hub: MemoryClusterHub, self: number, identities: readonly OperatorIdentity[], dispatcher: Dispatcher) {
    this.#hub = hub;
    this.self = self;
    this.size = identities.length;
    this.#identities = identities;
    this.dispatcher = dispatcher;
  }

  #seal(topic: string, payload: Uint8Array): Uint8Array {
    if (this.closed) throw new Error('network is closed');
    assertTopic(topic);
    return sealEnvelope({ cluster: this.#hub.clusterId, sender: this.self, topic, payload }, this.#identities[this.self]!.signer);
  }

  broadcast(topic: string, payload: Uint8Array): void {
    const frame = this.#seal(topic, payload);
    this.dispatcher.sent(topic, frame.length, this.size - 1);
    for (let j = 0; j < this.size; j++) if (j !== this.self) this.#hub.deliver(this.self, j, topic, payload, frame);
  }

  send(peerIndex: number, topic: string, payload: Uint8Array): void {
    if (!Number.isInteger(peerIndex) || peerIndex < 0 || peerIndex >= this.size || peerIndex === this.self) {
      throw new RangeError(`cannot send to member ${peerIndex} (self ${this.self}, cluster of ${this.size})`);
    }
    const frame = this.#seal(topic, payload);
    this.dispatcher.sent(topic, frame.length, 1);
    this.#hub.deliver(this.self, peerIndex, topic, payload, frame);
  }

  onMessage(topic: string, handler: MessageHandler): () => void {
    assertTopic(topic);
    return this.dispatcher.on(topic, handler);
  }

  peers(): PeerStatus[] {
    return this.#identities.map((id, k) => ({
      index: k,
      address: id.address,
      peerId: id.peerId,
      self: k === this.self,
      connected: k === this.self || (this.#hub.isUp(k) && this.#hub.isUp(this.self)),
      lastSeenMs: this.dispatcher.lastSeen[k]!,
      reconnects: 0,
      invalidMessages: this.dispatcher.invalid[k]!,
      queued: k === this.self ? 0 : this.#hub.queued(this.self, k),
    }));
  }

  stats(): NetworkStats {
    return structuredClone(this.dispatcher.counters);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
