/** Real BLS12-381 (native blst) for the chain: every check returns false on malformed input instead of throwing. */
import { PublicKey, Signature, aggregateSerializedSignatures, fastAggregateVerify, verify } from '@chainsafe/blst';
import { bytesToHex } from 'viem';

/** A cache of deserialised (and validated) public keys: deserialising costs more than hashing. */
const pkCache = new Map<string, PublicKey>();
export function publicKey(bytes: Uint8Array): PublicKey {
  const k = bytesToHex(bytes);
  let pk = pkCache.get(k);
  if (!pk) {
    pk = PublicKey.fromBytes(bytes, true);
    pkCache.set(k, pk);
  }
  return pk;
}

export function verifySignature(pubkey: Uint8Array | PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    const pk = pubkey instanceof PublicKey ? pubkey : publicKey(pubkey);
    const sig = Signature.fromBytes(signature, true);
    return verify(message, pk, sig);
  } catch {
    return false;
  }
}

export function verifyAggregate(pubkeys: Uint8Array[], message: Uint8Array, signature: Uint8Array): boolean {
  if (pubkeys.length === 0) return false;
  try {
    const sig = Signature.fromBytes(signature, true);
    return fastAggregateVerify(message, pubkeys.map((p) => publicKey(p)), sig);
  } catch {
    return false;
  }
}

export function aggregateSignatures(signatures: Uint8Array[]): Uint8Array {
  return aggregateSerializedSignatures(signatures, true).toBytes();
}

/** The G2 point at infinity (signature of an empty sync aggregate). */
export const G2_POINT_AT_INFINITY = (() => {
  const b = new Uint8Array(96);
  b[0] = 0xc0;
  return b;
})();
