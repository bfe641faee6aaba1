import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combinesValidator } from './combiners.ts';

/** Every subset of {0..n-1} of size k. */
function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  return [...subsets(n - 1, k - 1).map((s) => [...s, n - 1]), ...subsets(n - 1, k)];
}

for (const [n, t] of [[4, 3], [7, 5], [10, 7]] as const) {
  test(`combiners n=${n} t=${t}: n − t + 1 per validator, spread evenly, and any t nodes include one`, () => {
    const load = Array.from({ length: n }, () => 0);
    for (let v = 0; v < 10 * n; v++) {
      const chosen = Array.from({ length: n }, (_, k) => k).filter((k) => combinesValidator(k, v, n, t));
      assert.equal(chosen.length, n - t + 1, `validator ${v}`);
      for (const k of chosen) load[k]!++;
      for (const live of subsets(n, t)) assert.ok(live.some((k) => chosen.includes(k)), `validator ${v}: nodes ${live} combine nothing`);
    }
    assert.deepEqual(load, Array.from({ length: n }, () => 10 * (n - t + 1)), 'each node combines the same share');
  });
}
