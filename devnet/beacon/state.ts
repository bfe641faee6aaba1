/**
 * The beacon state of the test chain and the spec helpers that read or change it (Electra: churn, exits, slashing,
 * deposits, effective balances). Pure: no I/O, no clock. Balances and effective balances are Gwei as JS numbers
 * (exact up to 9·10^15 Gwei per value, far above any balance here).
 *
 * Validator records are treated as immutable: every change replaces the object, so snapshots of the registry are a
 * cheap array copy (copy-on-write), which keeps historical states for the API affordable.
 */
import { bytesToHex } from 'viem';
import { SPEC, type BeaconOptions } from './params.ts';
import { depositMessageSigningRoot } from '../../common/eth2/signing.ts';
import { verifySignature } from './bls.ts';

/** An error the API reports with `status` (400 bad request, 404 not found, 503 not available). */
export class ChainError extends Error {
  constructor(readonly status: 400 | 404 | 503, message: string) {
    super(message);
  }
}

export interface Validator {
  readonly pubkey: Uint8Array;
  readonly withdrawalCredentials: Uint8Array;
  readonly effectiveBalance: number;
  readonly slashed: boolean;
  readonly activationEligibilityEpoch: number;
  readonly activationEpoch: number;
  readonly exitEpoch: number;
  readonly withdrawableEpoch: number;
}

export interface Checkpoint {
  epoch: number;
  root: Uint8Array;
}

export interface PendingDeposit {
  pubkey: Uint8Array;
  withdrawalCredentials: Uint8Array;
  amount: number;
  signature: Uint8Array;
  slot: number;
}

export interface PendingPartialWithdrawal {
  validatorIndex: number;
  amount: number;
  withdrawableEpoch: number;
}

export const TIMELY_SOURCE = 1;
export const TIMELY_TARGET = 2;
export const TIMELY_HEAD = 4;
export const FLAG_WEIGHTS: ReadonlyArray<[number, number]> = [
  [TIMELY_SOURCE, SPEC.TIMELY_SOURCE_WEIGHT],
  [TIMELY_TARGET, SPEC.TIMELY_TARGET_WEIGHT],
  [TIMELY_HEAD, SPEC.TIMELY_HEAD_WEIGHT],
];

export interface BeaconState {
  genesisTime: number;
  genesisValidatorsRoot: Uint8Array;
  slot: number;
  validators: Validator[];
  balances: number[];
  /** hex pubkey → index */
  pubkeyIndex: Map<string, number>;
  /** randao mix at the end of each (recent) epoch; the current epoch's entry is the running mix. */
  randaoMixes: Map<number, Uint8Array>;
  genesisMix: Uint8Array;
  previousParticipation: Uint8Array;
  currentParticipation: Uint8Array;
  /** Altair inactivity scores, one per validator */
  inactivityScores: number[];
  justificationBits: [boolean, boolean, boolean, boolean];
  previousJustified: Checkpoint;
  currentJustified: Checkpoint;
  finalized: Checkpoint;
  /** slashed effective balance per epoch (ring of EPOCHS_PER_SLASHINGS_VECTOR) */
  slashings: number[];
  pendingDeposits: PendingDeposit[];
  pendingPartialWithdrawals: PendingPartialWithdrawal[];
  depositBalanceToConsume: number;
  exitBalanceToConsume: number;
  earliestExitEpoch: number;
  depositRequestsStartIndex: number | null;
  nextWithdrawalIndex: number;
  nextWithdrawalValidatorIndex: number;
  /** validator indices of the current and next sync committees (SYNC_COMMITTEE_SIZE each) */
  currentSyncCommittee: number[];
  nextSyncCommittee: number[];
}

/** Everything the pure functions need besides the state. */
export interface Ctx {
  opts: BeaconOptions;
  /** CAPELLA fork version etc. come from here */
  genesisForkVersion: Uint8Array;
  /** latest block root at a past slot (get_block_root_at_slot) */
  blockRootAtSlot(slot: number): Uint8Array;
  /** proposer of the state's current slot (whistleblower rewards) */
  currentProposer(): number;
}

export const epochOf = (slot: number, spe: number): number => Math.floor(slot / spe);
export const currentEpoch = (s: BeaconState, spe: number): number => epochOf(s.slot, spe);
export const previousEpoch = (s: BeaconState, spe: number): number => Math.max(0, currentEpoch(s, spe) - 1);

export function isActive(v: Validator, epoch: number): boolean {
  return v.activationEpoch <= epoch && epoch < v.exitEpoch;
}

export function activeIndices(s: BeaconState, epoch: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.validators.length; i++) if (isActive(s.validators[i]!, epoch)) out.push(i);
  return out;
}

