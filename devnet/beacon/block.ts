/**
 * Block processing (Electra `process_block`): header (slot, proposer, parent), withdrawals sweep, execution payload
 * timestamp/prev_randao, RANDAO, proposer and attester slashings, attestations (participation flags, proposer
 * reward), voluntary exits, execution requests (deposits, EIP-7002 withdrawals) and the sync aggregate.
 * Every signature in a block that we did not build ourselves is verified with real BLS.
 */
import type { BeaconConfig } from '@lodestar/config';
import {
  ForkName, DOMAIN_BEACON_ATTESTER, DOMAIN_BEACON_PROPOSER, DOMAIN_RANDAO, DOMAIN_SYNC_COMMITTEE, DOMAIN_VOLUNTARY_EXIT,
} from '@lodestar/params';
import { ssz, type electra, type phase0 } from '@lodestar/types';
import { bytesToHex } from 'viem';
import { verifyAggregate, verifySignature } from './bls.ts';
import type { EpochCache } from './committees.ts';
import { baseReward, baseRewardPerIncrement } from './epoch.ts';
import { SPEC } from './params.ts';
import { isqrt, sha256, uint64Le } from './shuffle.ts';
import { computeSigningRoot, computeSigningRootFromObjectRoot as computeSigningRootFromRoot } from '../../common/eth2/signing.ts';
import {
  FLAG_WEIGHTS, TIMELY_HEAD, TIMELY_SOURCE, TIMELY_TARGET, computeExitEpochAndUpdateChurn, currentEpoch, decreaseBalance,
  hasCompoundingCredential, hasExecutionCredential, increaseBalance, initiateValidatorExit, isActive, maxEffectiveBalance,
  pendingBalanceToWithdraw, slashValidator, totalActiveBalance, type BeaconState, type Ctx,
} from './state.ts';

export class BlockError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface Deps {
  s: BeaconState;
  ctx: Ctx;
  cache: EpochCache;
  cfg: BeaconConfig;
}

export interface WithdrawalRecord {
  index: number;
  validatorIndex: number;
  address: Uint8Array;
  amount: number;
}

/** get_expected_withdrawals (Electra): pending partials first, then the sweep. */
export function expectedWithdrawals(s: BeaconState, ctx: Ctx): { withdrawals: WithdrawalRecord[]; processedPartials: number } {
  const epoch = currentEpoch(s, ctx.opts.slotsPerEpoch);
  let wIndex = s.nextWithdrawalIndex;
  let vIndex = s.nextWithdrawalValidatorIndex;
  const out: WithdrawalRecord[] = [];
  const withdrawn = (vi: number) => out.filter((w) => w.validatorIndex === vi).reduce((a, w) => a + w.amount, 0);
  let processedPartials = 0;
  for (const w of s.pendingPartialWithdrawals) {
    if (w.withdrawableEpoch > epoch || out.length === SPEC.MAX_PENDING_PARTIALS_PER_WITHDRAWALS_SWEEP) break;
    const v = s.validators[w.validatorIndex]!;
    const balance = s.balances[w.validatorIndex]! - withdrawn(w.validatorIndex);
    if (v.exitEpoch === SPEC.FAR_FUTURE_EPOCH && v.effectiveBalance >= SPEC.MIN_ACTIVATION_BALANCE && balance > SPEC.MIN_ACTIVATION_BALANCE) {
      out.push({ index: wIndex++, validatorIndex: w.validatorIndex, address: v.withdrawalCredentials.slice(12), amount: Math.min(balance - SPEC.MIN_ACTIVATION_BALANCE, w.amount) });
    }
    processedPartials++;
  }
  const bound = Math.min(s.validators.length, SPEC.MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP);
  for (let n = 0; n < bound; n++) {
    const v = s.validators[vIndex]!;
    const balance = s.balances[vIndex]! - withdrawn(vIndex);
    if (hasExecutionCredential(v)) {
      const maxEb = maxEffectiveBalance(v.withdrawalCredentials);
      if (v.withdrawableEpoch <= epoch && balance > 0) {
        out.push({ index: wIndex++, validatorIndex: vIndex, address: v.withdrawalCredentials.slice(12), amount: balance });
      } else if (v.effectiveBalance === maxEb && balance > maxEb) {
        out.push({ index: wIndex++, validatorIndex: vIndex, address: v.withdrawalCredentials.slice(12), amount: balance - maxEb });
      }
    }
    if (out.length === SPEC.MAX_WITHDRAWALS_PER_PAYLOAD) break;
    vIndex = (vIndex + 1) % s.validators.length;
  }
  return { withdrawals: out, processedPartials };
}

