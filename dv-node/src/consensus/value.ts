/**
 * Values decided by consensus are opaque bytes identified by their SHA-256 hash (native in Node, and the
 * consensus layer's hash function). Duties whose data is a JSON
 * object use the canonical encoding below, so every node that fetched the same data derives the same bytes and hash.
 */
import { createHash } from 'node:crypto';
import { toHex } from './hex.ts';
import type { Hex } from './types.ts';

export function hashValue(value: Uint8Array): Hex {
  return toHex(createHash('sha256').update(value).digest());
}

/**
 * Canonical JSON: object keys sorted, no whitespace, bigint as a decimal string, Uint8Array as 0x-hex.
 * Throws on values JSON cannot carry faithfully (undefined, functions, symbols, non-finite numbers).
 */
export function encodeJsonValue(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonical(value, '$'));
}

export function decodeJsonValue(bytes: Uint8Array): unknown {
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
}

function canonical(v: unknown, path: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    case 'bigint':
      return JSON.stringify(v.toString(10));
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`value at ${path} is ${v}: JSON cannot carry it`);
      return JSON.stringify(v);
    case 'object': {
      if (v instanceof Uint8Array) return JSON.stringify(toHex(v));
      if (Array.isArray(v)) return `[${v.map((x, i) => canonical(x, `${path}[${i}]`)).join(',')}]`;
      const keys = Object.keys(v).sort();
      const rec = v as Record<string, unknown>;
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(rec[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`value at ${path} is a ${typeof v}: JSON cannot carry it`);
  }
}
