/**
 * Block proposals: `randao` (slot start; the epoch threshold-signed, deterministic, no consensus) then `proposer`:
 * the leader asks /eth/v3/validator/blocks/{slot} with the group RANDAO reveal, the cluster agrees on the block,
 * slashing protection records the slot, each node signs the block root, the group signature is published.
 */
import { ssz, type electra } from '@lodestar/types';
import { blockRootSigningRoot, freshHashTreeRoot, randaoSigningRoot, type SigningContext } from '../../../common/eth2/signing.ts';
import { verify } from '../crypto/bls.ts';
import { BeaconApiError } from '../beacon/client.ts';
import { bytes, decodeSsz, encodeJson, encodeSsz, why } from './codec.ts';
import type { DutyKind } from './types.ts';

/** Attempts at producing a block when the beacon node has not reached the slot yet (clock skew at slot start). */
const PRODUCE_ATTEMPTS = 5;

export function randaoKind(ctx: SigningContext): DutyKind {
  return {
    type: 'randao',
    consensus: false,
    async fetch(_f, duty) {
      return encodeJson({ epoch: Math.floor(duty.slot / ctx.slotsPerEpoch) });
    },
    validate: () => null,
    signingItems(duty, _v, defs) {
      const root = randaoSigningRoot(ctx, Math.floor(duty.slot / ctx.slotsPerEpoch));
      return defs.map((d) => ({ pubkey: d.pubkey, root }));
    },
    async submit(_b, _duty, _v, defs, sigs) {
      return defs.filter((d) => sigs.has(d.pubkey)).map((d) => d.pubkey); // kept in AggSigDb for the proposer duty
    },
  };
}

export function proposerKind(ctx: SigningContext): DutyKind {
  const decode = (v: Uint8Array): electra.BeaconBlock => decodeSsz(ssz.electra.BeaconBlock, v);
  const signingRoot = (b: electra.BeaconBlock) => blockRootSigningRoot(ctx, b.slot, freshHashTreeRoot(ssz.electra.BeaconBlock, b));
  return {
    type: 'proposer',
    consensus: true,
    async fetch(f, duty, defs) {
      const def = defs[0];
      if (def === undefined) throw new Error(`no proposer definition for slot ${duty.slot}`);
      const randao = (await f.aggSigs.await({ slot: duty.slot, type: 'randao' }, f.beacon.slotStartMs(duty.slot + 1))).get(def.pubkey);
      if (randao === undefined) throw new Error(`no RANDAO reveal for proposer ${def.validatorIndex} at slot ${duty.slot}`);
      for (let attempt = 1; ; attempt++) {
        try {
          return encodeSsz(ssz.electra.BeaconBlock, await f.beacon.produceBlock(duty.slot, randao, 'shoal dv-node'));
        } catch (e) {
          if (!(e instanceof BeaconApiError) || e.status !== 400 || attempt >= PRODUCE_ATTEMPTS) throw e;
          await new Promise((r) => setTimeout(r, 50 * attempt));
        }
      }
    },
    validate(duty, value, defs) {
      return why(() => {
        const b = decode(value);
        const def = defs.find((d) => d.validatorIndex === b.proposerIndex);
        if (b.slot !== duty.slot) return `block is for slot ${b.slot}, duty is slot ${duty.slot}`;
        if (def === undefined) return `block proposer ${b.proposerIndex} is not our proposer at slot ${duty.slot}`;
        const epoch = Math.floor(duty.slot / ctx.slotsPerEpoch);
        if (!verify(bytes(def.pubkey), randaoSigningRoot(ctx, epoch), b.body.randaoReveal)) return 'block RANDAO reveal is not our validator\'s';
        return null;
      });
    },
    signingItems(_duty, value, defs) {
      const b = decode(value);
      const def = defs.find((d) => d.validatorIndex === b.proposerIndex);
      if (def === undefined) return [];
      const root = signingRoot(b);
      return [{ pubkey: def.pubkey, root, slashing: { type: 'block', pubkey: def.pubkey, slot: b.slot, signingRoot: root } }];
    },
    async submit(beacon, _duty, value, defs, sigs) {
      const b = decode(value);
      const def = defs.find((d) => d.validatorIndex === b.proposerIndex);
      const signature = def && sigs.get(def.pubkey);
      if (def === undefined || signature === undefined) return [];
      await beacon.publishBlock({ message: b, signature });
      return [def.pubkey];
    },
  };
}
