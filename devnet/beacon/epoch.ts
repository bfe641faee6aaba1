/**
 * Epoch processing (Electra `process_epoch`), run when the state moves from the last slot of an epoch to the first
 * of the next. Applied: justification & finalization, inactivity scores, flag rewards & penalties, registry updates (eligibility,
 * activation after `activationDelay`, ejection), correlated slashing penalties, pending deposits under the
 * balance churn, effective-balance hysteresis, slashings reset, randao mix carry-over, participation rotation and
 * sync committee rotation. Altair inactivity scores and the
 * inactivity leak are applied too. Simplified away (see README): eth1 voting, historical summaries, pending
 * consolidations.
 */
import { SPEC } from './params.ts';
import { isqrt } from './shuffle.ts';
import {
  FLAG_WEIGHTS, TIMELY_HEAD, TIMELY_TARGET, activationExitChurnLimit, applyPendingDeposit, currentEpoch,
  decreaseBalance, increaseBalance, initiateValidatorExit, isActive, maxEffectiveBalance, totalActiveBalance, updateValidator,
  type BeaconState, type Ctx,
} from './state.ts';
import { nextSyncCommittee } from './committees.ts';

const EJECTION_BALANCE = 16_000_000_000; // Gwei, spec config

/** Per-validator attestation reward components of one epoch (for /eth/v1/beacon/rewards/attestations). */
export interface EpochRewards {
  epoch: number;
  /** by validator index: [source, target, head, inactivity] in Gwei (negative = penalty) */
  byValidator: Map<number, [number, number, number, number]>;
  /** ideal rewards per effective balance (Gwei): [source, target, head] */
  ideal: Map<number, [number, number, number]>;
}

/**
 * get_base_reward_per_increment, scaled (see README "Rewards"): EBI·BASE_REWARD_FACTOR/√(reference total balance),
 * times our epoch length over mainnet's, at least 1 Gwei so fast-slot tests still see rewards.
 */
export function baseRewardPerIncrement(ctx: Ctx): number {
  const perMainnetEpoch = Number((BigInt(SPEC.EFFECTIVE_BALANCE_INCREMENT) * BigInt(SPEC.BASE_REWARD_FACTOR)) / isqrt(BigInt(Math.floor(ctx.opts.rewardReferenceTotalBalance))));
  const epochSeconds = ctx.opts.slotTime * ctx.opts.slotsPerEpoch;
  return Math.max(1, Math.floor((perMainnetEpoch * epochSeconds) / SPEC.MAINNET_EPOCH_SECONDS));
}

export function baseReward(s: BeaconState, ctx: Ctx, i: number): number {
  return Math.floor(s.validators[i]!.effectiveBalance / SPEC.EFFECTIVE_BALANCE_INCREMENT) * baseRewardPerIncrement(ctx);
}

