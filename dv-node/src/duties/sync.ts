/**
 * Sync committee messages (1/3 slot): the cluster agrees on the head block root, each member validator signs it, the
 * group signatures go to /eth/v1/beacon/pool/sync_committees. The decided root is also what this slot's sync committee
 * contributions aggregate for (`sync_contribution` in sync-contribution.ts reads it from the duty store), so the
 * cluster's messages and its contributions always name the same block.
 *
 * Not slashable (the specs slash only proposals and attestations): no slashing-protection record is made.
 */
import { syncCommitteeMessageSigningRoot, type SigningContext } from '../../../common/eth2/signing.ts';
import { bytes, decodeJson, encodeJson, hex, why } from './codec.ts';
import type { DutyKind, Hex } from './types.ts';

/** The block root of a decided `sync_message` value. */
export function decodeSyncMessageRoot(v: Uint8Array): Uint8Array {
  return bytes(decodeJson<{ root: Hex }>(v).root);
}

export function syncMessageKind(ctx: SigningContext): DutyKind {
  const decode = decodeSyncMessageRoot;
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
