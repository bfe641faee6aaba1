/**
 * The operator's identity: the secp256k1 key whose Ethereum address is bonded in the OperatorRegistry.
 *
 * One key does three jobs, each domain-separated:
 * - it signs the cluster definition and lock (EIP-712, see cluster/) and DKG messages as 65-byte Ethereum signatures
 *   r ‖ s ‖ v (recoverable to the bonded address), and every wire message of a running node (p2p/envelope.ts,
 *   consensus/) with native 64-byte ECDSA checked against the peer's known key (consensus/message-keys.ts: ~4×
 *   cheaper, and a duty checks dozens);
 * - it is the node's libp2p key: the peer id is derived from its public key (secp256k1 peer ids embed the
 *   compressed public key), so a peer id and an operator address can be checked against each other without any
 *   extra signature, and noise authenticates every connection with it (libp2p signs its own prefixed payload);
 * - its ECDH with another operator's public key protects DKG shares in transit (dkg/ecies.ts).
 *
 * The signing primitives are the consensus component's `Secp256k1Signer` and `MessageSigner` (reused, not duplicated).
 */
import { privateKeyFromRaw, publicKeyFromRaw } from '@libp2p/crypto/keys';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { randomBytes } from 'node:crypto';
import { fromHex, toHex } from '../consensus/hex.ts';
import { Secp256k1Signer, publicKeyToAddress } from '../consensus/secp256k1.ts';
import { MessageSigner } from '../consensus/message-keys.ts';
import type { Hex, Signer } from '../consensus/types.ts';

export type { Hex } from '../consensus/types.ts';

/** The operator key of this node, with everything derived from it. */
export interface OperatorIdentity {
  /** Ethereum address (lower-case), as bonded on-chain. */
  readonly address: Hex;
  /** Compressed secp256k1 public key (33 bytes). */
  readonly publicKey: Uint8Array;
  /** libp2p peer id string (base58btc) derived from the same key. */
  readonly peerId: string;
  /** Signs the cluster's wire messages (p2p envelopes, consensus): native ECDSA, 64 bytes (consensus/message-keys.ts). */
  readonly signer: Signer;
  /** Ethereum-style signature (65-byte r ‖ s ‖ v, low s) of a 32-byte digest: what recovers to `address`. */
  signDigest(digest: Uint8Array): Uint8Array;
  /** The libp2p private key (same secret), for the libp2p node. */
  libp2pKey(): PrivateKey;
  /** x coordinate of the ECDH point with another secp256k1 public key (33 or 65 bytes). */
  ecdh(otherPublicKey: Uint8Array): Uint8Array;
}

class KeyIdentity implements OperatorIdentity {
  readonly address: Hex;
  readonly publicKey: Uint8Array;
  readonly peerId: string;
  readonly signer: Signer;
  readonly #ethereum: Secp256k1Signer;
  readonly #secret: Uint8Array;

  constructor(secret: Uint8Array) {
    if (!secp256k1.utils.isValidSecretKey(secret)) throw new IdentityError('operator key must be 32 bytes in [1, n-1]');
    this.#secret = Uint8Array.from(secret);
    this.#ethereum = new Secp256k1Signer(toHex(secret));
    this.signer = new MessageSigner(this.#secret);
    this.publicKey = secp256k1.getPublicKey(secret, true);
    this.address = publicKeyToAddress(this.publicKey);
    this.peerId = peerIdOfPublicKey(this.publicKey);
  }

  signDigest(digest: Uint8Array): Uint8Array {
    return this.#ethereum.sign(digest);
  }

  libp2pKey(): PrivateKey {
    return privateKeyFromRaw(this.#secret);
  }

  ecdh(otherPublicKey: Uint8Array): Uint8Array {
    return secp256k1.getSharedSecret(this.#secret, otherPublicKey, true).subarray(1);
  }
}

export class IdentityError extends Error {
  override name = 'IdentityError';
}

/** Identity from a 32-byte private key (bytes or 0x hex). */
export function identityFromPrivateKey(key: Uint8Array | string): OperatorIdentity {
  if (typeof key === 'string') {
    const h = key.trim().toLowerCase();
    const hex = (h.startsWith('0x') ? h : `0x${h}`) as Hex;
    if (!/^0x[0-9a-f]{64}$/.test(hex)) throw new IdentityError('operator private key must be 32 bytes of hex (64 hex digits, optional 0x)');
    return new KeyIdentity(fromHex(hex));
  }
  return new KeyIdentity(key);
}

/** A fresh random identity (tests, devnet). */
export function randomIdentity(): OperatorIdentity {
  for (;;) {
    const k = randomBytes(32);
    if (secp256k1.utils.isValidSecretKey(k)) return new KeyIdentity(k);
  }
}

/** The libp2p peer id (base58btc) of a compressed or uncompressed secp256k1 public key. */
export function peerIdOfPublicKey(publicKey: Uint8Array): string {
  const compressed = secp256k1.Point.fromBytes(publicKey).toBytes(true);
  return peerIdFromPublicKey(publicKeyFromRaw(compressed)).toString();
}

/** Parses a peer id string; throws naming the problem unless it is a secp256k1 peer id. */
export function parseSecp256k1PeerId(peerId: string, what = 'peer id'): PeerId {
  let id: PeerId;
  try {
    id = peerIdFromString(peerId);
  } catch (e) {
    throw new IdentityError(`${what} ${JSON.stringify(peerId)} is not a libp2p peer id: ${(e as Error).message}`);
  }
  if (id.type !== 'secp256k1' || id.publicKey === undefined) {
    throw new IdentityError(`${what} ${peerId} is a ${id.type} peer id; dv-node peers use their secp256k1 operator key`);
  }
  return id;
}

/** Compressed secp256k1 public key (33 bytes) embedded in a secp256k1 peer id. */
export function publicKeyOfPeerId(peerId: string): Uint8Array {
  return parseSecp256k1PeerId(peerId).publicKey!.raw;
}

/** The Ethereum address (lower-case) of the operator key behind a secp256k1 peer id. */
export function addressOfPeerId(peerId: string): Hex {
  return publicKeyToAddress(publicKeyOfPeerId(peerId));
}
