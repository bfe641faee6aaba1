/**
 * The signed envelope every application message travels in, on every ClusterNetwork implementation.
 *
 *   frame  = version (1 byte, 0x01) ‖ cluster (32) ‖ sender (u16 BE) ‖ topic length (u8) ‖ topic (UTF-8)
 *            ‖ payload length (u32 BE) ‖ payload ‖ signature (64: r ‖ s)
 *   digest = SHA-256("shoal/p2p/v2" ‖ cluster ‖ sender ‖ topic length ‖ topic ‖ SHA-256(payload))
 *
 * Frames of a payload-signed topic (`PAYLOAD_SIGNED_TOPICS`: QBFT messages, each signed by its author inside the
 * payload because it may be forwarded as a justification) skip the envelope signature: version 2, no trailing
 * signature. The dispatcher accepts them only from a connection authenticated (noise, with the operator key) as
 * the claimed sender, so who sent a frame is never in doubt; signing it again would cost a signature and n − 1
 * verifications per message for nothing.
 *
 * `cluster` is the cluster id (the definition hash during the DKG, the lock hash afterwards), so a message of one
 * cluster never verifies in another; the signature is the sender's operator key (identity/ `signer`), checked with
 * consensus/message-keys.ts against the public keys of the cluster's peer ids, in operator order. Both hashes and
 * the signature run natively (node:crypto): every frame of every duty passes here.
 */
import { createHash } from 'node:crypto';
import type { Signer, Verifier } from '../consensus/types.ts';
import type { P2pDropReason } from './types.ts';
import { CONSENSUS_TOPIC } from './topics.ts';

export const ENVELOPE_VERSION = 1;
/** Version byte of a frame without envelope signature (payload-signed topics only). */
export const UNSIGNED_ENVELOPE_VERSION = 2;
/** Topics whose payload is signed by its author (consensus messages): their frames carry no envelope signature. */
export const PAYLOAD_SIGNED_TOPICS: ReadonlySet<string> = new Set([CONSENSUS_TOPIC]);
const DOMAIN = new TextEncoder().encode('shoal/p2p/v2');
const SIG = 64;
const HEADER = 1 + 32 + 2 + 1;
/** Topic names are short ASCII identifiers. */
export const TOPIC_RE = /^[a-z0-9][a-z0-9/_.-]{0,63}$/;

export interface Envelope {
  cluster: Uint8Array;
  sender: number;
  topic: string;
  payload: Uint8Array;
}

/** An opened frame; `signed` is false for a payload-signed topic's frame (sender to be checked by connection). */
export interface OpenedEnvelope extends Envelope {
  signed: boolean;
}

export class EnvelopeError extends Error {
  override name = 'EnvelopeError';
  constructor(readonly reason: P2pDropReason, message: string) {
    super(message);
  }
}

export function assertTopic(topic: string): void {
  if (!TOPIC_RE.test(topic)) throw new TypeError(`topic must match ${TOPIC_RE}, got ${JSON.stringify(topic)}`);
}

function digestOf(cluster: Uint8Array, sender: number, topicBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const h = createHash('sha256');
  h.update(DOMAIN);
  h.update(cluster);
  h.update(Uint8Array.of(sender >> 8, sender & 0xff, topicBytes.length));
  h.update(topicBytes);
  h.update(createHash('sha256').update(payload).digest());
  return new Uint8Array(h.digest());
}

/** Encodes and signs (frames of a payload-signed topic are not signed: see the header). */
export function sealEnvelope(e: Envelope, signer: Signer): Uint8Array {
  if (e.cluster.length !== 32) throw new TypeError(`cluster id must be 32 bytes, got ${e.cluster.length}`);
  if (!Number.isInteger(e.sender) || e.sender < 0 || e.sender > 0xffff) throw new RangeError(`sender index out of range: ${e.sender}`);
  assertTopic(e.topic);
  const signed = !PAYLOAD_SIGNED_TOPICS.has(e.topic);
  const topic = new TextEncoder().encode(e.topic);
  const out = new Uint8Array(HEADER + topic.length + 4 + e.payload.length + (signed ? SIG : 0));
  const dv = new DataView(out.buffer);
  let o = 0;
  out[o++] = signed ? ENVELOPE_VERSION : UNSIGNED_ENVELOPE_VERSION;
  out.set(e.cluster, o);
  o += 32;
  dv.setUint16(o, e.sender);
  o += 2;
  out[o++] = topic.length;
  out.set(topic, o);
  o += topic.length;
  dv.setUint32(o, e.payload.length);
  o += 4;
  out.set(e.payload, o);
  o += e.payload.length;
  if (signed) out.set(signer.sign(digestOf(e.cluster, e.sender, topic, e.payload)), o);
  return out;
}

/** Decodes and verifies; throws EnvelopeError with the drop reason. */
export function openEnvelope(frame: Uint8Array, cluster: Uint8Array, verifier: Verifier, n: number): OpenedEnvelope {
  const signed = frame[0] === ENVELOPE_VERSION;
  if (!signed && frame[0] !== UNSIGNED_ENVELOPE_VERSION) throw new EnvelopeError('malformed', 'unknown frame version');
  const sigLen = signed ? SIG : 0;
  if (frame.length < HEADER + 4 + sigLen) throw new EnvelopeError('malformed', 'short frame');
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const c = frame.subarray(1, 33);
  const sender = dv.getUint16(33);
  const tlen = frame[35]!;
  if (frame.length < HEADER + tlen + 4 + sigLen) throw new EnvelopeError('malformed', 'truncated topic');
  const topicBytes = frame.subarray(HEADER, HEADER + tlen);
  const plen = dv.getUint32(HEADER + tlen);
  const pstart = HEADER + tlen + 4;
  if (frame.length !== pstart + plen + sigLen) throw new EnvelopeError('malformed', 'payload length does not match the frame');
  const topic = new TextDecoder().decode(topicBytes);
  if (!TOPIC_RE.test(topic)) throw new EnvelopeError('malformed', 'bad topic');
  if (!Buffer.from(c).equals(cluster)) throw new EnvelopeError('wrong-cluster', 'signed for another cluster');
  if (sender >= n) throw new EnvelopeError('unknown-sender', `sender ${sender} is not in a cluster of ${n}`);
  const payload = frame.subarray(pstart, pstart + plen);
  if (!signed) {
    if (!PAYLOAD_SIGNED_TOPICS.has(topic)) throw new EnvelopeError('bad-signature', `unsigned frame on topic ${topic}, which needs the sender's signature`);
    return { cluster: c, sender, topic, payload, signed };
  }
  const sig = frame.subarray(pstart + plen);
  if (!verifier.verify(sender, digestOf(c, sender, topicBytes, payload), sig)) throw new EnvelopeError('bad-signature', `signature is not operator ${sender}'s`);
  return { cluster: c, sender, topic, payload, signed };
}
