/**
 * BLS12-381 operations for threshold signing.
 *
 * - Keys, signing, verification and batch verification: `@chainsafe/blst` (native blst), called directly
 *   because `@chainsafe/bls` 8's wrapper throws on single-set `verifyMultiple` with blst 2.x.
 * - G2 Lagrange combination of partial signatures and G1 polynomial evaluation of Feldman commitments:
 *   `bls-eth-wasm` (herumi). blst 2.x exposes no scalar multiplication; herumi's `Signature.recover` combines 3
 *   partials in ~0.7 ms here against ~20× that for pure-JS @noble/curves (see dv-node/bench/crypto.ts).
 *   Signatures and keys are byte-identical across the libraries (compressed ZCash encoding).
 *
 * Commitments handed to herumi are first parsed and subgroup-checked by blst; partial signatures are checked by
 * the caller's (batch) verification, and a combined signature must be verified before use (`combineAndVerify`).
 */
import * as blst from '@chainsafe/blst';
import herumiModule from 'bls-eth-wasm';
import { R, assertThresholdParams, scalarToBytes, type Share } from './field.ts';

export const PUBLIC_KEY_LENGTH = 48;
export const SIGNATURE_LENGTH = 96;

// ---- herumi (internal) --------------------------------------------------------------------------------------------
interface HerumiPoint {
  deserialize(bytes: Uint8Array): void;
  deserializeUncompressed(bytes: Uint8Array): void;
  serialize(): Uint8Array;
  serializeUncompressed(): Uint8Array;
  add(rhs: HerumiPoint): void;
  isZero(): boolean;
}
interface HerumiPublicKey extends HerumiPoint {
  share(commitments: HerumiPublicKey[], id: HerumiId): void;
}
interface HerumiSignature extends HerumiPoint {
  recover(parts: HerumiSignature[], ids: HerumiId[]): void;
}
interface HerumiId {
  setInt(x: number): void;
}
interface Herumi {
  init(curve: number): Promise<void>;
  BLS12_381: number;
  PublicKey: new () => HerumiPublicKey;
  Signature: new () => HerumiSignature;
  Id: new () => HerumiId;
  verifySignatureOrder(doVerify: boolean): void;
  verifyPublicKeyOrder(doVerify: boolean): void;
}
const herumi = herumiModule as unknown as Herumi;
await herumi.init(herumi.BLS12_381);
// herumi's subgroup check on every signature it deserializes repeats what blst does when the partials are verified;
// the combined signature is verified against the group key in any case.
herumi.verifySignatureOrder(false);
// Likewise for G1: every point reaches herumi only after blst validated it (see `toHerumiG1`).
herumi.verifyPublicKeyOrder(false);

function herumiId(index: number): HerumiId {
  if (!Number.isSafeInteger(index) || index <= 0 || index > 0x7fffffff) throw new Error(`share index out of range: ${index}`);
  const id = new herumi.Id();
  id.setInt(index);
  return id;
}

// ---- keys and signatures ----------------------------------------------------------------------------------------
/** Public key (48-byte compressed G1) of a secret scalar. */
export function publicKeyOf(secret: bigint): Uint8Array {
  return blst.SecretKey.fromBytes(scalarToBytes(secret)).toPublicKey().toBytes();
}

/** BLS signature (96-byte compressed G2) of `message` (a 32-byte signing root) under `secret`. */
export function sign(secret: bigint, message: Uint8Array): Uint8Array {
  return blst.SecretKey.fromBytes(scalarToBytes(secret)).sign(message).toBytes();
}

/** Parses and validates (subgroup, not infinity) a compressed public key; throws naming `what`. */
export function parsePublicKey(bytes: Uint8Array, what = 'public key'): blst.PublicKey {
  if (bytes.length !== PUBLIC_KEY_LENGTH) throw new Error(`${what} must be ${PUBLIC_KEY_LENGTH} bytes, got ${bytes.length}`);
  try {
    return blst.PublicKey.fromBytes(bytes, true);
  } catch (e) {
    throw new Error(`${what} is not a valid BLS12-381 G1 point: ${(e as Error).message}`);
  }
}

/** Parses and validates (subgroup, not infinity) a compressed signature; throws naming `what`. */
export function parseSignature(bytes: Uint8Array, what = 'signature'): blst.Signature {
  if (bytes.length !== SIGNATURE_LENGTH) throw new Error(`${what} must be ${SIGNATURE_LENGTH} bytes, got ${bytes.length}`);
  try {
    return blst.Signature.fromBytes(bytes, true, true);
  } catch (e) {
    throw new Error(`${what} is not a valid BLS12-381 G2 point: ${(e as Error).message}`);
  }
}

