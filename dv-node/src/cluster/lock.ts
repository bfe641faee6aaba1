/**
 * Cluster lock: building, hashing, signing, and `verifyLock`, which every command runs before using a lock.
 *
 * Hash:      lockHash = keccak256("shoal/cluster-lock/v1\n" ‖ canonicalJson({ definitionHash, validators }))
 * Signature: every operator signs EIP-712 `ClusterLock(bytes32 lockHash)` (same domain as the definition).
 *
 * `verifyLock` checks, and names the first bad field:
 * 1. shape (zod) and the embedded definition (`verifyDefinition`: hash, every operator's signature);
 * 2. V validators, distinct group keys, n public shares each, every key a valid G1 point (subgroup-checked);
 * 3. the public shares lie on one polynomial of degree t−1 whose value at 0 is the group key: Lagrange
 *    interpolation of shares {1..t} at 0 equals the key, and for every j > t so does {1..t−1, j} (together these
 *    pin all n shares to the same polynomial). On failure it tells a bad share from a bad group key;
 * 4. deposit data: pubkey, withdrawal credentials, amount, fork version and network as the definition says,
 *    both roots re-derived, and every signature verified against the group key (one batched multi-pairing);
 * 5. the lock hash, then every operator's signature over it.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { depositDataRoot, depositMessageRoot } from '../../../common/eth2/signing.ts';
import { fromHex, toHex } from '../consensus/hex.ts';
import { Secp256k1Verifier } from '../consensus/secp256k1.ts';
import { findInvalidSignatures, parsePublicKey, type SignatureSet } from '../crypto/bls.ts';
import { DepositDataFileSchema, depositSigningRoot, type DepositDataJson } from '../deposit/deposit.ts';
import type { OperatorIdentity } from '../identity/identity.ts';
import { taggedHash } from './canonical.ts';
import { hexBytes, lockSigningDigest, operatorIndexOf, verifyDefinition } from './definition.ts';
import { ClusterFileError, fieldPath } from './errors.ts';
import { recoverPublicKey } from './interpolate.ts';
import { LOCK_VERSION, type ClusterDefinition, type ClusterLock, type DistributedValidator, type Hex } from './types.ts';

const UNSIGNED: Hex = '0x';

export const DistributedValidatorSchema = z.object({
  pubkey: hexBytes(48),
  publicShares: z.array(hexBytes(48)).min(1),
  depositData: DepositDataFileSchema.element,
});

export const ClusterLockSchema = z.object({
  version: z.literal(LOCK_VERSION),
  // Shape only here: the definition is verified in full by verifyDefinition.
  definition: z.unknown().transform((d) => d as ClusterDefinition),
  validators: z.array(DistributedValidatorSchema).min(1),
  lockHash: hexBytes(32),
  signatures: z.array(z.string().regex(/^0x([0-9a-f]{130})?$/, 'must be a 65-byte lower-case 0x-prefixed hex signature').transform((s) => s as Hex)),
});

export function lockHash(definitionHash: Hex, validators: readonly DistributedValidator[]): Hex {
  return taggedHash(LOCK_VERSION, {
    definitionHash,
    validators: validators.map((v) => ({ pubkey: v.pubkey, publicShares: v.publicShares, depositData: v.depositData })),
  });
}

/** An unsigned lock (every signature slot "0x"); `definition` must be fully signed. */
export function buildLock(definition: ClusterDefinition, validators: DistributedValidator[]): ClusterLock {
  const def = verifyDefinition(definition, { prefix: 'definition' });
  return { version: LOCK_VERSION, definition: def, validators, lockHash: lockHash(def.definitionHash, validators), signatures: def.operators.map(() => UNSIGNED) };
}

/** This operator's signature over the lock hash (65 bytes hex). */
export function signLockHash(lock: Pick<ClusterLock, 'definition' | 'lockHash'>, identity: OperatorIdentity): Hex {
  operatorIndexOf(lock.definition, identity.address);
  return toHex(identity.signDigest(lockSigningDigest(lock.definition.network.chainId, lock.lockHash)));
}