/** Attesting indices of an Electra attestation (committees in committee_bits order, bits concatenated). */
export function attestingIndices(d: Deps, att: electra.Attestation): { indices: number[]; perCommittee: { ci: number; positions: number[] }[] } {
  const cis = att.committeeBits.getTrueBitIndexes();
  const sh = d.cache.shuffling(d.s, att.data.target.epoch);
  let offset = 0;
  const indices: number[] = [];
  const perCommittee: { ci: number; positions: number[] }[] = [];
  for (const ci of cis) {
    if (ci >= sh.committeesPerSlot) throw new BlockError('BAD_COMMITTEE_INDEX', `committee index ${ci} ≥ committees per slot ${sh.committeesPerSlot}`);
    const committee = sh.committees[att.data.slot % d.ctx.opts.slotsPerEpoch]![ci]!;
    const positions: number[] = [];
    committee.forEach((vi, i) => {
      if (att.aggregationBits.get(offset + i)) {
        indices.push(vi);
        positions.push(i);
      }
    });
    if (positions.length === 0) throw new BlockError('EMPTY_COMMITTEE_BITS', `no attester of committee ${ci} set`);
    perCommittee.push({ ci, positions });
    offset += committee.length;
  }
  if (cis.length === 0) throw new BlockError('NO_COMMITTEE', 'attestation has no committee bit set');
  if (att.aggregationBits.bitLen !== offset) throw new BlockError('BAD_AGGREGATION_BITS', `aggregation bits length ${att.aggregationBits.bitLen} ≠ committees' size ${offset}`);
  return { indices: indices.sort((a, b) => a - b), perCommittee };
}

export function attestationSigningRoot(d: Deps, data: phase0.AttestationData): Uint8Array {
  return computeSigningRoot(ssz.phase0.AttestationData, data, d.cfg.getDomainAtFork(ForkName.electra, DOMAIN_BEACON_ATTESTER));
}

/** is_valid_indexed_attestation */
export function isValidIndexedAttestation(d: Deps, ia: electra.IndexedAttestation): boolean {
  const idx = ia.attestingIndices;
  if (idx.length === 0) return false;
  for (let i = 1; i < idx.length; i++) if (idx[i]! <= idx[i - 1]!) return false;
  if (idx.some((i) => i >= d.s.validators.length)) return false;
  return verifyAggregate(idx.map((i) => d.s.validators[i]!.pubkey), attestationSigningRoot(d, ia.data), ia.signature);
}

/** Checks of process_attestation that do not depend on signatures; returns the participation flags it earns. */
export function attestationFlags(d: Deps, data: phase0.AttestationData, inclusionSlot: number): number {
  const spe = d.ctx.opts.slotsPerEpoch;
  const cur = Math.floor(inclusionSlot / spe);
  const prev = Math.max(0, cur - 1);
  if (data.target.epoch !== cur && data.target.epoch !== prev) throw new BlockError('BAD_TARGET_EPOCH', `target epoch ${data.target.epoch} is neither ${prev} nor ${cur}`);
  if (data.target.epoch !== Math.floor(data.slot / spe)) throw new BlockError('BAD_TARGET_EPOCH', `target epoch ${data.target.epoch} is not the epoch of slot ${data.slot}`);
  if (data.slot + SPEC.MIN_ATTESTATION_INCLUSION_DELAY > inclusionSlot) throw new BlockError('TOO_EARLY', `attestation of slot ${data.slot} included at ${inclusionSlot}`);
  if (data.index !== 0) throw new BlockError('BAD_INDEX', 'Electra attestations carry data.index = 0');
  const justified = data.target.epoch === cur ? d.s.currentJustified : d.s.previousJustified;
  const matchingSource = data.source.epoch === justified.epoch && eq(data.source.root, justified.root);
  if (!matchingSource) throw new BlockError('BAD_SOURCE', `source ${data.source.epoch}/${bytesToHex(data.source.root)} ≠ justified ${justified.epoch}/${bytesToHex(justified.root)}`);
  const matchingTarget = eq(data.target.root, d.ctx.blockRootAtSlot(data.target.epoch * spe));
  const matchingHead = matchingTarget && eq(data.beaconBlockRoot, d.ctx.blockRootAtSlot(data.slot));
  const delay = inclusionSlot - data.slot;
  let flags = 0;
  if (delay <= Number(isqrt(BigInt(spe)))) flags |= TIMELY_SOURCE;
  if (matchingTarget) flags |= TIMELY_TARGET;
  if (matchingHead && delay === SPEC.MIN_ATTESTATION_INCLUSION_DELAY) flags |= TIMELY_HEAD;
  return flags;
}

