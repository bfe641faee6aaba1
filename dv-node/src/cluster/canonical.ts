/**
 * Canonical hashing of cluster documents: keccak256 over the UTF-8 bytes of canonical JSON — object keys sorted by
 * UTF-16 code unit order, no whitespace, strings and integers as JSON.stringify writes them (every hex value is
 * lower-case 0x hex, every number a safe integer, so the encoding is unique). A fixed domain tag precedes the JSON
 * so a definition hash can never equal a lock hash.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { toHex } from '../consensus/hex.ts';
import type { Hex } from './types.ts';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`canonical JSON takes safe integers only, got ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`canonical JSON cannot encode a ${typeof value}`);
}

export function taggedHash(tag: string, value: unknown): Hex {
  return toHex(keccak_256(new TextEncoder().encode(`${tag}\n${canonicalJson(value)}`)));
}
