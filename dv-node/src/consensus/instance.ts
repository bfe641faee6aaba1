/**
 * One QBFT instance: the state machine of one member deciding one value for one duty.
 *
 * Inputs: envelopes (ours and others'), round timeouts, the fetched value. Outputs: signed broadcasts and one
 * Decision. Rules, re-evaluated after every accepted input until nothing changes:
 *
 *   decide      a quorum of COMMIT(r, h) for any r, value h known           → decide (h, commits)
 *               a DECIDED carrying a valid commit quorum                     → decide
 *   f+1         f+1 members sent ROUND-CHANGE for rounds above ours          → jump to the lowest of those rounds
 *   accept      a justified, validated PRE-PREPARE from leader(r), r >= ours → (move to r), PREPARE(r, h)
 *   prepared    a quorum of PREPARE(r, h) for our round and accepted h      → remember (r, h), COMMIT(r, h)
 *   lead        we lead round r: r = 1, or a quorum of ROUND-CHANGE(r)       → PRE-PREPARE(r, v) with justification
 *   timeout     our round's timer fires                                      → ROUND-CHANGE(r+1, prepared)
 *
 * After deciding, the instance stays silent except for answering a ROUND-CHANGE (a member that missed the
 * commits) with DECIDED, once per round, so stragglers decide without a quorum of undecided members.
 */
import { fromHex, toHex } from './hex.ts';
import { highestPrepared, type JustifyContext, justifyDecided, justifyProposal, justifyRoundChange } from './justify.ts';
import { encodeEnvelope, isWellFormed, messageDigest, signMessage } from './message.ts';
import { faultTolerance, leaderOf, quorumSize } from './quorum.ts';
import { hashValue } from './value.ts';
import type {
  Clock,
  ConsensusMetrics,
  Decision,
  DropReason,
  Duty,
  Envelope,
  Hex,
  InstanceInputs,
  MsgType,
  QbftMessage,
  RoundChangeCause,
  RoundTimer,
  SignedQbftMessage,
  Signer,
  TimerHandle,
  Verifier,
} from './types.ts';

export interface InstanceOptions {
  readonly cluster: Hex;
  readonly duty: Duty;
  readonly n: number;
  readonly self: number;
  readonly signer: Signer;
  readonly verifier: Verifier;
  readonly clock: Clock;
  readonly roundTimer: RoundTimer;
  readonly maxRound: number;
  readonly metrics: ConsensusMetrics;
  readonly inputs: InstanceInputs;
  /** Sends encoded bytes to every other member. */
  readonly send: (bytes: Uint8Array) => void;
  readonly onDecide: (decision: Decision) => void;
}

interface Stored {
  readonly msg: SignedQbftMessage;
  readonly justification: readonly SignedQbftMessage[];
}

export class QbftInstance {
  readonly duty: Duty;
  readonly f: number;
  readonly quorum: number;
  readonly #o: InstanceOptions;
  readonly #ctx: JustifyContext;

  #round = 0;
  #startedAt = 0;
  #preparedRound = 0;
  #preparedValueHash: Hex | null = null;
  #preparedJustification: SignedQbftMessage[] = [];
  #timer: TimerHandle | undefined;
  #stopped = false;
  #decision: Decision | undefined;
  #decidedBytes: Uint8Array | undefined;
  #answeredRound = 0;

  readonly #seen = new Map<string, { id: Hex; msg: SignedQbftMessage }>();
  readonly #sigCache = new Map<string, boolean>();
  readonly #values = new Map<Hex, Uint8Array>();
  readonly #proposals = new Map<number, Stored>();
  readonly #prepares = new Map<number, Map<number, SignedQbftMessage>>();
  readonly #commits = new Map<number, Map<number, SignedQbftMessage>>();
  readonly #roundChanges = new Map<number, Map<number, Stored>>();
  /** Highest ROUND-CHANGE round seen per sender (for the f+1 rule). */
  readonly #rcMax = new Map<number, number>();
  readonly #accepted = new Map<number, Hex>();
  readonly #committed = new Set<number>();
  readonly #proposed = new Set<number>();

  #localValue: Uint8Array | undefined;
  #valuePending = false;
  #valueFailedRound = 0;

  readonly #inbox: Envelope[] = [];
  #busy = false;

