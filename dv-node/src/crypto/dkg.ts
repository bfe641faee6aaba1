/**
 * Joint-Feldman distributed key generation for V validators among n nodes, threshold t — the pure math only.
 * The network layer drives it: every node calls `dealRound`, sends its commitments to everyone (broadcast, all
 * nodes must see the same ones) and each recipient its private shares (encrypted point-to-point), then every node
 * calls `finalizeDkg` with what it received.
 *
 *   dealer d, validator v:  f_{d,v}(x) = a_{d,v,0} + a_{d,v,1} x + … + a_{d,v,t−1} x^{t−1}   (random, secret)
 *                           C_{d,v,k} = a_{d,v,k} · G1                                           (broadcast)
 *                           s_{d,v,j} = f_{d,v}(j)                                               (to node j only)
 *   recipient j checks       s_{d,v,j} · G1 == Σ_k C_{d,v,k} · j^k         (else: dealer d is faulty, named)
 *   node j's secret share    x_{v,j} = Σ_d s_{d,v,j}
 *   group public key         PK_v = Σ_d C_{d,v,0}
 *   public share of node i   PK_{v,i} = Σ_k (Σ_d C_{d,v,k}) · i^k
 *
 * No party ever holds the group secret Σ_d a_{d,v,0}. Known limitation of joint-Feldman (Gennaro et al. 1999): a
 * rushing adversary can bias the distribution of the group key, which does not help it sign; every qualified
 * dealer must contribute, so a faulty dealer aborts the ceremony (the caller reruns it without them).
 *
 * `splitExistingKey` is the separate, explicit dealer mode: one party holds a key and splits it.
 */
import {
  type Share,
  type ThresholdParams,
  mod,
  randomPolynomial,
  randomScalar,
  sharesOfPolynomial,
} from './field.ts';
import { CommitmentVector, assertClusterShape, commitmentsOf, publicKeyOf, verifyShareAgainstCommitments } from './bls.ts';

export interface DkgParams extends ThresholdParams {
  /** Number of validators (distributed keys) generated in one ceremony. */
  validators: number;
}

/** What one dealer produces in the single dealing round. */
export interface DealerRound {
  /** The dealer's share index (operator index + 1). */
  dealer: number;
  /** Broadcast: commitments[v][k] = C_{d,v,k}, 48-byte compressed G1, t per validator. */
  commitments: Uint8Array[][];
  /** Private: sharesFor[j−1][v] = f_{d,v}(j), to be sent to node j only (its own entry stays local). */
  sharesFor: bigint[][];
}

/** What a recipient received from one dealer. */
export interface ReceivedDeal {
  dealer: number;
  commitments: Uint8Array[][];
  /** shares[v] = f_{d,v}(me). */
  shares: bigint[];
}

export interface DkgResult {
  /** My share index. */
  index: number;
  /** secretShares[v] = x_{v,me}. */
  secretShares: bigint[];
  /** groupPublicKeys[v] = PK_v (48 bytes). */
  groupPublicKeys: Uint8Array[];
  /** publicShares[v][i−1] = PK_{v,i} for every node i. */
  publicShares: Uint8Array[][];
}

export type DkgFaultReason = 'missing-deal' | 'duplicate-deal' | 'malformed-commitments' | 'share-mismatch';

export interface DkgFault {
  /** The dealer held responsible. */
  dealer: number;
  /** The validator position concerned, when the fault is about one validator. */
  validator?: number;
  reason: DkgFaultReason;
  detail: string;
}

/** Thrown by `finalizeDkg` when a dealer's contribution is wrong; `faults` name every faulty dealer. */
export class DkgFaultError extends Error {
  readonly faults: DkgFault[];
  constructor(faults: DkgFault[]) {
    const dealers = [...new Set(faults.map((f) => f.dealer))].sort((a, b) => a - b);
    super(`DKG failed: faulty dealer(s) ${dealers.join(', ')}: ${faults.map((f) => f.detail).join('; ')}`);
    this.name = 'DkgFaultError';
    this.faults = faults;
  }
  get faultyDealers(): number[] {
    return [...new Set(this.faults.map((f) => f.dealer))].sort((a, b) => a - b);
  }
}