export function processEpoch(s: BeaconState, ctx: Ctx): EpochRewards | null {
  const spe = ctx.opts.slotsPerEpoch;
  const cur = currentEpoch(s, spe);
  const prev = Math.max(0, cur - 1);
  const total = totalActiveBalance(s, cur);

  // --- justification and finalization
  if (cur > SPEC.GENESIS_EPOCH + 1) {
    const prevTarget = participatingBalance(s, s.previousParticipation, TIMELY_TARGET, prev);
    const curTarget = participatingBalance(s, s.currentParticipation, TIMELY_TARGET, cur);
    weighJustificationAndFinalization(s, ctx, total, prevTarget, curTarget);
  }

  // --- inactivity scores, then rewards and penalties for the previous epoch's flags
  let rewards: EpochRewards | null = null;
  if (cur > SPEC.GENESIS_EPOCH) {
    processInactivityUpdates(s, prev);
    rewards = processRewardsAndPenalties(s, ctx, prev, total);
  }

  // --- registry updates
  for (let i = 0; i < s.validators.length; i++) {
    const v = s.validators[i]!;
    if (v.activationEligibilityEpoch === SPEC.FAR_FUTURE_EPOCH && v.effectiveBalance >= SPEC.MIN_ACTIVATION_BALANCE) {
      updateValidator(s, i, { activationEligibilityEpoch: cur + 1 });
    } else if (isActive(v, cur) && v.effectiveBalance <= EJECTION_BALANCE) {
      initiateValidatorExit(s, ctx, i);
    } else if (v.activationEligibilityEpoch <= s.finalized.epoch && v.activationEpoch === SPEC.FAR_FUTURE_EPOCH) {
      updateValidator(s, i, { activationEpoch: cur + ctx.opts.activationDelay });
    }
  }

  // --- correlated slashing penalty, half-way through the slashings vector
  const slashedSum = s.slashings.reduce((a, b) => a + b, 0);
  const adjusted = Math.min(slashedSum * SPEC.PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX, total);
  const perIncrement = Math.floor(adjusted / Math.floor(total / SPEC.EFFECTIVE_BALANCE_INCREMENT));
  for (let i = 0; i < s.validators.length; i++) {
    const v = s.validators[i]!;
    if (v.slashed && cur + Math.floor(ctx.opts.epochsPerSlashingsVector / 2) === v.withdrawableEpoch) {
      decreaseBalance(s, i, perIncrement * Math.floor(v.effectiveBalance / SPEC.EFFECTIVE_BALANCE_INCREMENT));
    }
  }

  processPendingDeposits(s, ctx);

  // --- effective balance updates (hysteresis)
  const hyst = SPEC.EFFECTIVE_BALANCE_INCREMENT / SPEC.HYSTERESIS_QUOTIENT;
  const down = hyst * SPEC.HYSTERESIS_DOWNWARD_MULTIPLIER;
  const up = hyst * SPEC.HYSTERESIS_UPWARD_MULTIPLIER;
  for (let i = 0; i < s.validators.length; i++) {
    const v = s.validators[i]!;
    const b = s.balances[i]!;
    if (b + down < v.effectiveBalance || v.effectiveBalance + up < b) {
      const eb = Math.min(b - (b % SPEC.EFFECTIVE_BALANCE_INCREMENT), maxEffectiveBalance(v.withdrawalCredentials));
      if (eb !== v.effectiveBalance) updateValidator(s, i, { effectiveBalance: eb });
    }
  }

  // --- slashings reset, randao carry-over, participation rotation
  s.slashings[(cur + 1) % ctx.opts.epochsPerSlashingsVector] = 0;
  s.randaoMixes.set(cur + 1, s.randaoMixes.get(cur) ?? s.genesisMix);
  for (const e of s.randaoMixes.keys()) if (e < cur - 8) s.randaoMixes.delete(e);
  s.previousParticipation = s.currentParticipation;
  s.currentParticipation = new Uint8Array(s.previousParticipation.length);

  // --- sync committee rotation
  if ((cur + 1) % ctx.opts.epochsPerSyncCommitteePeriod === 0) {
    s.currentSyncCommittee = s.nextSyncCommittee;
    s.nextSyncCommittee = nextSyncCommittee(s, spe);
  }
  return rewards;
}

function participatingBalance(s: BeaconState, flags: Uint8Array, flag: number, epoch: number): number {
  let t = 0;
  for (let i = 0; i < s.validators.length; i++) {
    const v = s.validators[i]!;
    if (!v.slashed && isActive(v, epoch) && (flags[i]! & flag) !== 0) t += v.effectiveBalance;
  }
  return Math.max(SPEC.EFFECTIVE_BALANCE_INCREMENT, t);
}

/** weigh_justification_and_finalization (2/3 of active stake on the target justifies; the usual 4 finality rules). */
function weighJustificationAndFinalization(s: BeaconState, ctx: Ctx, total: number, prevTarget: number, curTarget: number): void {
  const spe = ctx.opts.slotsPerEpoch;
  const cur = currentEpoch(s, spe);
  const prev = cur - 1;
  const oldPrev = s.previousJustified;
  const oldCur = s.currentJustified;
  s.previousJustified = s.currentJustified;
  const b = s.justificationBits;
  s.justificationBits = [false, b[0], b[1], b[2]];
  if (prevTarget * 3 >= total * 2) {
    s.currentJustified = { epoch: prev, root: ctx.blockRootAtSlot(prev * spe) };
    s.justificationBits[1] = true;
  }
  if (curTarget * 3 >= total * 2) {
    s.currentJustified = { epoch: cur, root: ctx.blockRootAtSlot(cur * spe) };
    s.justificationBits[0] = true;
  }
  const [b0, b1, b2, b3] = s.justificationBits;
  if (b1 && b2 && b3 && oldPrev.epoch + 3 === cur) s.finalized = oldPrev;
  if (b1 && b2 && oldPrev.epoch + 2 === cur) s.finalized = oldPrev;
  if (b0 && b1 && b2 && oldCur.epoch + 2 === cur) s.finalized = oldCur;
  if (b0 && b1 && oldCur.epoch + 1 === cur) s.finalized = oldCur;
}

/** is_in_inactivity_leak: finality delay (previous epoch − finalized epoch) above MIN_EPOCHS_TO_INACTIVITY_PENALTY. */
export function isInInactivityLeak(s: BeaconState, prev: number): boolean {
  return prev - s.finalized.epoch > SPEC.MIN_EPOCHS_TO_INACTIVITY_PENALTY;
}

const isEligible = (v: { slashed: boolean; withdrawableEpoch: number }, active: boolean, prev: number): boolean =>
  active || (v.slashed && prev + 1 < v.withdrawableEpoch);

