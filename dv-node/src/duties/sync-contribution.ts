/**
 * Sync committee contributions (altair honest-validator guide, "Sync committee aggregation"), in two duties:
 *
 * - `prepare_sync_contribution` (slot start; the data is deterministic, so no consensus): every sync-committee
 *   validator of the cluster threshold-signs `SyncAggregatorSelectionData{slot, subcommittee_index}` under
 *   DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF. The group signatures (selection proofs) go to the AggSigDb, where
 *   `sync_contribution` reads them. Once per epoch the beacon node is asked to join the validators' sync subnets
 *   (/eth/v1/validator/sync_committee_subscriptions): a real node only has a subnet's messages to aggregate if it
 *   listens to that subnet.
 * - `sync_contribution` (2/3 slot): for every validator whose selection proof makes it an aggregator
 *   (`is_sync_committee_aggregator`), the beacon node's contribution for (slot, subcommittee, the block root the cluster
 *   decided in this slot's `sync_message`); the cluster agrees on the list by QBFT (each node's message pool can differ,
 *   and every operator must sign the same ContributionAndProof), each aggregator threshold-signs its
 *   ContributionAndProof under DOMAIN_CONTRIBUTION_AND_PROOF, and the SignedContributionAndProofs go to
 *   /eth/v1/validator/contribution_and_proofs.
 *
 * Neither duty is slashable (the consensus specs only slash double proposals and double or surround votes), so no
 * slashing-protection record is made: the signing items carry no `slashing` request, as for RANDAO reveals, selection
 * proofs and aggregate-and-proofs.
 *
 * A validator with seats in several subcommittees (rare on mainnet, the rule on a small devnet) makes a selection
 * proof for each of them every slot, and a contribution for each in which it is an aggregator, as the guide asks:
 * its signatures in these duties are keyed by (validator, subcommittee) (`SigningItem.sub`, `sigKey`).
 */
import { createHash } from 'node:crypto';
import { ssz, type altair } from '@lodestar/types';
import {
  computeEpochAtSlot,
  contributionAndProofSigningRoot,
  syncCommitteeSelectionProofSigningRoot,
  type SigningContext,
} from '../../../common/eth2/signing.ts';
import { BeaconApiError, type ChainInfo } from '../beacon/client.ts';
import { verify } from '../crypto/bls.ts';
import { bytes, decodeJson, encodeJson, hex, why } from './codec.ts';
import { decodeSyncMessageRoot } from './sync.ts';
import { sigKey, type DutyDefinition, type DutyKind, type Hex, type SigKey } from './types.ts';

/** What the sync aggregation rules need from the chain's config. */
export type SyncAggregationParams = Pick<
  ChainInfo,
  'signing' | 'syncSubcommitteeSize' | 'targetAggregatorsPerSyncSubcommittee' | 'epochsPerSyncCommitteePeriod'
>;

/**
 * The sync subcommittees a validator sits in, ascending and distinct: spec
 * `index // (SYNC_COMMITTEE_SIZE // SYNC_COMMITTEE_SUBNET_COUNT)` for each of its `validator_sync_committee_indices`.
 */
export function syncSubcommittees(syncCommitteeIndices: readonly number[], subcommitteeSize: number): number[] {
  if (!Number.isSafeInteger(subcommitteeSize) || subcommitteeSize <= 0) throw new RangeError(`sync subcommittee size must be a positive integer, got ${subcommitteeSize}`);
  const subs = new Set<number>();
  for (const i of syncCommitteeIndices) {
    if (!Number.isSafeInteger(i) || i < 0) throw new RangeError(`sync committee index must be a non-negative integer, got ${i}`);
    subs.add(Math.floor(i / subcommitteeSize));
  }
  return [...subs].sort((a, b) => a - b);
}

/** max(1, SYNC_COMMITTEE_SIZE // SYNC_COMMITTEE_SUBNET_COUNT // TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE). */
export function syncAggregatorModulo(subcommitteeSize: number, targetAggregators: number): number {
  return Math.max(1, Math.floor(subcommitteeSize / targetAggregators));
}

/** spec `is_sync_committee_aggregator`: bytes_to_uint64(hash(signature)[0:8]) % modulo == 0 (little-endian). */
export function isSyncCommitteeAggregator(selectionProof: Uint8Array, subcommitteeSize: number, targetAggregators: number): boolean {
  const modulo = BigInt(syncAggregatorModulo(subcommitteeSize, targetAggregators));
  return createHash('sha256').update(selectionProof).digest().readBigUInt64LE(0) % modulo === 0n;
}