function assertDkgParams(p: DkgParams): void {
  assertClusterShape(p);
  if (!Number.isSafeInteger(p.validators) || p.validators < 1) {
    throw new Error(`validators must be a positive integer, got ${p.validators}`);
  }
}

function assertIndex(p: DkgParams, index: number, what: string): void {
  if (!Number.isSafeInteger(index) || index < 1 || index > p.n) throw new Error(`${what} must be a share index in [1, ${p.n}], got ${index}`);
}

/**
 * Dealer side: a random polynomial per validator, its commitments and one share per recipient.
 * `randomCoefficient` (default CSPRNG) is injectable for fixed vectors; it is called for every coefficient,
 * constant terms included, validator by validator.
 */
export function dealRound(params: DkgParams, dealer: number, randomCoefficient: () => bigint = randomScalar): DealerRound {
  assertDkgParams(params);
  assertIndex(params, dealer, 'dealer');
  const commitments: Uint8Array[][] = [];
  const sharesFor: bigint[][] = Array.from({ length: params.n }, () => []);
  for (let v = 0; v < params.validators; v++) {
    let secret = mod(randomCoefficient());
    while (secret === 0n) secret = mod(randomCoefficient());
    const poly = randomPolynomial(secret, params.t, randomCoefficient);
    if (poly.some((a) => a === 0n)) throw new Error('zero polynomial coefficient drawn: the random source is broken');
    commitments.push(commitmentsOf(poly));
    for (const s of sharesOfPolynomial(poly, params.n)) sharesFor[s.index - 1]!.push(s.value);
  }
  return { dealer, commitments, sharesFor };
}

/** The deal a recipient gets from a dealer round (helper for in-process drivers and tests). */
export function dealFor(round: DealerRound, recipient: number): ReceivedDeal {
  const shares = round.sharesFor[recipient - 1];
  if (shares === undefined) throw new Error(`dealer ${round.dealer} has no shares for recipient ${recipient}`);
  return { dealer: round.dealer, commitments: round.commitments, shares };
}

/** Recipient check of one share against the dealer's commitments for that validator. */
export function verifyDealtShare(commitments: readonly Uint8Array[], recipient: number, share: bigint): boolean {
  return verifyShareAgainstCommitments(commitments, { index: recipient, value: share });
}

/** All faults in the deals `me` received (empty = every dealer behaved). */
export function findFaultyDealers(params: DkgParams, me: number, deals: readonly ReceivedDeal[]): DkgFault[] {
  return checkDeals(params, me, deals).faults;
}

/** Verifies every deal; returns the faults and, per dealer, its parsed commitment vectors (for aggregation). */
function checkDeals(
  params: DkgParams,
  me: number,
  deals: readonly ReceivedDeal[],
): { faults: DkgFault[]; parsed: Map<number, CommitmentVector[]> } {
  assertDkgParams(params);
  assertIndex(params, me, 'recipient');
  const faults: DkgFault[] = [];
  const parsed = new Map<number, CommitmentVector[]>();
  const byDealer = new Map<number, ReceivedDeal>();
  for (const d of deals) {
    if (!Number.isSafeInteger(d.dealer) || d.dealer < 1 || d.dealer > params.n) {
      throw new Error(`deal from unknown dealer ${d.dealer} (cluster has ${params.n})`);
    }
    if (byDealer.has(d.dealer)) {
      faults.push({ dealer: d.dealer, reason: 'duplicate-deal', detail: `dealer ${d.dealer} sent two deals` });
      continue;
    }
    byDealer.set(d.dealer, d);
  }
  for (let dealer = 1; dealer <= params.n; dealer++) {
    const d = byDealer.get(dealer);
    if (d === undefined) {
      faults.push({ dealer, reason: 'missing-deal', detail: `no deal from dealer ${dealer}` });
      continue;
    }
    if (d.commitments.length !== params.validators || d.shares.length !== params.validators) {
      faults.push({
        dealer,
        reason: 'malformed-commitments',
        detail: `dealer ${dealer} sent ${d.commitments.length} commitment vectors and ${d.shares.length} shares for ${params.validators} validators`,
      });
      continue;
    }
    const vectors: CommitmentVector[] = [];
    for (let v = 0; v < params.validators; v++) {
      const c = d.commitments[v]!;
      if (c.length !== params.t) {
        faults.push({ dealer, validator: v, reason: 'malformed-commitments', detail: `dealer ${dealer} validator ${v}: ${c.length} commitments, need ${params.t}` });
        continue;
      }
      let vector: CommitmentVector;
      try {
        vector = CommitmentVector.parse(c, `dealer ${dealer} validator ${v} commitment`);
      } catch (e) {
        faults.push({ dealer, validator: v, reason: 'malformed-commitments', detail: (e as Error).message });
        continue;
      }
      vectors.push(vector);
      if (!vector.verifyShare({ index: me, value: d.shares[v]! })) {
        faults.push({
          dealer,
          validator: v,
          reason: 'share-mismatch',
          detail: `dealer ${dealer} validator ${v}: share for node ${me} does not match the commitments`,
        });
      }
    }
    parsed.set(dealer, vectors);
  }
  return { faults, parsed };
}