export interface BlockEffects {
  withdrawals: WithdrawalRecord[];
  attesterSlashings: number[];
  proposerSlashings: number[];
  exits: number[];
  depositRequests: number;
  withdrawalRequests: number;
  includedAttestations: { att: electra.Attestation; perCommittee: { ci: number; positions: number[] }[]; indices: number[] }[];
}

/**
 * Applies `block` to the state at its slot. `trusted` (blocks we built from verified pools) skips re-verifying
 * operation signatures; the proposer signature and RANDAO reveal are checked by the caller for external blocks.
 */
export function processBlock(d: Deps, block: electra.BeaconBlock, trusted: boolean): BlockEffects {
  const { s, ctx } = d;
  const spe = ctx.opts.slotsPerEpoch;
  const epoch = currentEpoch(s, spe);
  const body = block.body;
  const fx: BlockEffects = { withdrawals: [], attesterSlashings: [], proposerSlashings: [], exits: [], depositRequests: 0, withdrawalRequests: 0, includedAttestations: [] };

  // withdrawals
  const exp = expectedWithdrawals(s, ctx);
  const got = body.executionPayload.withdrawals;
  if (got.length !== exp.withdrawals.length || got.some((w, i) => {
    const e = exp.withdrawals[i]!;
    return w.index !== e.index || w.validatorIndex !== e.validatorIndex || !eq(w.address, e.address) || Number(w.amount) !== e.amount;
  })) throw new BlockError('BAD_WITHDRAWALS', 'execution payload withdrawals differ from get_expected_withdrawals');
  for (const w of exp.withdrawals) decreaseBalance(s, w.validatorIndex, w.amount);
  s.pendingPartialWithdrawals = s.pendingPartialWithdrawals.slice(exp.processedPartials);
  if (exp.withdrawals.length > 0) s.nextWithdrawalIndex = exp.withdrawals[exp.withdrawals.length - 1]!.index + 1;
  if (exp.withdrawals.length === SPEC.MAX_WITHDRAWALS_PER_PAYLOAD) {
    s.nextWithdrawalValidatorIndex = (exp.withdrawals[exp.withdrawals.length - 1]!.validatorIndex + 1) % s.validators.length;
  } else {
    s.nextWithdrawalValidatorIndex = (s.nextWithdrawalValidatorIndex + SPEC.MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP) % s.validators.length;
  }
  fx.withdrawals = exp.withdrawals;

  // execution payload (consensus-side checks only: see README)
  const mix = s.randaoMixes.get(epoch) ?? s.genesisMix;
  if (!eq(body.executionPayload.prevRandao, mix)) throw new BlockError('BAD_PREV_RANDAO', 'execution payload prev_randao ≠ current randao mix');
  const ts = s.genesisTime + Math.floor(block.slot * ctx.opts.slotTime);
  if (body.executionPayload.timestamp !== ts) throw new BlockError('BAD_TIMESTAMP', `execution payload timestamp ${body.executionPayload.timestamp} ≠ ${ts}`);

  // randao
  if (!trusted) {
    const root = computeSigningRoot(ssz.Epoch, epoch, d.cfg.getDomainAtFork(ForkName.electra, DOMAIN_RANDAO));
    if (!verifySignature(s.validators[block.proposerIndex]!.pubkey, root, body.randaoReveal)) throw new BlockError('BAD_RANDAO', 'invalid RANDAO reveal');
  }
  const h = sha256(body.randaoReveal);
  const newMix = new Uint8Array(32);
  for (let i = 0; i < 32; i++) newMix[i] = mix[i]! ^ h[i]!;
  s.randaoMixes.set(epoch, newMix);

  // proposer slashings
  if (body.proposerSlashings.length > SPEC.MAX_PROPOSER_SLASHINGS) throw new BlockError('TOO_MANY', 'too many proposer slashings');
  for (const ps of body.proposerSlashings) {
    const h1 = headerToNum(ps.signedHeader1.message);
    const h2 = headerToNum(ps.signedHeader2.message);
    if (h1.slot !== h2.slot || h1.proposerIndex !== h2.proposerIndex) throw new BlockError('BAD_PROPOSER_SLASHING', 'headers differ in slot or proposer');
    if (eq(ssz.phase0.BeaconBlockHeader.hashTreeRoot(h1), ssz.phase0.BeaconBlockHeader.hashTreeRoot(h2))) throw new BlockError('BAD_PROPOSER_SLASHING', 'headers are equal');
    const v = s.validators[h1.proposerIndex];
    if (!v || !isSlashable(v, epoch)) throw new BlockError('BAD_PROPOSER_SLASHING', `validator ${h1.proposerIndex} is not slashable`);
    if (!trusted) {
      for (const sh of [ps.signedHeader1, ps.signedHeader2]) {
        const root = computeSigningRoot(ssz.phase0.BeaconBlockHeader, headerToNum(sh.message), d.cfg.getDomainAtFork(ForkName.electra, DOMAIN_BEACON_PROPOSER));
        if (!verifySignature(v.pubkey, root, sh.signature)) throw new BlockError('BAD_PROPOSER_SLASHING', 'invalid header signature');
      }
    }
    slashValidator(s, ctx, h1.proposerIndex);
    fx.proposerSlashings.push(h1.proposerIndex);
  }

  // attester slashings
  if (body.attesterSlashings.length > SPEC.MAX_ATTESTER_SLASHINGS_ELECTRA) throw new BlockError('TOO_MANY', 'too many attester slashings');
  for (const as of body.attesterSlashings) {
    const a1 = indexedToNum(as.attestation1);
    const a2 = indexedToNum(as.attestation2);
    if (!isSlashableAttestationData(a1.data, a2.data)) throw new BlockError('BAD_ATTESTER_SLASHING', 'attestation data are not slashable');
    if (!trusted && (!isValidIndexedAttestation(d, a1) || !isValidIndexedAttestation(d, a2))) throw new BlockError('BAD_ATTESTER_SLASHING', 'invalid indexed attestation');
    const set2 = new Set(a2.attestingIndices);
    let any = false;
    for (const i of a1.attestingIndices) {
      if (set2.has(i) && isSlashable(s.validators[i]!, epoch)) {
        slashValidator(s, ctx, i);
        fx.attesterSlashings.push(i);
        any = true;
      }
    }
    if (!any) throw new BlockError('BAD_ATTESTER_SLASHING', 'no slashable validator');
  }

  // attestations
  if (body.attestations.length > SPEC.MAX_ATTESTATIONS_ELECTRA) throw new BlockError('TOO_MANY', 'too many attestations');
  const proposerRewardDenominator = ((SPEC.WEIGHT_DENOMINATOR - SPEC.PROPOSER_WEIGHT) * SPEC.WEIGHT_DENOMINATOR) / SPEC.PROPOSER_WEIGHT;
  let proposerRewardNumerator = 0;
  for (const att of body.attestations) {
    const flags = attestationFlags(d, att.data, block.slot);
    const { indices, perCommittee } = attestingIndices(d, att);
    if (!trusted && !isValidIndexedAttestation(d, { attestingIndices: indices, data: att.data, signature: att.signature })) {
      throw new BlockError('BAD_ATTESTATION_SIGNATURE', `invalid aggregate signature (slot ${att.data.slot})`);
    }
    const part = att.data.target.epoch === epoch ? s.currentParticipation : s.previousParticipation;
    for (const vi of indices) {
      for (const [flag, weight] of FLAG_WEIGHTS) {
        if ((flags & flag) !== 0 && (part[vi]! & flag) === 0) {
          part[vi] = part[vi]! | flag;
          proposerRewardNumerator += baseReward(s, ctx, vi) * weight;
        }
      }
    }
    fx.includedAttestations.push({ att, perCommittee, indices });
  }
  increaseBalance(s, block.proposerIndex, Math.floor(proposerRewardNumerator / proposerRewardDenominator));

  // voluntary exits
  if (body.voluntaryExits.length > SPEC.MAX_VOLUNTARY_EXITS) throw new BlockError('TOO_MANY', 'too many voluntary exits');
  for (const ex of body.voluntaryExits) {
    const err = voluntaryExitError(d, ex, !trusted);
    if (err) throw new BlockError('BAD_VOLUNTARY_EXIT', err);
    initiateValidatorExit(s, ctx, ex.message.validatorIndex);
    fx.exits.push(ex.message.validatorIndex);
  }
  if (body.deposits.length > 0) throw new BlockError('BAD_DEPOSITS', 'Electra chain from genesis: deposits come as execution requests only');

  // execution requests
  for (const dr of body.executionRequests.deposits) {
    if (s.depositRequestsStartIndex === null) s.depositRequestsStartIndex = Number(dr.index);
    s.pendingDeposits.push({ pubkey: dr.pubkey, withdrawalCredentials: dr.withdrawalCredentials, amount: dr.amount, signature: dr.signature, slot: block.slot });
    fx.depositRequests++;
  }
  for (const wr of body.executionRequests.withdrawals) {
    processWithdrawalRequest(d, wr);
    fx.withdrawalRequests++;
  }

  processSyncAggregate(d, block, trusted);
  return fx;
}

