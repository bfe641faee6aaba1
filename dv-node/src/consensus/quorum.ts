/**
 * Cluster arithmetic: fault tolerance, quorum size, and the leader of each round.
 *
 * QBFT tolerates f = floor((n-1)/3) Byzantine members. For n = 3f+1 the quorum is the classic 2f+1. For any n the
 * quorum is ceil((n+f+1)/2): the smallest q such that two quorums share at least f+1 members (2q - n >= f+1, so
 * every pair of quorums contains an honest member in common: safety) and the n-f honest members alone still form
 * a quorum (q <= n-f: liveness). n=4 → 3, n=5 → 4, n=6 → 4, n=7 → 5, n=10 → 7.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { Duty } from './types.ts';

/** Any n >= 1 runs (f = 0 below four members, so such a cluster tolerates no fault). */
export const MIN_CLUSTER_SIZE = 1;

export function faultTolerance(n: number): number {
  assertClusterSize(n);
  return Math.floor((n - 1) / 3);
}

export function quorumSize(n: number): number {
  const f = faultTolerance(n);
  return Math.ceil((n + f + 1) / 2);
}

export function assertClusterSize(n: number): void {
  if (!Number.isSafeInteger(n) || n < MIN_CLUSTER_SIZE) {
    throw new RangeError(`cluster size must be a positive integer, got ${n}`);
  }
}

const typeCodes = new Map<string, number>();

/** A stable number for a duty type (first 4 bytes of keccak256 of its name), so types spread leadership. */
export function dutyTypeCode(type: string): number {
  let code = typeCodes.get(type);
  if (code === undefined) {
    const h = keccak_256(new TextEncoder().encode(type));
    code = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
    typeCodes.set(type, code);
  }
  return code;
}

/**
 * Index (into the cluster's ordered operator list) of the leader of `round` for `duty`:
 * (slot + typeCode(type) + round) mod n. Every member computes the same leader; consecutive rounds and
 * consecutive slots rotate through all members, so a crashed leader costs one round, not the duty.
 */
export function leaderOf(duty: Duty, round: number, n: number): number {
  assertClusterSize(n);
  return ((duty.slot % n) + (dutyTypeCode(duty.type) % n) + (round % n)) % n;
}