interface Selection {
  pubkey: Hex;
  validatorIndex: number;
  subcommitteeIndex: number;
}

export function prepareSyncContributionKind(p: SyncAggregationParams): DutyKind {
  const ctx: SigningContext = p.signing;
  const decode = (v: Uint8Array): Selection[] => decodeJson<{ selections: Selection[] }>(v).selections;
  let subscribedEpoch = -1;
  return {
    type: 'prepare_sync_contribution',
    consensus: false,
    async fetch(_f, duty, defs) {
      const selections: Selection[] = [];
      for (const d of defs) {
        for (const subcommitteeIndex of syncSubcommittees(d.syncCommitteeIndices ?? [], p.syncSubcommitteeSize)) {
          selections.push({ pubkey: d.pubkey, validatorIndex: d.validatorIndex, subcommitteeIndex });
        }
      }
      return encodeJson({ slot: duty.slot, selections });
    },
    validate: () => null,
    signingItems(duty, value) {
      return decode(value).map((s) => ({ pubkey: s.pubkey, sub: s.subcommitteeIndex, root: syncCommitteeSelectionProofSigningRoot(ctx, { slot: duty.slot, subcommitteeIndex: s.subcommitteeIndex }) }));
    },
    async submit(beacon, duty, value, defs, sigs) {
      const done = decode(value).filter((s) => sigs.has(sigKey(s.pubkey, s.subcommitteeIndex)));
      const epoch = computeEpochAtSlot(ctx, duty.slot);
      if (epoch !== subscribedEpoch) {
        // until the end of the current sync committee period (exclusive), as validator clients subscribe
        const untilEpoch = (Math.floor(epoch / p.epochsPerSyncCommitteePeriod) + 1) * p.epochsPerSyncCommitteePeriod;
        await beacon.subscribeSyncCommittees(
          defs
            .filter((d) => (d.syncCommitteeIndices ?? []).length > 0)
            .map((d) => ({ validatorIndex: d.validatorIndex, syncCommitteeIndices: [...d.syncCommitteeIndices!], untilEpoch })),
        );
        subscribedEpoch = epoch;
      }
      return done.map((s) => s.pubkey);
    },
  };
}

interface ContributionEntry {
  pubkey: Hex;
  aggregatorIndex: number;
  selectionProof: Hex;
  contribution: unknown; // altair.SyncCommitteeContribution, SSZ JSON
}

/** The decided value of `sync_contribution`: the block root it aggregates for and one ContributionAndProof per aggregator. */
export interface SyncContributionValue {
  root: Uint8Array;
  contributions: { pubkey: Hex; message: altair.ContributionAndProof }[];
}

export function decodeSyncContributionValue(v: Uint8Array): SyncContributionValue {
  const raw = decodeJson<{ root: Hex; contributions: ContributionEntry[] }>(v);
  return {
    root: bytes(raw.root),
    contributions: raw.contributions.map((c) => ({
      pubkey: c.pubkey,
      message: {
        aggregatorIndex: c.aggregatorIndex,
        selectionProof: bytes(c.selectionProof),
        contribution: ssz.altair.SyncCommitteeContribution.fromJson(c.contribution),
      },
    })),
  };
}