/** Does `signature` approve `lock.lockHash` as operator `k`? */
export function verifyLockSignature(lock: Pick<ClusterLock, 'definition' | 'lockHash'>, k: number, signature: Hex): boolean {
  if (!/^0x[0-9a-f]{130}$/.test(signature)) return false;
  const verifier = new Secp256k1Verifier(lock.definition.operators.map((o) => o.address));
  return verifier.verify(k, lockSigningDigest(lock.definition.network.chainId, lock.lockHash), fromHex(signature));
}

const strip = (h: Hex): string => h.slice(2);

/** Checks that the n public shares lie on one polynomial of degree t−1 through (0, group key); names the culprit. */
function checkShares(v: DistributedValidator, t: number, field: string): void {
  const shares = v.publicShares.map((p, k) => ({ index: k + 1, publicKey: fromHex(p) }));
  const n = shares.length;
  const group = strip(v.pubkey);
  const recovers = (subset: typeof shares) => Buffer.from(recoverPublicKey(subset)).toString('hex') === group;
  const subsets: (typeof shares)[] = [shares.slice(0, t)];
  for (let j = t; j < n; j++) subsets.push([...shares.slice(0, t - 1), shares[j]!]);
  if (subsets.every(recovers)) return;
  // Attribution: a single bad share j leaves the others consistent with the group key.
  if (n > t) {
    for (let j = 0; j < n; j++) {
      const rest = shares.filter((_, k) => k !== j);
      const restSubsets = [rest.slice(0, t), ...rest.slice(t).map((s) => [...rest.slice(0, t - 1), s])];
      if (restSubsets.every(recovers)) {
        throw new ClusterFileError(`${field}.publicShares[${j}]`, `public share of operator ${j} is not on the polynomial of group key ${v.pubkey} (the other ${n - 1} shares are)`);
      }
    }
  }
  // All shares mutually consistent but interpolating to another point: the group key is wrong.
  const at0 = Buffer.from(recoverPublicKey(shares.slice(0, t))).toString('hex');
  const consistent = subsets.every((s) => Buffer.from(recoverPublicKey(s)).toString('hex') === at0);
  if (consistent) {
    throw new ClusterFileError(`${field}.pubkey`, `group public key ${v.pubkey} is not the Lagrange interpolation at 0 of its public shares (0x${at0})`);
  }
  throw new ClusterFileError(`${field}.publicShares`, `public shares of ${v.pubkey} do not lie on one polynomial of degree ${t - 1}`);
}

function checkDepositData(def: ClusterDefinition, v: DistributedValidator, field: string): SignatureSet {
  const d: DepositDataJson = v.depositData;
  const f = `${field}.depositData`;
  const expect = (key: keyof DepositDataJson, want: string | number) => {
    if (d[key] !== want) throw new ClusterFileError(`${f}.${key}`, `is ${JSON.stringify(d[key])}, the definition requires ${JSON.stringify(want)}`);
  };
  expect('pubkey', strip(v.pubkey));
  expect('withdrawal_credentials', strip(def.withdrawalCredentials));
  expect('amount', def.depositAmountGwei);
  expect('fork_version', strip(def.network.genesisForkVersion));
  expect('network_name', def.network.name);
  const message = { pubkey: fromHex(v.pubkey), withdrawalCredentials: fromHex(def.withdrawalCredentials), amount: def.depositAmountGwei };
  const signature = Buffer.from(d.signature, 'hex');
  const msgRoot = Buffer.from(depositMessageRoot(message)).toString('hex');
  if (d.deposit_message_root !== msgRoot) throw new ClusterFileError(`${f}.deposit_message_root`, `is ${d.deposit_message_root}, expected ${msgRoot}`);
  const dataRoot = Buffer.from(depositDataRoot({ ...message, signature })).toString('hex');
  if (d.deposit_data_root !== dataRoot) throw new ClusterFileError(`${f}.deposit_data_root`, `is ${d.deposit_data_root}, expected ${dataRoot}`);
  const signingRoot = depositSigningRoot({
    pubkey: message.pubkey,
    withdrawalCredentials: message.withdrawalCredentials,
    amountGwei: def.depositAmountGwei,
    genesisForkVersion: fromHex(def.network.genesisForkVersion),
    networkName: def.network.name,
  });
  return { publicKey: message.pubkey, message: signingRoot, signature };
}

