/**
 * Voluntary exits: the data (epoch, validator index) is fixed by the request, so every node derives the same
 * message and no consensus is needed. Signed under the EIP-7044 domain from Deneb on; submitted to
 * /eth/v1/beacon/pool/voluntary_exits. The duty's slot is the first slot of the exit epoch (so every node keys the
 * partials alike, whenever it saw the request).
 */
import { voluntaryExitSigningRoot, type SigningContext } from '../../../common/eth2/signing.ts';
import { encodeJson } from './codec.ts';
import type { DutyKind, Hex } from './types.ts';

export function exitKind(ctx: SigningContext): DutyKind {
  const epochOf = (slot: number) => Math.floor(slot / ctx.slotsPerEpoch);
  return {
    type: 'exit',
    consensus: false,
    async fetch(_f, duty) {
      return encodeJson({ epoch: epochOf(duty.slot) });
    },
    validate: () => null,
    signingItems(duty, _v, defs) {
      return defs.map((d) => ({
        pubkey: d.pubkey,
        root: voluntaryExitSigningRoot(ctx, { epoch: d.exitEpoch ?? epochOf(duty.slot), validatorIndex: d.validatorIndex }, epochOf(duty.slot)),
      }));
    },
    async submit(beacon, duty, _v, defs, sigs) {
      const done: Hex[] = [];
      for (const d of defs) {
        const signature = sigs.get(d.pubkey);
        if (signature === undefined) continue;
        await beacon.submitVoluntaryExit({ message: { epoch: d.exitEpoch ?? epochOf(duty.slot), validatorIndex: d.validatorIndex }, signature });
        done.push(d.pubkey);
      }
      return done;
    },
  };
}
