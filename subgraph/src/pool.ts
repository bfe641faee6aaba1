// StakingPool (dvETH): stakes, share transfers, the beacon view, oracle reports (rate, rewards, fees, APR),
// withdrawal finalization on the pool's side, penalties.
import { BigInt } from '@graphprotocol/graph-ts';
import {
  Approval as ApprovalEvent,
  BeaconStatUpdated,
  FeeSharesMinted,
  PenaltyReceived,
  PenaltiesReleased,
  Referral as ReferralEvent,
  Staked,
  StakingPaused,
  StakingResumed,
  TokenRebased,
  Transfer as TransferEvent,
  ValidatorsDeposited,
  VaultsCollected,
  WithdrawalsFinalized,
} from '../generated/StakingPool/StakingPool';
import { Approval, FeeMint, PenaltyReceipt, Referral, Stake, Transfer } from '../generated/schema';
import {
  ZERO,
  ZERO_ADDRESS,
  annualisedPercent,
  eventId,
  loadProtocol,
  loadStaker,
  rateToDecimal,
  recordRate,
  refreshProtocol,
  shareRateOf,
  sharesToEther,
} from './helpers';
import { loadReport } from './report';

export function handleStaked(event: Staked): void {
  let p = loadProtocol(event);
  p.totalPooledEther = p.totalPooledEther.plus(event.params.assets);
  p.totalStaked = p.totalStaked.plus(event.params.assets);
  refreshProtocol(p);
  p.save();

  let staker = loadStaker(event.params.receiver, event);
  staker.totalStaked = staker.totalStaked.plus(event.params.assets);
  staker.save();

  let s = new Stake(eventId(event));
  s.sender = event.params.sender;
  s.receiver = staker.id;
  s.assets = event.params.assets;
  s.shares = event.params.shares;
  s.shareRate = p.shareRate;
  s.blockNumber = event.block.number;
  s.timestamp = event.block.timestamp;
  s.transaction = event.transaction.hash;
  s.save();
}

export function handleReferral(event: ReferralEvent): void {
  let r = new Referral(eventId(event));
  r.referral = event.params.referral;
  r.receiver = event.params.receiver;
  r.assets = event.params.assets;
  r.blockNumber = event.block.number;
  r.timestamp = event.block.timestamp;
  r.transaction = event.transaction.hash;
  r.save();
}

/** Share movements, mints (stakes, fees) and burns (finalized withdrawals) included. */
export function handleTransfer(event: TransferEvent): void {
  let p = loadProtocol(event);
  let from = event.params.from;
  let to = event.params.to;
  let shares = event.params.value;
  if (from.equals(ZERO_ADDRESS)) {
    p.totalShares = p.totalShares.plus(shares);
  } else {
    let sender = loadStaker(from, event);
    let before = sender.shares;
    sender.shares = sender.shares.minus(shares);
    if (before.gt(ZERO) && sender.shares.equals(ZERO)) p.holders = p.holders - 1;
    sender.save();
  }
  if (to.equals(ZERO_ADDRESS)) {
    p.totalShares = p.totalShares.minus(shares);
  } else {
    let receiver = loadStaker(to, event);
    let before = receiver.shares;
    receiver.shares = receiver.shares.plus(shares);
    if (before.equals(ZERO) && receiver.shares.gt(ZERO)) p.holders = p.holders + 1;
    receiver.save();
  }
  refreshProtocol(p);
  p.save();

  let t = new Transfer(eventId(event));
  t.from = from;
  t.to = to;
  t.shares = shares;
  t.value = sharesToEther(p, shares);
  t.blockNumber = event.block.number;
  t.timestamp = event.block.timestamp;
  t.transaction = event.transaction.hash;
  t.save();
}

export function handleApproval(event: ApprovalEvent): void {
  let a = new Approval(eventId(event));
  a.owner = event.params.owner;
  a.spender = event.params.spender;
  a.value = event.params.value;
  a.blockNumber = event.block.number;
  a.timestamp = event.block.timestamp;
  a.transaction = event.transaction.hash;
  a.save();
}

export function handleValidatorsDeposited(event: ValidatorsDeposited): void {
  let p = loadProtocol(event);
  p.depositedValidators = event.params.depositedValidators;
  refreshProtocol(p);
  p.save();
}

export function handleBeaconStatUpdated(event: BeaconStatUpdated): void {
  let p = loadProtocol(event);
  p.beaconValidators = event.params.beaconValidators;
  p.beaconBalance = event.params.beaconBalance;
  refreshProtocol(p);
  p.save();

  let r = loadReport(event);
  r.beaconValidators = event.params.beaconValidators;
  r.beaconBalance = event.params.beaconBalance;
  r.appearedValidators = event.params.appearedValidators;
  r.save();
}

