/** Message digests, wire encoding, canonical JSON values, and the secp256k1 signer/verifier (checked against viem). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { recoverAddress } from 'viem';
import { privateKeyToAccount, sign as viemSign } from 'viem/accounts';
import { toHex } from './hex.ts';
import {
  decodeEnvelope,
  encodeEnvelope,
  MalformedMessageError,
  messageDigest,
  signMessage,
  verifyMessage,
} from './message.ts';
import { Secp256k1Signer, Secp256k1Verifier } from './secp256k1.ts';
import { secpKeys, SIM_CLUSTER } from './testing/sim.ts';
import type { QbftMessage } from './types.ts';
import { decodeJsonValue, encodeJsonValue, hashValue } from './value.ts';

const base: QbftMessage = {
  type: 'ROUND_CHANGE',
  cluster: SIM_CLUSTER,
  duty: { slot: 123456, type: 'attester' },
  sender: 2,
  round: 3,
  valueHash: null,
  preparedRound: 2,
  preparedValueHash: hashValue(new Uint8Array([1, 2, 3])),
};
const keys = secpKeys(4);

describe('message digest', () => {
  test('every signed field changes the digest', () => {
    const d0 = toHex(messageDigest(base));
    const variants: QbftMessage[] = [
      { ...base, type: 'PREPARE' },
      { ...base, cluster: `0x${'11'.repeat(32)}` },
      { ...base, duty: { slot: 123457, type: 'attester' } },
      { ...base, duty: { slot: 123456, type: 'proposer' } },
      { ...base, sender: 3 },
      { ...base, round: 4 },
      { ...base, valueHash: hashValue(new Uint8Array([9])) },
      { ...base, preparedRound: 1 },
      { ...base, preparedValueHash: null },
    ];
    const digests = new Set([d0, ...variants.map((v) => toHex(messageDigest(v)))]);
    assert.equal(digests.size, variants.length + 1);
    assert.equal(toHex(messageDigest({ ...base })), d0, 'deterministic');
  });

  test('envelopes round-trip through the wire encoding', () => {
    const msg = signMessage(base, keys.signers[2]!);
    const prep = signMessage({ ...base, sender: 1, type: 'PREPARE', round: 2, valueHash: base.preparedValueHash, preparedRound: 0, preparedValueHash: null }, keys.signers[1]!);
    const env = { msg, justification: [prep], value: toHex(new Uint8Array([1, 2, 3])) };
    const back = decodeEnvelope(encodeEnvelope(env));
    assert.deepEqual(back, env);
    assert.ok(verifyMessage(back.msg, keys.verifier));
    assert.ok(verifyMessage(back.justification[0]!, keys.verifier));
  });

  test('malformed bytes are refused with an error naming the field', () => {
    const msg = signMessage(base, keys.signers[2]!);
    const good = JSON.parse(new TextDecoder().decode(encodeEnvelope({ msg, justification: [], value: null })));
    const bad = (mutate: (o: any) => void) => {
      const o = structuredClone(good);
      mutate(o);
      return new TextEncoder().encode(JSON.stringify(o));
    };
    assert.throws(() => decodeEnvelope(new Uint8Array([0xff, 0xfe])), MalformedMessageError);
    assert.throws(() => decodeEnvelope(bad((o) => (o.v = 2))), /field v is invalid/);
    assert.throws(() => decodeEnvelope(bad((o) => (o.msg.round = -1))), /field msg\.round is invalid/);
    assert.throws(() => decodeEnvelope(bad((o) => (o.msg.cluster = '0x12'))), /field msg\.cluster is invalid/);
    assert.throws(() => decodeEnvelope(bad((o) => (o.msg.type = 'VOTE'))), /field msg\.type is invalid/);
    assert.throws(() => decodeEnvelope(bad((o) => (o.msg.extra = 1))), /invalid/);
    assert.throws(() => decodeEnvelope(bad((o) => (o.value = '0xABC'))), /field value is invalid/);
    assert.throws(
      () => decodeEnvelope(bad((o) => (o.justification = Array(65).fill(o.msg)))),
      /field justification is invalid/,
    );
  });
});

describe('secp256k1 operator signatures', () => {
  test('signs Ethereum-style r‖s‖v that viem recovers to the operator address', async () => {
    const pk = keys.privateKeys[0]!;
    const signer = new Secp256k1Signer(pk);
    assert.equal(signer.address, privateKeyToAccount(pk).address.toLowerCase());
    const digest = messageDigest(base);
    const sig = signer.sign(digest);
    assert.equal(sig.length, 65);
    assert.ok(sig[64] === 27 || sig[64] === 28);
    const recovered = await recoverAddress({ hash: toHex(digest), signature: toHex(sig) });
    assert.equal(recovered.toLowerCase(), signer.address);
    // Byte-identical to viem's own signature (RFC 6979 deterministic nonces).
    assert.equal(toHex(sig), await viemSign({ hash: toHex(digest), privateKey: pk, to: 'hex' }));
  });

  test('verifies only the right sender, digest and untampered low-s signature', () => {
    const v = new Secp256k1Verifier(keys.addresses!);
    const digest = messageDigest(base);
    const sig = new Secp256k1Signer(keys.privateKeys[1]!).sign(digest);
    assert.equal(v.verify(1, digest, sig), true);
    assert.equal(v.verify(2, digest, sig), false, 'another operator');
    assert.equal(v.verify(9, digest, sig), false, 'not an operator');
    assert.equal(v.verify(1, messageDigest({ ...base, round: 9 }), sig), false, 'another message');
    const tampered = sig.slice();
    tampered[5]! ^= 1;
    assert.equal(v.verify(1, digest, tampered), false);
    // The malleable twin (n - s, flipped v) is refused (EIP-2 low s).
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(toHex(sig.subarray(32, 64)));
    const twin = sig.slice();
    twin.set(Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'), 32);
    twin[64] = sig[64] === 27 ? 28 : 27;
    assert.equal(v.verify(1, digest, twin), false);
    assert.equal(v.verify(1, digest, new Uint8Array(65)), false);
    assert.equal(v.verify(1, digest, sig.subarray(0, 64)), false);
  });

  test('refuses bad keys and addresses with clear errors', () => {
    assert.throws(() => new Secp256k1Signer(`0x${'00'.repeat(32)}`), /private key must be 32 bytes in \[1, n-1\]/);
    assert.throws(() => new Secp256k1Verifier(['0x1234']), /operator 0 address is not 20-byte hex/);
  });
});

describe('values', () => {
  test('canonical JSON: key order does not matter, bigint and bytes are encoded, unrepresentable values throw', () => {
    const a = encodeJsonValue({ slot: 5n, data: { b: 1, a: [true, null, 'x'] }, root: new Uint8Array([0xab]) });
    const b = encodeJsonValue({ root: new Uint8Array([0xab]), data: { a: [true, null, 'x'], b: 1 }, slot: 5n });
    assert.equal(hashValue(a), hashValue(b));
    assert.deepEqual(decodeJsonValue(a), { data: { a: [true, null, 'x'], b: 1 }, root: '0xab', slot: '5' });
    assert.throws(() => encodeJsonValue({ x: Number.NaN }), /value at \$\.x is NaN/);
    assert.throws(() => encodeJsonValue({ f: () => 1 }), /value at \$\.f is a function/);
  });
});
