/**
 * Aggregation duties. Without them a validator's attestation is not packed into blocks by real clients:
 *
 * - `prepare_aggregator` (slot start): every attester threshold-signs the slot (selection proof; deterministic, no
 *   consensus); the group signature decides `is_aggregator`; the beacon node is told to join the committee subnets
 *   (aggregators subscribe so their node collects the committee's attestations).
 * - `aggregator` (2/3 slot): for each of our aggregators, the beacon node's best aggregate of the decided attestation
 *   data; the cluster agrees on them; each aggregator signs its AggregateAndProof; submitted to
 *   /eth/v2/validator/aggregate_and_proofs.
 */
import { createHash } from 'node:crypto';
import { ssz, type electra } from '@lodestar/types';
import { aggregateAndProofSigningRoot, selectionProofSigningRoot, type SigningContext } from '../../../common/eth2/signing.ts';
import { verify } from '../crypto/bls.ts';
import { BeaconApiError } from '../beacon/client.ts';
import { bytes, decodeJson, decodeSsz, encodeJson, hex, why } from './codec.ts';
import type { Duty, DutyDefinition, DutyKind, Hex } from './types.ts';

/** spec `is_aggregator`: bytes_to_uint64(hash(selection_proof)[0:8]) % max(1, committee_len // TARGET) == 0. */
export function isAggregator(committeeLength: number, selectionProof: Uint8Array, targetAggregators: number): boolean {
  const modulo = BigInt(Math.max(1, Math.floor(committeeLength / targetAggregators)));
  return createHash('sha256').update(selectionProof).digest().readBigUInt64LE(0) % modulo === 0n;
}

export function prepareAggregatorKind(ctx: SigningContext, targetAggregators: number): DutyKind {
  return {
    type: 'prepare_aggregator',
    consensus: false,
    async fetch(_f, duty) {
      return encodeJson({ slot: duty.slot });
    },
    validate: () => null,
    signingItems(duty, _v, defs) {
      const root = selectionProofSigningRoot(ctx, duty.slot);
      return defs.map((d) => ({ pubkey: d.pubkey, root }));
    },
    async submit(beacon, duty, _v, defs, sigs) {
      const subs = defs
        .filter((d) => sigs.has(d.pubkey) && d.committeeIndex !== undefined)
        .map((d) => ({
          validatorIndex: d.validatorIndex,
          committeeIndex: d.committeeIndex!,
          committeesAtSlot: d.committeesAtSlot ?? 1,
          slot: duty.slot,
          isAggregator: isAggregator(d.committeeLength ?? 1, sigs.get(d.pubkey)!, targetAggregators),
        }));
      await beacon.subscribeCommittees(subs);
      return subs.map((s) => defs.find((d) => d.validatorIndex === s.validatorIndex)!.pubkey);
    },
  };
}

interface AggregateEntry {
  pubkey: Hex;
  aggregatorIndex: number;
  selectionProof: Hex;
  aggregate: unknown; // electra.Attestation, SSZ JSON
}

export function aggregatorKind(ctx: SigningContext, targetAggregators: number): DutyKind {
  const decode = (v: Uint8Array): { pubkey: Hex; message: electra.AggregateAndProof }[] =>
    decodeJson<{ aggregates: AggregateEntry[] }>(v).aggregates.map((a) => ({
      pubkey: a.pubkey,
      message: { aggregatorIndex: a.aggregatorIndex, selectionProof: bytes(a.selectionProof), aggregate: ssz.electra.Attestation.fromJson(a.aggregate) },
    }));
  return {
    type: 'aggregator',
    consensus: true,
    async fetch(f, duty, defs) {
      const deadline = f.beacon.slotStartMs(duty.slot + 1);
      const proofs = await f.aggSigs.await({ slot: duty.slot, type: 'prepare_aggregator' }, deadline);
      const data = decodeSsz(ssz.phase0.AttestationData, await f.store.await({ slot: duty.slot, type: 'attester' }, deadline));
      const dataRoot = ssz.phase0.AttestationData.hashTreeRoot(data);
      const aggregates: AggregateEntry[] = [];
      const byCommittee = new Map<number, unknown>();
      for (const d of defs) {
        const proof = proofs.get(d.pubkey);
        if (proof === undefined || d.committeeIndex === undefined) continue;
        if (!isAggregator(d.committeeLength ?? 1, proof, targetAggregators)) continue;
        let agg = byCommittee.get(d.committeeIndex);
        if (agg === undefined) {
          try {
            agg = ssz.electra.Attestation.toJson(await f.beacon.aggregateAttestation(duty.slot, dataRoot, d.committeeIndex));
          } catch (e) {
            if (e instanceof BeaconApiError && e.status === 404) continue; // nothing to aggregate in that committee
            throw e;
          }
          byCommittee.set(d.committeeIndex, agg);
        }
        aggregates.push({ pubkey: d.pubkey, aggregatorIndex: d.validatorIndex, selectionProof: hex(proof), aggregate: agg });
      }
      return encodeJson({ aggregates });
    },
    validate(duty, value, defs) {
      return why(() => {
        const byPubkey = new Map(defs.map((d) => [d.pubkey, d]));
        for (const { pubkey, message } of decode(value)) {
          const d = byPubkey.get(pubkey);
          if (d === undefined) return `aggregator ${pubkey} has no aggregation duty at slot ${duty.slot}`;
          if (message.aggregatorIndex !== d.validatorIndex) return `aggregator index ${message.aggregatorIndex} is not validator ${d.validatorIndex}`;
          if (message.aggregate.data.slot !== duty.slot) return `aggregate is for slot ${message.aggregate.data.slot}, duty is slot ${duty.slot}`;
          if (d.committeeIndex !== undefined && !message.aggregate.committeeBits.get(d.committeeIndex)) return `aggregate does not cover committee ${d.committeeIndex}`;
          if (!verify(bytes(pubkey), selectionProofSigningRoot(ctx, duty.slot), message.selectionProof)) return `selection proof of ${pubkey} does not verify`;
          if (!isAggregator(d.committeeLength ?? 1, message.selectionProof, targetAggregators)) return `validator ${d.validatorIndex} is not an aggregator at slot ${duty.slot}`;
        }
        return null;
      });
    },
    signingItems(_duty, value) {
      return decode(value).map(({ pubkey, message }) => ({ pubkey, root: aggregateAndProofSigningRoot(ctx, message) }));
    },
    async submit(beacon, _duty: Duty, value, _defs: readonly DutyDefinition[], sigs) {
      const items = decode(value).filter((x) => sigs.has(x.pubkey));
      await beacon.submitAggregateAndProofs(items.map((x) => ({ message: x.message, signature: sigs.get(x.pubkey)! })));
      return items.map((x) => x.pubkey);
    },
  };
}