export function totalActiveBalance(s: BeaconState, epoch: number): number {
  let t = 0;
  for (const v of s.validators) if (isActive(v, epoch)) t += v.effectiveBalance;
  return Math.max(SPEC.EFFECTIVE_BALANCE_INCREMENT, t);
}

export const hasCompoundingCredential = (v: Validator): boolean => v.withdrawalCredentials[0] === SPEC.COMPOUNDING_WITHDRAWAL_PREFIX;
export const hasExecutionCredential = (v: Validator): boolean =>
  v.withdrawalCredentials[0] === SPEC.ETH1_ADDRESS_WITHDRAWAL_PREFIX || hasCompoundingCredential(v);
export const maxEffectiveBalance = (wc: Uint8Array): number =>
  wc[0] === SPEC.COMPOUNDING_WITHDRAWAL_PREFIX ? SPEC.MAX_EFFECTIVE_BALANCE_ELECTRA : SPEC.MIN_ACTIVATION_BALANCE;

export function increaseBalance(s: BeaconState, i: number, delta: number): void {
  s.balances[i] = s.balances[i]! + delta;
}
export function decreaseBalance(s: BeaconState, i: number, delta: number): void {
  s.balances[i] = Math.max(0, s.balances[i]! - delta);
}

export function updateValidator(s: BeaconState, i: number, patch: Partial<Validator>): Validator {
  const v = { ...s.validators[i]!, ...patch };
  s.validators[i] = v;
  return v;
}

/** get_balance_churn_limit / get_activation_exit_churn_limit (Electra) */
export function balanceChurnLimit(s: BeaconState, ctx: Ctx): number {
  const churn = Math.max(ctx.opts.minPerEpochChurnLimit, Math.floor(totalActiveBalance(s, currentEpoch(s, ctx.opts.slotsPerEpoch)) / SPEC.CHURN_LIMIT_QUOTIENT));
  return churn - (churn % SPEC.EFFECTIVE_BALANCE_INCREMENT);
}
export function activationExitChurnLimit(s: BeaconState, ctx: Ctx): number {
  return Math.min(SPEC.MAX_PER_EPOCH_ACTIVATION_EXIT_CHURN_LIMIT, balanceChurnLimit(s, ctx));
}

/** compute_activation_exit_epoch (spec: epoch + 1 + MAX_SEED_LOOKAHEAD) */
export const activationExitEpoch = (epoch: number): number => epoch + 1 + SPEC.MAX_SEED_LOOKAHEAD;

/** compute_exit_epoch_and_update_churn (Electra) */
export function computeExitEpochAndUpdateChurn(s: BeaconState, ctx: Ctx, exitBalance: number): number {
  let earliest = Math.max(s.earliestExitEpoch, activationExitEpoch(currentEpoch(s, ctx.opts.slotsPerEpoch)));
  const perEpochChurn = activationExitChurnLimit(s, ctx);
  let toConsume = s.earliestExitEpoch < earliest ? perEpochChurn : s.exitBalanceToConsume;
  if (exitBalance > toConsume) {
    const additional = Math.floor((exitBalance - toConsume - 1) / perEpochChurn) + 1;
    earliest += additional;
    toConsume += additional * perEpochChurn;
  }
  s.exitBalanceToConsume = toConsume - exitBalance;
  s.earliestExitEpoch = earliest;
  return earliest;
}

/** initiate_validator_exit (Electra) */
export function initiateValidatorExit(s: BeaconState, ctx: Ctx, i: number): void {
  const v = s.validators[i]!;
  if (v.exitEpoch !== SPEC.FAR_FUTURE_EPOCH) return;
  const exitEpoch = computeExitEpochAndUpdateChurn(s, ctx, v.effectiveBalance);
  updateValidator(s, i, { exitEpoch, withdrawableEpoch: exitEpoch + ctx.opts.withdrawabilityDelay });
}

/** slash_validator (Electra quotients); returns the penalty applied. */
export function slashValidator(s: BeaconState, ctx: Ctx, i: number, whistleblower?: number): number {
  const epoch = currentEpoch(s, ctx.opts.slotsPerEpoch);
  initiateValidatorExit(s, ctx, i);
  const v0 = s.validators[i]!;
  const v = updateValidator(s, i, {
    slashed: true,
    withdrawableEpoch: Math.max(v0.withdrawableEpoch, epoch + ctx.opts.epochsPerSlashingsVector),
  });
  const slot = epoch % ctx.opts.epochsPerSlashingsVector;
  s.slashings[slot] = (s.slashings[slot] ?? 0) + v.effectiveBalance;
  const penalty = Math.floor(v.effectiveBalance / SPEC.MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA);
  decreaseBalance(s, i, penalty);
  const proposer = ctx.currentProposer();
  const wb = whistleblower ?? proposer;
  const whistleblowerReward = Math.floor(v.effectiveBalance / SPEC.WHISTLEBLOWER_REWARD_QUOTIENT_ELECTRA);
  const proposerReward = Math.floor((whistleblowerReward * SPEC.PROPOSER_WEIGHT) / SPEC.WEIGHT_DENOMINATOR);
  increaseBalance(s, proposer, proposerReward);
  increaseBalance(s, wb, whistleblowerReward - proposerReward);
  return penalty;
}

