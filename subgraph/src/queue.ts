// WithdrawalQueue (ERC-721 requests): requested → finalized (at a share rate, capped at the request-time value)
// → claimed; NFT transfers move the request (and its pending ETH) to the new owner.
import { BigInt } from '@graphprotocol/graph-ts';
import {
  Paused,
  RequestShareRateUpdated,
  Resumed,
  Transfer as TransferEvent,
  WithdrawalClaimed,
  WithdrawalRequested,
  WithdrawalsFinalized,
} from '../generated/WithdrawalQueue/WithdrawalQueue';
import {
  WithdrawalClaim,
  WithdrawalFinalization,
  WithdrawalRequest,
  WithdrawalRequestTransfer,
} from '../generated/schema';
import { ONE, RATE_PRECISION, ZERO_ADDRESS, eventId, loadProtocol, loadStaker } from './helpers';

function requireRequest(id: BigInt): WithdrawalRequest {
  let r = WithdrawalRequest.load(id.toString());
  if (r == null) throw new Error('withdrawal request ' + id.toString() + ' was never requested');
  return r;
}

export function handleWithdrawalRequested(event: WithdrawalRequested): void {
  let e = event.params;
  let owner = loadStaker(e.owner, event);
  owner.save();
  let requestor = loadStaker(e.requestor, event);
  requestor.totalSharesRequested = requestor.totalSharesRequested.plus(e.shares);
  requestor.save();

  let r = new WithdrawalRequest(e.requestId.toString());
  r.requestId = e.requestId;
  r.requestor = e.requestor;
  r.owner = owner.id;
  r.shares = e.shares;
  r.etherAtRequest = e.etherAmount;
  r.status = 'REQUESTED';
  r.requestedAt = event.block.timestamp;
  r.requestedAtBlock = event.block.number;
  r.requestTransaction = event.transaction.hash;
  r.save();

  let p = loadProtocol(event);
  p.lastRequestId = e.requestId;
  p.unfinalizedShares = p.unfinalizedShares.plus(e.shares);
  p.unfinalizedEther = p.unfinalizedEther.plus(e.etherAmount);
  p.save();
}

/** Requests fromRequestId..toRequestId each pay min(etherAtRequest, shares × rate / 1e27) (WithdrawalMath.claimable). */
export function handleWithdrawalsFinalized(event: WithdrawalsFinalized): void {
  let e = event.params;
  let f = new WithdrawalFinalization(eventId(event));
  f.fromRequestId = e.fromRequestId;
  f.toRequestId = e.toRequestId;
  f.checkpointIndex = e.checkpointIndex;
  f.etherLocked = e.etherLocked;
  f.sharesBurned = e.sharesToBurn;
  f.shareRate = e.shareRate;
  f.report = event.transaction.hash.toHexString();
  f.blockNumber = event.block.number;
  f.timestamp = event.block.timestamp;
  f.transaction = event.transaction.hash;
  f.save();

  let p = loadProtocol(event);
  for (let id = e.fromRequestId; id.le(e.toRequestId); id = id.plus(ONE)) {
    let r = requireRequest(id);
    let discounted = r.shares.times(e.shareRate).div(RATE_PRECISION);
    r.claimableEther = discounted.lt(r.etherAtRequest) ? discounted : r.etherAtRequest;
    r.status = 'FINALIZED';
    r.finalization = f.id;
    r.finalizedAt = event.block.timestamp;
    r.finalizationShareRate = e.shareRate;
    r.save();
    p.unfinalizedShares = p.unfinalizedShares.minus(r.shares);
    p.unfinalizedEther = p.unfinalizedEther.minus(r.etherAtRequest);
  }
  p.lastFinalizedRequestId = e.toRequestId;
  p.lockedEther = p.lockedEther.plus(e.etherLocked);
  p.save();
}

export function handleWithdrawalClaimed(event: WithdrawalClaimed): void {
  let e = event.params;
  let r = requireRequest(e.requestId);
  r.status = 'CLAIMED';
  r.claimedAt = event.block.timestamp;
  r.claimedEther = e.etherAmount;
  r.recipient = e.recipient;
  r.claimTransaction = event.transaction.hash;
  r.save();

  let owner = loadStaker(e.owner, event);
  owner.totalClaimed = owner.totalClaimed.plus(e.etherAmount);
  owner.save();

  let c = new WithdrawalClaim(eventId(event));
  c.request = r.id;
  c.owner = e.owner;
  c.recipient = e.recipient;
  c.etherAmount = e.etherAmount;
  c.blockNumber = event.block.number;
  c.timestamp = event.block.timestamp;
  c.transaction = event.transaction.hash;
  c.save();

  let p = loadProtocol(event);
  p.lockedEther = p.lockedEther.minus(e.etherAmount);
  p.save();
}

/** ERC-721 transfers of a request; the mint (from 0) follows WithdrawalRequested in the same transaction. */
export function handleRequestTransfer(event: TransferEvent): void {
  let e = event.params;
  let r = requireRequest(e.tokenId);
  if (!e.to.equals(ZERO_ADDRESS)) {
    let to = loadStaker(e.to, event);
    to.save();
    r.owner = to.id;
    r.save();
  }
  let t = new WithdrawalRequestTransfer(eventId(event));
  t.request = r.id;
  t.from = e.from;
  t.to = e.to;
  t.blockNumber = event.block.number;
  t.timestamp = event.block.timestamp;
  t.transaction = event.transaction.hash;
  t.save();
}

export function handleRequestShareRateUpdated(event: RequestShareRateUpdated): void {
  let p = loadProtocol(event);
  p.requestShareRate = event.params.shareRate;
  p.save();
}

export function handlePaused(event: Paused): void {
  let p = loadProtocol(event);
  p.withdrawalsPaused = true;
  p.save();
}

export function handleResumed(event: Resumed): void {
  let p = loadProtocol(event);
  p.withdrawalsPaused = false;
  p.save();
}
