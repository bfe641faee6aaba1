/**
 * AggSigDb: group signatures of the duties other duties depend on (RANDAO reveals for blocks, selection proofs for
 * aggregation), so a fetch can await them.
 */
import { DutyError, dutyKey, type AggSigDb, type Duty, type SigKey } from './types.ts';
import { Waiters } from './waiters.ts';

export class MemoryAggSigDb implements AggSigDb {
  readonly #sigs = new Map<string, { slot: number; sigs: Map<SigKey, Uint8Array> }>();
  readonly #waiters = new Waiters<ReadonlyMap<SigKey, Uint8Array>>();

  store(duty: Duty, sigs: ReadonlyMap<SigKey, Uint8Array>): void {
    const key = dutyKey(duty);
    const entry = this.#sigs.get(key) ?? { slot: duty.slot, sigs: new Map<SigKey, Uint8Array>() };
    for (const [k, v] of sigs) entry.sigs.set(k, v);
    this.#sigs.set(key, entry);
    this.#waiters.resolve(key, entry.sigs);
  }

  await(duty: Duty, deadlineMs: number): Promise<ReadonlyMap<SigKey, Uint8Array>> {
    const e = this.#sigs.get(dutyKey(duty));
    if (e !== undefined) return Promise.resolve(e.sigs);
    return this.#waiters.wait(dutyKey(duty), deadlineMs, () => new DutyError('dependency_missing', `no group signatures for duty ${dutyKey(duty)} before its deadline`));
  }

  prune(beforeSlot: number): void {
    for (const [k, v] of this.#sigs) if (v.slot < beforeSlot) this.#sigs.delete(k);
  }

  close(): void {
    this.#waiters.close(new Error('aggsigdb closed'));
  }
}