function isSlashable(v: { slashed: boolean; activationEpoch: number; withdrawableEpoch: number }, epoch: number): boolean {
  return !v.slashed && v.activationEpoch <= epoch && epoch < v.withdrawableEpoch;
}

/** is_slashable_attestation_data: double vote or surround vote. */
export function isSlashableAttestationData(a: phase0.AttestationData, b: phase0.AttestationData): boolean {
  const double = !eq(ssz.phase0.AttestationData.hashTreeRoot(a), ssz.phase0.AttestationData.hashTreeRoot(b)) && a.target.epoch === b.target.epoch;
  const surround = a.source.epoch < b.source.epoch && b.target.epoch < a.target.epoch;
  return double || surround;
}

/** The checks of process_voluntary_exit; returns why the exit is invalid, or null. */
export function voluntaryExitError(d: Deps, ex: phase0.SignedVoluntaryExit, checkSignature: boolean): string | null {
  const { s, ctx } = d;
  const epoch = currentEpoch(s, ctx.opts.slotsPerEpoch);
  const vi = ex.message.validatorIndex;
  const v = s.validators[vi];
  if (!v) return `validator ${vi} does not exist`;
  if (!isActive(v, epoch)) return `validator ${vi} is not active`;
  if (v.exitEpoch !== SPEC.FAR_FUTURE_EPOCH) return `validator ${vi} is already exiting (exit epoch ${v.exitEpoch})`;
  if (epoch < ex.message.epoch) return `exit epoch ${ex.message.epoch} is in the future (current ${epoch})`;
  if (epoch < v.activationEpoch + ctx.opts.shardCommitteePeriod) return `validator ${vi} has not been active for SHARD_COMMITTEE_PERIOD (${ctx.opts.shardCommitteePeriod} epochs)`;
  if (pendingBalanceToWithdraw(s, vi) !== 0) return `validator ${vi} has pending partial withdrawals`;
  if (checkSignature) {
    const root = computeSigningRoot(ssz.phase0.VoluntaryExit, ex.message, d.cfg.getDomainAtFork(ForkName.capella, DOMAIN_VOLUNTARY_EXIT));
    if (!verifySignature(v.pubkey, root, ex.signature)) return 'invalid signature';
  }
  return null;
}

