/**
 * A simulated cluster for tests and benchmarks: n QbftConsensus nodes over a MemoryNetwork on a FakeClock.
 * `drive()` fires clock events one at a time and lets promises settle between them, so a whole duty (including
 * minutes of round timeouts) runs in milliseconds without a single sleep.
 */
import { FakeClock, linearRoundTimer } from '../clock.ts';
import { QbftConsensus } from '../consensus.ts';
import { MemoryNetwork, type NetworkFaults } from '../memory-transport.ts';
import { RecordingMetrics } from '../metrics.ts';
import { MessageVerifier } from '../message-keys.ts';
import { identityFromPrivateKey } from '../../identity/identity.ts';
import type { Decision, Duty, Hex, RoundTimer, Signer, Verifier } from '../types.ts';
import { HmacSigner, HmacVerifier, hmacSecrets } from './hmac.ts';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { toHex } from '../hex.ts';

export const SIM_CLUSTER: Hex = toHex(keccak_256(new TextEncoder().encode('shoal-sim-cluster')));

/** Lets every settled promise run its continuations (one macrotask turn). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Fires clock events in order until `done()` holds, time passes `maxMs`, or nothing is pending.
 * Returns whether `done()` held.
 */
export async function drive(clock: FakeClock, done: () => boolean, maxMs: number): Promise<boolean> {
  for (;;) {
    await settle();
    if (done()) return true;
    const next = clock.nextAt();
    if (next === undefined || next > maxMs) return done();
    clock.runNext();
  }
}

export interface KeySet {
  readonly signers: Signer[];
  readonly verifier: Verifier;
  readonly addresses?: Hex[];
}

export function hmacKeys(n: number, seed = 0): KeySet {
  const secrets = hmacSecrets(n, seed);
  return { signers: secrets.map((s) => new HmacSigner(s)), verifier: new HmacVerifier(secrets) };
}

/**
 * Deterministic secp256k1 operator keys: keccak256("operator-<i>") (all valid scalars in practice), signing as a
 * running node does (the identity's native message signer, checked against the operators' public keys).
 */
export function secpKeys(n: number): KeySet & { privateKeys: Hex[] } {
  const privateKeys = Array.from({ length: n }, (_, i) => toHex(keccak_256(new TextEncoder().encode(`operator-${i}`))));
  const identities = privateKeys.map((k) => identityFromPrivateKey(k));
  const addresses = identities.map((id) => id.address);
  return { signers: identities.map((id) => id.signer), verifier: new MessageVerifier(identities.map((id) => id.publicKey)), addresses, privateKeys };
}

export interface SimOptions {
  readonly n: number;
  readonly seed?: number;
  readonly faults?: NetworkFaults;
  readonly keys?: KeySet;
  readonly roundTimer?: RoundTimer;
  readonly maxRound?: number;
  /** Members that take no part at all (crashed from the start, no QbftConsensus). */
  readonly absent?: readonly number[];
  /** Members run by a test adversary: no QbftConsensus, but their endpoints stay connected. */
  readonly byzantine?: readonly number[];
}

export interface DutyRun {
  readonly decisions: (Decision | undefined)[];
  readonly errors: (Error | undefined)[];
}

export class SimCluster {
  readonly clock = new FakeClock(0);
  readonly network: MemoryNetwork;
  readonly keys: KeySet;
  readonly nodes: (QbftConsensus | undefined)[];
  readonly metrics: RecordingMetrics[];
  readonly n: number;

  constructor(o: SimOptions) {
    this.n = o.n;
    this.network = new MemoryNetwork({ n: o.n, clock: this.clock, seed: o.seed ?? 1, faults: o.faults ?? {} });
    this.keys = o.keys ?? hmacKeys(o.n, o.seed ?? 0);
    this.metrics = Array.from({ length: o.n }, () => new RecordingMetrics());
    const absent = new Set(o.absent ?? []);
    for (const i of absent) this.network.crash(i);
    const byzantine = new Set(o.byzantine ?? []);
    this.nodes = Array.from({ length: o.n }, (_, i) =>
      absent.has(i) || byzantine.has(i)
        ? undefined
        : new QbftConsensus({
            cluster: SIM_CLUSTER,
            n: o.n,
            self: i,
            signer: this.keys.signers[i]!,
            verifier: this.keys.verifier,
            transport: this.network.endpoint(i),
            clock: this.clock,
            roundTimer: o.roundTimer ?? linearRoundTimer(),
            maxRound: o.maxRound ?? 64,
            metrics: this.metrics[i]!,
          }),
    );
  }

  /**
   * Starts `duty` on every present member (member i proposes valueFor(i), all validate with `validate`), drives
   * the clock until every present member decided or `maxMs` passed, and reports each member's outcome.
   */
  async runDuty(
    duty: Duty,
    options: {
      valueFor?: (i: number) => Uint8Array;
      validate?: (v: Uint8Array) => boolean;
      maxMs?: number;
      deadline?: number;
      startDelayOf?: (i: number) => number;
    } = {},
  ): Promise<DutyRun> {
    const decisions: (Decision | undefined)[] = Array(this.n).fill(undefined);
    const errors: (Error | undefined)[] = Array(this.n).fill(undefined);
    const valueFor = options.valueFor ?? ((i: number) => new TextEncoder().encode(`value-of-${i}-slot-${duty.slot}`));
    const validate = options.validate ?? (() => true);
    let outstanding = 0;
    this.nodes.forEach((node, i) => {
      if (node === undefined) return;
      outstanding++;
      const start = () =>
        node
          .run(duty, {
            getValue: async () => valueFor(i),
            validate,
            ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
          })
          .then(
            (d) => void (decisions[i] = d),
            (e: Error) => void (errors[i] = e),
          )
          .finally(() => outstanding--);
      const delay = options.startDelayOf?.(i) ?? 0;
      if (delay > 0) this.clock.setTimeout(() => void start(), delay);
      else void start();
    });
    await drive(this.clock, () => outstanding === 0, this.clock.now() + (options.maxMs ?? 600_000));
    return { decisions, errors };
  }

  close(): void {
    for (const node of this.nodes) node?.close();
  }
}
