import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  R,
  clusterThreshold,
  evalPoly,
  interopSecretKey,
  inv,
  lagrangeCoefficientsAtZero,
  mod,
  recoverSecret,
  scalarFromBytes,
  scalarToBytes,
  sharesOfPolynomial,
  shareIndex,
  type Share,
} from './field.ts';
import {
  combineAndVerify,
  combinePartialSignatures,
  findInvalidSignatures,
  publicKeyOf,
  sign,
  verify,
} from './bls.ts';
import { splitExistingKey } from './dkg.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const MESSAGE = new Uint8Array(32).fill(0x5a);

/** All k-subsets of arr. */
function subsets<T>(arr: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (arr.length < k) return [];
  const [head, ...rest] = arr;
  return [...subsets(rest, k - 1).map((s) => [head as T, ...s]), ...subsets(rest, k)];
}

test('interop secret keys and their public keys are the well-known test validators', () => {
  assert.equal(interopSecretKey(0).toString(16), '25295f0d1d592a90b333e26e85149708208e9f8e8bc18f6c77bd62f8ad7a6866');
  assert.equal(interopSecretKey(1).toString(16), '51d0b65185db6989ab0b560d6deed19c7ead0e24b9b6372cbecb1f26bdfad000');
  assert.equal(hex(publicKeyOf(interopSecretKey(0))), 'a99a76ed7796f7be22d5b7e85deeb7c5677e88e511e0b337618f8c4eb61349b4bf2d153f649f7b53359fe8b94a38e44c');
  assert.equal(hex(publicKeyOf(interopSecretKey(1))), 'b89bebc699769726a318c8e9971bd3171297c61aea4a6578a7a4f94b547dcba5bac16a89108b6b6a1fe3695d1a874a0b');
});

test('field: inverse, scalar encoding, share index', () => {
  assert.equal(mod(inv(7n) * 7n), 1n);
  assert.equal(mod(-1n), R - 1n);
  assert.throws(() => inv(0n), /inverse of zero/);
  const s = interopSecretKey(3);
  assert.equal(scalarFromBytes(scalarToBytes(s)), s);
  assert.throws(() => scalarFromBytes(scalarToBytes(R - 1n).map((b) => b | 0xff)), /not below the group order/);
  assert.throws(() => scalarFromBytes(new Uint8Array(31)), /32 bytes/);
  assert.equal(shareIndex(0), 1);
  assert.throws(() => shareIndex(-1), /non-negative/);
  assert.deepEqual([4, 7, 10].map(clusterThreshold), [3, 5, 7]);
});

test('fixed vector: known secret and coefficients give the expected shares', () => {
  const s = interopSecretKey(0);
  const poly = [s, 3n, 5n]; // f(x) = s + 3x + 5x²
  // By hand: f(1) = s+8, f(2) = s+26, f(3) = s+54, f(4) = s+92.
  assert.deepEqual(
    sharesOfPolynomial(poly, 4).map((x) => x.value),
    [s + 8n, s + 26n, s + 54n, s + 92n].map((v) => v % R),
  );
  assert.equal(evalPoly([R - 1n, 1n], 1n), 0n); // -1 + x at 1 wraps to 0 mod r
  // Lagrange at 0 from {1,2,3}: λ = (3, −3, 1) by hand.
  assert.deepEqual(lagrangeCoefficientsAtZero([1, 2, 3]), [3n, R - 3n, 1n]);
  assert.throws(() => lagrangeCoefficientsAtZero([1, 1]), /appears twice/);
  // Dealer split with the same fixed coefficients: group key is interop validator 0.
  let next = 3n;
  const split = splitExistingKey(s, { n: 4, t: 3 }, () => {
    const v = next;
    next += 2n;
    return v;
  });
  assert.equal(hex(split.groupPublicKey), 'a99a76ed7796f7be22d5b7e85deeb7c5677e88e511e0b337618f8c4eb61349b4bf2d153f649f7b53359fe8b94a38e44c');
  assert.deepEqual(split.shares.map((x) => x.value), [s + 8n, s + 26n, s + 54n, s + 92n].map((v) => v % R));
  split.shares.forEach((sh, k) => assert.equal(hex(split.publicShares[k]!), hex(publicKeyOf(sh.value))));
});

