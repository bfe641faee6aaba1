import { test } from 'node:test';
import assert from 'node:assert/strict';
import { R, clusterThreshold, evalPoly, mod, recoverSecret } from './field.ts';
import { combineAndVerify, findInvalidSignatures, publicKeyOf, sign, verify } from './bls.ts';
import {
  DkgFaultError,
  dealFor,
  dealRound,
  finalizeDkg,
  findFaultyDealers,
  type DealerRound,
  type DkgParams,
  type DkgResult,
} from './dkg.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const MESSAGE = new Uint8Array(32).fill(0x33);

function runCeremony(params: DkgParams, tamper?: (rounds: DealerRound[]) => void): { rounds: DealerRound[]; results: DkgResult[] } {
  const rounds = Array.from({ length: params.n }, (_, k) => dealRound(params, k + 1));
  tamper?.(rounds);
  const results = Array.from({ length: params.n }, (_, k) => finalizeDkg(params, k + 1, rounds.map((r) => dealFor(r, k + 1))));
  return { rounds, results };
}

test('fixed vector: deterministic coefficients give the hand-computed shares and group key', () => {
  const params: DkgParams = { n: 4, t: 2, validators: 1 };
  // Dealer d draws (in order) constant term then slope: d·10+1, d·10+2 → f_d(x) = (10d+1) + (10d+2)x.
  const rounds = [1, 2, 3, 4].map((d) => {
    let k = 0;
    return dealRound(params, d, () => BigInt(10 * d + ++k));
  });
  // Node j's share = Σ_d (10d+1) + (10d+2)j = 104 + 108j; group secret = Σ_d (10d+1) = 104.
  const results = [1, 2, 3, 4].map((j) => finalizeDkg(params, j, rounds.map((r) => dealFor(r, j))));
  results.forEach((r, k) => assert.equal(r.secretShares[0], 104n + 108n * BigInt(k + 1)));
  assert.equal(hex(results[0]!.groupPublicKeys[0]!), hex(publicKeyOf(104n)));
  for (const r of results) {
    assert.deepEqual(r.publicShares[0]!.map(hex), [1, 2, 3, 4].map((j) => hex(publicKeyOf(104n + 108n * BigInt(j)))));
  }
  assert.equal(evalPoly([104n, 108n], 3n), 428n);
});

for (const n of [4, 7, 10]) {
  const t = clusterThreshold(n);
  const validators = n === 4 ? 3 : 1;
  test(`DKG ${t}-of-${n} for ${validators} validator(s): all nodes agree; any ${t} sign for the group key`, () => {
    const params: DkgParams = { n, t, validators };
    const { results } = runCeremony(params);
    for (let v = 0; v < validators; v++) {
      const pk = hex(results[0]!.groupPublicKeys[v]!);
      for (const r of results) {
        assert.equal(hex(r.groupPublicKeys[v]!), pk);
        assert.deepEqual(r.publicShares[v]!.map(hex), results[0]!.publicShares[v]!.map(hex));
        assert.equal(hex(publicKeyOf(r.secretShares[v]!)), hex(r.publicShares[v]![r.index - 1]!));
      }
      // The group secret (recoverable only here, by collecting t shares) belongs to the group key.
      const firstT = results.slice(0, t).map((r) => ({ index: r.index, value: r.secretShares[v]! }));
      const lastT = results.slice(n - t).map((r) => ({ index: r.index, value: r.secretShares[v]! }));
      const groupSecret = recoverSecret(firstT);
      assert.equal(recoverSecret(lastT), groupSecret);
      assert.equal(hex(publicKeyOf(groupSecret)), pk);
      // t−1 shares do not give it.
      assert.notEqual(recoverSecret(firstT.slice(0, t - 1)), groupSecret);
      // Threshold signing by the last t nodes.
      const partials = results.slice(n - t).map((r) => ({ index: r.index, signature: sign(r.secretShares[v]!, MESSAGE) }));
      const sets = partials.map((p) => ({ publicKey: results[0]!.publicShares[v]![p.index - 1]!, message: MESSAGE, signature: p.signature }));
      assert.deepEqual(findInvalidSignatures(sets), []);
      const sig = combineAndVerify(partials, t, results[0]!.groupPublicKeys[v]!, MESSAGE);
      assert.equal(hex(sig), hex(sign(groupSecret, MESSAGE)));
      assert.equal(verify(results[0]!.groupPublicKeys[v]!, MESSAGE, sig), true);
    }
  });
}

