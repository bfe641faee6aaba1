/**
 * ClusterNetwork over libp2p 3: TCP, noise (authenticated with each node's operator key: the peer id *is* the
 * operator key), yamux. Members only: a connection gater refuses every peer id that is not in the cluster, in both
 * directions, right after the noise handshake has authenticated it.
 *
 * Wire: one protocol, `/shoal/dv/1.0.0`; each node keeps one outbound stream per peer and writes length-prefixed
 * frames (u32 BE length ‖ signed envelope, see envelope.ts). Frames for a peer that is not reachable are queued
 * (bounded, oldest dropped) and flushed once a stream opens again. Every member dials every other at start and
 * redials with exponential backoff (min → max, reset on success) whenever the peer is not connected, so a peer
 * that dies, restarts (even on another port: it dials us) or loses its network comes back without help.
 */
import './node20.ts';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { Connection, PeerId, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import { fromHex } from '../consensus/hex.ts';
import { MessageVerifier } from '../consensus/message-keys.ts';
import { addressOfPeerId, publicKeyOfPeerId, type OperatorIdentity } from '../identity/identity.ts';
import { Dispatcher } from './dispatch.ts';
import { assertTopic, sealEnvelope } from './envelope.ts';
import type { ClusterNetwork, Hex, MessageHandler, NetworkStats, P2pMetrics, PeerStatus } from './types.ts';

export const DV_PROTOCOL = '/shoal/dv/1.0.0';
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
export const DEFAULT_QUEUE_LIMIT = 4096;
export const DEFAULT_MIN_BACKOFF_MS = 100;
export const DEFAULT_MAX_BACKOFF_MS = 5000;
const LENGTH_PREFIX = 4;

/** One cluster member as the network needs it. */
export interface ClusterMember {
  /** Ethereum address of the operator (lower-case). */
  address: Hex;
  /** libp2p peer id (derived from the operator key). */
  peerId: string;
  /** Multiaddrs to dial, e.g. /ip4/127.0.0.1/tcp/9000 (the peer id is appended if missing). */
  multiaddrs: string[];
}

export interface Libp2pClusterNetworkOptions {
  identity: OperatorIdentity;
  /** The cluster's members in lock order; must include this node's identity. */
  members: readonly ClusterMember[];
  /** Cluster id the envelopes are bound to: definition hash (DKG) or lock hash (run). */
  cluster: Hex;
  /** Where to listen, e.g. ['/ip4/127.0.0.1/tcp/0']. */
  listen: string[];
  metrics?: P2pMetrics;
  /** First reconnect delay (ms), doubling up to `maxBackoffMs`. Defaults 100 and 5000. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Largest frame accepted (default 16 MiB). */
  maxFrameBytes?: number;
  /** Messages kept per unreachable peer until it connects (default 4096; oldest dropped first). */
  queueLimit?: number;
  /** Called for each dropped message (logging). */
  onInvalid?: (reason: string, fromIndex: number | null, detail: string) => void;
}

export interface Libp2pClusterNetwork extends ClusterNetwork {
  /** The multiaddrs this node listens on (with /p2p/<peer id>). */
  listenAddresses(): string[];
  /** Resolves when every other member is connected (or rejects at the deadline naming who is missing). */
  waitForPeers(timeoutMs: number): Promise<void>;
  /** Replaces the addresses dialled for member `index` (e.g. learnt at run time) and redials now. */
  setMemberAddresses(index: number, multiaddrs: string[]): void;
}

/** Outbound side of one peer: queue, current stream, redial state. */
interface PeerLink {
  index: number;
  peerId: PeerId;
  dialAddrs: Multiaddr[];
  queue: Uint8Array[];
  stream: Stream | undefined;
  opening: boolean;
  writing: boolean;
  backoffMs: number;
  timer: NodeJS.Timeout | undefined;
  connected: boolean;
  everConnected: boolean;
  reconnects: number;
  lastSeenMs: number | null;
}

function withPeerId(addr: string, peerId: string): Multiaddr {
  const ma = multiaddr(addr);
  return ma.getComponents().some((c) => c.name === 'p2p') ? ma : ma.encapsulate(`/p2p/${peerId}`);
}

class Libp2pNetwork implements Libp2pClusterNetwork {
  readonly self: number;
  readonly size: number;
  readonly #node: Libp2p;
  readonly #identity: OperatorIdentity;
  readonly #cluster: Uint8Array;
  readonly #dispatcher: Dispatcher;
  readonly #links: (PeerLink | undefined)[];
  readonly #byPeerId = new Map<string, number>();
  readonly #members: readonly ClusterMember[];
  readonly #minBackoff: number;
  readonly #maxBackoff: number;
  readonly #maxFrame: number;
  readonly #queueLimit: number;
  readonly #metrics: P2pMetrics;
  readonly #connectWaiters = new Set<() => void>();
  #closed = false;

  constructor(node: Libp2p, o: Libp2pClusterNetworkOptions, self: number) {
    this.#node = node;
    this.#identity = o.identity;
    this.self = self;
    this.size = o.members.length;
    this.#members = o.members;
    this.#cluster = fromHex(o.cluster);
    this.#metrics = o.metrics ?? {};
    this.#minBackoff = o.minBackoffMs ?? DEFAULT_MIN_BACKOFF_MS;
    this.#maxBackoff = o.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.#maxFrame = o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#queueLimit = o.queueLimit ?? DEFAULT_QUEUE_LIMIT;
    this.#dispatcher = new Dispatcher(this.#cluster, new MessageVerifier(o.members.map((m) => publicKeyOfPeerId(m.peerId))), this.size, this.#metrics);
    if (o.onInvalid) this.#dispatcher.onInvalid = o.onInvalid;
    o.members.forEach((m, k) => this.#byPeerId.set(m.peerId, k));
    this.#links = o.members.map((m, k) =>
      k === self
        ? undefined
        : {
            index: k,
            peerId: peerIdFromString(m.peerId),
            dialAddrs: m.multiaddrs.map((a) => withPeerId(a, m.peerId)),
            queue: [],
            stream: undefined,
            opening: false,
            writing: false,
            backoffMs: this.#minBackoff,
            timer: undefined,
            connected: false,
            everConnected: false,
            reconnects: 0,
            lastSeenMs: null,
          },
    );
  }

  async start(): Promise<void> {
    this.#node.addEventListener('peer:connect', (evt) => this.#onConnect(evt.detail));
    this.#node.addEventListener('peer:disconnect', (evt) => this.#onDisconnect(evt.detail));
    await this.#node.handle(DV_PROTOCOL, (stream, connection) => this.#readStream(stream, connection), { maxInboundStreams: 16, maxOutboundStreams: 16 });
    for (const link of this.#links) if (link) this.#dial(link);
  }

  // ---- connections -------------------------------------------------------------------------------------------
  #onConnect(peer: PeerId): void {
    const k = this.#byPeerId.get(peer.toString());
    const link = k === undefined ? undefined : this.#links[k];
    if (!link || this.#closed) return;
    if (!link.connected) {
      if (link.everConnected) link.reconnects++;
      link.everConnected = true;
      link.connected = true;
      link.lastSeenMs = Date.now();
      this.#metrics.peerConnected?.(link.index);
    }
    link.backoffMs = this.#minBackoff;
    if (link.timer) clearTimeout(link.timer);
    link.timer = undefined;
    for (const w of [...this.#connectWaiters]) w();
    this.#pump(link);
  }

  #onDisconnect(peer: PeerId): void {
    const k = this.#byPeerId.get(peer.toString());
    const link = k === undefined ? undefined : this.#links[k];
    if (!link || this.#closed) return;
    if (link.connected) this.#metrics.peerDisconnected?.(link.index);
    link.connected = false;
    link.stream = undefined;
    this.#scheduleDial(link);
  }

  #scheduleDial(link: PeerLink): void {
    if (this.#closed || link.timer || link.connected) return;
    const delay = link.backoffMs;
    link.backoffMs = Math.min(this.#maxBackoff, link.backoffMs * 2);
    link.timer = setTimeout(() => {
      link.timer = undefined;
      this.#dial(link);
    }, delay);
  }

  #dial(link: PeerLink): void {
    if (this.#closed || this.#node.getConnections(link.peerId).length > 0) return;
    const target = link.dialAddrs.length > 0 ? link.dialAddrs : link.peerId;
    this.#node.dial(target).then(
      () => undefined,
      () => this.#scheduleDial(link),
    );
  }

  setMemberAddresses(index: number, multiaddrs: string[]): void {
    const link = this.#links[index];
    if (!link) throw new RangeError(`no peer ${index} (self ${this.self}, cluster of ${this.size})`);
    link.dialAddrs = multiaddrs.map((a) => withPeerId(a, link.peerId.toString()));
    link.backoffMs = this.#minBackoff;
    if (link.timer) clearTimeout(link.timer);
    link.timer = undefined;
    this.#dial(link);
  }

  // ---- sending --------------------------------------------------------------------------------------------------
  #enqueue(link: PeerLink, frame: Uint8Array): void {
    if (link.queue.length >= this.#queueLimit) link.queue.shift();
    link.queue.push(frame);
    this.#pump(link);
  }

  #pump(link: PeerLink): void {
    if (this.#closed || link.queue.length === 0) return;
    if (link.stream === undefined || link.stream.status !== 'open') {
      link.stream = undefined;
      if (link.opening || this.#node.getConnections(link.peerId).length === 0) {
        if (!link.opening) this.#dial(link);
        return;
      }
      link.opening = true;
      this.#node.dialProtocol(link.peerId, DV_PROTOCOL).then(
        (stream) => {
          link.opening = false;
          if (this.#closed) return void stream.abort(new Error('network closed'));
          link.stream = stream;
          stream.addEventListener('close', () => {
            if (link.stream === stream) link.stream = undefined;
            this.#pump(link);
          });
          this.#pump(link);
        },
        () => {
          link.opening = false;
          this.#scheduleDial(link);
        },
      );
      return;
    }
    if (link.writing) return;
    void this.#write(link, link.stream);
  }

  async #write(link: PeerLink, stream: Stream): Promise<void> {
    link.writing = true;
    try {
      while (link.queue.length > 0 && stream.status === 'open') {
        const frame = link.queue[0]!;
        const header = new Uint8Array(LENGTH_PREFIX);
        new DataView(header.buffer).setUint32(0, frame.length);
        // send() buffers even when it returns false (= wait for drain before writing more).
        const okHeader = stream.send(header);
        const okFrame = stream.send(frame);
        link.queue.shift();
        if (!okHeader || !okFrame) await stream.onDrain();
      }
    } catch {
      // The stream died under us; what is still queued goes out on the next stream.
      if (link.stream === stream) link.stream = undefined;
    } finally {
      link.writing = false;
    }
    if (link.queue.length > 0) this.#pump(link);
  }

  #seal(topic: string, payload: Uint8Array): Uint8Array {
    if (this.#closed) throw new Error('cluster network is closed');
    assertTopic(topic);
    return sealEnvelope({ cluster: this.#cluster, sender: this.self, topic, payload }, this.#identity.signer);
  }

  broadcast(topic: string, payload: Uint8Array): void {
    const frame = this.#seal(topic, payload);
    this.#dispatcher.sent(topic, frame.length, this.size - 1);
    for (const link of this.#links) if (link) this.#enqueue(link, frame);
  }

  send(peerIndex: number, topic: string, payload: Uint8Array): void {
    const link = this.#links[peerIndex];
    if (!Number.isInteger(peerIndex) || link === undefined) {
      throw new RangeError(`cannot send to member ${peerIndex} (self ${this.self}, cluster of ${this.size})`);
    }
    const frame = this.#seal(topic, payload);
    this.#dispatcher.sent(topic, frame.length, 1);
    this.#enqueue(link, frame);
  }

  // ---- receiving ------------------------------------------------------------------------------------------------
  async #readStream(stream: Stream, connection: Connection): Promise<void> {
    const from = this.#byPeerId.get(connection.remotePeer.toString());
    if (from === undefined || from === this.self) {
      // The gater makes this unreachable; keep the guard anyway.
      stream.abort(new Error('not a cluster member'));
      return;
    }
    const link = this.#links[from]!;
    let buf = new Uint8Array(0);
    try {
      for await (const chunk of stream) {
        const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray();
        const merged = new Uint8Array(buf.length + bytes.length);
        merged.set(buf);
        merged.set(bytes, buf.length);
        buf = merged;
        let off = 0;
        while (buf.length - off >= LENGTH_PREFIX) {
          const len = new DataView(buf.buffer, buf.byteOffset + off).getUint32(0);
          if (len > this.#maxFrame) {
            this.#dispatcher.drop('too-large', from, `frame of ${len} bytes from peer ${from} exceeds ${this.#maxFrame}`);
            stream.abort(new Error('frame too large'));
            return;
          }
          if (buf.length - off < LENGTH_PREFIX + len) break;
          const frame = buf.subarray(off + LENGTH_PREFIX, off + LENGTH_PREFIX + len);
          off += LENGTH_PREFIX + len;
          link.lastSeenMs = Date.now();
          this.#dispatcher.receive(frame, from);
        }
        buf = off === 0 ? buf : buf.slice(off);
      }
    } catch {
      // Stream reset by the peer or by close(): nothing to do, the sender reopens one.
    }
  }

  onMessage(topic: string, handler: MessageHandler): () => void {
    assertTopic(topic);
    return this.#dispatcher.on(topic, handler);
  }

  // ---- status -----------------------------------------------------------------------------------------------------
  peers(): PeerStatus[] {
    return this.#members.map((m, k) => {
      const link = this.#links[k];
      return {
        index: k,
        address: m.address,
        peerId: m.peerId,
        self: k === this.self,
        connected: link === undefined ? true : link.connected,
        lastSeenMs: link === undefined ? null : link.lastSeenMs,
        reconnects: link?.reconnects ?? 0,
        invalidMessages: this.#dispatcher.invalid[k]!,
        queued: link?.queue.length ?? 0,
      };
    });
  }

  stats(): NetworkStats {
    return structuredClone(this.#dispatcher.counters);
  }

  listenAddresses(): string[] {
    return this.#node.getMultiaddrs().map((a) => a.toString());
  }

  waitForPeers(timeoutMs: number): Promise<void> {
    const missing = () => this.peers().filter((p) => !p.connected).map((p) => p.index);
    if (missing().length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (missing().length > 0) return;
        clearTimeout(timer);
        this.#connectWaiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#connectWaiters.delete(check);
        reject(new Error(`peers not connected after ${timeoutMs} ms: operator(s) ${missing().join(', ')}`));
      }, timeoutMs);
      this.#connectWaiters.add(check);
    });
  }

  /** Stops the node. Frames already handed to open streams get up to `flushMs` (default 2 s) to leave first. */
  async close(flushMs = 2000): Promise<void> {
    if (this.#closed) return;
    const deadline = Date.now() + flushMs;
    const pending = () => this.#links.some((l) => l !== undefined && l.stream !== undefined && (l.writing || l.queue.length > 0));
    while (pending() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    this.#closed = true;
    for (const link of this.#links) if (link?.timer) clearTimeout(link.timer);
    await Promise.all(
      this.#links.map(async (l) => {
        if (l?.stream === undefined) return;
        const stream = l.stream;
        const timer = setTimeout(() => stream.abort(new Error('close timed out')), Math.max(1, deadline - Date.now()));
        try {
          await stream.close();
        } catch {
          // already gone
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    await this.#node.stop();
  }
}

/**
 * Starts a libp2p node for `identity` among `members` and begins dialling them. Throws if the identity is not a
 * member, or a member's peer id does not belong to its address.
 */
export async function startClusterNetwork(o: Libp2pClusterNetworkOptions): Promise<Libp2pClusterNetwork> {
  const self = o.members.findIndex((m) => m.address.toLowerCase() === o.identity.address);
  if (self < 0) throw new Error(`operator ${o.identity.address} is not a member of this cluster`);
  o.members.forEach((m, k) => {
    if (addressOfPeerId(m.peerId) !== m.address.toLowerCase()) {
      throw new Error(`member ${k}: peer id ${m.peerId} is not the key of operator ${m.address}`);
    }
  });
  if (o.members[self]!.peerId !== o.identity.peerId) throw new Error(`member ${self}: peer id does not match this node's key`);
  const allowed = new Set(o.members.map((m) => m.peerId));
  allowed.delete(o.identity.peerId);
  const deny = (peer: PeerId) => !allowed.has(peer.toString());
  const node = await createLibp2p({
    privateKey: o.identity.libp2pKey(),
    addresses: { listen: o.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      denyDialPeer: deny,
      denyInboundEncryptedConnection: deny,
      denyOutboundEncryptedConnection: deny,
      denyInboundUpgradedConnection: deny,
      denyOutboundUpgradedConnection: deny,
    },
    start: false,
  });
  const net = new Libp2pNetwork(node, o, self);
  await node.start();
  await net.start();
  return net;
}