for (const n of [4, 7, 10]) {
  const t = clusterThreshold(n);
  test(`${t}-of-${n}: any ${t} shares recover the key and combine to the full key's signature; ${t - 1} cannot`, () => {
    const secret = interopSecretKey(n);
    const split = splitExistingKey(secret, { n, t });
    const expectedSig = hex(sign(secret, MESSAGE));
    const partials = split.shares.map((s) => ({ index: s.index, signature: sign(s.value, MESSAGE) }));
    // Every partial verifies against its public share (batch).
    assert.deepEqual(
      findInvalidSignatures(partials.map((p) => ({ publicKey: split.publicShares[p.index - 1]!, message: MESSAGE, signature: p.signature }))),
      [],
    );
    const all = subsets(split.shares, t);
    assert.equal(all.length > 0, true);
    for (const subset of all) {
      assert.equal(recoverSecret(subset), secret);
      const chosen = subset.map((s) => partials[s.index - 1]!);
      assert.equal(hex(combinePartialSignatures(chosen, t)), expectedSig);
    }
    // More than t partials: the combination uses t of them and is the same signature.
    assert.equal(hex(combineAndVerify(partials, t, split.groupPublicKey, MESSAGE)), expectedSig);
    // t−1 shares: not enough.
    for (const subset of subsets(split.shares, t - 1).slice(0, 10)) {
      if (t - 1 > 0) assert.notEqual(recoverSecret(subset), secret);
      const chosen = subset.map((s) => partials[s.index - 1]!);
      assert.throws(() => combinePartialSignatures(chosen, t), new RegExp(`need ${t} partial signatures`));
      if (t - 1 > 0) {
        // Interpolating only t−1 points gives some other signature that does not verify.
        const forced = combinePartialSignatures(chosen, t - 1);
        assert.equal(verify(split.groupPublicKey, MESSAGE, forced), false);
      }
    }
  });
}

test('a tampered partial is found by batch verification and breaks the combination', () => {
  const secret = interopSecretKey(42);
  const split = splitExistingKey(secret, { n: 4, t: 3 });
  const partials = split.shares.map((s: Share) => ({ index: s.index, signature: sign(s.value, MESSAGE) }));
  // Operator 2 (share index 3) signs with a wrong key.
  partials[2] = { index: 3, signature: sign(mod(split.shares[2]!.value + 1n), MESSAGE) };
  const sets = partials.map((p) => ({ publicKey: split.publicShares[p.index - 1]!, message: MESSAGE, signature: p.signature }));
  assert.deepEqual(findInvalidSignatures(sets), [2]);
  // A single set works too (the @chainsafe/bls wrapper throws there; we call blst directly).
  assert.deepEqual(findInvalidSignatures([sets[0]!]), []);
  assert.deepEqual(findInvalidSignatures([sets[2]!]), [0]);
  // Garbage bytes are reported too, not thrown.
  assert.deepEqual(findInvalidSignatures([{ ...sets[0]!, signature: new Uint8Array(96).fill(1) }, sets[1]!]), [0]);
  assert.throws(() => combineAndVerify(partials.slice(0, 3), 3, split.groupPublicKey, MESSAGE), /does not verify against the group key/);
  // Dropping the bad partial, the rest combine correctly.
  const good = partials.filter((_, k) => k !== 2);
  assert.equal(hex(combineAndVerify(good, 3, split.groupPublicKey, MESSAGE)), hex(sign(secret, MESSAGE)));
  assert.throws(() => combinePartialSignatures([good[0]!, good[0]!, good[1]!], 3), /two partial signatures for share index 1/);
  assert.throws(() => combinePartialSignatures([{ index: 1, signature: new Uint8Array(95) }, good[1]!, good[2]!], 3), /share 1 must be 96 bytes/);
});