/** Sanity of a proposed `sync_contribution` value: null if acceptable, else what is wrong. */
export function validSyncContributions(p: SyncAggregationParams, slot: number, value: SyncContributionValue, defs: readonly DutyDefinition[]): string | null {
  if (value.root.length !== 32) return `block root must be 32 bytes, got ${value.root.length}`;
  const byPubkey = new Map(defs.map((d) => [d.pubkey, d]));
  const seen = new Set<SigKey>();
  for (const { pubkey, message } of value.contributions) {
    const d = byPubkey.get(pubkey);
    if (d === undefined) return `aggregator ${pubkey} has no sync committee duty at slot ${slot}`;
    const k = message.contribution;
    const key = sigKey(pubkey, k.subcommitteeIndex);
    if (seen.has(key)) return `validator ${d.validatorIndex} has two contributions for subcommittee ${k.subcommitteeIndex} (one per validator, subcommittee and slot)`;
    seen.add(key);
    if (message.aggregatorIndex !== d.validatorIndex) return `aggregator index ${message.aggregatorIndex} is not validator ${d.validatorIndex}`;
    if (k.slot !== slot) return `contribution is for slot ${k.slot}, duty is slot ${slot}`;
    if (hex(k.beaconBlockRoot) !== hex(value.root)) return `contribution is for block ${hex(k.beaconBlockRoot)}, the decided sync message root is ${hex(value.root)}`;
    const subs = syncSubcommittees(d.syncCommitteeIndices ?? [], p.syncSubcommitteeSize);
    if (!subs.includes(k.subcommitteeIndex)) return `contribution of validator ${d.validatorIndex} is for subcommittee ${k.subcommitteeIndex}, its subcommittees are [${subs.join(', ')}]`;
    if (k.aggregationBits.getTrueBitIndexes().length === 0) return `contribution of validator ${d.validatorIndex} has no participant`;
    const selectionRoot = syncCommitteeSelectionProofSigningRoot(p.signing, { slot, subcommitteeIndex: k.subcommitteeIndex });
    if (!verify(bytes(pubkey), selectionRoot, message.selectionProof)) return `sync selection proof of validator ${d.validatorIndex} does not verify`;
    if (!isSyncCommitteeAggregator(message.selectionProof, p.syncSubcommitteeSize, p.targetAggregatorsPerSyncSubcommittee)) {
      return `validator ${d.validatorIndex} is not a sync aggregator of subcommittee ${k.subcommitteeIndex} at slot ${slot}`;
    }
  }
  return null;
}

export function syncContributionKind(p: SyncAggregationParams): DutyKind {
  const ctx: SigningContext = p.signing;
  return {
    type: 'sync_contribution',
    consensus: true,
    async fetch(f, duty, defs) {
      const deadline = f.beacon.slotStartMs(duty.slot + 1);
      const proofs = await f.aggSigs.await({ slot: duty.slot, type: 'prepare_sync_contribution' }, deadline);
      const root = decodeSyncMessageRoot(await f.store.await({ slot: duty.slot, type: 'sync_message' }, deadline));
      const contributions: ContributionEntry[] = [];
      const bySubcommittee = new Map<number, unknown | null>();
      for (const d of defs) {
        for (const sub of syncSubcommittees(d.syncCommitteeIndices ?? [], p.syncSubcommitteeSize)) {
          const proof = proofs.get(sigKey(d.pubkey, sub));
          if (proof === undefined) continue;
          if (!isSyncCommitteeAggregator(proof, p.syncSubcommitteeSize, p.targetAggregatorsPerSyncSubcommittee)) continue;
          let contribution = bySubcommittee.get(sub);
          if (contribution === undefined) {
            try {
              contribution = ssz.altair.SyncCommitteeContribution.toJson(await f.beacon.syncCommitteeContribution(duty.slot, sub, root));
            } catch (e) {
              if (!(e instanceof BeaconApiError && e.status === 404)) throw e;
              contribution = null; // no message of that subcommittee for the root: nothing to aggregate
            }
            bySubcommittee.set(sub, contribution);
          }
          if (contribution === null) continue;
          contributions.push({ pubkey: d.pubkey, aggregatorIndex: d.validatorIndex, selectionProof: hex(proof), contribution });
        }
      }
      return encodeJson({ root: hex(root), contributions });
    },
    validate(duty, value, defs) {
      return why(() => validSyncContributions(p, duty.slot, decodeSyncContributionValue(value), defs));
    },
    signingItems(_duty, value) {
      return decodeSyncContributionValue(value).contributions.map(({ pubkey, message }) => ({ pubkey, sub: message.contribution.subcommitteeIndex, root: contributionAndProofSigningRoot(ctx, message) }));
    },
    async submit(beacon, _duty, value, _defs, sigs) {
      const key = (x: { pubkey: Hex; message: altair.ContributionAndProof }) => sigKey(x.pubkey, x.message.contribution.subcommitteeIndex);
      const items = decodeSyncContributionValue(value).contributions.filter((x) => sigs.has(key(x)));
      await beacon.submitContributionAndProofs(items.map((x) => ({ message: x.message, signature: sigs.get(key(x))! })));
      return items.map((x) => x.pubkey);
    },
  };
}
