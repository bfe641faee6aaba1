/**
 * Operator key files. Two formats are accepted:
 * - a plain text file holding the 32-byte private key as hex (optional 0x), as `cast wallet new` prints it;
 * - an Ethereum "Web3 Secret Storage" v3 keystore (what geth, `cast wallet import` and most wallets export):
 *   scrypt or pbkdf2-hmac-sha256 KDF, aes-128-ctr, MAC = keccak256(derivedKey[16..32] ‖ ciphertext).
 * Files are written readable by the owner only.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { z } from 'zod';
import { IdentityError, identityFromPrivateKey, type OperatorIdentity } from './identity.ts';

const hexString = z.string().regex(/^(0x)?[0-9a-fA-F]*$/, 'must be hex');
const V3Schema = z.object({
  version: z.literal(3),
  address: z.string().optional(),
  crypto: z.object({
    cipher: z.literal('aes-128-ctr'),
    ciphertext: hexString,
    cipherparams: z.object({ iv: hexString }),
    kdf: z.enum(['scrypt', 'pbkdf2']),
    kdfparams: z.union([
      z.object({ dklen: z.number().int().min(32), n: z.number().int().positive(), r: z.number().int().positive(), p: z.number().int().positive(), salt: hexString }),
      z.object({ dklen: z.number().int().min(32), c: z.number().int().positive(), prf: z.literal('hmac-sha256'), salt: hexString }),
    ]),
    mac: hexString,
  }),
});

const unhex = (s: string): Buffer => Buffer.from(s.replace(/^0x/, ''), 'hex');

function deriveKey(params: z.infer<typeof V3Schema>['crypto']['kdfparams'], password: string): Buffer {
  const salt = unhex(params.salt);
  if ('n' in params) {
    const maxmem = 128 * params.n * params.r * 2 + 1024 * 1024;
    return scryptSync(Buffer.from(password.normalize('NFKC')), salt, params.dklen, { N: params.n, r: params.r, p: params.p, maxmem });
  }
  return pbkdf2Sync(Buffer.from(password.normalize('NFKC')), salt, params.c, params.dklen, 'sha256');
}

/** Decrypts a v3 keystore (parsed JSON). */
export function decryptV3Keystore(json: unknown, password: string): OperatorIdentity {
  const r = V3Schema.safeParse(json);
  if (!r.success) {
    throw new IdentityError(`not a v3 Ethereum keystore: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  const c = r.data.crypto;
  const dk = deriveKey(c.kdfparams, password);
  const ciphertext = unhex(c.ciphertext);
  const mac = keccak_256(Buffer.concat([dk.subarray(16, 32), ciphertext]));
  if (!Buffer.from(mac).equals(unhex(c.mac))) throw new IdentityError('wrong password for the operator keystore (MAC mismatch)');
  const decipher = createDecipheriv('aes-128-ctr', dk.subarray(0, 16), unhex(c.cipherparams.iv));
  const secret = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const id = identityFromPrivateKey(new Uint8Array(secret));
  if (r.data.address !== undefined && r.data.address.replace(/^0x/, '').toLowerCase() !== id.address.slice(2)) {
    throw new IdentityError(`operator keystore says address ${r.data.address} but its key belongs to ${id.address}`);
  }
  return id;
}

/** Encrypts a private key into a v3 keystore (scrypt; n = 2^18 by default as geth, lower for tests). */
export function encryptV3Keystore(privateKey: Uint8Array, password: string, scryptN = 262_144): Record<string, unknown> {
  const id = identityFromPrivateKey(privateKey);
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const kdfparams = { dklen: 32, n: scryptN, r: 8, p: 1, salt: salt.toString('hex') };
  const dk = deriveKey(kdfparams, password);
  const cipher = createCipheriv('aes-128-ctr', dk.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(privateKey), cipher.final()]);
  const mac = Buffer.from(keccak_256(Buffer.concat([dk.subarray(16, 32), ciphertext])));
  return {
    version: 3,
    id: randomUUID(),
    address: id.address.slice(2),
    crypto: { cipher: 'aes-128-ctr', ciphertext: ciphertext.toString('hex'), cipherparams: { iv: iv.toString('hex') }, kdf: 'scrypt', kdfparams, mac: mac.toString('hex') },
  };
}

/**
 * Loads the operator key from `path`: a v3 keystore (JSON; `password` required) or a hex private key file.
 * Errors name the file and what is wrong with it.
 */
export function loadIdentity(path: string, password?: string): OperatorIdentity {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new IdentityError(`cannot read operator key file ${path}: ${(e as Error).message}`);
  }
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('{')) {
      if (password === undefined) throw new IdentityError('it is an encrypted keystore: a password is required');
      return decryptV3Keystore(JSON.parse(trimmed) as unknown, password);
    }
    return identityFromPrivateKey(trimmed);
  } catch (e) {
    throw new IdentityError(`operator key file ${path}: ${(e as Error).message}`);
  }
}

/** Writes a key file atomically, mode 0600: the keystore JSON, or the raw hex key when no password is given. */
export function saveIdentity(path: string, privateKey: Uint8Array, password?: string, scryptN?: number): void {
  const body = password === undefined ? `0x${Buffer.from(privateKey).toString('hex')}\n` : `${JSON.stringify(encryptV3Keystore(privateKey, password, scryptN), null, 2)}\n`;
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
