/**
 * Aggregator: collects partial signatures per (duty, validator), and once t of them sign the root this node expects,
 * combines them by Lagrange interpolation and verifies the result against the validator's group key.
 *
 * Throughput: verify-combined-first. Partials are not verified on arrival; all validators that became ready in one
 * event-loop turn are combined and their group signatures checked in one batch (random linear combination, one
 * multi-pairing). Only when a combined signature fails are that validator's partials verified one by one against
 * the senders' public shares: a bad one is dropped, its sender is named (`onInvalidPartial`: log + metric) and never
 * used again for that validator, and the validator is combined again from the remaining partials.
 */
import { combinePartialSignatures, findInvalidSignatures } from '../crypto/bls.ts';
import { fromHex, toHex } from '../consensus/hex.ts';
import { dutyKey, sigKey, type AggregateResult, type Aggregator, type Duty, type Hex, type PartialSig, type SigKey, type SigningItem } from './types.ts';

export interface PartialAggregatorOptions {
  threshold: number;
  /** group pubkey → public shares in operator order (operator k holds share index k + 1). */
  publicShares: ReadonlyMap<Hex, readonly Uint8Array[]>;
  /** A peer's partial did not verify (the peer is named). */
  onInvalidPartial?: (fromIndex: number, duty: Duty, pubkey: Hex) => void;
  /** A partial signs another root than the one this node expects (dropped). */
  onRootMismatch?: (fromIndex: number, duty: Duty, pubkey: Hex) => void;
}

interface Entry {
  readonly duty: Duty;
  readonly pubkey: Hex;
  readonly key: SigKey;
  expected?: Hex;
  readonly partials: Map<number, { root: Hex; signature: Uint8Array }>;
  readonly bad: Set<number>;
  signature?: Uint8Array;
  failure?: string;
}

interface Pending {
  readonly duty: Duty;
  readonly entries: Entry[];
  readonly resolve: (r: AggregateResult) => void;
  readonly timer: NodeJS.Timeout;
}

export class PartialAggregator implements Aggregator {
  readonly #o: PartialAggregatorOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Set<Pending>();
  #dirty = new Set<Entry>();
  #scheduled = false;

  constructor(o: PartialAggregatorOptions) {
    this.#o = o;
  }

