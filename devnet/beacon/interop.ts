/**
 * Interop validator keys, as every client's interop/dev mode defines them:
 * sk_i = int_le(sha256(uint256_le(i))) mod r (BLS12-381 group order).
 */
import { createHash } from 'node:crypto';
import { SecretKey } from '@chainsafe/blst';

const CURVE_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

export function interopSecretKeyBytes(index: number): Uint8Array {
  const le = new Uint8Array(32);
  let v = BigInt(index);
  for (let i = 0; i < 32; i++) { le[i] = Number(v & 0xffn); v >>= 8n; }
  const h = createHash('sha256').update(le).digest();
  let x = 0n;
  for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(h[i]!);
  x %= CURVE_ORDER;
  const out = new Uint8Array(32); // big-endian for blst
  for (let i = 31; i >= 0; i--) { out[i] = Number(x & 0xffn); x >>= 8n; }
  return out;
}

export function interopSecretKey(index: number): SecretKey {
  return SecretKey.fromBytes(interopSecretKeyBytes(index));
}
