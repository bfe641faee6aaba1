/**
 * Point-to-point encryption of DKG shares (ECIES over the operators' secp256k1 keys):
 *
 *   eph        = fresh secp256k1 key pair, per message
 *   shared     = x(eph · recipient public key)                     (= x(recipient secret · eph public key))
 *   key        = HKDF-SHA256(ikm = shared, salt = session id, info = context ‖ eph public key (33 bytes)), 32 bytes
 *   box        = AES-256-GCM(key, iv = 12 random bytes, aad = context) → ciphertext ‖ 16-byte tag
 *
 * `context` binds the box to the ceremony, the dealer and the recipient. The symmetric key of one box can be
 * revealed (`deriveBoxKey`) to prove to third parties what a dealer sent: AES-GCM under an honestly generated
 * key authenticates the dealer's ciphertext only under that key, and the dealer signed the ciphertext.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { OperatorIdentity } from '../identity/identity.ts';

const TAG = 16;
const IV = 12;

export interface SealedBox {
  /** Ephemeral public key, 33 bytes compressed. */
  ephemeralPublicKey: Uint8Array;
  iv: Uint8Array;
  /** Ciphertext ‖ GCM tag. */
  ciphertext: Uint8Array;
}

function boxKey(shared: Uint8Array, salt: Uint8Array, context: Uint8Array, eph: Uint8Array): Uint8Array {
  const info = Buffer.concat([context, eph]);
  return new Uint8Array(hkdfSync('sha256', shared, salt, info, 32));
}

export function sealBox(recipientPublicKey: Uint8Array, plaintext: Uint8Array, salt: Uint8Array, context: Uint8Array): SealedBox {
  const ephSecret = secp256k1.utils.randomSecretKey();
  const ephemeralPublicKey = secp256k1.getPublicKey(ephSecret, true);
  const shared = secp256k1.getSharedSecret(ephSecret, recipientPublicKey, true).subarray(1);
  const key = boxKey(shared, salt, context, ephemeralPublicKey);
  const iv = randomBytes(IV);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(context);
  const ciphertext = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  return { ephemeralPublicKey, iv: new Uint8Array(iv), ciphertext: new Uint8Array(ciphertext) };
}

/** The recipient's symmetric key for a box (revealed in a complaint as evidence). */
export function deriveBoxKey(identity: OperatorIdentity, box: SealedBox, salt: Uint8Array, context: Uint8Array): Uint8Array {
  return boxKey(identity.ecdh(box.ephemeralPublicKey), salt, context, box.ephemeralPublicKey);
}

/** Decrypts with a symmetric key; throws if the box does not authenticate under it. */
export function openBoxWithKey(key: Uint8Array, box: SealedBox, context: Uint8Array): Uint8Array {
  if (box.iv.length !== IV || box.ciphertext.length < TAG) throw new Error('malformed sealed box');
  const d = createDecipheriv('aes-256-gcm', key, box.iv);
  d.setAAD(context);
  d.setAuthTag(box.ciphertext.subarray(box.ciphertext.length - TAG));
  return new Uint8Array(Buffer.concat([d.update(box.ciphertext.subarray(0, box.ciphertext.length - TAG)), d.final()]));
}