/**
 * Recipient side, after receiving every dealer's deal: verifies all shares, then aggregates. Throws
 * `DkgFaultError` naming the faulty dealer(s) if any check fails; nothing is aggregated in that case.
 */
export function finalizeDkg(params: DkgParams, me: number, deals: readonly ReceivedDeal[]): DkgResult {
  const { faults, parsed } = checkDeals(params, me, deals);
  if (faults.length > 0) throw new DkgFaultError(faults);
  const ordered = [...deals].sort((a, b) => a.dealer - b.dealer);
  const secretShares: bigint[] = [];
  const groupPublicKeys: Uint8Array[] = [];
  const publicShares: Uint8Array[][] = [];
  for (let v = 0; v < params.validators; v++) {
    let x = 0n;
    for (const d of ordered) x = mod(x + d.shares[v]!);
    if (x === 0n) throw new Error(`validator ${v}: aggregated secret share is zero; rerun the DKG`);
    const group = CommitmentVector.sum(ordered.map((d) => parsed.get(d.dealer)![v]!));
    const shares = group.publicShares(params.n);
    // Our own share must match our public share: a last guard against arithmetic bugs.
    if (!Buffer.from(publicKeyOf(x)).equals(shares[me - 1]!)) throw new Error(`validator ${v}: secret share does not match public share`);
    secretShares.push(x);
    groupPublicKeys.push(group.bytes[0]!);
    publicShares.push(shares);
  }
  return { index: me, secretShares, groupPublicKeys, publicShares };
}

export interface SplitKey {
  groupPublicKey: Uint8Array;
  /** The dealer's polynomial commitments (C_0 is the group public key). */
  commitments: Uint8Array[];
  /** shares[i−1] = share i. */
  shares: Share[];
  /** publicShares[i−1] = public key of share i. */
  publicShares: Uint8Array[];
}

/**
 * DEALER MODE (trusted dealer): splits an existing validator secret key into n shares with threshold t. Whoever
 * runs this holds the full key; use it only to migrate an existing validator into a cluster, and destroy the
 * original key afterwards. New validators come from the DKG above.
 */
export function splitExistingKey(secret: bigint, params: ThresholdParams, randomCoefficient: () => bigint = randomScalar): SplitKey {
  assertClusterShape(params);
  const poly = randomPolynomial(secret, params.t, randomCoefficient);
  if (poly.some((a) => a === 0n)) throw new Error('zero polynomial coefficient drawn: the random source is broken');
  const commitments = commitmentsOf(poly);
  const shares = sharesOfPolynomial(poly, params.n);
  return { groupPublicKey: commitments[0]!, commitments, shares, publicShares: shares.map((s) => publicKeyOf(s.value)) };
}
