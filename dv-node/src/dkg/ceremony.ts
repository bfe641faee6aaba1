/**
 * The DKG ceremony over a ClusterNetwork: drives the joint-Feldman math of crypto/dkg.ts among the n operators of
 * a signed cluster definition, for V validators at once, and ends with every node holding the same cluster lock.
 *
 *   sync           every node says hello (definition hash, mode, fresh nonce); session = H(definition, mode, nonces)
 *                  — a rerun draws new nonces, so nothing of an earlier attempt is ever accepted again
 *   deal           each dealer broadcasts its Feldman commitments (signed by the dealer) and sends every other node
 *                  its shares, ECIES-encrypted to that node's operator key (ecies.ts) and signed
 *   verify         each node decrypts and checks its shares against the commitments, then broadcasts what it got
 *                  (hash of every dealer's commitments, with the dealer's signature) and its complaints (with the
 *                  box key revealed as evidence). Every node judges the same evidence: a dealer that sent a bad
 *                  share or different commitments to different nodes is named; so is a node that complains falsely
 *   sign-deposits  each node signs every validator's DepositMessage with its share; partials are exchanged,
 *                  verified against the public shares (a bad one names its signer), combined and verified
 *   sign-lock      each node builds the lock (identical everywhere), signs its hash, collects every signature,
 *                  verifies the whole lock, writes keystores, deposit data and the lock, and says done
 *
 * Any failure aborts the ceremony on every node with a DkgCeremonyError naming the phase, the reason and the
 * culprits; each phase has its own timeout. `runDealerSplit` is the explicit trusted-dealer mode: one operator
 * splits existing keys (`splitExistingKey`); the phases after the deal are the same.
 */
import { fromHex, toHex } from '../consensus/hex.ts';
import { Secp256k1Verifier } from '../consensus/secp256k1.ts';
import { buildLock, signLockHash, verifyLock, verifyLockSignature } from '../cluster/lock.ts';
import { verifyDefinition } from '../cluster/definition.ts';
import type { ClusterDefinition, ClusterLock, DistributedValidator, Hex } from '../cluster/types.ts';
import { CommitmentVector, findInvalidSignatures, sign, type SignatureSet } from '../crypto/bls.ts';
import { DkgFaultError, dealRound, finalizeDkg, splitExistingKey, type DkgParams, type DkgResult, type ReceivedDeal } from '../crypto/dkg.ts';
import { scalarFromBytes, scalarToBytes } from '../crypto/field.ts';
import { depositDataFromPartials, depositSigningRoot, type DepositParameters } from '../deposit/deposit.ts';
import { publicKeyOfPeerId } from '../identity/identity.ts';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { randomBytes } from 'node:crypto';
import { deriveBoxKey, openBoxWithKey, sealBox, type SealedBox } from './ecies.ts';
import { DkgCeremonyError } from './errors.ts';
import {
  DKG_TOPIC,
  boxContext,
  dealDigest,
  dealHash,
  decodeMessage,
  encodeMessage,
  sharesDigest,
  type Complaint,
  type DkgMessage,
  type SharesMsg,
} from './messages.ts';
import { assertFreshOutputDir, writeOutputs } from './outputs.ts';
import { DKG_PHASES, type DealerSplitOptions, type DkgFailureReason, type DkgOptions, type DkgOutput, type DkgPhase, type DkgTimeouts } from './types.ts';

export { DkgCeremonyError } from './errors.ts';

export const DEFAULT_DKG_TIMEOUTS: DkgTimeouts = {
  sync: 300_000, // operators start their nodes by hand: give them five minutes to show up
  deal: 60_000,
  verify: 60_000,
  'sign-deposits': 60_000,
  'sign-lock': 60_000,
};
/** Messages kept for sessions this node does not know (yet): a peer may be a phase ahead. */
const MAX_PENDING = 10_000;
const SCALAR_BYTES = 32;
/** Failures announced to peers with an abort message (see #abort). */
const ANNOUNCED_FAILURES: ReadonlySet<DkgFailureReason> = new Set(['timeout', 'restarted', 'invalid-definition']);

