/**
 * The consensus component of the duty workflow: runs one QBFT instance per duty over a Transport.
 *
 *   const consensus = new QbftConsensus({ cluster, n, self, signer, verifier, transport });
 *   const decision = await consensus.run({ slot, type: 'attester' }, { getValue, validate, deadline });
 *
 * Messages for a duty this node has not started yet (peers can be a little ahead) are kept, within bounds,
 * and handed to the instance when it starts. An instance ends at its deadline or on cancel(): an undecided run()
 * then rejects with ConsensusAbortedError. A decided instance lingers until then to help stragglers decide.
 */
import { systemClock, linearRoundTimer } from './clock.ts';
import { dutyKey, QbftInstance } from './instance.ts';
import { decodeEnvelope, MalformedMessageError } from './message.ts';
import { noopMetrics } from './metrics.ts';
import { assertClusterSize } from './quorum.ts';
import type {
  Clock,
  ConsensusMetrics,
  Decision,
  Duty,
  Envelope,
  Hex,
  InstanceInputs,
  RoundTimer,
  Signer,
  TimerHandle,
  Transport,
  Verifier,
} from './types.ts';

/** Default round cap: with the default linear timer, round 64 starts after ~9 minutes, past any duty's life. */
export const DEFAULT_MAX_ROUND = 64;
/** Early messages kept per not-yet-started duty: a full instance's worth for n = 10 with round changes. */
export const DEFAULT_MAX_EARLY_PER_DUTY = 256;
/** Not-yet-started duties we keep early messages for (a few slots × duty types). */
export const DEFAULT_MAX_EARLY_DUTIES = 64;
/** Finished duties remembered so their late messages are dropped as `expired`, not buffered. */
const FINISHED_MEMORY = 4096;

export interface QbftConsensusOptions {
  /** Cluster lock hash (32-byte hex). */
  readonly cluster: Hex;
  /** Cluster size (length of the ordered operator list). */
  readonly n: number;
  /** Our index in the ordered operator list. */
  readonly self: number;
  readonly signer: Signer;
  readonly verifier: Verifier;
  readonly transport: Transport;
  readonly clock?: Clock;
  readonly roundTimer?: RoundTimer;
  readonly maxRound?: number;
  readonly metrics?: ConsensusMetrics;
  readonly maxEarlyPerDuty?: number;
  readonly maxEarlyDuties?: number;
}

export class ConsensusAbortedError extends Error {
  override name = 'ConsensusAbortedError';
  constructor(
    readonly duty: Duty,
    readonly reason: 'cancelled' | 'expired' | 'closed',
    readonly round: number,
  ) {
    super(`consensus for duty ${dutyKey(duty)} ${reason} undecided in round ${round}`);
  }
}

interface Running {
  readonly instance: QbftInstance;
  readonly resolve: (d: Decision) => void;
  readonly reject: (e: Error) => void;
  readonly expiry: TimerHandle | undefined;
}

export class QbftConsensus {
  readonly #o: Required<Omit<QbftConsensusOptions, 'transport' | 'signer' | 'verifier'>> &
    Pick<QbftConsensusOptions, 'transport' | 'signer' | 'verifier'>;
  readonly #running = new Map<string, Running>();
  readonly #early = new Map<string, Envelope[]>();
  readonly #finished = new Map<string, true>();
  readonly #unsubscribe: () => void;
  #closed = false;

