import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { MessageSigner, MessageVerifier } from './message-keys.ts';
import { randomIdentity } from '../identity/identity.ts';

const digest = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());

test('message keys: a signature verifies for its sender only, over its digest only', () => {
  const ids = [randomIdentity(), randomIdentity(), randomIdentity()];
  const verifier = new MessageVerifier(ids.map((i) => i.publicKey));
  const d = digest('hello');
  const sig = ids[1]!.signer.sign(d);
  assert.equal(sig.length, 64);
  assert.equal(verifier.verify(1, d, sig), true);
  assert.equal(verifier.verify(0, d, sig), false, 'another operator');
  assert.equal(verifier.verify(3, d, sig), false, 'no such operator');
  assert.equal(verifier.verify(1, digest('hellp'), sig), false, 'another digest');
  const flipped = Uint8Array.from(sig);
  flipped[10]! ^= 1;
  assert.equal(verifier.verify(1, d, flipped), false, 'a flipped bit');
  assert.equal(verifier.verify(1, d, sig.subarray(0, 63)), false, 'short signature');
  assert.equal(verifier.verify(1, d.subarray(0, 31), sig), false, 'short digest');
});

test('message keys: the scheme is ECDSA-secp256k1 over SHA-256 of the digest (checked with an independent library)', () => {
  const secret = secp256k1.utils.randomSecretKey();
  const d = digest('independent');
  const sig = new MessageSigner(secret).sign(d);
  const pub = secp256k1.getPublicKey(secret, true);
  assert.equal(secp256k1.verify(sig, d, pub, { prehash: true, lowS: false }), true);
  const nobleSig = secp256k1.sign(d, secret, { prehash: true });
  assert.equal(new MessageVerifier([pub]).verify(0, d, nobleSig), true);
});

test('message keys: bad keys are refused with the operator named', () => {
  assert.throws(() => new MessageSigner(new Uint8Array(31)), /must be 32 bytes, got 31/);
  assert.throws(() => new MessageVerifier([randomIdentity().publicKey, new Uint8Array(33)]), /operator 1 public key is not a 33-byte compressed/);
  const offCurve = new Uint8Array(33).fill(0xff);
  offCurve[0] = 2;
  assert.throws(() => new MessageVerifier([offCurve]), /operator 0 public key is not on secp256k1/);
});
