/**
 * The duty workflow of dv-node: every interface on one page (after Charon's core/interfaces, written our own way).
 *
 *   Scheduler ──(duty, definitions)──▶ Fetcher ──unsigned data──▶ Consensus (QBFT, one instance per slot × duty type)
 *        │                                                             │ decided value
 *        │                                                             ▼
 *        │                                                         DutyStore (refuses a clashing value)
 *        │                                                             │
 *        │                                                             ▼
 *        │                      Signer: slashing protection (durable) first, then partial BLS signatures
 *        │                                                             │ partials
 *        │                                                             ▼
 *        │                      ParSigExchange ◀──▶ peers (signed by the operator key in the p2p layer)
 *        │                                                             │ own + peers' partials
 *        │                                                             ▼
 *        │                      Aggregator: t partials → Lagrange → verify vs group key (name a bad sender)
 *        │                                                             │ group signatures
 *        │                                                             ▼
 *        └──────────────────────────────────────────────────────▶ Broadcaster ──▶ beacon node
 *
 * Each component is a small module behind its interface, testable alone; `node.ts` wires them once. The
 * duty-specific knowledge (what to fetch, what is sane, what to sign, what to submit) lives in one `DutyKind` per
 * duty type (attester.ts, aggregation.ts, proposer.ts, sync.ts, sync-contribution.ts, exit.ts), so the components stay
 * generic.
 */
import type { BeaconClient } from '../beacon/client.ts';
import type { SigningRequest } from '../slashing/db.ts';

export type Hex = `0x${string}`;

/**
 * Duty types. `randao`, `prepare_aggregator` and `prepare_sync_contribution` are the threshold signatures other duties
 * depend on (RANDAO reveal before a block; selection proofs before attestation aggregation and before sync committee
 * contributions); their data is deterministic, so they skip consensus.
 */
export const DUTY_TYPES = [
  'proposer',
  'randao',
  'attester',
  'prepare_aggregator',
  'aggregator',
  'sync_message',
  'prepare_sync_contribution',
  'sync_contribution',
  'exit',
] as const;
export type DutyType = (typeof DUTY_TYPES)[number];

/** One duty of the cluster: all its validators' work of one type in one slot. */
export interface Duty {
  readonly slot: number;
  readonly type: DutyType;
}

export function dutyKey(d: Duty): string {
  return `${d.slot}/${d.type}`;
}

/** One validator's part in a duty, as the scheduler learnt it from the beacon node. */
export interface DutyDefinition {
  readonly pubkey: Hex;
  readonly validatorIndex: number;
  /** attester / aggregator duties */
  readonly committeeIndex?: number;
  readonly committeeLength?: number;
  readonly committeesAtSlot?: number;
  readonly validatorCommitteeIndex?: number;
  /** sync committee duties */
  readonly syncCommitteeIndices?: readonly number[];
  /** exit duties: the exit's epoch */
  readonly exitEpoch?: number;
}

/**
 * Key of one group signature within a duty: the validator's pubkey, or `pubkey#sub` when a validator signs several
 * objects in one duty (`sub`: e.g. the sync subcommittee of a selection proof or contribution).
 */
export type SigKey = Hex | `${Hex}#${number}`;

export function sigKey(pubkey: Hex, sub?: number): SigKey {
  return sub === undefined ? pubkey : `${pubkey}#${sub}`;
}

/** What one validator signs for a duty: the signing root, and the slashing-protection record it needs (if any). */
export interface SigningItem {
  readonly pubkey: Hex;
  /** Which of the validator's objects in this duty, when it signs several (see SigKey). */
  readonly sub?: number;
  readonly root: Uint8Array;
  readonly slashing?: SigningRequest;
}

/** A partial signature as it travels between nodes. */
export interface PartialSig {
  readonly pubkey: Hex;
  readonly sub?: number;
  /** The signing root it signs (receivers only combine partials over the root they computed themselves). */
  readonly root: Hex;
  readonly signature: Hex;
}

/**
 * Why a duty (for one validator) failed: each reason names one cause an operator can act on. Logged with the duty
 * and validator, and counted in /metrics (`dvnode_duty_failures_total{type,reason}`).
 */
export const FAILURE_REASONS = {
  beacon_node_error: 'the beacon node refused or did not answer a call (endpoint, status and message are logged)',
  consensus_timeout: 'the cluster did not agree on the duty data before its deadline (peers down or too slow)',
  invalid_proposal: 'the leader proposed data that failed the sanity checks (logged with what was wrong)',
  duty_store_clash: 'a different value was already decided for this duty (refused: never sign two values)',
  slashing_protection_refused: 'the slashing protection database refused to sign (double or surround vote, double proposal)',
  insufficient_partials: 'fewer than t valid partial signatures arrived before the deadline',
  invalid_partial_from_peer: 'a peer sent a partial signature that does not verify (the peer is named); dropped',
  combine_failed: 'the combined signature did not verify and no bad partial could be singled out',
  dependency_missing: 'a signature or decided value this duty depends on (RANDAO reveal, selection proof, attestation data, sync message root) is missing',
  internal_error: 'a bug or an unexpected exception (stack trace logged)',
} as const;
export type FailureReason = keyof typeof FAILURE_REASONS;

