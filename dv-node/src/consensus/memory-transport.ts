/**
 * An in-memory network of n endpoints for tests and benchmarks. Every delivery is scheduled on the given Clock
 * (a FakeClock in tests, so nothing sleeps), and faults are drawn from a seeded PRNG so a failing seed replays
 * exactly: drop, delay (uniform in [min, max], which also reorders), duplicate, partition, crash.
 */
import type { Clock, Transport } from './types.ts';

/** Small, fast, seedable PRNG (mulberry32): uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface NetworkFaults {
  /** Probability that one delivery (one sender → one receiver) is lost. */
  readonly dropRate?: number;
  /** Probability that a delivery arrives twice (each copy with its own delay). */
  readonly duplicateRate?: number;
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
}

export interface NetworkStats {
  /** Point-to-point sends (a broadcast to n-1 members counts n-1). */
  sent: number;
  bytes: number;
  delivered: number;
  dropped: number;
  duplicated: number;
}

/** Decides the fate of one delivery; return false to drop it. For scripted adversaries in tests. */
export type LinkFilter = (from: number, to: number, bytes: Uint8Array) => boolean;

export class MemoryNetwork {
  readonly n: number;
  readonly stats: NetworkStats = { sent: 0, bytes: 0, delivered: 0, dropped: 0, duplicated: 0 };
  readonly #clock: Clock;
  readonly #rand: () => number;
  #faults: Required<NetworkFaults>;
  readonly #handlers: Set<(bytes: Uint8Array) => void>[];
  readonly #crashed = new Set<number>();
  #group: number[] | undefined;
  #filter: LinkFilter | undefined;

  constructor(options: { n: number; clock: Clock; seed?: number; faults?: NetworkFaults }) {
    this.n = options.n;
    this.#clock = options.clock;
    this.#rand = mulberry32(options.seed ?? 1);
    this.#faults = MemoryNetwork.#checkFaults(options.faults ?? {});
    this.#handlers = Array.from({ length: options.n }, () => new Set());
  }

  static #checkFaults(f: NetworkFaults): Required<NetworkFaults> {
    const out = { dropRate: 0, duplicateRate: 0, minDelayMs: 0, maxDelayMs: 0, ...f };
    for (const k of ['dropRate', 'duplicateRate'] as const) {
      if (!(out[k] >= 0 && out[k] <= 1)) throw new RangeError(`network fault ${k} must be in [0, 1], got ${out[k]}`);
    }
    if (!(out.minDelayMs >= 0 && out.maxDelayMs >= out.minDelayMs)) {
      throw new RangeError(`network delays need 0 <= minDelayMs <= maxDelayMs, got ${out.minDelayMs}..${out.maxDelayMs}`);
    }
    return out;
  }

  setFaults(faults: NetworkFaults): void {
    this.#faults = MemoryNetwork.#checkFaults(faults);
  }

  /** The Transport of member `i`, plus `sendTo` so a test adversary can tell different members different things. */
  endpoint(i: number): Transport & { sendTo(to: number, bytes: Uint8Array): void } {
    if (!Number.isInteger(i) || i < 0 || i >= this.n) throw new RangeError(`no endpoint ${i} in a network of ${this.n}`);
    return {
      broadcast: (bytes) => {
        for (let j = 0; j < this.n; j++) if (j !== i) this.#send(i, j, bytes);
      },
      sendTo: (to, bytes) => this.#send(i, to, bytes),
      onMessage: (handler) => {
        this.#handlers[i]!.add(handler);
        return () => this.#handlers[i]!.delete(handler);
      },
    };
  }

  /** A crashed member sends and receives nothing (messages in flight to or from it are lost). */
  crash(i: number): void {
    this.#crashed.add(i);
  }
  restore(i: number): void {
    this.#crashed.delete(i);
  }

  /** Only members inside `group` talk to each other, and the rest only among themselves. */
  partition(group: number[]): void {
    this.#group = [...group];
  }
  heal(): void {
    this.#group = undefined;
  }

  setFilter(filter: LinkFilter | undefined): void {
    this.#filter = filter;
  }

  #connected(a: number, b: number): boolean {
    if (this.#crashed.has(a) || this.#crashed.has(b)) return false;
    if (this.#group === undefined) return true;
    return this.#group.includes(a) === this.#group.includes(b);
  }

  #send(from: number, to: number, bytes: Uint8Array): void {
    this.stats.sent++;
    this.stats.bytes += bytes.byteLength;
    const f = this.#faults;
    if (!this.#connected(from, to) || (this.#filter && !this.#filter(from, to, bytes)) || this.#rand() < f.dropRate) {
      this.stats.dropped++;
      return;
    }
    const copies = this.#rand() < f.duplicateRate ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let c = 0; c < copies; c++) {
      const delay = f.minDelayMs + this.#rand() * (f.maxDelayMs - f.minDelayMs);
      this.#clock.setTimeout(() => {
        if (!this.#connected(from, to)) {
          this.stats.dropped++;
          return;
        }
        this.stats.delivered++;
        for (const h of this.#handlers[to]!) h(bytes);
      }, delay);
    }
  }
}
