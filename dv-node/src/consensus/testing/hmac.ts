/**
 * A fast keyed signer for large simulations (hundreds of seeded runs): HMAC-SHA256 with one secret per member.
 * It is unforgeable without the member's secret like a real signature, but the verifier holds every secret, so it
 * only fits a simulation that plays all members in one process. Production uses Secp256k1Signer.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Signer, Verifier } from '../types.ts';

export function hmacSecrets(n: number, seed = 0): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => sha256(new TextEncoder().encode(`qbft-sim-secret/${seed}/${i}`)));
}

export class HmacSigner implements Signer {
  constructor(readonly secret: Uint8Array) {}
  sign(digest: Uint8Array): Uint8Array {
    return hmac(sha256, this.secret, digest);
  }
}

export class HmacVerifier implements Verifier {
  constructor(readonly secrets: readonly Uint8Array[]) {}
  verify(sender: number, digest: Uint8Array, signature: Uint8Array): boolean {
    const secret = this.secrets[sender];
    if (secret === undefined || signature.length !== 32) return false;
    const expected = hmac(sha256, secret, digest);
    let diff = 0;
    for (let i = 0; i < 32; i++) diff |= expected[i]! ^ signature[i]!;
    return diff === 0;
  }
}