  #entry(duty: Duty, pubkey: Hex, sub: number | undefined): Entry {
    const key = sigKey(pubkey, sub);
    let e = this.#entries.get(`${dutyKey(duty)}/${key}`);
    if (e === undefined) {
      e = { duty, pubkey, key, partials: new Map(), bad: new Set() };
      this.#entries.set(`${dutyKey(duty)}/${key}`, e);
    }
    return e;
  }

  add(fromIndex: number, duty: Duty, partials: readonly PartialSig[]): void {
    for (const p of partials) {
      if (!this.#o.publicShares.has(p.pubkey)) continue; // not one of this cluster's validators
      const e = this.#entry(duty, p.pubkey, p.sub);
      if (e.signature !== undefined || e.bad.has(fromIndex) || e.partials.has(fromIndex)) continue;
      e.partials.set(fromIndex, { root: p.root, signature: fromHex(p.signature) });
      this.#markDirty(e);
    }
  }

  expect(duty: Duty, items: readonly SigningItem[], deadlineMs: number): Promise<AggregateResult> {
    const entries = items.map((it) => {
      const e = this.#entry(duty, it.pubkey, it.sub);
      e.expected = toHex(it.root);
      this.#markDirty(e);
      return e;
    });
    return new Promise<AggregateResult>((resolve) => {
      const p: Pending = {
        duty,
        entries,
        resolve,
        // at the deadline, first combine whatever arrived in this very turn, then settle with what we have
        timer: setTimeout(() => {
          this.#flush();
          this.#settle(p, true);
        }, Math.max(0, deadlineMs - Date.now())),
      };
      this.#pending.add(p);
      if (entries.length === 0) this.#settle(p, true);
    });
  }

  prune(beforeSlot: number): void {
    for (const [k, e] of this.#entries) if (e.duty.slot < beforeSlot) this.#entries.delete(k);
  }

  close(): void {
    for (const p of this.#pending) this.#settle(p, true);
  }

  #markDirty(e: Entry): void {
    this.#dirty.add(e);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  /** Partials usable for an entry: signing the expected root, from senders not caught lying. */
  #usable(e: Entry): [number, { root: Hex; signature: Uint8Array }][] {
    const out: [number, { root: Hex; signature: Uint8Array }][] = [];
    for (const [from, p] of e.partials) {
      if (e.bad.has(from)) continue;
      if (p.root !== e.expected) {
        this.#o.onRootMismatch?.(from, e.duty, e.pubkey);
        e.partials.delete(from);
        continue;
      }
      out.push([from, p]);
    }
    return out;
  }

  #flush(): void {
    const t = this.#o.threshold;
    let ready = [...this.#dirty].filter((e) => e.signature === undefined && e.expected !== undefined);
    this.#dirty = new Set();
    // Up to t+… passes: each pass removes at least one bad sender per failing validator.
    for (let pass = 0; ready.length > 0 && pass <= this.#o.publicShares.size + 8; pass++) {
      const combined: { e: Entry; sig: Uint8Array }[] = [];
      for (const e of ready) {
        const usable = this.#usable(e);
        if (usable.length < t) continue;
        try {
          const sig = combinePartialSignatures(usable.map(([from, p]) => ({ index: from + 1, signature: p.signature })), t);
          combined.push({ e, sig });
        } catch {
          combined.push({ e, sig: new Uint8Array(96) }); // malformed partial: force the one-by-one check below
        }
      }
      if (combined.length === 0) break;
      const invalid = new Set(
        findInvalidSignatures(combined.map(({ e, sig }) => ({ publicKey: fromHex(e.pubkey), message: fromHex(e.expected!), signature: sig }))),
      );
      const retry: Entry[] = [];
      combined.forEach(({ e, sig }, i) => {
        if (!invalid.has(i)) {
          e.signature = sig;
          return;
        }
        // find the culprits among this validator's partials
        const shares = this.#o.publicShares.get(e.pubkey)!;
        const usable = this.#usable(e);
        const badPositions = findInvalidSignatures(
          usable.map(([from, p]) => ({ publicKey: shares[from] ?? new Uint8Array(48), message: fromHex(e.expected!), signature: p.signature })),
        );
        if (badPositions.length === 0) {
          e.failure = 'combined signature does not verify although every partial does';
          return;
        }
        for (const pos of badPositions) {
          const from = usable[pos]![0];
          e.bad.add(from);
          e.partials.delete(from);
          this.#o.onInvalidPartial?.(from, e.duty, e.pubkey);
        }
        retry.push(e);
      });
      ready = retry;
    }
    for (const p of [...this.#pending]) this.#settle(p, false);
  }

  #settle(p: Pending, final: boolean): void {
    if (!this.#pending.has(p)) return;
    if (!final && p.entries.some((e) => e.signature === undefined && e.failure === undefined)) return;
    this.#pending.delete(p);
    clearTimeout(p.timer);
    const result: AggregateResult = { signatures: new Map(), failed: [] };
    for (const e of p.entries) {
      if (e.signature !== undefined) result.signatures.set(e.key, e.signature);
      else if (e.failure !== undefined) result.failed.push({ pubkey: e.pubkey, reason: 'combine_failed', detail: e.failure });
      else {
        const valid = [...e.partials.keys()].filter((f) => !e.bad.has(f));
        const detail = `${valid.length} valid partial(s) of ${this.#o.threshold} needed (from operators [${valid.join(',')}])` +
          (e.bad.size > 0 ? `; invalid partials from operators [${[...e.bad].join(',')}]` : '');
        result.failed.push({ pubkey: e.pubkey, reason: e.bad.size > 0 && valid.length < this.#o.threshold ? 'invalid_partial_from_peer' : 'insufficient_partials', detail });
      }
    }
    p.resolve(result);
  }
}
