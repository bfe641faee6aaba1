/**
 * DKG wire messages (JSON, on the ClusterNetwork topic `dkg`; the network signs each envelope with the sender's
 * operator key). Deals and share boxes additionally carry the dealer's own signature so that any operator can
 * show a third party what a dealer sent (equivocation and complaint evidence).
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { z } from 'zod';
import { canonicalJson } from '../cluster/canonical.ts';
import { fromHex, toHex } from '../consensus/hex.ts';
import type { Hex } from '../cluster/types.ts';

export const DKG_TOPIC = 'dkg';

const hex = z.string().regex(/^0x(?:[0-9a-f]{2})*$/, 'lower-case 0x hex').transform((s) => s as Hex);
const index = z.number().int().nonnegative();

export const BoxSchema = z.object({ epk: hex, iv: hex, ct: hex });
export const SharesMsgSchema = z.object({ type: z.literal('shares'), session: hex, dealer: index, to: index, box: BoxSchema, sig: hex });
export const ComplaintSchema = z.object({
  kind: z.enum(['share-mismatch', 'undecryptable']),
  dealer: index,
  shares: SharesMsgSchema,
  /** The box key, revealed so every operator can decrypt and check the shares against the dealer's commitments. */
  key: hex,
  detail: z.string(),
});

export const DkgMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    definitionHash: hex,
    mode: z.string(),
    nonce: hex,
    /** The sender's view: the nonce it holds for every operator ("0x" = none yet), its own included. */
    view: z.array(hex),
  }),
  z.object({ type: z.literal('deal'), session: hex, dealer: index, commitments: z.array(z.array(hex)), sig: hex }),
  SharesMsgSchema,
  z.object({
    type: z.literal('verify'),
    session: hex,
    /** What this operator received from each dealer: deal hash and the dealer's signature over it. */
    deals: z.array(z.object({ dealer: index, hash: hex, sig: hex })),
    complaints: z.array(ComplaintSchema),
  }),
  z.object({ type: z.literal('partials'), session: hex, signatures: z.array(hex) }),
  z.object({ type: z.literal('locksig'), session: hex, lockHash: hex, signature: hex }),
  z.object({ type: z.literal('done'), session: hex }),
  z.object({ type: z.literal('abort'), session: hex, reason: z.string(), message: z.string() }),
]);
export type DkgMessage = z.infer<typeof DkgMessageSchema>;
export type SharesMsg = z.infer<typeof SharesMsgSchema>;
export type Complaint = z.infer<typeof ComplaintSchema>;

export function encodeMessage(m: DkgMessage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(m));
}

export function decodeMessage(bytes: Uint8Array): DkgMessage | undefined {
  try {
    const r = DkgMessageSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

const u16 = (x: number) => Uint8Array.of(x >> 8, x & 0xff);
const tag = (s: string) => new TextEncoder().encode(s);

/** Hash of a deal's commitments (what operators compare to detect a dealer who told them different things). */
export function dealHash(commitments: readonly (readonly Hex[])[]): Hex {
  return toHex(keccak_256(tag(`shoal/dkg/deal-commitments/v1\n${canonicalJson(commitments)}`)));
}

/** Digest a dealer signs for its deal. */
export function dealDigest(session: Hex, dealer: number, hash: Hex): Uint8Array {
  return keccak_256(Buffer.concat([tag('shoal/dkg/deal/v1'), fromHex(session), u16(dealer), fromHex(hash)]));
}

/** AEAD context of the share box dealer → recipient. */
export function boxContext(session: Hex, dealer: number, recipient: number): Uint8Array {
  return Buffer.concat([tag('shoal/dkg/shares/v1'), fromHex(session), u16(dealer), u16(recipient)]);
}

/** Digest a dealer signs for a share box. */
export function sharesDigest(m: Pick<SharesMsg, 'session' | 'dealer' | 'to' | 'box'>): Uint8Array {
  return keccak_256(
    Buffer.concat([tag('shoal/dkg/share-box/v1'), fromHex(m.session), u16(m.dealer), u16(m.to), fromHex(m.box.epk), fromHex(m.box.iv), fromHex(m.box.ct)]),
  );
}
