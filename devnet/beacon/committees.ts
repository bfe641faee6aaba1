/**
 * Committee, proposer and sync-committee assignment for a state (spec get_seed, get_beacon_committee,
 * get_beacon_proposer_index, get_next_sync_committee), cached per epoch.
 */
import { DOMAIN_BEACON_ATTESTER, DOMAIN_BEACON_PROPOSER, DOMAIN_SYNC_COMMITTEE } from '@lodestar/params';
import { SPEC } from './params.ts';
import { committeeCountPerSlot, computeCommittee, computeProposerIndex, computeSyncCommitteeIndices, sha256, shuffledIndices, uint64Le } from './shuffle.ts';
import { ChainError, activeIndices, currentEpoch, type BeaconState } from './state.ts';

export interface Shuffling {
  epoch: number;
  activeIndices: number[];
  committeesPerSlot: number;
  /** committees[slot % SPE][committeeIndex] = validator indices */
  committees: number[][][];
}

/** get_seed: hash(domain_type ‖ uint64(epoch) ‖ randao mix of epoch − MIN_SEED_LOOKAHEAD − 1) */
export function getSeed(s: BeaconState, epoch: number, domainType: Uint8Array): Uint8Array {
  const mixEpoch = epoch - SPEC.MIN_SEED_LOOKAHEAD - 1;
  const mix = mixEpoch < 0 ? s.genesisMix : s.randaoMixes.get(mixEpoch);
  if (!mix) throw new ChainError(400, `randao mix of epoch ${mixEpoch} is no longer kept (seed for epoch ${epoch})`);
  return sha256(domainType.subarray(0, 4), uint64Le(epoch), mix);
}

export class EpochCache {
  private shufflings = new Map<number, Shuffling>();
  private proposers = new Map<number, number[]>();

  constructor(private readonly spe: number) {}

  /** Committees of `epoch`; valid for epoch ≤ current + 1 (later activations cannot change them). */
  shuffling(s: BeaconState, epoch: number): Shuffling {
    let sh = this.shufflings.get(epoch);
    if (sh) return sh;
    const cur = currentEpoch(s, this.spe);
    if (epoch > cur + 1) throw new ChainError(400, `committees of epoch ${epoch} are not known yet (current epoch ${cur})`);
    const active = activeIndices(s, epoch);
    const seed = getSeed(s, epoch, DOMAIN_BEACON_ATTESTER);
    const perm = shuffledIndices(active.length, seed);
    const cps = committeeCountPerSlot(active.length, this.spe);
    const count = cps * this.spe;
    const committees: number[][][] = [];
    for (let slot = 0; slot < this.spe; slot++) {
      const row: number[][] = [];
      for (let ci = 0; ci < cps; ci++) row.push(computeCommittee(active, perm, slot * cps + ci, count));
      committees.push(row);
    }
    sh = { epoch, activeIndices: active, committeesPerSlot: cps, committees };
    this.shufflings.set(epoch, sh);
    return sh;
  }

  committee(s: BeaconState, slot: number, committeeIndex: number): number[] | undefined {
    const sh = this.shuffling(s, Math.floor(slot / this.spe));
    return sh.committees[slot % this.spe]![committeeIndex];
  }

  /** Proposers of every slot of the current epoch (effective balances as of the epoch start). */
  proposersOf(s: BeaconState, epoch: number): number[] {
    let p = this.proposers.get(epoch);
    if (p) return p;
    const cur = currentEpoch(s, this.spe);
    if (epoch !== cur) throw new ChainError(400, `proposers of epoch ${epoch} can only be computed during that epoch (current epoch ${cur})`);
    const active = activeIndices(s, epoch);
    const epochSeed = getSeed(s, epoch, DOMAIN_BEACON_PROPOSER);
    p = [];
    for (let i = 0; i < this.spe; i++) {
      const slot = epoch * this.spe + i;
      p.push(computeProposerIndex(active, (v) => s.validators[v]!.effectiveBalance, sha256(epochSeed, uint64Le(slot))));
    }
    this.proposers.set(epoch, p);
    return p;
  }

  proposer(s: BeaconState, slot: number): number {
    return this.proposersOf(s, Math.floor(slot / this.spe))[slot % this.spe]!;
  }

  /** Drops caches of epochs before `epoch`. */
  prune(epoch: number): void {
    for (const e of this.shufflings.keys()) if (e < epoch) this.shufflings.delete(e);
    for (const e of this.proposers.keys()) if (e < epoch) this.proposers.delete(e);
  }
}

/** get_next_sync_committee indices for the state's next epoch. */
export function nextSyncCommittee(s: BeaconState, spe: number): number[] {
  const epoch = currentEpoch(s, spe) + 1;
  const active = activeIndices(s, epoch);
  return computeSyncCommitteeIndices(active, (v) => s.validators[v]!.effectiveBalance, getSeed(s, epoch, DOMAIN_SYNC_COMMITTEE));
}
