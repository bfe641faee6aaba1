/** Byte/hex helpers shared by the consensus files (Buffer-backed: these run per message). */
import type { Hex } from './types.ts';

export function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

const HEX_RE = /^0x(?:[0-9a-f]{2})*$/;

export function isHex(s: unknown): s is Hex {
  return typeof s === 'string' && HEX_RE.test(s);
}

export function fromHex(hex: Hex): Uint8Array {
  if (!isHex(hex)) throw new TypeError(`not lower-case even-length 0x hex: ${String(hex).slice(0, 20)}`);
  return new Uint8Array(Buffer.from(hex.slice(2), 'hex'));
}
