/**
 * ParSigExchange over the cluster network: one message per (duty, sender) carrying all the sender's partials for
 * that duty. Authenticity (the sender's operator key) is the network's job; the content is checked here for shape
 * only — whether each partial verifies is the aggregator's job, which names the sender of a bad one.
 */
import { z } from 'zod';
import type { ClusterNetwork } from '../p2p/types.ts';
import { DUTY_TYPES, type Duty, type ParSigExchange, type PartialSig } from './types.ts';

export const PARSIG_TOPIC = 'dv/parsig/1';

const Hex = (bytes: number) => z.string().regex(new RegExp(`^0x[0-9a-f]{${bytes * 2}}$`));
const Message = z.object({
  slot: z.number().int().nonnegative(),
  type: z.enum(DUTY_TYPES),
  partials: z.array(z.object({ pubkey: Hex(48), sub: z.number().int().nonnegative().max(0xffff).optional(), root: Hex(32), signature: Hex(96) })).max(100_000),
});

export interface ParSigExchangeOptions {
  network: Pick<ClusterNetwork, 'broadcast' | 'onMessage'>;
  /** Called with a message that does not parse (sender index, what was wrong). */
  onMalformed?: (fromIndex: number, detail: string) => void;
}

export class NetworkParSigExchange implements ParSigExchange {
  readonly #o: ParSigExchangeOptions;
  readonly #handlers: ((fromIndex: number, duty: Duty, partials: readonly PartialSig[]) => void)[] = [];

  constructor(o: ParSigExchangeOptions) {
    this.#o = o;
    o.network.onMessage(PARSIG_TOPIC, (from, bytes) => this.#receive(from, bytes));
  }

  broadcast(duty: Duty, partials: readonly PartialSig[]): void {
    if (partials.length === 0) return;
    const body = JSON.stringify({ slot: duty.slot, type: duty.type, partials });
    this.#o.network.broadcast(PARSIG_TOPIC, new TextEncoder().encode(body));
  }

  onPartials(handler: (fromIndex: number, duty: Duty, partials: readonly PartialSig[]) => void): void {
    this.#handlers.push(handler);
  }

  #receive(from: number, bytes: Uint8Array): void {
    let parsed: z.infer<typeof Message>;
    try {
      parsed = Message.parse(JSON.parse(new TextDecoder().decode(bytes)));
    } catch (e) {
      this.#o.onMalformed?.(from, (e as Error).message.slice(0, 200));
      return;
    }
    const duty: Duty = { slot: parsed.slot, type: parsed.type };
    const partials = parsed.partials as PartialSig[];
    for (const h of this.#handlers) h(from, duty, partials);
  }
}