  constructor(options: InstanceOptions) {
    this.#o = options;
    this.duty = options.duty;
    this.f = faultTolerance(options.n);
    this.quorum = quorumSize(options.n);
    this.#ctx = {
      cluster: options.cluster,
      duty: options.duty,
      n: options.n,
      quorum: this.quorum,
      verify: (m) => this.#verify(m, messageDigest(m)),
    };
  }

  get round(): number {
    return this.#round;
  }
  get decision(): Decision | undefined {
    return this.#decision;
  }
  get stopped(): boolean {
    return this.#stopped;
  }

  start(): void {
    if (this.#round !== 0) throw new Error(`instance ${dutyKey(this.duty)} already started`);
    this.#startedAt = this.#o.clock.now();
    this.#round = 1;
    this.#armTimer();
    this.#drain();
  }

  /** Stops timers and ignores everything from now on. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#timer?.cancel();
    if (this.#decision === undefined && this.#round > 0) this.#o.metrics.abandoned(this.duty, this.#round);
  }

  /** Hands in an envelope (decoded from a peer, or our own). */
  receive(env: Envelope): void {
    this.#inbox.push(env);
    this.#drain();
  }

  #drain(): void {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let env = this.#inbox.shift(); env !== undefined; env = this.#inbox.shift()) {
        const reason = this.#handle(env);
        if (reason !== null) this.#o.metrics.messageDropped(env.msg.duty, reason);
      }
      this.#evaluate();
      // Rules may have queued our own messages; process them too.
      while (this.#inbox.length > 0) {
        for (let env = this.#inbox.shift(); env !== undefined; env = this.#inbox.shift()) {
          const reason = this.#handle(env);
          if (reason !== null) this.#o.metrics.messageDropped(env.msg.duty, reason);
        }
        this.#evaluate();
      }
    } finally {
      this.#busy = false;
    }
  }

  // ------------------------------------------------------------------ validation and storage

  /** Returns null when the message was accepted (or harmlessly ignored), else why it was dropped. */
  #handle(env: Envelope): DropReason | null {
    const { msg } = env;
    if (this.#stopped) return 'expired';
    if (msg.cluster !== this.#o.cluster) return 'wrong-cluster';
    if (msg.duty.slot !== this.duty.slot || msg.duty.type !== this.duty.type) return 'wrong-instance';
    if (!Number.isInteger(msg.sender) || msg.sender < 0 || msg.sender >= this.#o.n) return 'unknown-sender';
    if (msg.signature === '0x') return 'missing-signature';
    if (!Number.isInteger(msg.round) || msg.round < 1 || msg.round > this.#o.maxRound) return 'invalid-round';
    if (!isWellFormed(env)) return 'malformed';
    const digest = messageDigest(msg);
    if (!this.#verify(msg, digest)) return 'bad-signature';
    if (env.value !== null) {
      const expected = msg.type === 'ROUND_CHANGE' ? msg.preparedValueHash : msg.valueHash;
      if (hashValue(fromHex(env.value)) !== expected) return 'value-mismatch';
    }

    if (this.#decision !== undefined) {
      // Decided: only a straggler's round change matters; answer it with our certificate once per round.
      if (msg.type === 'ROUND_CHANGE' && msg.round > this.#answeredRound && msg.sender !== this.#o.self) {
        this.#answeredRound = msg.round;
        this.#sendDecided();
      }
      return null;
    }
    if (msg.type === 'PRE_PREPARE' && msg.sender !== leaderOf(this.duty, msg.round, this.#o.n)) return 'not-leader';

    const key = `${msg.type}/${msg.sender}/${msg.round}`;
    const id = toHex(digest);
    const prior = this.#seen.get(key);
    if (prior !== undefined) {
      if (prior.id === id) return 'duplicate';
      this.#o.metrics.equivocation({
        duty: this.duty,
        sender: msg.sender,
        type: msg.type,
        round: msg.round,
        first: prior.msg,
        second: msg,
      });
      return 'equivocation';
    }
    this.#seen.set(key, { id, msg });

    switch (msg.type) {
      case 'PRE_PREPARE': {
        if (!justifyProposal(env, this.#ctx)) return 'unjustified';
        const value = fromHex(env.value!);
        if (!this.#valid(value)) return 'invalid-value';
        this.#values.set(msg.valueHash!, value);
        this.#proposals.set(msg.round, { msg, justification: env.justification });
        return null;
      }
      case 'PREPARE':
        bucket(this.#prepares, msg.round).set(msg.sender, msg);
        return null;
      case 'COMMIT':
        bucket(this.#commits, msg.round).set(msg.sender, msg);
        return null;
      case 'ROUND_CHANGE': {
        if (!justifyRoundChange(env, this.#ctx)) return 'unjustified';
        if (env.value !== null) this.#values.set(msg.preparedValueHash!, fromHex(env.value));
        bucket(this.#roundChanges, msg.round).set(msg.sender, { msg, justification: env.justification });
        this.#rcMax.set(msg.sender, Math.max(this.#rcMax.get(msg.sender) ?? 0, msg.round));
        return null;
      }
      case 'DECIDED': {
        if (!justifyDecided(env, this.#ctx)) return 'unjustified';
        this.#values.set(msg.valueHash!, fromHex(env.value!));
        this.#decide(msg.round, msg.valueHash!, env.justification);
        return null;
      }
    }
  }

  #verify(m: SignedQbftMessage, digest: Uint8Array): boolean {
    const key = `${m.sender}${toHex(digest)}${m.signature}`;
    let ok = this.#sigCache.get(key);
    if (ok === undefined) {
      ok = this.#o.verifier.verify(m.sender, digest, fromHex(m.signature));
      this.#sigCache.set(key, ok);
    }
    return ok;
  }

  #valid(value: Uint8Array): boolean {
    try {
      return this.#o.inputs.validate(value) === true;
    } catch {
      return false;
    }
  }

  // ------------------------------------------------------------------ rules

  #evaluate(): void {
    while (this.#decision === undefined && !this.#stopped && this.#round > 0) {
      const changed =
        this.#ruleDecide() || this.#ruleFPlusOne() || this.#ruleAccept() || this.#rulePrepared() || this.#ruleLead();
      if (!changed) return;
    }
  }

  #ruleDecide(): boolean {
    for (const [round, byRound] of this.#commits) {
      if (byRound.size < this.quorum) continue;
      const groups = new Map<Hex, SignedQbftMessage[]>();
      for (const c of byRound.values()) {
        const g = groups.get(c.valueHash!) ?? [];
        g.push(c);
        groups.set(c.valueHash!, g);
      }
      for (const [hash, commits] of groups) {
        if (commits.length >= this.quorum && this.#values.has(hash)) {
          this.#decide(round, hash, commits);
          return true;
        }
      }
    }
    return false;
  }

  #ruleFPlusOne(): boolean {
    const ahead: number[] = [];
    for (const r of this.#rcMax.values()) if (r > this.#round) ahead.push(r);
    if (ahead.length < this.f + 1) return false;
    ahead.sort((a, b) => b - a);
    this.#moveTo(ahead[this.f]!, 'f+1');
    return true;
  }

  #ruleAccept(): boolean {
    let best: Stored | undefined;
    for (const [round, p] of this.#proposals) {
      if (round >= this.#round && !this.#accepted.has(round) && (best === undefined || round < best.msg.round)) best = p;
    }
    if (best === undefined) return false;
    const { round, valueHash } = best.msg;
    if (round > this.#round) this.#moveTo(round, 'proposal');
    this.#accepted.set(round, valueHash!);
    this.#broadcast({ ...this.#base('PREPARE', round), valueHash }, [], null);
    return true;
  }

  #rulePrepared(): boolean {
    const round = this.#round;
    const hash = this.#accepted.get(round);
    if (hash === undefined || this.#committed.has(round)) return false;
    const matching = [...(this.#prepares.get(round)?.values() ?? [])].filter((p) => p.valueHash === hash);
    if (matching.length < this.quorum) return false;
    this.#committed.add(round);
    this.#preparedRound = round;
    this.#preparedValueHash = hash;
    this.#preparedJustification = matching.slice(0, this.quorum);
    this.#broadcast({ ...this.#base('COMMIT', round), valueHash: hash }, [], null);
    return true;
  }

  #ruleLead(): boolean {
    const round = this.#round;
    if (this.#proposed.has(round) || leaderOf(this.duty, round, this.#o.n) !== this.#o.self) return false;
    let justification: SignedQbftMessage[] = [];
    let value: Uint8Array | undefined;
    if (round > 1) {
      const rcs = [...(this.#roundChanges.get(round)?.values() ?? [])];
      if (rcs.length < this.quorum) return false;
      justification = rcs.map((rc) => rc.msg);
      const hp = highestPrepared(rcs);
      if (hp !== undefined) {
        // Locked: we must re-propose the highest prepared value (its bytes came with that round change).
        value = this.#values.get(hp.msg.preparedValueHash!);
        if (value === undefined) return false;
        justification.push(...hp.justification);
      }
    }
    if (value === undefined) {
      value = this.#localValue;
      if (value === undefined) {
        this.#requestValue();
        return false;
      }
      if (!this.#valid(value)) {
        // Our own fetcher produced something we would refuse from others: do not propose it.
        this.#proposed.add(round);
        return false;
      }
    }
    this.#proposed.add(round);
    const valueHash = hashValue(value);
    this.#values.set(valueHash, value);
    this.#broadcast({ ...this.#base('PRE_PREPARE', round), valueHash }, justification, toHex(value));
    return true;
  }

  #requestValue(): void {
    if (this.#valuePending || this.#valueFailedRound === this.#round) return;
    this.#valuePending = true;
    const round = this.#round;
    let pending: Promise<Uint8Array>;
    try {
      pending = Promise.resolve(this.#o.inputs.getValue());
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (value) => {
        this.#valuePending = false;
        if (!(value instanceof Uint8Array)) {
          this.#valueFailedRound = round;
          return;
        }
        this.#localValue = value;
        this.#drain();
      },
      () => {
        // The fetcher failed: retry when we next lead a round; other members' proposals still decide.
        this.#valuePending = false;
        this.#valueFailedRound = round;
      },
    );
  }

  // ------------------------------------------------------------------ round changes and decisions

  #onTimeout(round: number): void {
    if (round !== this.#round || this.#decision !== undefined || this.#stopped) return;
    if (round >= this.#o.maxRound) return;
    this.#moveTo(round + 1, 'timeout');
    this.#drain();
  }

  #moveTo(round: number, cause: RoundChangeCause): void {
    this.#round = round;
    this.#armTimer();
    this.#o.metrics.roundChanged(this.duty, round, cause);
    if (cause === 'proposal') return;
    const value = this.#preparedValueHash === null ? null : this.#values.get(this.#preparedValueHash);
    this.#broadcast(
      {
        ...this.#base('ROUND_CHANGE', round),
        preparedRound: this.#preparedRound,
        preparedValueHash: this.#preparedValueHash,
      },
      this.#preparedJustification,
      value === undefined || value === null ? null : toHex(value),
    );
  }

  #armTimer(): void {
    this.#timer?.cancel();
    const round = this.#round;
    this.#timer = this.#o.clock.setTimeout(() => this.#onTimeout(round), this.#o.roundTimer(round));
  }

  #decide(round: number, valueHash: Hex, commits: readonly SignedQbftMessage[]): void {
    this.#timer?.cancel();
    const value = this.#values.get(valueHash)!;
    this.#decision = { duty: this.duty, round, value, valueHash, commits: commits.slice(0, this.quorum) };
    this.#o.metrics.decided(this.duty, round, this.#o.clock.now() - this.#startedAt);
    this.#o.onDecide(this.#decision);
  }

  #sendDecided(): void {
    const d = this.#decision!;
    if (this.#decidedBytes === undefined) {
      const msg = signMessage({ ...this.#base('DECIDED', d.round), valueHash: d.valueHash }, this.#o.signer);
      this.#decidedBytes = encodeEnvelope({ msg, justification: d.commits, value: toHex(d.value) });
    }
    this.#o.send(this.#decidedBytes);
    this.#o.metrics.messageSent(this.duty, 'DECIDED');
  }

  #base(type: MsgType, round: number): QbftMessage {
    return {
      type,
      cluster: this.#o.cluster,
      duty: this.duty,
      sender: this.#o.self,
      round,
      valueHash: null,
      preparedRound: 0,
      preparedValueHash: null,
    };
  }

  #broadcast(m: QbftMessage, justification: readonly SignedQbftMessage[], value: Hex | null): void {
    const msg = signMessage(m, this.#o.signer);
    this.#sigCache.set(`${msg.sender}${toHex(messageDigest(msg))}${msg.signature}`, true);
    const env: Envelope = { msg, justification, value };
    this.#o.send(encodeEnvelope(env));
    this.#o.metrics.messageSent(this.duty, m.type);
    this.#inbox.push(env);
  }
}

export function dutyKey(duty: Duty): string {
  return `${duty.slot}/${duty.type}`;
}

function bucket<V>(map: Map<number, Map<number, V>>, round: number): Map<number, V> {
  let b = map.get(round);
  if (b === undefined) {
    b = new Map();
    map.set(round, b);
  }
  return b;
}
