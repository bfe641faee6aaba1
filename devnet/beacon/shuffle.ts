/**
 * The spec's committee machinery (phase0 `compute_shuffled_index` swap-or-not shuffle with SHUFFLE_ROUND_COUNT
 * rounds, `compute_committee`, Electra `compute_proposer_index` and `get_next_sync_committee_indices` with 16-bit
 * random values). Exact, not "spec-like": the same seed and active set give the same committees as a real client.
 */
import { createHash } from 'node:crypto';
import { SPEC } from './params.ts';

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function uint64Le(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

/**
 * The permutation p with p[i] = compute_shuffled_index(i, n, seed) for every i, computing each round's
 * pivot and 256-position source hashes once (the spec's per-index function recomputes them).
 */
export function shuffledIndices(n: number, seed: Uint8Array, rounds: number = SPEC.SHUFFLE_ROUND_COUNT): Uint32Array {
  const out = new Uint32Array(n);
  if (n === 0) return out;
  for (let i = 0; i < n; i++) out[i] = i;
  const bigN = BigInt(n);
  for (let r = 0; r < rounds; r++) {
    const roundByte = Uint8Array.of(r);
    const pivotHash = sha256(seed, roundByte);
    const pivot = Number(new DataView(pivotHash.buffer).getBigUint64(0, true) % bigN);
    const sources = new Map<number, Uint8Array>();
    const source = (pos: number): Uint8Array => {
      const k = Math.floor(pos / 256);
      let s = sources.get(k);
      if (!s) {
        const kb = new Uint8Array(4);
        new DataView(kb.buffer).setUint32(0, k, true);
        s = sha256(seed, roundByte, kb);
        sources.set(k, s);
      }
      return s;
    };
    for (let i = 0; i < n; i++) {
      const index = out[i]!;
      const flip = (pivot + n - index) % n;
      const position = Math.max(index, flip);
      const byte = source(position)[Math.floor((position % 256) / 8)]!;
      const bit = (byte >> (position % 8)) & 1;
      if (bit) out[i] = flip;
    }
  }
  return out;
}

/** compute_committee: the committee `index` of `count` over `indices` shuffled with `perm`. */
export function computeCommittee(indices: readonly number[], perm: Uint32Array, index: number, count: number): number[] {
  const start = Math.floor((indices.length * index) / count);
  const end = Math.floor((indices.length * (index + 1)) / count);
  const c: number[] = [];
  for (let i = start; i < end; i++) c.push(indices[perm[i]!]!);
  return c;
}

/** get_committee_count_per_slot */
export function committeeCountPerSlot(activeCount: number, slotsPerEpoch: number): number {
  return Math.max(1, Math.min(SPEC.MAX_COMMITTEES_PER_SLOT, Math.floor(Math.floor(activeCount / slotsPerEpoch) / SPEC.TARGET_COMMITTEE_SIZE)));
}

const MAX_RANDOM_VALUE = 2 ** 16 - 1;

/** Electra compute_proposer_index (effective-balance-weighted sampling with 16-bit random values). */
export function computeProposerIndex(indices: readonly number[], effectiveBalance: (i: number) => number, seed: Uint8Array): number {
  if (indices.length === 0) throw new Error('computeProposerIndex: no active validator');
  const perm = shuffledIndices(indices.length, seed);
  let randomBytes: Uint8Array = new Uint8Array(0);
  for (let i = 0; ; i++) {
    const candidate = indices[perm[i % indices.length]!]!;
    if (i % 16 === 0) randomBytes = sha256(seed, uint64Le(Math.floor(i / 16)));
    const off = (i % 16) * 2;
    const randomValue = randomBytes[off]! | (randomBytes[off + 1]! << 8);
    if (effectiveBalance(candidate) * MAX_RANDOM_VALUE >= SPEC.MAX_EFFECTIVE_BALANCE_ELECTRA * randomValue) return candidate;
  }
}

/** Electra get_next_sync_committee_indices: SYNC_COMMITTEE_SIZE entries, repetition allowed. */
export function computeSyncCommitteeIndices(indices: readonly number[], effectiveBalance: (i: number) => number, seed: Uint8Array): number[] {
  if (indices.length === 0) return [];
  const perm = shuffledIndices(indices.length, seed);
  const out: number[] = [];
  let randomBytes: Uint8Array = new Uint8Array(0);
  for (let i = 0; out.length < SPEC.SYNC_COMMITTEE_SIZE; i++) {
    const candidate = indices[perm[i % indices.length]!]!;
    if (i % 16 === 0) randomBytes = sha256(seed, uint64Le(Math.floor(i / 16)));
    const off = (i % 16) * 2;
    const randomValue = randomBytes[off]! | (randomBytes[off + 1]! << 8);
    if (effectiveBalance(candidate) * MAX_RANDOM_VALUE >= SPEC.MAX_EFFECTIVE_BALANCE_ELECTRA * randomValue) out.push(candidate);
  }
  return out;
}

/** is_aggregator: selection proof hash modulo max(1, committee_len / TARGET_AGGREGATORS_PER_COMMITTEE) == 0 */
export function isAggregator(committeeLength: number, selectionProof: Uint8Array): boolean {
  const modulo = Math.max(1, Math.floor(committeeLength / SPEC.TARGET_AGGREGATORS_PER_COMMITTEE));
  const h = sha256(selectionProof);
  return new DataView(h.buffer).getBigUint64(0, true) % BigInt(modulo) === 0n;
}

/** integer_squareroot */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) { x = y; y = (x + n / x) / 2n; }
  return x;
}
