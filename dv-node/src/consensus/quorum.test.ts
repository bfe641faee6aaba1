import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faultTolerance, leaderOf, quorumSize } from './quorum.ts';

test('f and quorum for the cluster sizes we run: 4 → (1, 3), 7 → (2, 5), 10 → (3, 7)', () => {
  assert.deepEqual([4, 7, 10].map((n) => [faultTolerance(n), quorumSize(n)]), [[1, 3], [2, 5], [3, 7]]);
  assert.deepEqual([5, 6, 8, 9].map(quorumSize), [4, 4, 6, 6]);
});

test('for every n up to 100: two quorums share f+1 members, and the honest members alone form a quorum', () => {
  for (let n = 1; n <= 100; n++) {
    const f = faultTolerance(n);
    const q = quorumSize(n);
    assert.equal(f, Math.floor((n - 1) / 3));
    assert.ok(2 * q - n >= f + 1, `n=${n}: quorums intersect in ${2 * q - n} < f+1`);
    assert.ok(q <= n - f, `n=${n}: quorum ${q} needs Byzantine members`);
    if (n % 3 === 1) assert.equal(q, 2 * f + 1);
  }
  assert.throws(() => quorumSize(0), /cluster size must be a positive integer, got 0/);
});

test('leaders rotate through every member over n rounds, and differ across slots and duty types', () => {
  for (const n of [4, 7, 10]) {
    const duty = { slot: 987654, type: 'attester' };
    const leaders = Array.from({ length: n }, (_, r) => leaderOf(duty, r + 1, n));
    assert.equal(new Set(leaders).size, n);
    assert.equal(leaderOf(duty, 1, n), leaderOf({ ...duty }, 1, n), 'deterministic');
    const firstLeaders = new Set(Array.from({ length: n }, (_, s) => leaderOf({ slot: s, type: 'attester' }, 1, n)));
    assert.equal(firstLeaders.size, n, 'consecutive slots spread round-1 leadership');
  }
  const types = ['attester', 'proposer', 'aggregator', 'sync_message', 'sync_contribution', 'exit'];
  assert.ok(new Set(types.map((type) => leaderOf({ slot: 1, type }, 1, 4))).size > 1);
});
