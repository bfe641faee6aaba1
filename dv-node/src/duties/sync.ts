/**
 * Sync committee messages (1/3 slot): the cluster agrees on the head block root, each member validator signs it, the
 * group signatures go to /eth/v1/beacon/pool/sync_committees. (Sync contributions need
 * /eth/v1/validator/sync_committee_contribution, which the project's beacon chain does not serve; see README.)
 */
import { syncCommitteeMessageSigningRoot, type SigningContext } from '../../../common/eth2/signing.ts';
import { bytes, decodeJson, encodeJson, hex, why } from './codec.ts';
import type { DutyKind, Hex } from './types.ts';

export function syncMessageKind(ctx: SigningContext): DutyKind {
  const decode = (v: Uint8Array): Uint8Array => bytes(decodeJson<{ root: Hex }>(v).root);
  return {
    type: 'sync_message',
    consensus: true,
    async fetch(f) {
      return encodeJson({ root: hex(await f.beacon.blockRoot('head')) });
    },
    validate(_duty, value) {
      return why(() => (decode(value).length === 32 ? null : 'block root must be 32 bytes'));
    },
    signingItems(duty, value, defs) {
      const root = syncCommitteeMessageSigningRoot(ctx, duty.slot, decode(value));
      return defs.map((d) => ({ pubkey: d.pubkey, root }));
    },
    async submit(beacon, duty, value, defs, sigs) {
      const beaconBlockRoot = decode(value);
      const msgs = defs
        .filter((d) => sigs.has(d.pubkey))
        .map((d) => ({ slot: duty.slot, beaconBlockRoot, validatorIndex: d.validatorIndex, signature: sigs.get(d.pubkey)! }));
      await beacon.submitSyncCommitteeMessages(msgs);
      return defs.filter((d) => sigs.has(d.pubkey)).map((d) => d.pubkey);
    },
  };
}
