// SanityChecker: the current value of every limit.
import { LimitSet } from '../generated/SanityChecker/SanityChecker';
import { SanityLimit } from '../generated/schema';

/** SanityChecker.Limit, by enum index. */
const LIMITS = [
  'AnnualBeaconBalanceGrowth',
  'PositiveRebase',
  'UnexplainedBalanceDrop',
  'MaxLossPerSlashedValidator',
  'ValidatorsAppearedPerDay',
  'ValidatorsExitedPerDay',
  'ExitRequestsPerReport',
  'ShareRateDeviation',
];

export function handleLimitSet(event: LimitSet): void {
  let i = event.params.limit;
  let l = new SanityLimit(i.toString());
  l.name = i >= 0 && i < LIMITS.length ? LIMITS[i] : 'Unknown(' + i.toString() + ')';
  l.value = event.params.value;
  l.updatedAt = event.block.timestamp;
  l.save();
}
