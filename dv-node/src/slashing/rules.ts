/**
 * EIP-3076 slashing-protection rules, **minimal strategy** (pure, no I/O).
 *
 * Per validator we keep only watermarks: the highest block slot signed and the highest attestation source and
 * target epochs signed (whether signed here or imported). Then:
 *
 *   block (slot)                  signable iff  slot > maxSlot
 *   attestation (source, target)  signable iff  source ≤ target  and  source ≥ maxSource  and  target > maxTarget
 *
 * This refuses every double proposal, double vote and surround vote (in either direction), at the price of also
 * refusing some harmless messages (re-signing identical data, filling gaps below the watermark) — a safe trade for
 * a distributed validator, whose other operators cover a duty one node refuses. It is the `should_succeed` column of
 * the client teams' interchange test suite. Why it is sufficient: a new attestation (s, t) with t > maxTarget cannot
 * be surrounded by an earlier one (that would need t' > t), and with s ≥ maxSource it cannot surround an earlier
 * one (that would need s < s'); t > maxTarget also rules out a double vote.
 *
 * Slots and epochs are uint64 in the specs, so they are bigint here. Signing roots are optional: unknown or zero.
 */

/** 0x-prefixed lowercase hex of a 48-byte BLS public key. */
export type PubkeyHex = `0x${string}`;
/** 0x-prefixed lowercase hex of a 32-byte signing root. */
export type RootHex = `0x${string}`;

export interface ValidatorWatermarks {
  /** Highest block slot signed, with its signing root when known. */
  blockSlot?: bigint;
  blockRoot?: RootHex;
  /** Highest source epoch and highest target epoch signed (possibly from different attestations). */
  sourceEpoch?: bigint;
  targetEpoch?: bigint;
  /** Signing root of the attestation (sourceEpoch, targetEpoch) when that exact attestation was signed. */
  attestationRoot?: RootHex;
}

/** Why a signing request was refused; each names the rule, so an operator learns why a duty was skipped. */
export type RefusalReason =
  | 'DOUBLE_PROPOSAL' // a different block at the slot of the highest signed block
  | 'BLOCK_ALREADY_SIGNED' // the same block again (minimal strategy does not re-sign)
  | 'BLOCK_SLOT_BELOW_WATERMARK' // a slot lower than one already signed (could conflict with forgotten history)
  | 'SOURCE_AFTER_TARGET' // source epoch greater than target epoch: never valid
  | 'DOUBLE_VOTE' // a different attestation for the highest signed target epoch
  | 'ATTESTATION_ALREADY_SIGNED' // the same attestation again
  | 'TARGET_BELOW_WATERMARK' // target lower than one already signed (could be surrounded by it, or a double vote)
  | 'SURROUNDING_VOTE'; // source lower than one already signed with a higher target: could surround it

export type Verdict = { ok: true } | { ok: false; reason: RefusalReason; message: string };

const ZERO_ROOT: RootHex = `0x${'00'.repeat(32)}`;

/** A signing root that says something: present and not all zeros (EIP-3076 treats zero as "unknown"). */
export function knownRoot(root: RootHex | undefined): root is RootHex {
  return root !== undefined && root !== ZERO_ROOT;
}

export function checkBlock(w: ValidatorWatermarks | undefined, slot: bigint, signingRoot: RootHex | undefined): Verdict {
  if (w?.blockSlot === undefined || slot > w.blockSlot) return { ok: true };
  if (slot === w.blockSlot) {
    if (knownRoot(signingRoot) && knownRoot(w.blockRoot) && signingRoot === w.blockRoot) {
      return { ok: false, reason: 'BLOCK_ALREADY_SIGNED', message: `block at slot ${slot} was already signed (minimal strategy never re-signs)` };
    }
    return { ok: false, reason: 'DOUBLE_PROPOSAL', message: `a block at slot ${slot} was already signed; another would be a double proposal` };
  }
  return {
    ok: false,
    reason: 'BLOCK_SLOT_BELOW_WATERMARK',
    message: `slot ${slot} is below the highest signed block slot ${w.blockSlot}`,
  };
}