/** Verifies one signature; malformed keys or signatures verify as false. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return blst.verify(message, parsePublicKey(publicKey), parseSignature(signature));
  } catch {
    return false;
  }
}

export interface SignatureSet {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/**
 * Verifies many (public key, message, signature) sets at once with random linear combination (one multi-pairing);
 * on failure, finds the bad sets one by one. Returns the positions of invalid sets (empty = all valid).
 */
export function findInvalidSignatures(sets: readonly SignatureSet[]): number[] {
  if (sets.length === 0) return [];
  const parsed: Array<blst.SignatureSet | undefined> = sets.map((s) => {
    try {
      return { msg: s.message, pk: parsePublicKey(s.publicKey), sig: parseSignature(s.signature) };
    } catch {
      return undefined;
    }
  });
  const wellFormed = parsed.filter((p): p is blst.SignatureSet => p !== undefined);
  if (wellFormed.length === sets.length && blst.verifyMultipleAggregateSignatures(wellFormed)) return [];
  const invalid: number[] = [];
  parsed.forEach((p, i) => {
    if (p === undefined || !blst.verify(p.msg, p.pk, p.sig)) invalid.push(i);
  });
  return invalid;
}

// ---- threshold ----------------------------------------------------------------------------------------------------
export interface PartialSignature {
  /** Share index of the signer (operator index + 1). */
  index: number;
  signature: Uint8Array;
}

/**
 * Combines partial signatures by Lagrange interpolation in the exponent: σ = Σ λ_i σ_i over exactly `threshold`
 * partials (the lowest indices given; extra partials are ignored, duplicates refused). The partials must have been
 * verified (see `findInvalidSignatures`): an unverified bad partial yields a wrong group signature, which the
 * caller must detect by verifying the result against the group key before broadcast.
 */
export function combinePartialSignatures(partials: readonly PartialSignature[], threshold: number): Uint8Array {
  if (!Number.isSafeInteger(threshold) || threshold < 1) throw new Error(`threshold must be a positive integer, got ${threshold}`);
  const seen = new Set<number>();
  for (const p of partials) {
    if (seen.has(p.index)) throw new Error(`two partial signatures for share index ${p.index}`);
    seen.add(p.index);
  }
  if (partials.length < threshold) {
    throw new Error(`need ${threshold} partial signatures to combine, got ${partials.length}`);
  }
  const chosen = [...partials].sort((a, b) => a.index - b.index).slice(0, threshold);
  if (threshold === 1) return Uint8Array.from(parseSignature(chosen[0]!.signature, `partial signature of share ${chosen[0]!.index}`).toBytes());
  // Decompression (a square root in Fp2) is done by blst (~4× faster than herumi's) and handed over uncompressed.
  // No subgroup check here: partials are verified before they are combined, and the combined signature is
  // verified against the group key before use (`combineAndVerify`).
  const sigs = chosen.map((p) => {
    if (p.signature.length !== SIGNATURE_LENGTH) {
      throw new Error(`partial signature of share ${p.index} must be ${SIGNATURE_LENGTH} bytes, got ${p.signature.length}`);
    }
    const s = new herumi.Signature();
    try {
      s.deserializeUncompressed(blst.Signature.fromBytes(p.signature, false, true).toBytes(false));
    } catch (e) {
      throw new Error(`partial signature of share ${p.index} is not a valid G2 point: ${(e as Error).message}`);
    }
    return s;
  });
  const out = new herumi.Signature();
  out.recover(sigs, chosen.map((p) => herumiId(p.index)));
  return out.serialize();
}

/** Combines then verifies against the group public key; throws if the combination does not verify. */
export function combineAndVerify(
  partials: readonly PartialSignature[],
  threshold: number,
  groupPublicKey: Uint8Array,
  message: Uint8Array,
): Uint8Array {
  const sig = combinePartialSignatures(partials, threshold);
  if (!verify(groupPublicKey, message, sig)) {
    throw new Error(`combined signature from shares [${partials.map((p) => p.index).join(',')}] does not verify against the group key`);
  }
  return sig;
}

