// The OracleReport entity is assembled from several events of the report transaction (pool, queue, oracle):
// it is keyed by the transaction hash and created by whichever of them comes first.
import { BigDecimal, ethereum } from '@graphprotocol/graph-ts';
import { OracleReport } from '../generated/schema';
import { RATE_PRECISION, ZERO } from './helpers';

export function loadReport(event: ethereum.Event): OracleReport {
  let id = event.transaction.hash.toHexString();
  let r = OracleReport.load(id);
  if (r == null) {
    r = new OracleReport(id);
    r.timeElapsed = ZERO;
    r.beaconValidators = ZERO;
    r.beaconBalance = ZERO;
    r.appearedValidators = ZERO;
    r.withdrawalsCollected = ZERO;
    r.executionRewardsCollected = ZERO;
    r.preTotalEther = ZERO;
    r.preTotalShares = ZERO;
    r.postTotalEther = ZERO;
    r.postTotalShares = ZERO;
    r.rewards = ZERO;
    r.loss = ZERO;
    r.sharesMintedAsFees = ZERO;
    r.fees = ZERO;
    r.shareRateBefore = RATE_PRECISION;
    r.shareRate = RATE_PRECISION;
    r.shareRateDecimal = BigDecimal.fromString('1');
    r.apr = BigDecimal.zero();
    r.etherLockedForWithdrawals = ZERO;
    r.sharesBurnedForWithdrawals = ZERO;
    r.blockNumber = event.block.number;
    r.timestamp = event.block.timestamp;
    r.transaction = event.transaction.hash;
  }
  return r;
}