type Mode = { kind: 'dkg' } | { kind: 'split'; dealer: number; keys: readonly bigint[] | undefined };
type ByType<T extends DkgMessage['type']> = Extract<DkgMessage, { type: T }>;

/** Runs the distributed key generation; see the file header. */
export async function runDkg(options: DkgOptions): Promise<DkgOutput> {
  return new Ceremony(options, { kind: 'dkg' }).run();
}

/**
 * TRUSTED-DEALER MODE: operator `dealer` splits existing validator keys (`existingKeys`, on the dealer only) into
 * shares for the cluster. The dealer held, and may still hold, the full keys: use it only to migrate existing
 * validators, and destroy the originals. Same outputs as `runDkg`.
 */
export async function runDealerSplit(options: DealerSplitOptions): Promise<DkgOutput> {
  return new Ceremony(options, { kind: 'split', dealer: options.dealer, keys: options.existingKeys }).run();
}

class Ceremony {
  readonly #o: DkgOptions;
  readonly #mode: Mode;
  readonly #def: ClusterDefinition;
  readonly #me: number;
  readonly #n: number;
  readonly #t: number;
  readonly #v: number;
  readonly #timeouts: DkgTimeouts;
  readonly #verifier: Secp256k1Verifier;
  readonly #nonce: Hex = toHex(randomBytes(32));
  readonly #nonces: (Hex | undefined)[];
  readonly #views: (Hex[] | undefined)[] = [];
  readonly #mismatch = new Map<number, string>();
  readonly #pending: { from: number; msg: DkgMessage }[] = [];
  readonly #inbox = new Map<DkgMessage['type'], Map<number, DkgMessage>>();
  readonly #waiters = new Set<() => void>();
  #session: Hex | undefined;
  #phase: DkgPhase = 'sync';
  #failure: DkgCeremonyError | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(o: DkgOptions, mode: Mode) {
    this.#o = o;
    this.#mode = mode;
    try {
      this.#def = verifyDefinition(o.definition);
    } catch (e) {
      throw new DkgCeremonyError('invalid-definition', 'sync', [], (e as Error).message);
    }
    this.#n = this.#def.operators.length;
    this.#t = this.#def.threshold;
    this.#v = this.#def.validators;
    this.#me = this.#def.operators.findIndex((op) => op.address === o.identity.address);
    if (this.#me < 0) throw new DkgCeremonyError('invalid-definition', 'sync', [], `operator ${o.identity.address} is not in the definition`);
    if (o.network.self !== this.#me || o.network.size !== this.#n) {
      throw new DkgCeremonyError('invalid-definition', 'sync', [], `network is member ${o.network.self} of ${o.network.size}, the definition makes this node ${this.#me} of ${this.#n}`);
    }
    if (mode.kind === 'split') {
      if (!Number.isInteger(mode.dealer) || mode.dealer < 0 || mode.dealer >= this.#n) {
        throw new DkgCeremonyError('invalid-definition', 'sync', [], `dealer must be an operator index in [0, ${this.#n}), got ${mode.dealer}`);
      }
      if (mode.dealer === this.#me && mode.keys?.length !== this.#v) {
        throw new DkgCeremonyError('invalid-definition', 'sync', [], `the dealer needs ${this.#v} existing keys, got ${mode.keys?.length ?? 0}`);
      }
      if (mode.dealer !== this.#me && mode.keys !== undefined) {
        throw new DkgCeremonyError('invalid-definition', 'sync', [], `only the dealer (operator ${mode.dealer}) holds existing keys`);
      }
    }
    this.#timeouts = { ...DEFAULT_DKG_TIMEOUTS, ...o.timeouts };
    this.#verifier = new Secp256k1Verifier(this.#def.operators.map((op) => op.address));
    this.#nonces = Array.from({ length: this.#n }, () => undefined);
    this.#nonces[this.#me] = this.#nonce;
  }