/** A duty failure with its reason; `validators` empty = the whole duty. */
export class DutyError extends Error {
  override name = 'DutyError';
  constructor(
    readonly reason: FailureReason,
    message: string,
    readonly validators: readonly Hex[] = [],
  ) {
    super(message);
  }
}

/** What the duty-specific code may read while fetching data. */
export interface FetchContext {
  readonly beacon: BeaconClient;
  readonly store: DutyStore;
  readonly aggSigs: AggSigDb;
}

/** Duty-specific knowledge, one per duty type; pure apart from `fetch` and `submit`. */
export interface DutyKind {
  readonly type: DutyType;
  /** Whether the cluster must agree on the data first (false when every node derives the same data). */
  readonly consensus: boolean;
  /** Unsigned data for the duty, canonically encoded (so equal data gives equal bytes on every node). */
  fetch(ctx: FetchContext, duty: Duty, defs: readonly DutyDefinition[]): Promise<Uint8Array>;
  /** Sanity of a proposed value: null if acceptable, else why not. */
  validate(duty: Duty, value: Uint8Array, defs: readonly DutyDefinition[]): string | null;
  /** What each validator signs. */
  signingItems(duty: Duty, value: Uint8Array, defs: readonly DutyDefinition[]): SigningItem[];
  /** Submits the signed objects; returns the pubkeys submitted. */
  submit(beacon: BeaconClient, duty: Duty, value: Uint8Array, defs: readonly DutyDefinition[], sigs: ReadonlyMap<SigKey, Uint8Array>): Promise<Hex[]>;
}

// ---- components ---------------------------------------------------------------------------------------------

export type DutyHandler = (duty: Duty, defs: readonly DutyDefinition[]) => void;

/** Learns the cluster's duties from the beacon node and triggers each at its offset in the slot. */
export interface Scheduler {
  onDuty(handler: DutyHandler): void;
  start(): Promise<void>;
  stop(): void;
}

/** Unsigned duty data from the beacon node. */
export interface Fetcher {
  fetch(duty: Duty, defs: readonly DutyDefinition[]): Promise<Uint8Array>;
}

/** Agreement on the unsigned data of one duty among the cluster. */
export interface Consensus {
  /** Resolves with the decided value; rejects with DutyError('consensus_timeout') at the deadline. */
  decide(duty: Duty, propose: () => Promise<Uint8Array>, validate: (value: Uint8Array) => string | null, deadlineMs: number): Promise<Uint8Array>;
}

/** The decided value of each duty; never two values for one duty. */
export interface DutyStore {
  /** Stores the value; throws DutyError('duty_store_clash') if another value is stored for the duty. */
  store(duty: Duty, value: Uint8Array): void;
  get(duty: Duty): Uint8Array | undefined;
  /** Resolves once a value is stored (or rejects at the deadline). */
  await(duty: Duty, deadlineMs: number): Promise<Uint8Array>;
  prune(beforeSlot: number): void;
}

export interface SignOutcome {
  partials: PartialSig[];
  refused: { pubkey: Hex; reason: string }[];
}

/** Slashing protection (durable) first, then this node's partial signatures. */
export interface Signer {
  sign(duty: Duty, items: readonly SigningItem[]): SignOutcome;
}

/** Partial signatures to and from the other operators. */
export interface ParSigExchange {
  broadcast(duty: Duty, partials: readonly PartialSig[]): void;
  onPartials(handler: (fromIndex: number, duty: Duty, partials: readonly PartialSig[]) => void): void;
}

export interface AggregateResult {
  /** pubkey → group signature (verified against the group key). */
  signatures: Map<SigKey, Uint8Array>;
  /** validators whose signature could not be made, with why. */
  failed: { pubkey: Hex; reason: FailureReason; detail: string }[];
}

/** Collects partials, combines t of them, verifies, names senders of bad ones. */
export interface Aggregator {
  /** Partials from a member (ourselves included); may arrive before `expect`. */
  add(fromIndex: number, duty: Duty, partials: readonly PartialSig[]): void;
  /** The roots we expect per validator; resolves when all are combined or at the deadline. */
  expect(duty: Duty, items: readonly SigningItem[], deadlineMs: number): Promise<AggregateResult>;
  prune(beforeSlot: number): void;
}

/**
 * Group signatures of deterministic duties (RANDAO reveals, attestation and sync committee selection proofs), for the
 * duties that depend on them.
 */
export interface AggSigDb {
  store(duty: Duty, sigs: ReadonlyMap<SigKey, Uint8Array>): void;
  await(duty: Duty, deadlineMs: number): Promise<ReadonlyMap<SigKey, Uint8Array>>;
  prune(beforeSlot: number): void;
}

/** Submits signed duties to the beacon node. */
export interface Broadcaster {
  broadcast(duty: Duty, value: Uint8Array, defs: readonly DutyDefinition[], sigs: ReadonlyMap<SigKey, Uint8Array>): Promise<Hex[]>;
}

/** Something that asks the cluster to exit validators (CLI request files, on-chain exit-request events). */
export interface ExitTrigger {
  onExit(handler: (req: { pubkey: Hex; epoch: number; source: string }) => void): void;
  start(): Promise<void>;
  stop(): void;
}