export function checkAttestation(
  w: ValidatorWatermarks | undefined,
  sourceEpoch: bigint,
  targetEpoch: bigint,
  signingRoot: RootHex | undefined,
): Verdict {
  if (sourceEpoch > targetEpoch) {
    return { ok: false, reason: 'SOURCE_AFTER_TARGET', message: `source epoch ${sourceEpoch} is after target epoch ${targetEpoch}` };
  }
  if (w?.targetEpoch !== undefined && targetEpoch <= w.targetEpoch) {
    if (targetEpoch === w.targetEpoch) {
      if (sourceEpoch === w.sourceEpoch && knownRoot(signingRoot) && knownRoot(w.attestationRoot) && signingRoot === w.attestationRoot) {
        return { ok: false, reason: 'ATTESTATION_ALREADY_SIGNED', message: `attestation ${sourceEpoch}→${targetEpoch} was already signed (minimal strategy never re-signs)` };
      }
      return { ok: false, reason: 'DOUBLE_VOTE', message: `an attestation with target epoch ${targetEpoch} was already signed; another would be a double vote` };
    }
    return {
      ok: false,
      reason: 'TARGET_BELOW_WATERMARK',
      message: `target epoch ${targetEpoch} is below the highest signed target epoch ${w.targetEpoch}`,
    };
  }
  if (w?.sourceEpoch !== undefined && sourceEpoch < w.sourceEpoch) {
    return {
      ok: false,
      reason: 'SURROUNDING_VOTE',
      message: `source epoch ${sourceEpoch} is below the highest signed source epoch ${w.sourceEpoch}: the attestation could surround a signed one`,
    };
  }
  return { ok: true };
}

/** Watermarks after also having signed (or imported) a block. Pure: returns a new object. */
export function withBlock(w: ValidatorWatermarks | undefined, slot: bigint, signingRoot: RootHex | undefined): ValidatorWatermarks {
  const next: ValidatorWatermarks = { ...w };
  const root = knownRoot(signingRoot) ? signingRoot : undefined;
  if (next.blockSlot === undefined || slot > next.blockSlot) {
    next.blockSlot = slot;
    next.blockRoot = root;
  } else if (slot === next.blockSlot && next.blockRoot !== root) {
    next.blockRoot = undefined; // two different (or unknown) roots at one slot: the root is not meaningful
  }
  if (next.blockRoot === undefined) delete next.blockRoot;
  return next;
}

/** Watermarks after also having signed (or imported) an attestation. Pure: returns a new object. */
export function withAttestation(
  w: ValidatorWatermarks | undefined,
  sourceEpoch: bigint,
  targetEpoch: bigint,
  signingRoot: RootHex | undefined,
): ValidatorWatermarks {
  const prev: ValidatorWatermarks = { ...w };
  const next: ValidatorWatermarks = { ...w };
  next.sourceEpoch = prev.sourceEpoch === undefined || sourceEpoch > prev.sourceEpoch ? sourceEpoch : prev.sourceEpoch;
  next.targetEpoch = prev.targetEpoch === undefined || targetEpoch > prev.targetEpoch ? targetEpoch : prev.targetEpoch;
  const root = knownRoot(signingRoot) ? signingRoot : undefined;
  const isNew = next.sourceEpoch === sourceEpoch && next.targetEpoch === targetEpoch;
  const isPrev = next.sourceEpoch === prev.sourceEpoch && next.targetEpoch === prev.targetEpoch;
  if (isNew && isPrev) next.attestationRoot = prev.attestationRoot === root ? root : undefined;
  else if (isNew) next.attestationRoot = root;
  else if (!isPrev) next.attestationRoot = undefined;
  if (next.attestationRoot === undefined) delete next.attestationRoot;
  return next;
}

/** Merge of two watermark records (import, journal replay): the larger of each watermark. */
export function mergeWatermarks(a: ValidatorWatermarks | undefined, b: ValidatorWatermarks): ValidatorWatermarks {
  let out: ValidatorWatermarks = { ...a };
  if (b.blockSlot !== undefined) out = withBlock(out, b.blockSlot, b.blockRoot);
  if (b.sourceEpoch !== undefined && b.targetEpoch !== undefined) {
    out = withAttestation(out, b.sourceEpoch, b.targetEpoch, b.attestationRoot);
  } else if (b.sourceEpoch !== undefined || b.targetEpoch !== undefined) {
    throw new Error('attestation watermarks need both source and target epochs');
  }
  return out;
}
