/**
 * Test helper: drives the project's beacon chain (started with `clock: 'manual'`) first at full speed, then on the
 * wall clock.
 *
 * Why: new validators from a DKG must be deposited, their deposits finalized, their eligibility finalized and the
 * activation delay waited out before they have any duty — about 8 epochs. Running those epochs in real time would
 * cost minutes of a test that only judges what happens after activation. So the test starts the chain with its
 * genesis in the past, runs the pre-activation slots at once (`fastForward`: the chain's own interop validators
 * propose, attest and finalize as usual, the deposits are read from anvil as usual), and from then on `follow()`s
 * the wall clock like BeaconNode's wall clock: the slot start (epoch processing, the interop block) at the slot's
 * start, the interop attestations at one third of the slot. Validators outside the chain (the dv-nodes) see an
 * ordinary wall-clock chain.
 *
 * One difference, on purpose: BeaconNode polls the execution layer *at* the slot start and only then starts the slot,
 * so for the few milliseconds of that poll its head state is still the previous slot's. A dv-node asking at the first
 * slot of an epoch for that epoch's proposer duties then gets HTTP 400 ("served for the current epoch only") and skips
 * the slot. Real beacon nodes advance their head state ahead of the slot (Lighthouse's state-advance timer), so here
 * the EL is polled `EL_POLL_LEAD_MS` before the slot and the slot starts `SLOT_START_LEAD_MS` before its nominal time.
 */
import type { TestBeacon } from '../../devnet/beacon/testing.ts';

/** How long before a slot's start the deposits and EIP-7002 requests of the EL are read (an anvil poll takes ms). */
const EL_POLL_LEAD_MS = 300;
/** How long before its nominal start the slot's state (and epoch transition) is ready, as a real node's state advance. */
const SLOT_START_LEAD_MS = 20;

export class ChainClock {
  readonly #t: TestBeacon;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  /** The error that stopped the wall-clock loop, if any. */
  error: Error | undefined;

  constructor(t: TestBeacon) {
    this.#t = t;
  }

  /** Runs every slot up to `slot` now, without waiting for the clock. */
  fastForward(slot: number): Promise<void> {
    return this.#t.advanceTo(slot);
  }

  /** From the chain's next slot on, runs each slot at its wall-clock start (late slots run at once). Do not call
   *  `advanceTo` on the beacon while following. */
  follow(): void {
    if (this.#loop) throw new Error('ChainClock.follow() called twice');
    const chain = this.#t.node.chain;
    const run = async () => {
      const el = this.#t.node.el;
      while (!this.#stopped) {
        const next = chain.slot + 1;
        const startMs = chain.slotStartTime(next) * 1000;
        await this.#until(startMs - EL_POLL_LEAD_MS);
        if (this.#stopped) return;
        await el?.poll();
        await this.#until(startMs - SLOT_START_LEAD_MS);
        if (this.#stopped) return;
        chain.startSlot(next);
        await el?.flush();
        await this.#until(startMs + (chain.opts.slotTime * 1000) / 3);
        if (this.#stopped) return;
        chain.attestationDue(next);
      }
    };
    this.#loop = run().catch((e: unknown) => {
      this.error = e instanceof Error ? e : new Error(String(e));
    });
  }

  /** Stops following the clock and waits for the slot in progress to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#wake?.();
    await this.#loop;
  }

  /** Resolves at `atMs` (epoch milliseconds) or at once when stopped. */
  #until(atMs: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, Math.max(0, atMs - Date.now()));
    });
  }
}
