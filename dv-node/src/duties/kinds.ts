/** Every duty kind this node performs, by type. */
import type { ChainInfo } from '../beacon/client.ts';
import { aggregatorKind, prepareAggregatorKind } from './aggregation.ts';
import { attesterKind } from './attester.ts';
import { exitKind } from './exit.ts';
import { proposerKind, randaoKind } from './proposer.ts';
import { syncMessageKind } from './sync.ts';
import { prepareSyncContributionKind, syncContributionKind } from './sync-contribution.ts';
import type { DutyKind, DutyType } from './types.ts';

export function allKinds(chain: ChainInfo): Map<DutyType, DutyKind> {
  const ctx = chain.signing;
  const kinds = [
    attesterKind(ctx),
    prepareAggregatorKind(ctx, chain.targetAggregatorsPerCommittee),
    aggregatorKind(ctx, chain.targetAggregatorsPerCommittee),
    randaoKind(ctx),
    proposerKind(ctx),
    syncMessageKind(ctx),
    prepareSyncContributionKind(chain),
    syncContributionKind(chain),
    exitKind(ctx),
  ];
  return new Map(kinds.map((k) => [k.type, k]));
}