  constructor(options: QbftConsensusOptions) {
    assertClusterSize(options.n);
    if (!/^0x[0-9a-f]{64}$/.test(options.cluster)) {
      throw new TypeError(`cluster must be a 32-byte lower-case 0x hash, got ${options.cluster}`);
    }
    if (!Number.isInteger(options.self) || options.self < 0 || options.self >= options.n) {
      throw new RangeError(`self must be an operator index in [0, ${options.n - 1}], got ${options.self}`);
    }
    const maxRound = options.maxRound ?? DEFAULT_MAX_ROUND;
    if (!Number.isInteger(maxRound) || maxRound < 1) throw new RangeError(`maxRound must be >= 1, got ${maxRound}`);
    this.#o = {
      ...options,
      clock: options.clock ?? systemClock,
      roundTimer: options.roundTimer ?? linearRoundTimer(),
      maxRound,
      metrics: options.metrics ?? noopMetrics,
      maxEarlyPerDuty: options.maxEarlyPerDuty ?? DEFAULT_MAX_EARLY_PER_DUTY,
      maxEarlyDuties: options.maxEarlyDuties ?? DEFAULT_MAX_EARLY_DUTIES,
    };
    this.#unsubscribe = options.transport.onMessage((bytes) => this.#onBytes(bytes));
  }

  /** Runs (or joins) the instance for `duty`; resolves with the decision, rejects if aborted first. */
  run(duty: Duty, inputs: InstanceInputs): Promise<Decision> {
    if (this.#closed) return Promise.reject(new Error('consensus is closed'));
    if (!Number.isSafeInteger(duty.slot) || duty.slot < 0 || typeof duty.type !== 'string' || duty.type === '') {
      return Promise.reject(new TypeError(`invalid duty ${JSON.stringify(duty)}: need slot >= 0 and a type`));
    }
    const key = dutyKey(duty);
    if (this.#running.has(key) || this.#finished.has(key)) {
      return Promise.reject(new Error(`consensus for duty ${key} already ran on this node`));
    }
    return new Promise<Decision>((resolve, reject) => {
      const instance = new QbftInstance({
        cluster: this.#o.cluster,
        duty: { slot: duty.slot, type: duty.type },
        n: this.#o.n,
        self: this.#o.self,
        signer: this.#o.signer,
        verifier: this.#o.verifier,
        clock: this.#o.clock,
        roundTimer: this.#o.roundTimer,
        maxRound: this.#o.maxRound,
        metrics: this.#o.metrics,
        inputs,
        send: (bytes) => this.#o.transport.broadcast(bytes),
        onDecide: (d) => resolve(d),
      });
      const clock = this.#o.clock;
      const expiry =
        inputs.deadline === undefined
          ? undefined
          : clock.setTimeout(() => this.#finish(key, 'expired'), inputs.deadline - clock.now());
      this.#running.set(key, { instance, resolve, reject, expiry });
      instance.start();
      const early = this.#early.get(key);
      this.#early.delete(key);
      for (const env of early ?? []) instance.receive(env);
    });
  }

  /** Ends the instance for `duty` (its duty expired or was dropped); an undecided run() rejects. */
  cancel(duty: Duty): void {
    this.#finish(dutyKey(duty), 'cancelled');
  }

  /** Round and decision of a running instance, for a status view. */
  status(duty: Duty): { round: number; decided: boolean } | undefined {
    const r = this.#running.get(dutyKey(duty));
    return r && { round: r.instance.round, decided: r.instance.decision !== undefined };
  }

  /** Stops listening and aborts every instance. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    for (const key of [...this.#running.keys()]) this.#finish(key, 'closed');
    this.#early.clear();
  }

  #finish(key: string, reason: ConsensusAbortedError['reason']): void {
    this.#early.delete(key);
    const r = this.#running.get(key);
    this.#remember(key);
    if (r === undefined) return;
    this.#running.delete(key);
    r.expiry?.cancel();
    const { instance } = r;
    instance.stop();
    if (instance.decision === undefined) r.reject(new ConsensusAbortedError(instance.duty, reason, instance.round));
  }

  #remember(key: string): void {
    this.#finished.set(key, true);
    if (this.#finished.size > FINISHED_MEMORY) {
      const oldest = this.#finished.keys().next().value;
      if (oldest !== undefined) this.#finished.delete(oldest);
    }
  }

  #onBytes(bytes: Uint8Array): void {
    if (this.#closed) return;
    let env: Envelope;
    try {
      env = decodeEnvelope(bytes);
    } catch (err) {
      if (!(err instanceof MalformedMessageError)) throw err;
      this.#o.metrics.messageDropped(null, 'malformed');
      return;
    }
    const duty = env.msg.duty;
    if (env.msg.cluster !== this.#o.cluster) {
      this.#o.metrics.messageDropped(duty, 'wrong-cluster');
      return;
    }
    const key = dutyKey(duty);
    const running = this.#running.get(key);
    if (running !== undefined) {
      running.instance.receive(env);
      return;
    }
    if (this.#finished.has(key)) {
      this.#o.metrics.messageDropped(duty, 'expired');
      return;
    }
    let early = this.#early.get(key);
    if (early === undefined) {
      if (this.#early.size >= this.#o.maxEarlyDuties) {
        this.#o.metrics.messageDropped(duty, 'buffer-full');
        return;
      }
      early = [];
      this.#early.set(key, early);
    }
    if (early.length >= this.#o.maxEarlyPerDuty) {
      this.#o.metrics.messageDropped(duty, 'buffer-full');
      return;
    }
    early.push(env);
  }
}
