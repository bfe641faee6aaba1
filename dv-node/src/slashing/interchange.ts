/**
 * EIP-3076 slashing-protection interchange format, version 5: validation, reduction to watermarks (minimal
 * strategy), and export of watermarks as an interchange document.
 */
import { z } from 'zod';
import { type PubkeyHex, type RootHex, type ValidatorWatermarks, mergeWatermarks, withAttestation, withBlock } from './rules.ts';

export const INTERCHANGE_FORMAT_VERSION = '5';
const U64_LIMIT = 2n ** 64n;

const u64 = z
  .string()
  .regex(/^(0|[1-9]\d*)$/, 'must be a decimal integer string')
  .refine((s) => BigInt(s) < U64_LIMIT, 'must fit in uint64');
const root = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex string');
const pubkey = z.string().regex(/^0x[0-9a-fA-F]{96}$/, 'must be a 0x-prefixed 48-byte hex string');

export const InterchangeSchema = z.object({
  metadata: z.object({
    interchange_format_version: z.literal(INTERCHANGE_FORMAT_VERSION, {
      message: `only interchange_format_version "${INTERCHANGE_FORMAT_VERSION}" is supported`,
    }),
    genesis_validators_root: root,
  }),
  data: z.array(
    z.object({
      pubkey,
      signed_blocks: z.array(z.object({ slot: u64, signing_root: root.optional() })),
      signed_attestations: z.array(z.object({ source_epoch: u64, target_epoch: u64, signing_root: root.optional() })),
    }),
  ),
});

export type Interchange = z.infer<typeof InterchangeSchema>;

/** The interchange document is malformed or for another chain. */
export class InterchangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InterchangeError';
  }
}

/** Validates an interchange document (parsed JSON); throws `InterchangeError` naming the offending field. */
export function parseInterchange(json: unknown): Interchange {
  const r = InterchangeSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new InterchangeError(`invalid EIP-3076 interchange: ${issues.slice(0, 5).join('; ')}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}`);
  }
  return r.data;
}

export function normalizeHex<T extends `0x${string}`>(s: string): T {
  return s.toLowerCase() as T;
}

/** Reduces an interchange to per-validator watermarks (pubkeys may repeat; their records are merged). */
export function interchangeToWatermarks(ic: Interchange): Map<PubkeyHex, ValidatorWatermarks> {
  const out = new Map<PubkeyHex, ValidatorWatermarks>();
  for (const v of ic.data) {
    const pk = normalizeHex<PubkeyHex>(v.pubkey);
    let w: ValidatorWatermarks = { ...out.get(pk) };
    for (const b of v.signed_blocks) {
      w = withBlock(w, BigInt(b.slot), b.signing_root === undefined ? undefined : normalizeHex<RootHex>(b.signing_root));
    }
    for (const a of v.signed_attestations) {
      w = withAttestation(
        w,
        BigInt(a.source_epoch),
        BigInt(a.target_epoch),
        a.signing_root === undefined ? undefined : normalizeHex<RootHex>(a.signing_root),
      );
    }
    out.set(pk, mergeWatermarks(out.get(pk), w));
  }
  return out;
}

/**
 * Exports watermarks as an interchange: at most one block and one attestation per validator. The attestation is
 * (max source, max target), which may be synthetic (never signed as such); EIP-3076 allows this for the minimal
 * strategy because importing it protects exactly as the full history would under minimal rules.
 */
export function watermarksToInterchange(
  genesisValidatorsRoot: RootHex,
  records: Iterable<[PubkeyHex, ValidatorWatermarks]>,
): Interchange {
  const data: Interchange['data'] = [];
  const sorted = [...records].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [pk, w] of sorted) {
    const signed_blocks: Interchange['data'][number]['signed_blocks'] = [];
    const signed_attestations: Interchange['data'][number]['signed_attestations'] = [];
    if (w.blockSlot !== undefined) {
      signed_blocks.push({ slot: w.blockSlot.toString(), ...(w.blockRoot ? { signing_root: w.blockRoot } : {}) });
    }
    if (w.sourceEpoch !== undefined && w.targetEpoch !== undefined) {
      signed_attestations.push({
        source_epoch: w.sourceEpoch.toString(),
        target_epoch: w.targetEpoch.toString(),
        ...(w.attestationRoot ? { signing_root: w.attestationRoot } : {}),
      });
    }
    data.push({ pubkey: pk, signed_blocks, signed_attestations });
  }
  return { metadata: { interchange_format_version: INTERCHANGE_FORMAT_VERSION, genesis_validators_root: genesisValidatorsRoot }, data };
}
