/**
 * DutyStore: the decided value of each duty, kept in memory for a few epochs. It refuses a second, different value
 * for the same duty (whatever its source: a re-run of consensus, a bug), so the signer can never be handed two values
 * for one duty by this process. Across restarts, the slashing-protection database is what stops conflicting
 * signatures.
 */
import { DutyError, dutyKey, type Duty, type DutyStore } from './types.ts';
import { Waiters } from './waiters.ts';

export class MemoryDutyStore implements DutyStore {
  readonly #values = new Map<string, { slot: number; value: Uint8Array }>();
  readonly #waiters = new Waiters<Uint8Array>();

  store(duty: Duty, value: Uint8Array): void {
    const key = dutyKey(duty);
    const old = this.#values.get(key);
    if (old !== undefined) {
      if (Buffer.from(old.value).equals(value)) return;
      throw new DutyError('duty_store_clash', `duty ${key}: a different value was already decided; refusing the new one`);
    }
    this.#values.set(key, { slot: duty.slot, value: Uint8Array.from(value) });
    this.#waiters.resolve(key, value);
  }

  get(duty: Duty): Uint8Array | undefined {
    return this.#values.get(dutyKey(duty))?.value;
  }

  await(duty: Duty, deadlineMs: number): Promise<Uint8Array> {
    const v = this.get(duty);
    if (v !== undefined) return Promise.resolve(v);
    return this.#waiters.wait(dutyKey(duty), deadlineMs, () => new DutyError('dependency_missing', `no decided value for duty ${dutyKey(duty)} before its deadline`));
  }

  prune(beforeSlot: number): void {
    for (const [k, v] of this.#values) if (v.slot < beforeSlot) this.#values.delete(k);
  }

  close(): void {
    this.#waiters.close(new Error('duty store closed'));
  }
}