/** process_withdrawal_request (EIP-7002 via Electra): invalid requests are ignored, as the spec says. */
function processWithdrawalRequest(d: Deps, wr: electra.WithdrawalRequest): void {
  const { s, ctx } = d;
  const epoch = currentEpoch(s, ctx.opts.slotsPerEpoch);
  const amount = Number(wr.amount);
  const full = amount === SPEC.FULL_EXIT_REQUEST_AMOUNT;
  const vi = s.pubkeyIndex.get(bytesToHex(wr.validatorPubkey));
  if (vi === undefined) return;
  const v = s.validators[vi]!;
  if (!hasExecutionCredential(v) || !eq(v.withdrawalCredentials.subarray(12), wr.sourceAddress)) return;
  if (!isActive(v, epoch) || v.exitEpoch !== SPEC.FAR_FUTURE_EPOCH) return;
  if (epoch < v.activationEpoch + ctx.opts.shardCommitteePeriod) return;
  const pending = pendingBalanceToWithdraw(s, vi);
  if (full) {
    if (pending === 0) initiateValidatorExit(s, ctx, vi);
    return;
  }
  if (hasCompoundingCredential(v) && v.effectiveBalance >= SPEC.MIN_ACTIVATION_BALANCE && s.balances[vi]! > SPEC.MIN_ACTIVATION_BALANCE + pending) {
    const toWithdraw = Math.min(s.balances[vi]! - SPEC.MIN_ACTIVATION_BALANCE - pending, amount);
    const exitQueueEpoch = computeExitEpochAndUpdateChurn(s, ctx, toWithdraw);
    s.pendingPartialWithdrawals.push({ validatorIndex: vi, amount: toWithdraw, withdrawableEpoch: exitQueueEpoch + ctx.opts.withdrawabilityDelay });
  }
}

