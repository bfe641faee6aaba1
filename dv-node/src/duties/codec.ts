/** Canonical bytes of SSZ values for consensus (sorted-key JSON of the SSZ JSON form), and small helpers. */
import { decodeJsonValue, encodeJsonValue } from '../consensus/value.ts';
import { fromHex, toHex } from '../consensus/hex.ts';
import type { Hex } from './types.ts';

export interface JsonType<T> {
  toJson(value: T): unknown;
  fromJson(json: unknown): T;
}

export function encodeSsz<T>(type: JsonType<T>, value: T): Uint8Array {
  return encodeJsonValue(type.toJson(value));
}

export function decodeSsz<T>(type: JsonType<T>, bytes: Uint8Array): T {
  return type.fromJson(decodeJsonValue(bytes));
}

export function encodeJson(value: unknown): Uint8Array {
  return encodeJsonValue(value);
}

export function decodeJson<T>(bytes: Uint8Array): T {
  return decodeJsonValue(bytes) as T;
}

export function hex(bytes: Uint8Array): Hex {
  return toHex(bytes);
}

export function bytes(h: string): Uint8Array {
  return fromHex(h.toLowerCase() as Hex);
}

/** Runs `check`, turning a thrown error into its message (for validate()). */
export function why(check: () => string | null): string | null {
  try {
    return check();
  } catch (e) {
    return `undecodable value: ${(e as Error).message}`;
  }
}