/** process_inactivity_updates: +BIAS for a missed target, −1 for a hit, −RECOVERY_RATE outside a leak. */
function processInactivityUpdates(s: BeaconState, prev: number): void {
  const leak = isInInactivityLeak(s, prev);
  for (let i = 0; i < s.validators.length; i++) {
    const v = s.validators[i]!;
    if (!isEligible(v, isActive(v, prev), prev)) continue;
    let score = s.inactivityScores[i]!;
    if (!v.slashed && (s.previousParticipation[i]! & TIMELY_TARGET) !== 0) score -= Math.min(1, score);
    else score += SPEC.INACTIVITY_SCORE_BIAS;
    if (!leak) score -= Math.min(SPEC.INACTIVITY_SCORE_RECOVERY_RATE, score);
    s.inactivityScores[i] = score;
  }
}

/** get_flag_index_deltas (no flag rewards during a leak) and get_inactivity_penalty_deltas. */
function processRewardsAndPenalties(s: BeaconState, ctx: Ctx, prev: number, total: number): EpochRewards {
  const brpi = baseRewardPerIncrement(ctx);
  const activeIncrements = Math.floor(total / SPEC.EFFECTIVE_BALANCE_INCREMENT);
  const byValidator = new Map<number, [number, number, number, number]>();
  const leak = isInInactivityLeak(s, prev);
  const ideal = new Map<number, [number, number, number]>();
  const participatingIncrements = FLAG_WEIGHTS.map(([flag]) => Math.floor(participatingBalance(s, s.previousParticipation, flag, prev) / SPEC.EFFECTIVE_BALANCE_INCREMENT));
  for (let i = 0; i < s.validators.length; i++) {
    const v = s.validators[i]!;
    const eligible = isEligible(v, isActive(v, prev), prev);
    if (!eligible) continue;
    const base = Math.floor(v.effectiveBalance / SPEC.EFFECTIVE_BALANCE_INCREMENT) * brpi;
    const deltas: [number, number, number, number] = [0, 0, 0, 0];
    const idealD: [number, number, number] = [0, 0, 0];
    FLAG_WEIGHTS.forEach(([flag, weight], k) => {
      const reward = Math.floor((base * weight * participatingIncrements[k]!) / (activeIncrements * SPEC.WEIGHT_DENOMINATOR));
      idealD[k] = reward;
      if (!v.slashed && (s.previousParticipation[i]! & flag) !== 0) deltas[k] = leak ? 0 : reward;
      else if (flag !== TIMELY_HEAD) deltas[k] = -Math.floor((base * weight) / SPEC.WEIGHT_DENOMINATOR);
    });
    if (v.slashed || (s.previousParticipation[i]! & TIMELY_TARGET) === 0) {
      deltas[3] = -Math.floor((v.effectiveBalance * s.inactivityScores[i]!) / (SPEC.INACTIVITY_SCORE_BIAS * SPEC.INACTIVITY_PENALTY_QUOTIENT_BELLATRIX));
    }
    const sum = deltas[0] + deltas[1] + deltas[2] + deltas[3];
    if (sum >= 0) increaseBalance(s, i, sum);
    else decreaseBalance(s, i, -sum);
    byValidator.set(i, deltas);
    if (!ideal.has(v.effectiveBalance)) ideal.set(v.effectiveBalance, idealD);
  }
  return { epoch: prev, byValidator, ideal };
}

/** process_pending_deposits (Electra): deposits finalized on chain are applied under the activation churn. */
function processPendingDeposits(s: BeaconState, ctx: Ctx): void {
  const spe = ctx.opts.slotsPerEpoch;
  const nextEpoch = currentEpoch(s, spe) + 1;
  const available = s.depositBalanceToConsume + activationExitChurnLimit(s, ctx);
  let processed = 0;
  let next = 0;
  const postponed: typeof s.pendingDeposits = [];
  let churnReached = false;
  const finalizedSlot = s.finalized.epoch * spe;
  for (const d of s.pendingDeposits) {
    if (d.slot > finalizedSlot) break;
    if (next >= SPEC.MAX_PENDING_DEPOSITS_PER_EPOCH) break;
    const idx = s.pubkeyIndex.get(hexKey(d.pubkey));
    const v = idx === undefined ? undefined : s.validators[idx];
    const exited = v !== undefined && v.exitEpoch < SPEC.FAR_FUTURE_EPOCH;
    const withdrawn = v !== undefined && v.withdrawableEpoch < nextEpoch;
    if (withdrawn) applyPendingDeposit(s, ctx, d);
    else if (exited) postponed.push(d);
    else {
      churnReached = processed + d.amount > available;
      if (churnReached) break;
      processed += d.amount;
      applyPendingDeposit(s, ctx, d);
    }
    next++;
  }
  s.pendingDeposits = s.pendingDeposits.slice(next).concat(postponed);
  s.depositBalanceToConsume = churnReached ? available - processed : 0;
}

function hexKey(b: Uint8Array): string {
  return '0x' + Buffer.from(b).toString('hex');
}