/** get_pending_balance_to_withdraw */
export function pendingBalanceToWithdraw(s: BeaconState, i: number): number {
  let t = 0;
  for (const w of s.pendingPartialWithdrawals) if (w.validatorIndex === i) t += w.amount;
  return t;
}

/** The deposit signing root (domain: DOMAIN_DEPOSIT, GENESIS_FORK_VERSION, zero genesis validators root). */
export function depositSigningRoot(genesisForkVersion: Uint8Array, pubkey: Uint8Array, withdrawalCredentials: Uint8Array, amount: number): Uint8Array {
  return depositMessageSigningRoot(genesisForkVersion, { pubkey, withdrawalCredentials, amount });
}

/** is_valid_deposit_signature: proof of possession over the DepositMessage. */
export function isValidDepositSignature(genesisForkVersion: Uint8Array, d: Omit<PendingDeposit, 'slot'>): boolean {
  return verifySignature(d.pubkey, depositSigningRoot(genesisForkVersion, d.pubkey, d.withdrawalCredentials, d.amount), d.signature);
}

/** add_validator_to_registry (Electra) */
export function addValidator(s: BeaconState, pubkey: Uint8Array, withdrawalCredentials: Uint8Array, amount: number): number {
  const eb = Math.min(amount - (amount % SPEC.EFFECTIVE_BALANCE_INCREMENT), maxEffectiveBalance(withdrawalCredentials));
  const index = s.validators.length;
  s.validators.push({
    pubkey,
    withdrawalCredentials,
    effectiveBalance: eb,
    slashed: false,
    activationEligibilityEpoch: SPEC.FAR_FUTURE_EPOCH,
    activationEpoch: SPEC.FAR_FUTURE_EPOCH,
    exitEpoch: SPEC.FAR_FUTURE_EPOCH,
    withdrawableEpoch: SPEC.FAR_FUTURE_EPOCH,
  });
  s.balances.push(amount);
  s.pubkeyIndex.set(bytesToHex(pubkey), index);
  s.previousParticipation = grow(s.previousParticipation, s.validators.length);
  s.currentParticipation = grow(s.currentParticipation, s.validators.length);
  s.inactivityScores.push(0);
  return index;
}

function grow(a: Uint8Array, n: number): Uint8Array {
  if (a.length >= n) return a;
  const b = new Uint8Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/** apply_pending_deposit: a new key needs a valid proof of possession (else the deposit is dropped); a known key is topped up. */
export function applyPendingDeposit(s: BeaconState, ctx: Ctx, d: PendingDeposit): 'created' | 'topped-up' | 'invalid-signature' {
  const idx = s.pubkeyIndex.get(bytesToHex(d.pubkey));
  if (idx === undefined) {
    if (!isValidDepositSignature(ctx.genesisForkVersion, d)) return 'invalid-signature';
    addValidator(s, d.pubkey, d.withdrawalCredentials, d.amount);
    return 'created';
  }
  increaseBalance(s, idx, d.amount);
  return 'topped-up';
}

/** The API's validator status (ethereum/beacon-APIs ValidatorStatus). */
export type ValidatorStatus =
  | 'pending_initialized' | 'pending_queued' | 'active_ongoing' | 'active_exiting' | 'active_slashed'
  | 'exited_unslashed' | 'exited_slashed' | 'withdrawal_possible' | 'withdrawal_done';

export function validatorStatus(v: Validator, balance: number, epoch: number): ValidatorStatus {
  if (v.activationEpoch > epoch) {
    return v.activationEligibilityEpoch === SPEC.FAR_FUTURE_EPOCH ? 'pending_initialized' : 'pending_queued';
  }
  if (v.activationEpoch <= epoch && epoch < v.exitEpoch) {
    if (v.exitEpoch === SPEC.FAR_FUTURE_EPOCH) return 'active_ongoing';
    return v.slashed ? 'active_slashed' : 'active_exiting';
  }
  if (v.exitEpoch <= epoch && epoch < v.withdrawableEpoch) return v.slashed ? 'exited_slashed' : 'exited_unslashed';
  return balance !== 0 ? 'withdrawal_possible' : 'withdrawal_done';
}
