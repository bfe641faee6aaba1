/**
 * Consensus messages: the bytes each sender signs, and the wire encoding of an envelope.
 *
 * The signature covers a domain tag, the cluster hash, the duty, the message type, sender, round and value
 * hashes — so a signed message cannot be moved to another cluster or instance, re-typed, or re-attributed.
 * Justifications and value bytes are not signed by the outer sender: each justification message carries its own
 * signature, and value bytes are checked against the signed hash.
 *
 * Wire format: UTF-8 JSON `{ v: 1, msg, justification: [msg...], value }` with 0x-hex byte fields. JSON keeps the
 * format debuggable and transport-agnostic; the signed digest does not depend on it.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { fromHex, toHex } from './hex.ts';
import type { Envelope, Hex, MsgType, QbftMessage, Signer, SignedQbftMessage, Verifier } from './types.ts';

/** Domain separation tag: a consensus signature is never valid as any other signature by the same key. */
export const QBFT_SIGNING_DOMAIN = 'shoal/dv-node/qbft/v1';
/** Wire format version. */
export const WIRE_VERSION = 1;
/** Upper bound of a decoded envelope's justification: an honest one carries at most 2n messages, so n ≤ 32 fits. */
export const MAX_JUSTIFICATION = 64;
/** Upper bound of carried value bytes (16 MiB: far above a full block proposal). */
export const MAX_VALUE_BYTES = 16 * 1024 * 1024;

const TYPE_CODE: Record<MsgType, number> = { PRE_PREPARE: 1, PREPARE: 2, COMMIT: 3, ROUND_CHANGE: 4, DECIDED: 5 };
const DOMAIN_BYTES = new TextEncoder().encode(QBFT_SIGNING_DOMAIN);

/** SHA-256 (native, the consensus layer's hash) over the canonical binary form of the signed fields. */
export function messageDigest(m: QbftMessage): Uint8Array {
  const dutyType = new TextEncoder().encode(m.duty.type);
  const buf = new Uint8Array(DOMAIN_BYTES.length + 32 + 8 + 2 + dutyType.length + 1 + 4 + 4 + 33 + 4 + 33);
  const view = new DataView(buf.buffer);
  let o = 0;
  buf.set(DOMAIN_BYTES, o);
  o += DOMAIN_BYTES.length;
  buf.set(fromHex(m.cluster), o);
  o += 32;
  view.setBigUint64(o, BigInt(m.duty.slot));
  o += 8;
  view.setUint16(o, dutyType.length);
  o += 2;
  buf.set(dutyType, o);
  o += dutyType.length;
  buf[o++] = TYPE_CODE[m.type];
  view.setUint32(o, m.sender);
  o += 4;
  view.setUint32(o, m.round);
  o += 4;
  o = putOptionalHash(buf, o, m.valueHash);
  view.setUint32(o, m.preparedRound);
  o += 4;
  putOptionalHash(buf, o, m.preparedValueHash);
  return new Uint8Array(createHash('sha256').update(buf).digest());
}

function putOptionalHash(buf: Uint8Array, o: number, h: Hex | null): number {
  buf[o] = h === null ? 0 : 1;
  if (h !== null) buf.set(fromHex(h), o + 1);
  return o + 33;
}

export function signMessage(m: QbftMessage, signer: Signer): SignedQbftMessage {
  return { ...m, signature: toHex(signer.sign(messageDigest(m))) };
}

/** Strips the signature (e.g. to recompute a digest). */
export function unsigned(m: SignedQbftMessage): QbftMessage {
  const { signature: _sig, ...rest } = m;
  return rest;
}

export function verifyMessage(m: SignedQbftMessage, verifier: Verifier): boolean {
  if (m.signature === '0x') return false;
  return verifier.verify(m.sender, messageDigest(m), fromHex(m.signature));
}

/** Identity of a message's signed content, for duplicate and equivocation detection. */
export function messageId(m: QbftMessage): Hex {
  return toHex(messageDigest(m));
}