// ---- Feldman commitments (G1) ---------------------------------------------------------------------------------
/** Feldman commitments of a polynomial: C_k = a_k · G1 for each coefficient (constant term first). */
export function commitmentsOf(coefficients: readonly bigint[]): Uint8Array[] {
  return coefficients.map((a, k) => {
    if (a <= 0n || a >= R) throw new Error(`coefficient ${k} must be a non-zero scalar below r`);
    return publicKeyOf(a);
  });
}

/** Parses, validates (blst: on curve, subgroup, not infinity) and hands a G1 point to herumi uncompressed. */
function toHerumiG1(bytes: Uint8Array, what: string): HerumiPublicKey {
  const h = new herumi.PublicKey();
  h.deserializeUncompressed(parsePublicKey(bytes, what).toBytes(false));
  return h;
}

/**
 * Feldman commitments C_0..C_{t−1} of one sharing polynomial, parsed and validated once, so that evaluating them
 * at every share index and summing dealers' vectors (joint-Feldman) does not re-decompress points each time.
 */
export class CommitmentVector {
  private readonly points: HerumiPublicKey[];
  /** The compressed commitments (C_0 first). */
  readonly bytes: Uint8Array[];

  private constructor(points: HerumiPublicKey[], bytes: Uint8Array[]) {
    this.points = points;
    this.bytes = bytes;
  }

  /** Throws (naming `what` and the position) if any commitment is not a valid G1 point. */
  static parse(commitments: readonly Uint8Array[], what = 'commitment'): CommitmentVector {
    if (commitments.length === 0) throw new Error(`${what}: no commitments`);
    return new CommitmentVector(
      commitments.map((c, k) => toHerumiG1(c, `${what} ${k}`)),
      commitments.map((c) => Uint8Array.from(c)),
    );
  }

  /** Element-wise sum of vectors of equal length (the group polynomial's commitments in joint-Feldman). */
  static sum(vectors: readonly CommitmentVector[]): CommitmentVector {
    const first = vectors[0];
    if (first === undefined) throw new Error('no commitment vectors to sum');
    const acc = first.points.map((p) => {
      const q = new herumi.PublicKey();
      q.deserializeUncompressed(p.serializeUncompressed());
      return q;
    });
    for (const v of vectors.slice(1)) {
      if (v.points.length !== acc.length) throw new Error(`commitment vectors differ in length (${v.points.length} vs ${acc.length})`);
      v.points.forEach((p, k) => acc[k]!.add(p));
    }
    for (const p of acc) if (p.isZero()) throw new Error('summed commitment is the point at infinity');
    return new CommitmentVector(acc, acc.map((p) => p.serialize()));
  }

  get threshold(): number {
    return this.points.length;
  }

  /** Σ_k C_k · i^k: the public key of share i (compressed). */
  evalAt(index: number): Uint8Array {
    const out = new herumi.PublicKey();
    out.share(this.points, herumiId(index));
    return out.serialize();
  }

  /** Public keys of shares 1..n. */
  publicShares(n: number): Uint8Array[] {
    return Array.from({ length: n }, (_, k) => this.evalAt(k + 1));
  }

  /** Does `share` lie on the committed polynomial (share.value · G1 == evalAt(share.index))? */
  verifyShare(share: Share): boolean {
    if (share.value <= 0n || share.value >= R) return false;
    return Buffer.from(publicKeyOf(share.value)).equals(this.evalAt(share.index));
  }
}

/** Evaluates committed polynomial at share index i in the exponent: Σ_k C_k · i^k (the public key of share i). */
export function evalCommitments(commitments: readonly Uint8Array[], index: number): Uint8Array {
  return CommitmentVector.parse(commitments).evalAt(index);
}

/** Public keys of shares 1..n from the sharing polynomial's commitments. */
export function publicSharesFromCommitments(commitments: readonly Uint8Array[], n: number): Uint8Array[] {
  return CommitmentVector.parse(commitments).publicShares(n);
}

/** Does `share` (for share index `share.index`) lie on the committed polynomial? Malformed input → false. */
export function verifyShareAgainstCommitments(commitments: readonly Uint8Array[], share: Share): boolean {
  try {
    return CommitmentVector.parse(commitments).verifyShare(share);
  } catch {
    return false;
  }
}

/** Asserts the threshold parameters and that a cluster has at most 2^31−1 shares (herumi ids are int32). */
export function assertClusterShape(params: { n: number; t: number }): void {
  assertThresholdParams(params);
  if (params.n > 0x7fffffff) throw new Error(`cluster size ${params.n} too large`);
}
