/**
 * Attester duty (Electra): one AttestationData per slot for every committee (data.index is 0), decided by the
 * cluster, signed by each attesting validator, submitted as `SingleAttestation`s to /eth/v2/beacon/pool/attestations.
 */
import { ssz, type electra, type phase0 } from '@lodestar/types';
import { attestationSigningRoot, type SigningContext } from '../../../common/eth2/signing.ts';
import type { BeaconClient } from '../beacon/client.ts';
import { decodeSsz, encodeSsz, why } from './codec.ts';
import type { Duty, DutyDefinition, DutyKind, FetchContext, Hex, SigningItem } from './types.ts';

export function attesterKind(ctx: SigningContext): DutyKind {
  const decode = (v: Uint8Array): phase0.AttestationData => decodeSsz(ssz.phase0.AttestationData, v);
  return {
    type: 'attester',
    consensus: true,
    async fetch(f: FetchContext, duty: Duty): Promise<Uint8Array> {
      return encodeSsz(ssz.phase0.AttestationData, await f.beacon.attestationData(duty.slot, 0));
    },
    validate(duty, value) {
      return why(() => validAttestationData(ctx, duty.slot, decode(value)));
    },
    signingItems(_duty, value, defs): SigningItem[] {
      const data = decode(value);
      const root = attestationSigningRoot(ctx, data);
      return defs.map((d) => ({
        pubkey: d.pubkey,
        root,
        slashing: { type: 'attestation', pubkey: d.pubkey, sourceEpoch: data.source.epoch, targetEpoch: data.target.epoch, signingRoot: root },
      }));
    },
    async submit(beacon: BeaconClient, _duty, value, defs: readonly DutyDefinition[], sigs): Promise<Hex[]> {
      const data = decode(value);
      const out: electra.SingleAttestation[] = [];
      const done: Hex[] = [];
      for (const d of defs) {
        const signature = sigs.get(d.pubkey);
        if (signature === undefined || d.committeeIndex === undefined) continue;
        out.push({ committeeIndex: d.committeeIndex, attesterIndex: d.validatorIndex, data, signature });
        done.push(d.pubkey);
      }
      await beacon.submitAttestations(out);
      return done;
    },
  };
}

/** Sanity of attestation data for `slot`: null if fine, else what is wrong. */
export function validAttestationData(ctx: SigningContext, slot: number, d: phase0.AttestationData): string | null {
  const epoch = Math.floor(slot / ctx.slotsPerEpoch);
  if (d.slot !== slot) return `attestation data is for slot ${d.slot}, duty is slot ${slot}`;
  if (d.index !== 0) return `attestation data index must be 0 from Electra on, got ${d.index}`;
  if (d.target.epoch !== epoch) return `target epoch ${d.target.epoch} is not the epoch ${epoch} of slot ${slot}`;
  if (d.source.epoch > d.target.epoch) return `source epoch ${d.source.epoch} is after target epoch ${d.target.epoch}`;
  if (d.source.epoch === d.target.epoch && d.target.epoch !== 0) return `source and target epoch are both ${d.target.epoch}`;
  return null;
}
