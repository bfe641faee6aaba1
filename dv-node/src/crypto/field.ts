/**
 * Arithmetic in the BLS12-381 scalar field F_r and Shamir secret sharing over it.
 *
 * Conventions used across dv-node:
 * - a secret key is a scalar in [1, r), serialised as 32 bytes big-endian (EIP-2333 / blst / herumi ETH mode);
 * - the share held by operator `k` (0-based position in the cluster) has share index `i = k + 1`; the secret is
 *   the sharing polynomial at 0 and share `i` is the polynomial at `i`;
 * - a polynomial is its coefficient list, constant term first.
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';

/** The order r of the BLS12-381 G1/G2 subgroups (the scalar field). */
export const R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

export function mod(x: bigint): bigint {
  const m = x % R;
  return m < 0n ? m + R : m;
}

/** Multiplicative inverse in F_r (extended Euclid); throws on 0. */
export function inv(x: bigint): bigint {
  let a = mod(x);
  if (a === 0n) throw new Error('inverse of zero in the scalar field');
  let [oldR, r] = [a, R];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  a = mod(oldS);
  return a;
}

/** The share index of the operator at 0-based position `operatorIndex` in the cluster. */
export function shareIndex(operatorIndex: number): number {
  if (!Number.isSafeInteger(operatorIndex) || operatorIndex < 0) {
    throw new Error(`operator index must be a non-negative integer, got ${operatorIndex}`);
  }
  return operatorIndex + 1;
}

/** 32-byte big-endian encoding of a scalar (a BLS secret key). */
export function scalarToBytes(x: bigint): Uint8Array {
  if (x < 0n || x >= R) throw new Error('scalar out of range [0, r)');
  const out = new Uint8Array(32);
  let v = x;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Decodes a 32-byte big-endian scalar; refuses values ≥ r (not reduced silently: that would be another key). */
export function scalarFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length !== 32) throw new Error(`a scalar is 32 bytes, got ${bytes.length}`);
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (v >= R) throw new Error('scalar is not below the group order r');
  return v;
}

/** A uniformly random non-zero scalar (64 random bytes reduced mod r: bias < 2^-254). */
export function randomScalar(): bigint {
  for (;;) {
    const b = randomBytes(64);
    let v = 0n;
    for (const x of b) v = (v << 8n) | BigInt(x);
    const s = v % R;
    if (s !== 0n) return s;
  }
}

/** Interop (mock-start) secret key `i`: int_le(sha256(uint256_le(i))) mod r, as the consensus specs define it. */
export function interopSecretKey(i: number): bigint {
  if (!Number.isSafeInteger(i) || i < 0) throw new Error(`interop index must be a non-negative integer, got ${i}`);
  const le = new Uint8Array(32);
  let v = BigInt(i);
  for (let k = 0; k < 32; k++) {
    le[k] = Number(v & 0xffn);
    v >>= 8n;
  }
  const h = sha256(le);
  let x = 0n;
  for (let k = h.length - 1; k >= 0; k--) x = (x << 8n) | BigInt(h[k]!);
  return x % R;
}

/** Evaluates the polynomial (constant term first) at x by Horner's rule. */
export function evalPoly(coefficients: readonly bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let k = coefficients.length - 1; k >= 0; k--) acc = mod(acc * x + coefficients[k]!);
  return acc;
}

function assertDistinctIndices(indices: readonly number[]): void {
  const seen = new Set<number>();
  for (const i of indices) {
    if (!Number.isSafeInteger(i) || i <= 0 || BigInt(i) >= R) throw new Error(`share index must be a positive integer, got ${i}`);
    if (seen.has(i)) throw new Error(`share index ${i} appears twice`);
    seen.add(i);
  }
}

/** Lagrange coefficients λ_i = Π_{j≠i} j / (j − i) for interpolating at 0 from the given share indices. */
export function lagrangeCoefficientsAtZero(indices: readonly number[]): bigint[] {
  assertDistinctIndices(indices);
  return indices.map((i) => {
    let num = 1n;
    let den = 1n;
    for (const j of indices) {
      if (j === i) continue;
      num = mod(num * BigInt(j));
      den = mod(den * BigInt(j - i));
    }
    return mod(num * inv(den));
  });
}

export interface Share {
  /** Share index (operator index + 1). */
  index: number;
  value: bigint;
}

export interface ThresholdParams {
  /** Number of shares (cluster size). */
  n: number;
  /** Shares needed to sign / recover. */
  t: number;
}

export function assertThresholdParams({ n, t }: ThresholdParams): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`n must be a positive integer, got ${n}`);
  if (!Number.isSafeInteger(t) || t < 1 || t > n) throw new Error(`threshold t must be in [1, n=${n}], got ${t}`);
}

/** The threshold the protocol uses for a cluster of n operators: t = ceil(2n/3). */
export function clusterThreshold(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`cluster size must be a positive integer, got ${n}`);
  return Math.ceil((2 * n) / 3);
}

/**
 * Random polynomial of degree t−1 with the given constant term (the secret). `randomCoefficient` is injectable for
 * fixed test vectors; it defaults to a CSPRNG.
 */
export function randomPolynomial(secret: bigint, t: number, randomCoefficient: () => bigint = randomScalar): bigint[] {
  if (secret <= 0n || secret >= R) throw new Error('secret must be a non-zero scalar below r');
  const coefficients = [secret];
  for (let k = 1; k < t; k++) coefficients.push(mod(randomCoefficient()));
  return coefficients;
}

/** Shares 1..n of a polynomial: share i = f(i). */
export function sharesOfPolynomial(coefficients: readonly bigint[], n: number): Share[] {
  const shares: Share[] = [];
  for (let i = 1; i <= n; i++) {
    const value = evalPoly(coefficients, BigInt(i));
    if (value === 0n) throw new Error(`share ${i} is zero (astronomically unlikely): draw another polynomial`);
    shares.push({ index: i, value });
  }
  return shares;
}

/** Lagrange interpolation at 0 from at least t shares with distinct indices (all given shares are used). */
export function recoverSecret(shares: readonly Share[]): bigint {
  if (shares.length === 0) throw new Error('no shares to recover from');
  const lambdas = lagrangeCoefficientsAtZero(shares.map((s) => s.index));
  let acc = 0n;
  shares.forEach((s, k) => {
    acc = mod(acc + s.value * lambdas[k]!);
  });
  return acc;
}