/** Verifies a lock (parsed JSON); returns it typed, or throws `ClusterFileError` naming the bad field. */
export function verifyLock(json: unknown): ClusterLock {
  const r = ClusterLockSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ClusterFileError(fieldPath(i.path), i.message);
  }
  const lock = r.data as ClusterLock;
  const def = verifyDefinition(lock.definition, { prefix: 'definition' });
  const n = def.operators.length;
  if (lock.validators.length !== def.validators) {
    throw new ClusterFileError('validators', `the definition asks for ${def.validators} validators, the lock has ${lock.validators.length}`);
  }
  const seen = new Map<string, number>();
  const sets: SignatureSet[] = [];
  lock.validators.forEach((v, i) => {
    const field = `validators[${i}]`;
    const prev = seen.get(v.pubkey);
    if (prev !== undefined) throw new ClusterFileError(`${field}.pubkey`, `duplicate of validators[${prev}].pubkey`);
    seen.set(v.pubkey, i);
    try {
      parsePublicKey(fromHex(v.pubkey), 'group public key');
    } catch (e) {
      throw new ClusterFileError(`${field}.pubkey`, (e as Error).message);
    }
    if (v.publicShares.length !== n) throw new ClusterFileError(`${field}.publicShares`, `needs one public share per operator (${n}), got ${v.publicShares.length}`);
    v.publicShares.forEach((p, k) => {
      try {
        parsePublicKey(fromHex(p), 'public share');
      } catch (e) {
        throw new ClusterFileError(`${field}.publicShares[${k}]`, (e as Error).message);
      }
    });
    checkShares(v, def.threshold, field);
    sets.push(checkDepositData(def, v, field));
  });
  const bad = findInvalidSignatures(sets);
  if (bad.length > 0) {
    throw new ClusterFileError(`validators[${bad[0]}].depositData.signature`, `deposit signature does not verify against group key ${lock.validators[bad[0]!]!.pubkey}${bad.length > 1 ? ` (${bad.length} bad deposit signatures in all)` : ''}`);
  }
  const expected = lockHash(def.definitionHash, lock.validators);
  if (lock.lockHash !== expected) throw new ClusterFileError('lockHash', `is ${lock.lockHash}, the lock hashes to ${expected}`);
  if (lock.signatures.length !== n) throw new ClusterFileError('signatures', `needs one signature per operator (${n}), got ${lock.signatures.length}`);
  lock.signatures.forEach((sig, k) => {
    if (sig === UNSIGNED) throw new ClusterFileError(`signatures[${k}]`, `operator ${def.operators[k]!.address} has not signed the lock`);
    if (!verifyLockSignature({ definition: def, lockHash: lock.lockHash }, k, sig)) {
      throw new ClusterFileError(`signatures[${k}]`, `is not operator ${def.operators[k]!.address}'s signature of lock ${lock.lockHash}`);
    }
  });
  return { ...lock, definition: def };
}

/** Reads and verifies a lock file; every dv-node command that uses a lock goes through here. */
export function loadLock(path: string): ClusterLock {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new ClusterFileError('(file)', `cannot read cluster lock ${path}: ${(e as Error).message}`);
  }
  return verifyLock(json);
}

/** Reads and verifies a definition file (all signatures required unless told otherwise). */
export function loadDefinition(path: string, options: { requireAllSignatures?: boolean } = {}): ClusterDefinition {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new ClusterFileError('(file)', `cannot read cluster definition ${path}: ${(e as Error).message}`);
  }
  return verifyDefinition(json, options);
}
