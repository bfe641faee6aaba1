/**
 * Time for consensus: the system clock for production, a fake clock tests advance by hand, and round timers.
 */
import type { Clock, RoundTimer, TimerHandle } from './types.ts';

/** Wall-clock time; a zero-delay timer runs on the next event-loop turn (setImmediate), not after Node's 1 ms. */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout(fn, ms) {
    if (ms <= 0) {
      const h = setImmediate(fn);
      return { cancel: () => clearImmediate(h) };
    }
    const h = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(h) };
  },
};

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told. Timers fire in (time, creation) order; `runNext()` fires one, so a test
 * driver can interleave its own checks (and promise settlement) between events.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #heap: Pending[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const p: Pending = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#push(p);
    return { cancel: () => void (p.cancelled = true) };
  }

  /** Time of the next live timer, or undefined when none is pending. */
  nextAt(): number | undefined {
    this.#dropCancelled();
    return this.#heap[0]?.at;
  }

  /** Fires the earliest live timer if it is due at or before `limit`; returns whether one fired. */
  runNext(limit = Number.POSITIVE_INFINITY): boolean {
    this.#dropCancelled();
    const top = this.#heap[0];
    if (top === undefined || top.at > limit) return false;
    this.#pop();
    this.#now = Math.max(this.#now, top.at);
    top.fn();
    return true;
  }

  /** Moves time forward by `ms`, firing every timer due on the way (including ones they schedule). */
  advance(ms: number): void {
    const target = this.#now + ms;
    while (this.runNext(target));
    this.#now = target;
  }

  get pending(): number {
    this.#dropCancelled();
    return this.#heap.filter((p) => !p.cancelled).length;
  }

  #dropCancelled(): void {
    while (this.#heap[0]?.cancelled) this.#pop();
  }

  #less(a: Pending, b: Pending): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(p: Pending): void {
    const h = this.#heap;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

/** Charon's first-round duration: long enough for a proposal, prepares and commits over the internet. */
export const DEFAULT_FIRST_ROUND_MS = 750;
/** Growth per round, so rounds eventually outlast any bounded network delay (partial synchrony). */
export const DEFAULT_ROUND_INCREMENT_MS = 250;

/** round 1 → base, then base + (round-1)·increment (Charon's "increasing" round timer). */
export function linearRoundTimer(
  baseMs = DEFAULT_FIRST_ROUND_MS,
  incrementMs = DEFAULT_ROUND_INCREMENT_MS,
): RoundTimer {
  if (!(baseMs > 0) || !(incrementMs >= 0)) throw new RangeError('round timer needs base > 0 and increment >= 0');
  return (round) => baseMs + (round - 1) * incrementMs;
}

/** round 1 → base, doubling each round up to `maxMs`. */
export function exponentialRoundTimer(baseMs = DEFAULT_FIRST_ROUND_MS, maxMs = 60_000): RoundTimer {
  if (!(baseMs > 0) || !(maxMs >= baseMs)) throw new RangeError('round timer needs 0 < base <= max');
  return (round) => Math.min(maxMs, baseMs * 2 ** Math.min(round - 1, 30));
}
