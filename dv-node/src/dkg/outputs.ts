/**
 * What a finished ceremony leaves on disk, in `outputDir`:
 *   cluster-lock.json                      the lock, signed by every operator (verified before writing)
 *   deposit_data-<unix seconds>.json       the staking deposit CLI's format, threshold-signed
 *   validator_keys/keystore-<v>.json       EIP-2335 keystore of this node's share of validator v
 *   validator_keys/keystore-<v>.txt        its password (when no common password was given)
 * A directory that already holds a cluster lock is refused: a rerun never overwrites the keys of an earlier one.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterLock } from '../cluster/types.ts';
import { writeDepositDataFile } from '../deposit/deposit.ts';
import { createShareKeystore, saveKeystore, type KdfChoice } from '../keystore/keystore.ts';

export const LOCK_FILE = 'cluster-lock.json';
export const KEYS_DIR = 'validator_keys';

export function assertFreshOutputDir(dir: string): void {
  if (existsSync(join(dir, LOCK_FILE))) {
    throw new Error(`${join(dir, LOCK_FILE)} already exists: refusing to overwrite the outputs of an earlier DKG (move them away first)`);
  }
}

function writeFileAtomic(path: string, body: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export interface WrittenOutputs {
  lockPath: string;
  depositDataPath: string;
  keystorePaths: string[];
  passwordPaths: string[];
}

export async function writeOutputs(
  dir: string,
  lock: ClusterLock,
  secretShares: readonly bigint[],
  options: { password?: string; kdf?: KdfChoice; now?: Date },
): Promise<WrittenOutputs> {
  assertFreshOutputDir(dir);
  const keysDir = join(dir, KEYS_DIR);
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const keystorePaths: string[] = [];
  const passwordPaths: string[] = [];
  for (let v = 0; v < secretShares.length; v++) {
    const password = options.password ?? randomBytes(24).toString('base64url');
    const ks = await createShareKeystore({
      secret: secretShares[v]!,
      password,
      description: `share of validator ${lock.validators[v]!.pubkey} (cluster ${lock.definition.name})`,
      ...(options.kdf ? { kdf: options.kdf } : {}),
    });
    const path = join(keysDir, `keystore-${v}.json`);
    saveKeystore(path, ks);
    keystorePaths.push(path);
    if (options.password === undefined) {
      const pw = join(keysDir, `keystore-${v}.txt`);
      writeFileAtomic(pw, password, 0o600);
      passwordPaths.push(pw);
    }
  }
  const depositDataPath = writeDepositDataFile(dir, lock.validators.map((v) => v.depositData), options.now);
  // The lock last: its presence marks a complete output directory.
  const lockPath = join(dir, LOCK_FILE);
  writeFileAtomic(lockPath, `${JSON.stringify(lock, null, 2)}\n`, 0o644);
  return { lockPath, depositDataPath, keystorePaths, passwordPaths };
}
