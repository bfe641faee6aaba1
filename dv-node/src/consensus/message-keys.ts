/**
 * Signatures on the cluster's own wire messages (p2p envelopes, consensus messages): ECDSA over secp256k1 with the
 * operator key, computed by OpenSSL (node:crypto) rather than in JavaScript.
 *
 * Why not the Ethereum-style signatures of secp256k1.ts: those are recoverable (r ‖ s ‖ v) and checked by recovering
 * the signer's address, which in pure JS costs ~1.4 ms per message; a duty's QBFT and partial-signature exchange
 * check dozens of messages per node. Every peer's public key is known from the cluster lock (its peer id embeds it),
 * so nothing needs recovering: a native sign costs ~0.35 ms and a native verify ~0.33 ms here (`dv-node/bench`).
 * What a cluster signs on-chain-visible (its definition and lock, EIP-712) stays Ethereum-style.
 *
 * Scheme: ECDSA-secp256k1 with SHA-256 over the 32-byte message digest (OpenSSL hashes its input), signature
 * 64 bytes r ‖ s (IEEE P1363). A high-s twin of a signature also verifies; nothing keys on signature bytes (messages
 * are identified by their digests), so that malleability is harmless.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { Signer, Verifier } from './types.ts';

const SIGNATURE_BYTES = 64;
const DIGEST_BYTES = 32;
/** DER prefix of a SubjectPublicKeyInfo for a compressed secp256k1 key (id-ecPublicKey, secp256k1, BIT STRING of 33 bytes). */
const SPKI_COMPRESSED_PREFIX = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex');
/** DER of an RFC 5915 ECPrivateKey: version 1, the 32-byte key, then [0] the secp256k1 OID. */
const SEC1_PREFIX = Buffer.from('302e0201010420', 'hex');
const SEC1_SUFFIX = Buffer.from('a00706052b8104000a', 'hex');
const OPTIONS = { dsaEncoding: 'ieee-p1363' } as const;

export class MessageSigner implements Signer {
  readonly #key: KeyObject;

  /** `secret`: the operator's 32-byte secp256k1 private key (validated by the caller's identity). */
  constructor(secret: Uint8Array) {
    if (secret.length !== 32) throw new RangeError(`secp256k1 private key must be 32 bytes, got ${secret.length}`);
    this.#key = createPrivateKey({ key: Buffer.concat([SEC1_PREFIX, secret, SEC1_SUFFIX]), format: 'der', type: 'sec1' });
  }

  sign(digest: Uint8Array): Uint8Array {
    if (digest.length !== DIGEST_BYTES) throw new RangeError(`digest must be 32 bytes, got ${digest.length}`);
    return new Uint8Array(sign('sha256', digest, { key: this.#key, ...OPTIONS }));
  }
}

export class MessageVerifier implements Verifier {
  readonly #keys: readonly KeyObject[];

  /** `publicKeys`: the cluster's operators' compressed (33-byte) secp256k1 keys, in operator order. */
  constructor(publicKeys: readonly Uint8Array[]) {
    this.#keys = publicKeys.map((pk, i) => {
      if (pk.length !== 33 || (pk[0] !== 2 && pk[0] !== 3)) throw new TypeError(`operator ${i} public key is not a 33-byte compressed secp256k1 key`);
      try {
        return createPublicKey({ key: Buffer.concat([SPKI_COMPRESSED_PREFIX, pk]), format: 'der', type: 'spki' });
      } catch (e) {
        throw new TypeError(`operator ${i} public key is not on secp256k1: ${(e as Error).message}`);
      }
    });
  }

  verify(sender: number, digest: Uint8Array, signature: Uint8Array): boolean {
    const key = this.#keys[sender];
    if (key === undefined || digest.length !== DIGEST_BYTES || signature.length !== SIGNATURE_BYTES) return false;
    try {
      return verify('sha256', digest, { key, ...OPTIONS }, signature);
    } catch {
      return false;
    }
  }
}
