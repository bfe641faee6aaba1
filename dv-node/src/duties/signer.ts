/**
 * Signer: slashing protection first, then this node's partial BLS signatures with its key shares.
 *
 * Every item that carries a slashing-protection request (attestations, blocks) is checked and recorded in one batch
 * by the EIP-3076 database, which has the record on disk (fsync) before it answers yes; only then is anything signed,
 * so no partial signature can leave this node without a durable record that forbids a conflicting one — even across
 * a crash and restart. Refused items are reported, not signed.
 */
import * as blst from '@chainsafe/blst';
import type { SlashingProtectionDb } from '../slashing/db.ts';
import { toHex } from '../consensus/hex.ts';
import type { Duty, Hex, PartialSig, SigningItem, SignOutcome, Signer } from './types.ts';

export interface ShareSignerOptions {
  /** group pubkey (0x hex, lower case) → this node's secret key share (32-byte big-endian). */
  shares: ReadonlyMap<Hex, Uint8Array>;
  slashing: SlashingProtectionDb;
  /**
   * TEST-ONLY fault injection: sign a different root than the one announced, so every partial this node sends is
   * invalid (used to show that peers name this node and still complete the duty). Never set in production.
   */
  faultInvalidPartials?: boolean;
}

export class ShareSigner implements Signer {
  readonly #keys = new Map<Hex, blst.SecretKey>();
  readonly #slashing: SlashingProtectionDb;
  readonly #fault: boolean;

  constructor(o: ShareSignerOptions) {
    for (const [pk, sk] of o.shares) this.#keys.set(pk.toLowerCase() as Hex, blst.SecretKey.fromBytes(sk));
    this.#slashing = o.slashing;
    this.#fault = o.faultInvalidPartials ?? false;
  }

  has(pubkey: Hex): boolean {
    return this.#keys.has(pubkey);
  }

  sign(_duty: Duty, items: readonly SigningItem[]): SignOutcome {
    const refused: SignOutcome['refused'] = [];
    const mine = items.filter((it) => {
      if (this.#keys.has(it.pubkey)) return true;
      refused.push({ pubkey: it.pubkey, reason: 'no key share for this validator on this node' });
      return false;
    });
    const guarded = mine.filter((it) => it.slashing !== undefined);
    const allowed = new Set<SigningItem>(mine.filter((it) => it.slashing === undefined));
    if (guarded.length > 0) {
      const verdicts = this.#slashing.checkAndRecordBatch(guarded.map((it) => it.slashing!));
      guarded.forEach((it, i) => {
        const v = verdicts[i]!;
        if (v.ok) allowed.add(it);
        else refused.push({ pubkey: it.pubkey, reason: `${v.reason}: ${v.message}` });
      });
    }
    const partials: PartialSig[] = [];
    for (const it of mine) {
      if (!allowed.has(it)) continue;
      const root = this.#fault ? corrupt(it.root) : it.root;
      const signature = toHex(this.#keys.get(it.pubkey)!.sign(root).toBytes());
      partials.push(it.sub === undefined ? { pubkey: it.pubkey, root: toHex(it.root), signature } : { pubkey: it.pubkey, sub: it.sub, root: toHex(it.root), signature });
    }
    return { partials, refused };
  }
}

function corrupt(root: Uint8Array): Uint8Array {
  const r = Uint8Array.from(root);
  r[0] = r[0]! ^ 0xff;
  return r;
}