export function handleVaultsCollected(event: VaultsCollected): void {
  let r = loadReport(event);
  r.withdrawalsCollected = event.params.withdrawals;
  r.executionRewardsCollected = event.params.executionRewards;
  r.save();
}

export function handleFeeSharesMinted(event: FeeSharesMinted): void {
  let r = loadReport(event);
  r.save();
  let p = loadProtocol(event);
  p.totalFeeShares = p.totalFeeShares.plus(event.params.shares);
  p.save();

  let f = new FeeMint(eventId(event));
  f.report = r.id;
  f.recipient = event.params.recipient;
  f.shares = event.params.shares;
  f.blockNumber = event.block.number;
  f.timestamp = event.block.timestamp;
  f.transaction = event.transaction.hash;
  f.save();
}

export function handlePoolWithdrawalsFinalized(event: WithdrawalsFinalized): void {
  let r = loadReport(event);
  r.withdrawalsFinalizedUpTo = event.params.lastRequestId;
  r.etherLockedForWithdrawals = event.params.etherLocked;
  r.sharesBurnedForWithdrawals = event.params.sharesBurned;
  r.save();
}

/**
 * The end of a report: the pool's totals after rewards/losses, fees and finalization. The APR compares the
 * rate after the report with the rate before it over the report's time span (finalization at a rate at or
 * below the pool's cannot lower the rate, so it does not distort it).
 */
export function handleTokenRebased(event: TokenRebased): void {
  let e = event.params;
  let p = loadProtocol(event);
  p.totalPooledEther = e.postTotalEther;
  p.totalShares = e.postTotalShares;
  refreshProtocol(p);

  let r = loadReport(event);
  r.timeElapsed = e.timeElapsed;
  r.preTotalEther = e.preTotalEther;
  r.preTotalShares = e.preTotalShares;
  r.postTotalEther = e.postTotalEther;
  r.postTotalShares = e.postTotalShares;
  r.rewards = e.rewards;
  r.sharesMintedAsFees = e.sharesMintedAsFees;
  r.fees = e.postTotalShares.equals(ZERO) ? ZERO : e.sharesMintedAsFees.times(e.postTotalEther).div(e.postTotalShares);
  // ether before minus what finalization took out, against what is left: a negative difference is a loss
  let kept = e.postTotalEther.plus(r.etherLockedForWithdrawals);
  r.loss = e.preTotalEther.gt(kept) ? e.preTotalEther.minus(kept) : ZERO;
  r.shareRateBefore = shareRateOf(e.preTotalEther, e.preTotalShares);
  r.shareRate = p.shareRate;
  r.shareRateDecimal = rateToDecimal(p.shareRate);
  r.apr = annualisedPercent(r.shareRateBefore, r.shareRate, e.timeElapsed);
  r.blockNumber = event.block.number;
  r.timestamp = event.block.timestamp;
  r.save();

  p.totalRewards = p.totalRewards.plus(e.rewards);
  p.totalLosses = p.totalLosses.plus(r.loss);
  p.lastReport = r.id;
  p.lastApr = r.apr;
  p.save();
  recordRate(p, event, 'REPORT', r.id, e.rewards, r.fees, r.apr);
}

export function handlePenaltyReceived(event: PenaltyReceived): void {
  let p = loadProtocol(event);
  let before = p.shareRate;
  // held by the pool until a report releases it into pooled ether (PenaltiesReleased, then TokenRebased)
  p.totalPenaltiesReceived = p.totalPenaltiesReceived.plus(event.params.amount);
  refreshProtocol(p);
  p.save();

  let pr = new PenaltyReceipt(eventId(event));
  pr.from = event.params.from;
  pr.amount = event.params.amount;
  pr.shareRateBefore = before;
  pr.shareRateAfter = p.shareRate;
  pr.blockNumber = event.block.number;
  pr.timestamp = event.block.timestamp;
  pr.transaction = event.transaction.hash;
  pr.save();
  recordRate(p, event, 'PENALTY', null, BigInt.zero(), BigInt.zero(), null);
}

/** A report moved held penalty ETH into pooled ether (within the rebase bound; TokenRebased follows). */
export function handlePenaltiesReleased(event: PenaltiesReleased): void {
  let p = loadProtocol(event);
  p.totalPooledEther = p.totalPooledEther.plus(event.params.released);
  refreshProtocol(p);
  p.save();
}

export function handleStakingPaused(event: StakingPaused): void {
  let p = loadProtocol(event);
  p.stakingPaused = true;
  p.save();
}

export function handleStakingResumed(event: StakingResumed): void {
  let p = loadProtocol(event);
  p.stakingPaused = false;
  p.save();
}