/** Per-type shape: which fields a message of each type must and must not carry. */
export function isWellFormed(env: Envelope): boolean {
  const { msg, justification, value } = env;
  switch (msg.type) {
    case 'PRE_PREPARE':
    case 'DECIDED':
      return msg.valueHash !== null && msg.preparedRound === 0 && msg.preparedValueHash === null && value !== null;
    case 'PREPARE':
    case 'COMMIT':
      return (
        msg.valueHash !== null &&
        msg.preparedRound === 0 &&
        msg.preparedValueHash === null &&
        justification.length === 0 &&
        value === null
      );
    case 'ROUND_CHANGE':
      return (
        msg.valueHash === null &&
        msg.preparedRound < msg.round &&
        (msg.preparedRound === 0) === (msg.preparedValueHash === null) &&
        (msg.preparedRound === 0) === (value === null)
      );
  }
}

// ---------------------------------------------------------------- wire encoding

const hex = z.string().regex(/^0x(?:[0-9a-f]{2})*$/, 'expected lower-case even-length 0x hex') as unknown as z.ZodType<Hex>;
const hash32 = z.string().regex(/^0x[0-9a-f]{64}$/, 'expected a 32-byte 0x hash') as unknown as z.ZodType<Hex>;
const u32 = z.number().int().min(0).max(0xffffffff);

const wireMsg = z.strictObject({
  type: z.enum(['PRE_PREPARE', 'PREPARE', 'COMMIT', 'ROUND_CHANGE', 'DECIDED']),
  cluster: hash32,
  slot: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  dutyType: z.string().min(1).max(64),
  sender: u32,
  round: u32,
  valueHash: hash32.nullable(),
  preparedRound: u32,
  preparedValueHash: hash32.nullable(),
  signature: hex,
});
type WireMsg = z.infer<typeof wireMsg>;

const wireEnvelope = z.strictObject({
  v: z.literal(WIRE_VERSION),
  msg: wireMsg,
  justification: z.array(wireMsg).max(MAX_JUSTIFICATION),
  value: hex.nullable(),
});

function toWire(m: SignedQbftMessage): WireMsg {
  return {
    type: m.type,
    cluster: m.cluster,
    slot: m.duty.slot,
    dutyType: m.duty.type,
    sender: m.sender,
    round: m.round,
    valueHash: m.valueHash,
    preparedRound: m.preparedRound,
    preparedValueHash: m.preparedValueHash,
    signature: m.signature,
  };
}

function fromWire(w: WireMsg): SignedQbftMessage {
  return {
    type: w.type,
    cluster: w.cluster,
    duty: { slot: w.slot, type: w.dutyType },
    sender: w.sender,
    round: w.round,
    valueHash: w.valueHash,
    preparedRound: w.preparedRound,
    preparedValueHash: w.preparedValueHash,
    signature: w.signature,
  };
}

export function encodeEnvelope(e: Envelope): Uint8Array {
  const wire = { v: WIRE_VERSION, msg: toWire(e.msg), justification: e.justification.map(toWire), value: e.value };
  return new TextEncoder().encode(JSON.stringify(wire));
}

export class MalformedMessageError extends Error {
  override name = 'MalformedMessageError';
}

/** Decodes wire bytes; throws MalformedMessageError naming what was wrong. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.byteLength > MAX_VALUE_BYTES * 2 + 1_000_000) {
    throw new MalformedMessageError(`consensus message of ${bytes.byteLength} bytes exceeds the size limit`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new MalformedMessageError(`consensus message is not UTF-8 JSON: ${(err as Error).message}`);
  }
  const parsed = wireEnvelope.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedMessageError(
      `consensus message field ${issue?.path.join('.') || '(root)'} is invalid: ${issue?.message ?? 'unknown'}`,
    );
  }
  const w = parsed.data;
  return { msg: fromWire(w.msg), justification: w.justification.map(fromWire), value: w.value };
}
