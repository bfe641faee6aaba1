/**
 * The cluster's network, as every other dv-node component sees it: n known members (the operators of the cluster
 * lock, in lock order), each addressed by its index. Implementations: `Libp2pClusterNetwork` (libp2p over TCP with
 * noise and yamux, members only) and `MemoryClusterNetwork` (in-process, for unit tests of other components).
 *
 * Guarantees of every implementation:
 * - a handler only ever sees messages whose envelope was signed by the operator key of `fromIndex` for this
 *   cluster and this topic (forged, corrupted or foreign messages are dropped and counted, never delivered);
 * - delivery is best effort: in order per (sender, receiver) while a connection lasts, messages to a peer that is
 *   momentarily unreachable are queued (bounded) and flushed when it reconnects; no delivery to oneself;
 * - a message can be delivered more than once only if the sender sent it more than once (no replay protection
 *   across sessions: components bind their messages to their own context, e.g. a duty or a DKG session).
 */

/** 0x-prefixed lower-case hex. */
export type Hex = `0x${string}`;

/** Receives the payload of a verified message of one topic; `fromIndex` is the sender's operator index. */
export type MessageHandler = (fromIndex: number, payload: Uint8Array) => void;

/** Why an incoming message was dropped (counted per reason in `NetworkStats.dropped`). */
export const P2P_DROP_REASONS = [
  'malformed', // the frame does not decode into an envelope
  'wrong-cluster', // signed for another cluster (definition / lock hash)
  'unknown-sender', // sender index outside the cluster
  'sender-mismatch', // the envelope claims a sender other than the authenticated peer it came from
  'bad-signature', // signature does not verify against the claimed sender's operator key
  'too-large', // frame larger than the configured maximum
  'no-handler', // nobody listens to the topic (counted, not an error)
] as const;
export type P2pDropReason = (typeof P2P_DROP_REASONS)[number];

export interface PeerStatus {
  /** Operator index in the cluster (lock order). */
  readonly index: number;
  /** The operator's Ethereum address (lower-case). */
  readonly address: Hex;
  /** libp2p peer id (base58btc string). */
  readonly peerId: string;
  /** True for this node's own entry. */
  readonly self: boolean;
  /** An authenticated connection to the peer is open (always true for self). */
  readonly connected: boolean;
  /** Unix ms of the last message or connection event from the peer, or null if never seen. */
  readonly lastSeenMs: number | null;
  /** How many times the connection came back after being lost. */
  readonly reconnects: number;
  /** Messages from this peer dropped because they were invalid (bad signature, wrong cluster, …). */
  readonly invalidMessages: number;
  /** Messages waiting for the peer to (re)connect. */
  readonly queued: number;
}

export interface NetworkStats {
  sent: number;
  received: number;
  /** Dropped incoming messages by reason. */
  dropped: Record<P2pDropReason, number>;
}

/** Hooks for the Prometheus layer; every method is optional. */
export interface P2pMetrics {
  messageSent?(topic: string, bytes: number): void;
  messageReceived?(topic: string, fromIndex: number, bytes: number): void;
  messageDropped?(reason: P2pDropReason, fromIndex: number | null): void;
  peerConnected?(index: number): void;
  peerDisconnected?(index: number): void;
}

export interface ClusterNetwork {
  /** This node's operator index. */
  readonly self: number;
  /** Cluster size n. */
  readonly size: number;
  /** Sends to every other member (not to ourselves). */
  broadcast(topic: string, payload: Uint8Array): void;
  /** Sends to one member; `peerIndex` must not be `self`. */
  send(peerIndex: number, topic: string, payload: Uint8Array): void;
  /** Registers a handler for a topic (several allowed); returns a function that unregisters it. */
  onMessage(topic: string, handler: MessageHandler): () => void;
  /** Status of every member, self included, in index order. */
  peers(): PeerStatus[];
  /** Message counters. */
  stats(): NetworkStats;
  /** Stops the node and closes every connection; idempotent. */
  close(): Promise<void>;
}
