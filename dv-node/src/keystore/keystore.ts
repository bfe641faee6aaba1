/**
 * EIP-2335 keystores for a node's secret key shares (via @chainsafe/bls-keystore). The keystore's `pubkey` is the
 * share's public key (not the validator's group key); `path` is empty because DKG shares are not derived from a
 * mnemonic (EIP-2334 paths do not apply). Passwords are NFKD-normalised and stripped of control codes by the
 * library, as EIP-2335 requires.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { create, decrypt, schemaValidationErrors, verifyPassword, type IKeystore } from '@chainsafe/bls-keystore';
import { publicKeyOf } from '../crypto/bls.ts';
import { scalarFromBytes, scalarToBytes } from '../crypto/field.ts';

export type Keystore = IKeystore;

/** EIP-2335's recommended PBKDF2 iteration count (2^18). */
export const PBKDF2_DEFAULT_ITERATIONS = 262_144;
/** EIP-2335's recommended scrypt parameters. */
export const SCRYPT_DEFAULT = { n: 262_144, r: 8, p: 1 } as const;

export type KdfChoice = { function: 'pbkdf2'; iterations?: number } | { function: 'scrypt'; n?: number; r?: number; p?: number };

export interface CreateShareKeystoreParameters {
  secret: bigint;
  password: string;
  description?: string;
  /** Default pbkdf2 with 2^18 iterations. Lower costs are for tests only. */
  kdf?: KdfChoice;
}

/** The password does not open this keystore. */
export class WrongPasswordError extends Error {
  constructor(pubkey: string, uuid: string) {
    super(`wrong password for keystore of public key 0x${pubkey} (uuid ${uuid})`);
    this.name = 'WrongPasswordError';
  }
}

/** The keystore is malformed or inconsistent. */
export class InvalidKeystoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidKeystoreError';
  }
}

function kdfModule(kdf: KdfChoice | undefined): Parameters<typeof create>[5] {
  const salt = randomBytes(32).toString('hex');
  if (kdf?.function === 'scrypt') {
    return {
      function: 'scrypt',
      params: { dklen: 32, n: kdf.n ?? SCRYPT_DEFAULT.n, r: kdf.r ?? SCRYPT_DEFAULT.r, p: kdf.p ?? SCRYPT_DEFAULT.p, salt },
    };
  }
  const c = kdf?.iterations ?? PBKDF2_DEFAULT_ITERATIONS;
  if (!Number.isSafeInteger(c) || c < 1) throw new Error(`pbkdf2 iterations must be a positive integer, got ${c}`);
  return { function: 'pbkdf2', params: { dklen: 32, c, prf: 'hmac-sha256', salt } };
}

/** Encrypts a secret share into an EIP-2335 (version 4) keystore. */
export async function createShareKeystore(params: CreateShareKeystoreParameters): Promise<Keystore> {
  if (params.password.length === 0) throw new Error('keystore password must not be empty');
  const secret = scalarToBytes(params.secret);
  if (params.secret === 0n) throw new Error('secret share must not be zero');
  return create(params.password, secret, publicKeyOf(params.secret), '', params.description ?? 'dv-node key share', kdfModule(params.kdf));
}

export interface DecryptedShare {
  secret: bigint;
  /** 48-byte public key of the share (checked against the keystore's `pubkey`). */
  publicKey: Uint8Array;
}

/** Validates and decrypts a keystore (parsed JSON). Wrong password → `WrongPasswordError`. */
export async function decryptShareKeystore(keystore: unknown, password: string): Promise<DecryptedShare> {
  const errors = schemaValidationErrors(keystore);
  if (errors) {
    throw new InvalidKeystoreError(
      `not an EIP-2335 keystore: ${errors.map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('; ')}`,
    );
  }
  const ks = keystore as Keystore;
  if (!(await verifyPassword(ks, password))) throw new WrongPasswordError(ks.pubkey, ks.uuid);
  const secret = scalarFromBytes(await decrypt(ks, password));
  const publicKey = publicKeyOf(secret);
  if (Buffer.from(publicKey).toString('hex') !== ks.pubkey.toLowerCase().replace(/^0x/, '')) {
    throw new InvalidKeystoreError(`keystore ${ks.uuid}: decrypted secret does not belong to its pubkey 0x${ks.pubkey}`);
  }
  return { secret, publicKey };
}

/** Writes a keystore file atomically (temp file, fsync, rename), readable by its owner only. */
export function saveKeystore(path: string, keystore: Keystore): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(keystore, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dfd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/** Reads a keystore file (JSON; validated when decrypted). */
export function loadKeystore(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new InvalidKeystoreError(`cannot read keystore ${path}: ${(e as Error).message}`);
  }
}
