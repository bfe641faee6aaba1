/**
 * The real Signer/Verifier: operators' Ethereum (secp256k1) keys, as bonded on-chain.
 *
 * Signatures are Ethereum-style 65 bytes r ‖ s ‖ v (v = 27 + recovery bit) over the 32-byte message digest, with
 * low s enforced (no malleable twins). The verifier recovers the signer's address and compares it to the
 * operator at the claimed index, so it needs only the cluster's ordered address list (from the cluster lock);
 * viem's `recoverAddress({ hash, signature })` yields the same address.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { fromHex, toHex } from './hex.ts';
import type { Hex, Signer, Verifier } from './types.ts';

/** Order of the secp256k1 group; s must be at most half of it (EIP-2). */
const CURVE_ORDER = secp256k1.Point.CURVE().n;
const HALF_ORDER = CURVE_ORDER >> 1n;
const SIGNATURE_BYTES = 65;
const DIGEST_BYTES = 32;

/** Ethereum address (lower-case hex) of an uncompressed or compressed secp256k1 public key. */
export function publicKeyToAddress(publicKey: Uint8Array): Hex {
  const uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return toHex(keccak_256(uncompressed.subarray(1)).subarray(12));
}

export function privateKeyToAddress(privateKey: Hex): Hex {
  return publicKeyToAddress(secp256k1.getPublicKey(fromHex(privateKey), false));
}

export class Secp256k1Signer implements Signer {
  readonly address: Hex;
  readonly #secret: Uint8Array;

  constructor(privateKey: Hex) {
    const secret = fromHex(privateKey);
    if (!secp256k1.utils.isValidSecretKey(secret)) {
      throw new RangeError('secp256k1 private key must be 32 bytes in [1, n-1]');
    }
    this.#secret = secret;
    this.address = privateKeyToAddress(privateKey);
  }

  sign(digest: Uint8Array): Uint8Array {
    if (digest.length !== DIGEST_BYTES) throw new RangeError(`digest must be 32 bytes, got ${digest.length}`);
    // noble's 'recovered' format is recovery ‖ r ‖ s, low-s normalised; Ethereum wants r ‖ s ‖ (27 + recovery).
    const rec = secp256k1.sign(digest, this.#secret, { prehash: false, format: 'recovered', lowS: true });
    const out = new Uint8Array(SIGNATURE_BYTES);
    out.set(rec.subarray(1), 0);
    out[64] = 27 + rec[0]!;
    return out;
  }
}

export class Secp256k1Verifier implements Verifier {
  readonly #addresses: readonly string[];

  /** `operators`: the cluster's ordered operator addresses (any case). */
  constructor(operators: readonly Hex[]) {
    this.#addresses = operators.map((a, i) => {
      if (!/^0x[0-9a-fA-F]{40}$/.test(a)) throw new TypeError(`operator ${i} address is not 20-byte hex: ${a}`);
      return a.toLowerCase();
    });
  }

  verify(sender: number, digest: Uint8Array, signature: Uint8Array): boolean {
    const expected = this.#addresses[sender];
    if (expected === undefined || digest.length !== DIGEST_BYTES || signature.length !== SIGNATURE_BYTES) return false;
    const v = signature[64]!;
    const recovery = v >= 27 ? v - 27 : v;
    if (recovery !== 0 && recovery !== 1) return false;
    const s = bytesToBigInt(signature.subarray(32, 64));
    if (s === 0n || s > HALF_ORDER) return false;
    const rec = new Uint8Array(SIGNATURE_BYTES);
    rec[0] = recovery;
    rec.set(signature.subarray(0, 64), 1);
    try {
      const pub = secp256k1.recoverPublicKey(rec, digest, { prehash: false });
      return publicKeyToAddress(pub) === expected;
    } catch {
      return false;
    }
  }
}

function bytesToBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt(toHex(b));
}