/** process_sync_aggregate: participants are paid, absent members penalised, proposer rewarded per participant. */
function processSyncAggregate(d: Deps, block: electra.BeaconBlock, trusted: boolean): void {
  const { s, ctx } = d;
  const agg = block.body.syncAggregate;
  const committee = s.currentSyncCommittee;
  if (committee.length === 0) return;
  const prevSlot = Math.max(block.slot, 1) - 1;
  if (!trusted) {
    const participants = committee.filter((_, i) => agg.syncCommitteeBits.get(i)).map((vi) => s.validators[vi]!.pubkey);
    const root = computeSigningRootFromRoot(ctx.blockRootAtSlot(prevSlot), d.cfg.getDomainAtFork(ForkName.electra, DOMAIN_SYNC_COMMITTEE));
    const infinity = agg.syncCommitteeSignature[0] === 0xc0 && agg.syncCommitteeSignature.subarray(1).every((b) => b === 0);
    const ok = participants.length === 0 ? infinity : verifyAggregate(participants, root, agg.syncCommitteeSignature);
    if (!ok) throw new BlockError('BAD_SYNC_AGGREGATE', 'invalid sync committee signature');
  }
  const total = totalActiveBalance(s, currentEpoch(s, ctx.opts.slotsPerEpoch));
  const totalBaseRewards = baseRewardPerIncrement(ctx) * Math.floor(total / SPEC.EFFECTIVE_BALANCE_INCREMENT);
  const maxParticipantRewards = Math.floor(Math.floor((totalBaseRewards * SPEC.SYNC_REWARD_WEIGHT) / SPEC.WEIGHT_DENOMINATOR) / ctx.opts.slotsPerEpoch);
  const participantReward = Math.floor(maxParticipantRewards / SPEC.SYNC_COMMITTEE_SIZE);
  const proposerReward = Math.floor((participantReward * SPEC.PROPOSER_WEIGHT) / (SPEC.WEIGHT_DENOMINATOR - SPEC.PROPOSER_WEIGHT));
  committee.forEach((vi, i) => {
    if (agg.syncCommitteeBits.get(i)) {
      increaseBalance(s, vi, participantReward);
      increaseBalance(s, block.proposerIndex, proposerReward);
    } else {
      decreaseBalance(s, vi, participantReward);
    }
  });
}

/** The commitment we publish as state_root (not the spec's BeaconState root: see README). */
export function stateRootFor(parentRoot: Uint8Array, slot: number, bodyRoot: Uint8Array): Uint8Array {
  return sha256(new TextEncoder().encode('shoal-devnet-state'), parentRoot, uint64Le(slot), bodyRoot);
}

export function eq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}


// Slashing containers carry slots/epochs as uint64 bigints in @lodestar/types; these convert at the boundary.
export function dataToNum(d: phase0.AttestationDataBigint): phase0.AttestationData {
  return { slot: Number(d.slot), index: Number(d.index), beaconBlockRoot: d.beaconBlockRoot, source: { epoch: Number(d.source.epoch), root: d.source.root }, target: { epoch: Number(d.target.epoch), root: d.target.root } };
}
export function dataToBig(d: phase0.AttestationData): phase0.AttestationDataBigint {
  return { slot: BigInt(d.slot), index: BigInt(d.index), beaconBlockRoot: d.beaconBlockRoot, source: { epoch: BigInt(d.source.epoch), root: d.source.root }, target: { epoch: BigInt(d.target.epoch), root: d.target.root } };
}
export function indexedToNum(ia: electra.IndexedAttestationBigint): electra.IndexedAttestation {
  return { attestingIndices: ia.attestingIndices, data: dataToNum(ia.data), signature: ia.signature };
}
export function headerToNum(h: phase0.BeaconBlockHeaderBigint): phase0.BeaconBlockHeader {
  return { ...h, slot: Number(h.slot) };
}
