// Shared state helpers of the mappings: the Protocol singleton, stakers, ids, share-rate math, the daily series.
import { Address, BigDecimal, BigInt, Bytes, ethereum } from '@graphprotocol/graph-ts';
import { ExchangeRate, ExchangeRateDaily, Protocol, Staker } from '../generated/schema';

export const PROTOCOL_ID = '1';
export const ZERO = BigInt.zero();
export const ONE = BigInt.fromI32(1);
/** Share rates are ETH per share × 1e27 (StakingPool.SHARE_RATE_PRECISION). */
export const RATE_PRECISION = BigInt.fromI32(10).pow(27);
/** 1 ETH in wei. */
export const ETHER = BigInt.fromI32(10).pow(18);
/** 32 ETH: the deposit of one validator (consensus specs MAX_EFFECTIVE_BALANCE for 0x01 credentials). */
export const DEPOSIT_SIZE = ETHER.times(BigInt.fromI32(32));
/** Seconds in a 365-day year, for APRs. */
export const SECONDS_PER_YEAR = BigInt.fromI32(31536000);
export const SECONDS_PER_DAY = 86400;
export const ZERO_ADDRESS = Address.zero();

/** `<txHash>-<logIndex>`: the id of an immutable event entity. */
export function eventId(event: ethereum.Event): string {
  return event.transaction.hash.toHexString() + '-' + event.logIndex.toString();
}

export function loadProtocol(event: ethereum.Event): Protocol {
  let p = Protocol.load(PROTOCOL_ID);
  if (p == null) {
    p = new Protocol(PROTOCOL_ID);
    p.totalPooledEther = ZERO;
    p.totalShares = ZERO;
    p.shareRate = RATE_PRECISION;
    p.shareRateDecimal = BigDecimal.fromString('1');
    p.bufferedEther = ZERO;
    p.depositedValidators = ZERO;
    p.beaconValidators = ZERO;
    p.beaconBalance = ZERO;
    p.transientEther = ZERO;
    p.totalStaked = ZERO;
    p.totalRewards = ZERO;
    p.totalLosses = ZERO;
    p.totalFeeShares = ZERO;
    p.totalPenaltiesReceived = ZERO;
    p.holders = 0;
    p.stakingPaused = false;
    p.lastRequestId = ZERO;
    p.lastFinalizedRequestId = ZERO;
    p.unfinalizedShares = ZERO;
    p.unfinalizedEther = ZERO;
    p.lockedEther = ZERO;
    p.requestShareRate = RATE_PRECISION;
    p.withdrawalsPaused = false;
    p.operators = 0;
    p.clusters = 0;
    p.totalPenaltiesCharged = ZERO;
    p.totalPenaltiesCollected = ZERO;
    p.exitRequests = 0;
  }
  p.updatedAtBlock = event.block.number;
  p.updatedAt = event.block.timestamp;
  return p;
}

/** totalPooledEther × 1e27 / totalShares (the pool's `shareRate()`), 1e27 before any share exists. */
export function shareRateOf(pooled: BigInt, shares: BigInt): BigInt {
  if (shares.equals(ZERO)) return RATE_PRECISION;
  return pooled.times(RATE_PRECISION).div(shares);
}

export function rateToDecimal(rate: BigInt): BigDecimal {
  return rate.toBigDecimal().div(RATE_PRECISION.toBigDecimal());
}

/** Recomputes the derived fields of the protocol (rate, buffer, transient) from its stored totals. */
export function refreshProtocol(p: Protocol): void {
  p.shareRate = shareRateOf(p.totalPooledEther, p.totalShares);
  p.shareRateDecimal = rateToDecimal(p.shareRate);
  p.transientEther = p.depositedValidators.minus(p.beaconValidators).times(DEPOSIT_SIZE);
  p.bufferedEther = p.totalPooledEther.minus(p.beaconBalance).minus(p.transientEther);
}

/** ETH value of `shares` at the protocol's current books (StakingPool.convertToAssets). */
export function sharesToEther(p: Protocol, shares: BigInt): BigInt {
  if (p.totalShares.equals(ZERO)) return shares;
  return shares.times(p.totalPooledEther).div(p.totalShares);
}

export function loadStaker(address: Bytes, event: ethereum.Event): Staker {
  let s = Staker.load(address);
  if (s == null) {
    s = new Staker(address);
    s.shares = ZERO;
    s.totalStaked = ZERO;
    s.totalSharesRequested = ZERO;
    s.totalClaimed = ZERO;
    s.firstSeenBlock = event.block.number;
  }
  s.updatedAtBlock = event.block.number;
  return s;
}

/**
 * Annualised relative change of the share rate over `seconds`, in percent:
 *   (post − pre) / pre × SECONDS_PER_YEAR / seconds × 100
 */
export function annualisedPercent(pre: BigInt, post: BigInt, seconds: BigInt): BigDecimal {
  if (pre.equals(ZERO) || seconds.equals(ZERO)) return BigDecimal.zero();
  let change = post.minus(pre).toBigDecimal().div(pre.toBigDecimal());
  return change
    .times(SECONDS_PER_YEAR.toBigDecimal())
    .div(seconds.toBigDecimal())
    .times(BigDecimal.fromString('100'));
}

/** Appends a point to the exchange-rate series and folds it into the day's aggregate. */
export function recordRate(
  p: Protocol,
  event: ethereum.Event,
  cause: string,
  reportId: string | null,
  rewards: BigInt,
  fees: BigInt,
  apr: BigDecimal | null,
): void {
  let point = new ExchangeRate(eventId(event));
  point.cause = cause;
  point.report = reportId;
  point.shareRate = p.shareRate;
  point.shareRateDecimal = p.shareRateDecimal;
  point.totalPooledEther = p.totalPooledEther;
  point.totalShares = p.totalShares;
  point.blockNumber = event.block.number;
  point.timestamp = event.block.timestamp;
  point.save();

  let day = event.block.timestamp.toI32() / SECONDS_PER_DAY;
  let id = day.toString();
  let d = ExchangeRateDaily.load(id);
  if (d == null) {
    d = new ExchangeRateDaily(id);
    d.date = day * SECONDS_PER_DAY;
    d.open = p.shareRate;
    d.high = p.shareRate;
    d.low = p.shareRate;
    d.changes = 0;
    d.reports = 0;
    d.rewards = ZERO;
    d.fees = ZERO;
  }
  if (p.shareRate.gt(d.high)) d.high = p.shareRate;
  if (p.shareRate.lt(d.low)) d.low = p.shareRate;
  d.close = p.shareRate;
  d.closeDecimal = p.shareRateDecimal;
  d.changes = d.changes + 1;
  if (cause == 'REPORT') {
    d.reports = d.reports + 1;
    d.apr = apr;
  }
  d.rewards = d.rewards.plus(rewards);
  d.fees = d.fees.plus(fees);
  d.totalPooledEther = p.totalPooledEther;
  d.totalShares = p.totalShares;
  d.save();
}