test('a tampered share is detected by its recipient and its dealer named', () => {
  const params: DkgParams = { n: 4, t: 3, validators: 2 };
  const rounds = Array.from({ length: 4 }, (_, k) => dealRound(params, k + 1));
  // Dealer 2 sends node 3 a wrong share for validator 1.
  rounds[1]!.sharesFor[2]![1] = mod(rounds[1]!.sharesFor[2]![1]! + 1n);
  const deals = rounds.map((r) => dealFor(r, 3));
  const faults = findFaultyDealers(params, 3, deals);
  assert.deepEqual(faults.map((f) => [f.dealer, f.validator, f.reason]), [[2, 1, 'share-mismatch']]);
  assert.throws(
    () => finalizeDkg(params, 3, deals),
    (e: unknown) => e instanceof DkgFaultError && e.faultyDealers.join() === '2' && /faulty dealer\(s\) 2/.test(e.message),
  );
  // The other recipients are unaffected.
  assert.doesNotThrow(() => finalizeDkg(params, 1, rounds.map((r) => dealFor(r, 1))));
});

test('tampered commitments, missing and duplicate deals name the dealer', () => {
  const params: DkgParams = { n: 4, t: 3, validators: 1 };
  const rounds = Array.from({ length: 4 }, (_, k) => dealRound(params, k + 1));
  // Dealer 4 broadcasts a different (valid-looking) commitment for its slope.
  const forged = { ...rounds[3]!, commitments: [[rounds[3]!.commitments[0]![0]!, publicKeyOf(12345n), rounds[3]!.commitments[0]![2]!]] };
  const deals = [dealFor(rounds[0]!, 2), dealFor(rounds[1]!, 2), dealFor(rounds[2]!, 2), dealFor(forged, 2)];
  assert.deepEqual(findFaultyDealers(params, 2, deals).map((f) => [f.dealer, f.reason]), [[4, 'share-mismatch']]);
  // Wrong number of commitments / not a curve point.
  const short = { ...dealFor(rounds[0]!, 2), commitments: [rounds[0]!.commitments[0]!.slice(0, 2)] };
  const garbage = { ...dealFor(rounds[1]!, 2), commitments: [[new Uint8Array(48).fill(7), ...rounds[1]!.commitments[0]!.slice(1)]] };
  const faults = findFaultyDealers(params, 2, [short, garbage, dealFor(rounds[2]!, 2)]);
  assert.deepEqual(faults.map((f) => [f.dealer, f.reason]), [
    [1, 'malformed-commitments'],
    [2, 'malformed-commitments'],
    [4, 'missing-deal'],
  ]);
  const dup = findFaultyDealers(params, 2, [...rounds.map((r) => dealFor(r, 2)), dealFor(rounds[0]!, 2)]);
  assert.deepEqual(dup.map((f) => [f.dealer, f.reason]), [[1, 'duplicate-deal']]);
  assert.throws(() => findFaultyDealers(params, 2, [{ ...dealFor(rounds[0]!, 2), dealer: 9 }]), /unknown dealer 9/);
  assert.throws(() => dealRound({ n: 4, t: 5, validators: 1 }, 1), /threshold t must be in \[1, n=4\], got 5/);
  assert.throws(() => dealRound(params, 5), /dealer must be a share index in \[1, 4\], got 5/);
  // A zero share is never accepted.
  assert.equal(findFaultyDealers(params, 2, rounds.map((r) => ({ ...dealFor(r, 2), shares: r.dealer === 3 ? [0n] : dealFor(r, 2).shares })))[0]?.dealer, 3);
  assert.equal(R > 0n, true);
});