  get #modeTag(): string {
    return this.#mode.kind === 'dkg' ? 'dkg' : `split:${this.#mode.dealer}`;
  }

  #progress(message: string): void {
    this.#o.onProgress?.({ phase: this.#phase, message });
  }

  async run(): Promise<DkgOutput> {
    assertFreshOutputDir(this.#o.outputDir);
    this.#unsubscribe = this.#o.network.onMessage(DKG_TOPIC, (from, bytes) => this.#receive(from, bytes));
    const timings = Object.fromEntries(DKG_PHASES.map((p) => [p, 0])) as Record<DkgPhase, number>;
    const timed = async <T>(phase: DkgPhase, f: () => Promise<T>): Promise<T> => {
      this.#phase = phase;
      const start = performance.now();
      try {
        return await f();
      } finally {
        timings[phase] = Math.round(performance.now() - start);
      }
    };
    try {
      await timed('sync', () => this.#sync());
      const result = await timed('deal', () => this.#deal());
      const dkg = await timed('verify', () => this.#verify(result));
      const validators = await timed('sign-deposits', () => this.#signDeposits(dkg));
      const { lock, written } = await timed('sign-lock', () => this.#signLock(dkg, validators));
      return { lock, ...written, timings };
    } catch (e) {
      const err = e instanceof DkgCeremonyError ? e : new DkgCeremonyError('invalid-definition', this.#phase, [], (e as Error).message);
      this.#abort(err);
      throw err;
    } finally {
      this.#unsubscribe?.();
    }
  }

  // ---- inbox ------------------------------------------------------------------------------------------------------
  #receive(from: number, bytes: Uint8Array): void {
    const msg = decodeMessage(bytes);
    if (msg === undefined) return;
    if (msg.type === 'hello') return this.#onHello(from, msg);
    if (this.#session === undefined || msg.session !== this.#session) {
      if (this.#pending.length >= MAX_PENDING) this.#pending.shift();
      this.#pending.push({ from, msg });
      return;
    }
    this.#accept(from, msg);
  }

  #accept(from: number, msg: DkgMessage): void {
    if (msg.type === 'abort') {
      this.#fail(new DkgCeremonyError('peer-abort', this.#phase, [], `operator ${from} aborted (${msg.reason}): ${msg.message}`), false);
      return;
    }
    let box = this.#inbox.get(msg.type);
    if (box === undefined) this.#inbox.set(msg.type, (box = new Map()));
    if (!box.has(from)) box.set(from, msg);
    this.#wake();
  }

  /**
   * Sync: every node broadcasts its view (its nonce for every operator) whenever the view changes; the session
   * starts once every other node's latest hello shows exactly our view. A hello left over from an earlier attempt
   * carries an old view, so it can never complete a new session.
   */
  #onHello(from: number, msg: ByType<'hello'>): void {
    if (msg.definitionHash !== this.#def.definitionHash || msg.mode !== this.#modeTag) {
      this.#mismatch.set(from, `definition ${msg.definitionHash} in mode ${msg.mode}`);
      this.#wake();
      return;
    }
    this.#mismatch.delete(from);
    const changed = this.#nonces[from] !== msg.nonce;
    if (this.#session !== undefined) {
      if (changed) this.#fail(new DkgCeremonyError('restarted', this.#phase, [from], `operator ${from} restarted its ceremony; rerun the DKG on every node`), true);
      return;
    }
    this.#nonces[from] = msg.nonce;
    this.#views[from] = msg.view;
    if (changed) this.#o.network.broadcast(DKG_TOPIC, this.#hello());
    this.#wake();
  }

  #hello(): Uint8Array {
    return encodeMessage({
      type: 'hello',
      definitionHash: this.#def.definitionHash,
      mode: this.#modeTag,
      nonce: this.#nonce,
      view: this.#nonces.map((x) => x ?? '0x'),
    });
  }

  /** Operators whose latest hello does not (yet) show exactly our complete view. */
  #unsynced(): number[] {
    const mine = this.#nonces.map((x) => x ?? '0x').join();
    return this.#others().filter((k) => this.#nonces[k] === undefined || this.#views[k]?.join() !== mine);
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  #fail(err: DkgCeremonyError, tell: boolean): void {
    if (this.#failure) return;
    this.#failure = err;
    if (tell) this.#abort(err);
    this.#wake();
  }

  #abort(err: DkgCeremonyError): void {
    if (this.#failure === undefined) this.#failure = err;
    // Verdicts on shared evidence (faulty dealer, equivocation, false complaint, bad partial) are reached by every
    // node on its own; an abort message would only race them. Tell peers about what they cannot see themselves.
    if (this.#session === undefined || !ANNOUNCED_FAILURES.has(err.reason)) return;
    try {
      this.#o.network.broadcast(DKG_TOPIC, encodeMessage({ type: 'abort', session: this.#session, reason: err.reason, message: err.message }));
    } catch {
      // network already closed
    }
  }

  /** Waits until `ready()` holds; rejects on failure or after the phase timeout with `onTimeout()`'s error. */
  #until(ready: () => boolean, onTimeout: () => DkgCeremonyError): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.#failure) return done(() => reject(this.#failure));
        if (ready()) done(resolve);
      };
      const done = (f: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        f();
      };
      const timer = setTimeout(() => done(() => reject(onTimeout())), this.#timeouts[this.#phase]);
      this.#waiters.add(check);
      check();
    });
  }

  /** Waits for a message of `type` from every operator in `from`. */
  async #gather<T extends DkgMessage['type']>(type: T, from: readonly number[], what: string): Promise<Map<number, ByType<T>>> {
    const box = () => (this.#inbox.get(type) ?? new Map()) as Map<number, ByType<T>>;
    const missing = () => from.filter((k) => !box().has(k));
    await this.#until(
      () => missing().length === 0,
      () => new DkgCeremonyError('timeout', this.#phase, missing(), `no ${what} from operator(s) ${missing().join(', ')} within ${this.#timeouts[this.#phase]} ms`),
    );
    this.#progress(`received ${what} from ${from.length} operator(s)`);
    return box();
  }

  #others(): number[] {
    return Array.from({ length: this.#n }, (_, k) => k).filter((k) => k !== this.#me);
  }

  #broadcast(msg: DkgMessage): void {
    this.#o.network.broadcast(DKG_TOPIC, encodeMessage(msg));
  }

  // ---- sync -------------------------------------------------------------------------------------------------------
  async #sync(): Promise<void> {
    this.#progress(`waiting for ${this.#n - 1} operator(s) to join`);
    this.#o.network.broadcast(DKG_TOPIC, this.#hello());
    const missing = () => this.#unsynced();
    await this.#until(
      () => missing().length === 0,
      () => {
        const m = missing();
        const wrong = m.filter((k) => this.#mismatch.has(k)).map((k) => `operator ${k} runs ${this.#mismatch.get(k)}`);
        return new DkgCeremonyError('timeout', 'sync', m, `operator(s) ${m.join(', ')} did not join within ${this.#timeouts.sync} ms${wrong.length ? ` (${wrong.join('; ')})` : ''}`);
      },
    );
    const h = keccak_256.create();
    h.update(new TextEncoder().encode(`shoal/dkg/session/v1\n${this.#def.definitionHash}\n${this.#modeTag}\n`));
    for (const nonce of this.#nonces) h.update(fromHex(nonce!));
    this.#session = toHex(h.digest());
    this.#progress(`all ${this.#n} operators joined; session ${this.#session}`);
    for (const { from, msg } of this.#pending.splice(0)) if ('session' in msg && msg.session === this.#session) this.#accept(from, msg);
  }

  // ---- deal -------------------------------------------------------------------------------------------------------
  #dealers(): number[] {
    return this.#mode.kind === 'dkg' ? Array.from({ length: this.#n }, (_, k) => k) : [this.#mode.dealer];
  }

  /** Deals (if this node is a dealer) and collects every other dealer's deal and share box. */
  async #deal(): Promise<Map<number, { commitments: Hex[][]; shares: bigint[] | undefined; box: SharesMsg | undefined; sig: Hex }>> {
    const session = this.#session!;
    const params: DkgParams = { n: this.#n, t: this.#t, validators: this.#v };
    const mine = new Map<number, { commitments: Hex[][]; shares: bigint[] | undefined; box: SharesMsg | undefined; sig: Hex }>();
    if (this.#dealers().includes(this.#me)) {
      let commitments: Uint8Array[][];
      let sharesFor: bigint[][]; // sharesFor[j][v]
      if (this.#mode.kind === 'dkg') {
        const round = dealRound(params, this.#me + 1);
        commitments = round.commitments;
        sharesFor = round.sharesFor;
      } else {
        const splits = this.#mode.keys!.map((key) => splitExistingKey(key, { n: this.#n, t: this.#t }));
        commitments = splits.map((s) => s.commitments);
        sharesFor = Array.from({ length: this.#n }, (_, j) => splits.map((s) => s.shares[j]!.value));
      }
      const cHex = commitments.map((vs) => vs.map((c) => toHex(c)));
      const sig = toHex(this.#o.identity.signDigest(dealDigest(session, this.#me, dealHash(cHex))));
      this.#broadcast({ type: 'deal', session, dealer: this.#me, commitments: cHex, sig });
      for (const j of this.#others()) {
        const plain = Buffer.concat(sharesFor[j]!.map((s) => scalarToBytes(s)));
        const box = sealBox(publicKeyOfPeerId(this.#def.operators[j]!.peerId), plain, fromHex(session), boxContext(session, this.#me, j));
        const unsigned = { type: 'shares' as const, session, dealer: this.#me, to: j, box: { epk: toHex(box.ephemeralPublicKey), iv: toHex(box.iv), ct: toHex(box.ciphertext) } };
        this.#o.network.send(j, DKG_TOPIC, encodeMessage({ ...unsigned, sig: toHex(this.#o.identity.signDigest(sharesDigest(unsigned))) }));
      }
      mine.set(this.#me, { commitments: cHex, shares: sharesFor[this.#me]!, box: undefined, sig });
      this.#progress(`dealt ${this.#v} validator(s) to ${this.#n - 1} operator(s)`);
    }
    const others = this.#dealers().filter((d) => d !== this.#me);
    const deals = await this.#gather('deal', others, 'commitments');
    const boxes = await this.#gather('shares', others, 'encrypted shares');
    for (const d of others) {
      const deal = deals.get(d)!;
      const box = boxes.get(d)!;
      mine.set(d, { commitments: deal.commitments, shares: undefined, box, sig: deal.sig });
    }
    return mine;
  }

  // ---- verify -----------------------------------------------------------------------------------------------------
  #boxContext(m: SharesMsg): Uint8Array {
    return boxContext(m.session, m.dealer, m.to);
  }

  #sealed(m: SharesMsg): SealedBox {
    return { ephemeralPublicKey: fromHex(m.box.epk), iv: fromHex(m.box.iv), ciphertext: fromHex(m.box.ct) };
  }

  /** Shares of one box, or undefined if they do not decode to V scalars below r. */
  #decodeShares(plain: Uint8Array): bigint[] | undefined {
    if (plain.length !== this.#v * SCALAR_BYTES) return undefined;
    try {
      return Array.from({ length: this.#v }, (_, v) => scalarFromBytes(plain.subarray(v * SCALAR_BYTES, (v + 1) * SCALAR_BYTES)));
    } catch {
      return undefined;
    }
  }

  /** Validators v for which shares[v] is not on dealer's committed polynomial at `recipient` (or commitments are malformed). */
  #badShares(commitments: readonly Hex[][], recipient: number, shares: readonly bigint[]): number[] {
    const bad: number[] = [];
    for (let v = 0; v < this.#v; v++) {
      try {
        const c = commitments[v];
        if (c === undefined || c.length !== this.#t) throw new Error('wrong number of commitments');
        if (!CommitmentVector.parse(c.map((x) => fromHex(x))).verifyShare({ index: recipient + 1, value: shares[v]! })) bad.push(v);
      } catch {
        bad.push(v);
      }
    }
    return bad;
  }

  async #verify(
    got: Map<number, { commitments: Hex[][]; shares: bigint[] | undefined; box: SharesMsg | undefined; sig: Hex }>,
  ): Promise<DkgResult> {
    const session = this.#session!;
    const faults: { reason: DkgFailureReason; culprit: number; detail: string }[] = [];
    const complaints: Complaint[] = [];
    const received: ReceivedDeal[] = [];
    for (const [d, deal] of got) {
      if (d === this.#me) {
        received.push({ dealer: d + 1, commitments: deal.commitments.map((vs) => vs.map((c) => fromHex(c))), shares: deal.shares! });
        continue;
      }
      const m = deal.box!;
      // The network authenticated the sender as d: a wrongly formed or signed deal is d's fault.
      const dealOk = this.#verifier.verify(d, dealDigest(session, d, dealHash(deal.commitments)), fromHex(deal.sig));
      const boxOk = m.dealer === d && m.to === this.#me && this.#verifier.verify(d, sharesDigest(m), fromHex(m.sig));
      if (!dealOk || !boxOk || deal.commitments.length !== this.#v) {
        faults.push({ reason: 'faulty-dealer', culprit: d, detail: `dealer ${d} sent a malformed or wrongly signed deal` });
        continue;
      }
      const key = deriveBoxKey(this.#o.identity, this.#sealed(m), fromHex(session), this.#boxContext(m));
      let shares: bigint[] | undefined;
      try {
        shares = this.#decodeShares(openBoxWithKey(key, this.#sealed(m), this.#boxContext(m)));
      } catch {
        shares = undefined;
      }
      if (shares === undefined) {
        complaints.push({ kind: 'undecryptable', dealer: d, shares: m, key: toHex(key), detail: `shares from dealer ${d} do not decrypt to ${this.#v} scalars` });
        continue;
      }
      if (this.#mode.kind === 'split') {
        const bad = this.#badShares(deal.commitments, this.#me, shares);
        if (bad.length > 0) complaints.push({ kind: 'share-mismatch', dealer: d, shares: m, key: toHex(key), detail: `validator(s) ${bad.join(',')}` });
      }
      received.push({ dealer: d + 1, commitments: deal.commitments.map((vs) => vs.map((c) => fromHex(c))), shares });
    }
    let result: DkgResult | undefined;
    if (faults.length === 0 && complaints.length === 0) {
      if (this.#mode.kind === 'dkg') {
        try {
          result = finalizeDkg({ n: this.#n, t: this.#t, validators: this.#v }, this.#me + 1, received);
        } catch (e) {
          if (!(e instanceof DkgFaultError)) throw e;
          for (const f of e.faults) {
            const d = f.dealer - 1;
            const m = got.get(d)!.box!;
            const key = deriveBoxKey(this.#o.identity, this.#sealed(m), fromHex(session), this.#boxContext(m));
            if (!complaints.some((c) => c.dealer === d)) complaints.push({ kind: 'share-mismatch', dealer: d, shares: m, key: toHex(key), detail: f.detail });
          }
        }
      } else {
        result = this.#splitResult(received[0]!);
      }
    }
    const deals = [...got].map(([d, deal]) => ({ dealer: d, hash: dealHash(deal.commitments), sig: deal.sig }));
    this.#broadcast({ type: 'verify', session, deals, complaints });
    this.#progress(complaints.length ? `complained about dealer(s) ${complaints.map((c) => c.dealer).join(', ')}` : 'all shares check out against their commitments');
    const reports = await this.#gather('verify', this.#others(), 'verification reports');
    reports.set(this.#me, { type: 'verify', session, deals, complaints });
    this.#judge(reports, got, faults);
    if (faults.length > 0) {
      const first = faults.find((f) => f.reason === 'faulty-dealer') ?? faults.find((f) => f.reason === 'equivocation') ?? faults[0]!;
      throw new DkgCeremonyError(first.reason, 'verify', faults.map((f) => f.culprit), faults.map((f) => f.detail).join('; '));
    }
    if (result === undefined) throw new DkgCeremonyError('faulty-dealer', 'verify', [], 'internal: no result although nobody was at fault');
    return result;
  }

  #splitResult(deal: ReceivedDeal): DkgResult {
    const groupPublicKeys: Uint8Array[] = [];
    const publicShares: Uint8Array[][] = [];
    for (let v = 0; v < this.#v; v++) {
      const vec = CommitmentVector.parse(deal.commitments[v]!);
      groupPublicKeys.push(vec.bytes[0]!);
      publicShares.push(vec.publicShares(this.#n));
    }
    return { index: this.#me + 1, secretShares: deal.shares, groupPublicKeys, publicShares };
  }

  /** Judges every operator's report the same way on every node: equivocating dealers, proven and false complaints. */
  #judge(
    reports: Map<number, ByType<'verify'>>,
    got: Map<number, { commitments: Hex[][] }>,
    faults: { reason: DkgFailureReason; culprit: number; detail: string }[],
  ): void {
    const session = this.#session!;
    const equivocators = new Set<number>();
    for (const d of this.#dealers()) {
      const seen = new Map<Hex, number>();
      for (const [k, r] of reports) {
        const e = r.deals.find((x) => x.dealer === d);
        if (e === undefined) continue;
        if (!this.#verifier.verify(d, dealDigest(session, d, e.hash), fromHex(e.sig))) {
          faults.push({ reason: 'false-complaint', culprit: k, detail: `operator ${k} reported a deal of dealer ${d} the dealer never signed` });
          continue;
        }
        seen.set(e.hash, k);
      }
      if (seen.size > 1) {
        equivocators.add(d);
        faults.push({ reason: 'equivocation', culprit: d, detail: `dealer ${d} signed ${seen.size} different sets of commitments (seen by operators ${[...seen.values()].join(', ')})` });
      }
    }
    for (const [k, r] of reports) {
      for (const c of r.complaints) {
        const d = c.dealer;
        // Against an equivocating dealer, judges hold different commitments: complaints prove nothing more.
        if (equivocators.has(d)) continue;
        const m = c.shares;
        const signed = m.session === session && m.dealer === d && m.to === k && this.#verifier.verify(d, sharesDigest(m), fromHex(m.sig));
        const commitments = got.get(d)?.commitments;
        if (!signed || commitments === undefined) {
          faults.push({ reason: 'false-complaint', culprit: k, detail: `operator ${k} complained about dealer ${d} with a share box the dealer did not sign` });
          continue;
        }
        let shares: bigint[] | undefined;
        try {
          shares = this.#decodeShares(openBoxWithKey(fromHex(c.key), this.#sealed(m), this.#boxContext(m)));
        } catch {
          shares = undefined;
        }
        if (shares === undefined) {
          // Not provable to third parties (the box key cannot be checked without the recipient's secret).
          faults.push({ reason: 'faulty-dealer', culprit: d, detail: `operator ${k} cannot decrypt the shares dealer ${d} sent it (unproven: either ${d} or ${k} is faulty)` });
          continue;
        }
        const bad = this.#badShares(commitments, k, shares);
        if (bad.length > 0) {
          faults.push({ reason: 'faulty-dealer', culprit: d, detail: `dealer ${d} sent operator ${k} share(s) for validator(s) ${bad.join(',')} that do not match its commitments (proven)` });
        } else {
          faults.push({ reason: 'false-complaint', culprit: k, detail: `operator ${k} complained about dealer ${d}, but the revealed shares match the commitments` });
        }
      }
    }
  }

  // ---- deposits ---------------------------------------------------------------------------------------------------
  #depositParams(pubkey: Uint8Array): DepositParameters {
    return {
      pubkey,
      withdrawalCredentials: fromHex(this.#def.withdrawalCredentials),
      amountGwei: this.#def.depositAmountGwei,
      genesisForkVersion: fromHex(this.#def.network.genesisForkVersion),
      networkName: this.#def.network.name,
    };
  }

  async #signDeposits(dkg: DkgResult): Promise<DistributedValidator[]> {
    const session = this.#session!;
    const params = dkg.groupPublicKeys.map((pk) => this.#depositParams(pk));
    const roots = params.map((p) => depositSigningRoot(p));
    const mine = roots.map((root, v) => sign(dkg.secretShares[v]!, root));
    this.#broadcast({ type: 'partials', session, signatures: mine.map((s) => toHex(s)) });
    const got = await this.#gather('partials', this.#others(), 'partial deposit signatures');
    const sets: SignatureSet[] = [];
    const owners: number[] = [];
    const malformed: number[] = [];
    for (const [k, m] of got) {
      if (m.signatures.length !== this.#v) {
        malformed.push(k);
        continue;
      }
      m.signatures.forEach((sig, v) => {
        sets.push({ publicKey: dkg.publicShares[v]![k]!, message: roots[v]!, signature: fromHex(sig) });
        owners.push(k);
      });
    }
    const bad = [...new Set([...malformed, ...findInvalidSignatures(sets).map((i) => owners[i]!)])];
    if (bad.length > 0) {
      throw new DkgCeremonyError('bad-partial', 'sign-deposits', bad, `partial deposit signature(s) from operator(s) ${bad.join(', ')} do not verify against their public shares`);
    }
    const out: DistributedValidator[] = [];
    for (let v = 0; v < this.#v; v++) {
      const partials = Array.from({ length: this.#n }, (_, k) => ({
        index: k + 1,
        signature: k === this.#me ? mine[v]! : fromHex(got.get(k)!.signatures[v]!),
      }));
      out.push({
        pubkey: toHex(dkg.groupPublicKeys[v]!),
        publicShares: dkg.publicShares[v]!.map((p) => toHex(p)),
        depositData: depositDataFromPartials(params[v]!, partials, this.#t),
      });
    }
    this.#progress(`combined ${this.#v} threshold deposit signature(s)`);
    return out;
  }

  // ---- lock -------------------------------------------------------------------------------------------------------
  async #signLock(dkg: DkgResult, validators: DistributedValidator[]): Promise<{ lock: ClusterLock; written: Awaited<ReturnType<typeof writeOutputs>> }> {
    const session = this.#session!;
    const unsigned = buildLock(this.#def, validators);
    const mySig = signLockHash(unsigned, this.#o.identity);
    this.#broadcast({ type: 'locksig', session, lockHash: unsigned.lockHash, signature: mySig });
    const got = await this.#gather('locksig', this.#others(), 'lock signatures');
    const signatures = unsigned.signatures.slice();
    signatures[this.#me] = mySig;
    const differ: number[] = [];
    const badSig: number[] = [];
    for (const [k, m] of got) {
      if (m.lockHash !== unsigned.lockHash) differ.push(k);
      else if (!verifyLockSignature(unsigned, k, m.signature)) badSig.push(k);
      else signatures[k] = m.signature;
    }
    if (differ.length > 0) throw new DkgCeremonyError('equivocation', 'sign-lock', differ, `operator(s) ${differ.join(', ')} built a different lock than ${unsigned.lockHash}`);
    if (badSig.length > 0) throw new DkgCeremonyError('bad-partial', 'sign-lock', badSig, `lock signature(s) of operator(s) ${badSig.join(', ')} do not verify`);
    const lock = verifyLock({ ...unsigned, signatures });
    const written = await writeOutputs(this.#o.outputDir, lock, dkg.secretShares, {
      ...(this.#o.keystorePassword !== undefined ? { password: this.#o.keystorePassword } : {}),
      ...(this.#o.keystoreKdf ? { kdf: this.#o.keystoreKdf } : {}),
      now: (this.#o.now ?? (() => new Date()))(),
    });
    this.#progress(`wrote ${written.lockPath}, ${written.depositDataPath} and ${written.keystorePaths.length} keystore(s)`);
    // Stay until everyone is done, so nobody closes the network while a peer still needs its lock signature.
    this.#broadcast({ type: 'done', session });
    try {
      await this.#gather('done', this.#others(), 'completion notices');
    } catch (e) {
      if (!(e instanceof DkgCeremonyError) || e.reason !== 'timeout') throw e;
      this.#progress(`outputs are complete, but operator(s) ${e.culprits.join(', ')} did not confirm completion`);
    }
    return { lock, written };
  }
}
