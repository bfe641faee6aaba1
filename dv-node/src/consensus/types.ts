/**
 * QBFT consensus for dv-node: every interface of the component on one page.
 *
 * The cluster's n operators run one QBFT instance per duty (slot, duty type) and agree on one opaque value
 * (the unsigned duty data for all the cluster's validators) before anyone signs a partial signature.
 * Everything the protocol touches from outside comes in through the interfaces below, so the state machine is
 * pure and testable with an in-memory transport and a fake clock:
 *
 *   fetcher ──getValue()──▶ ┌──────────────┐ ──broadcast(bytes)──▶ Transport (libp2p later, MemoryNetwork in tests)
 *   validator ─validate()─▶ │ QbftConsensus │ ◀──onMessage(bytes)──
 *   Signer / Verifier ────▶ │  (instances)  │ ──Decision (value + commit certificate)──▶ duty store / signer
 *   Clock, RoundTimer ────▶ └──────────────┘ ──ConsensusMetrics──▶ Prometheus
 */

/** 0x-prefixed lower-case hex, as viem spells it. */
export type Hex = `0x${string}`;

/**
 * The key of one consensus instance. `type` is the duty type as the scheduler names it (e.g. `attester`,
 * `proposer`, `aggregator`, `sync_message`, `sync_contribution`, `exit`); it is opaque to consensus.
 */
export interface Duty {
  readonly slot: number;
  readonly type: string;
}

/** Signs the 32-byte digest of a consensus message with this operator's key. */
export interface Signer {
  sign(digest: Uint8Array): Uint8Array;
}

/** Checks that `signature` over `digest` was made by the operator at `sender` in the cluster's ordered list. */
export interface Verifier {
  verify(sender: number, digest: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * What consensus needs from the network: send to every other cluster member, receive from them. Messages are
 * self-describing, signed bytes; the transport need not authenticate peers nor deliver in order, once, or at all
 * (a message lost for good only costs liveness for as long as it takes round changes to recover).
 */
export interface Transport {
  /** Sends to every other member of the cluster (not to ourselves). */
  broadcast(message: Uint8Array): void;
  /** Registers the receiver of messages from other members; returns a function that unregisters it. */
  onMessage(handler: (message: Uint8Array) => void): () => void;
}

/** A timer that can be cancelled. */
export interface TimerHandle {
  cancel(): void;
}

/** Time as consensus sees it, so tests can drive it by hand. Milliseconds. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

/** Duration of a round in milliseconds (round numbers start at 1). */
export type RoundTimer = (round: number) => number;

/** Why an incoming message was dropped; operators see these counts, so each names one cause. */
export const DROP_REASONS = [
  'malformed', // bytes do not decode into a well-formed message
  'wrong-cluster', // signed for another cluster
  'wrong-instance', // signed for another duty than the instance it was handed to (a replay across instances)
  'unknown-sender', // sender index outside the cluster
  'missing-signature', // unsigned
  'bad-signature', // signature does not verify against the sender's key (forged or corrupted)
  'invalid-round', // round 0 or beyond maxRound
  'duplicate', // the same message again (re-delivery or replay inside the instance)
  'equivocation', // a second, different message from the same sender for the same step and round
  'not-leader', // a proposal from someone who does not lead that round
  'unjustified', // a proposal or round change whose justification does not hold
  'value-mismatch', // carried value bytes do not hash to the value hash the message signs
  'invalid-value', // validate(value) refused the proposed value
  'expired', // the duty's instance is over (decided and cancelled, or expired)
  'buffer-full', // too many early messages for instances not started yet
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Message kinds. DECIDED carries a commit quorum so a node that missed commits can still decide. */
export type MsgType = 'PRE_PREPARE' | 'PREPARE' | 'COMMIT' | 'ROUND_CHANGE' | 'DECIDED';

/** The signed part of every consensus message. */
export interface QbftMessage {
  readonly type: MsgType;
  /** Cluster lock hash (32 bytes): no message of one cluster is valid in another. */
  readonly cluster: Hex;
  readonly duty: Duty;
  /** Index of the sender in the cluster's ordered operator list. */
  readonly sender: number;
  readonly round: number;
  /** SHA-256 of the value (see hashValue); null for ROUND_CHANGE. */
  readonly valueHash: Hex | null;
  /** ROUND_CHANGE only: last round this sender prepared in (0 = never). */
  readonly preparedRound: number;
  /** ROUND_CHANGE only: hash of the value prepared in preparedRound, or null. */
  readonly preparedValueHash: Hex | null;
}

export interface SignedQbftMessage extends QbftMessage {
  readonly signature: Hex;
}

/**
 * What travels on the wire: a signed message, the signed messages that justify it (flat, no nesting), and the
 * value bytes it refers to where receivers need them (PRE_PREPARE, DECIDED, ROUND_CHANGE with a prepared value).
 */
export interface Envelope {
  readonly msg: SignedQbftMessage;
  readonly justification: readonly SignedQbftMessage[];
  readonly value: Hex | null;
}

/** The outcome of an instance: the value, and the quorum of signed COMMITs that proves it (a certificate). */
export interface Decision {
  readonly duty: Duty;
  readonly round: number;
  readonly value: Uint8Array;
  readonly valueHash: Hex;
  readonly commits: readonly SignedQbftMessage[];
}

/** Two signed messages from one sender for the same step and round that disagree: provable misbehaviour. */
export interface EquivocationEvidence {
  readonly duty: Duty;
  readonly sender: number;
  readonly type: MsgType;
  readonly round: number;
  readonly first: SignedQbftMessage;
  readonly second: SignedQbftMessage;
}

/** Why an instance changed round. */
export type RoundChangeCause = 'timeout' | 'f+1' | 'proposal';

/** Hooks for the Prometheus layer (every method optional to implement; see NoopMetrics). */
export interface ConsensusMetrics {
  messageSent(duty: Duty, type: MsgType): void;
  /** `duty` is null when the bytes could not be decoded. */
  messageDropped(duty: Duty | null, reason: DropReason): void;
  roundChanged(duty: Duty, round: number, cause: RoundChangeCause): void;
  decided(duty: Duty, round: number, latencyMs: number): void;
  equivocation(evidence: EquivocationEvidence): void;
  /** The instance ended without a decision (cancelled or expired). */
  abandoned(duty: Duty, round: number): void;
}

/** Per-instance inputs from the duty workflow. */
export interface InstanceInputs {
  /** Fetches the value this node proposes when it leads a round (called lazily, at most once per success). */
  getValue(): Promise<Uint8Array>;
  /** Must hold for a proposed value before this node prepares it; keeps a Byzantine leader's garbage out. */
  validate(value: Uint8Array): boolean;
  /** Clock time (ms) at which the duty expires: the instance is cancelled then. Omitted = never. */
  deadline?: number;
}
