/**
 * Test fixture: a cluster of n operators in DEALER MODE (`splitExistingKey` of known secret keys — here the beacon
 * chain's interop keys, so the devnet already has them as validators): operator identities, a fully signed and
 * verified cluster lock, each operator's secret shares, and (optionally) every node's files on disk as `dv-node run`
 * reads them (cluster-lock.json, operator key, EIP-2335 keystores with a cheap KDF, passwords).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLock, signDefinition, signLockHash, createDefinition, verifyLock } from '../src/cluster/index.ts';
import type { ClusterLock, Hex } from '../src/cluster/types.ts';
import { splitExistingKey, scalarToBytes, sign } from '../src/crypto/index.ts';
import { buildDepositData, depositSigningRoot, executionWithdrawalCredentials } from '../src/deposit/deposit.ts';
import { identityFromPrivateKey, type OperatorIdentity } from '../src/identity/identity.ts';
import { createShareKeystore, saveKeystore } from '../src/keystore/keystore.ts';
import { interopSecretKey } from '../src/crypto/field.ts';
import { toHex } from '../src/consensus/hex.ts';

export interface DealerCluster {
  lock: ClusterLock;
  identities: OperatorIdentity[];
  operatorKeys: Hex[];
  /** shares[k]: operator k's secret shares, group pubkey → 32-byte share. */
  shares: Map<Hex, Uint8Array>[];
}

export interface DealerClusterOptions {
  n: number;
  /** Interop indices of the validators (the devnet created them at genesis). */
  interopIndices: number[];
  genesisForkVersion: Hex;
  /** Deterministic operator keys: 0x…01, 0x…02, … offset by this. */
  operatorKeySeed?: number;
}

export function makeDealerCluster(o: DealerClusterOptions): DealerCluster {
  const operatorKeys = Array.from({ length: o.n }, (_, k) => toHex(scalarToBytes(BigInt(1000 + (o.operatorKeySeed ?? 0) + k))));
  const identities = operatorKeys.map((k) => identityFromPrivateKey(k));
  let def = createDefinition({
    name: 'test-cluster',
    network: { name: 'shoal-devnet', chainId: 31337, genesisForkVersion: o.genesisForkVersion },
    withdrawalAddress: '0x00000000000000000000000000000000000000aa',
    feeRecipient: '0x00000000000000000000000000000000000000bb',
    validators: o.interopIndices.length,
    operators: identities.map((id, k) => ({ operatorId: k + 1, address: id.address, peerId: id.peerId, multiaddrs: [] })),
  });
  for (const id of identities) def = signDefinition(def, id);
  const shares: Map<Hex, Uint8Array>[] = identities.map(() => new Map());
  const t = def.threshold;
  const validators = o.interopIndices.map((vi) => {
    const secret = interopSecretKey(vi);
    const split = splitExistingKey(secret, { n: o.n, t });
    const pubkey = toHex(split.groupPublicKey);
    split.shares.forEach((s) => shares[s.index - 1]!.set(pubkey, scalarToBytes(s.value)));
    const params = {
      pubkey: split.groupPublicKey,
      withdrawalCredentials: executionWithdrawalCredentials('0x00000000000000000000000000000000000000aa'),
      amountGwei: def.depositAmountGwei,
      genesisForkVersion: Uint8Array.from(Buffer.from(o.genesisForkVersion.slice(2), 'hex')),
      networkName: def.network.name,
    };
    return { pubkey, publicShares: split.publicShares.map((p) => toHex(p)), depositData: buildDepositData(params, sign(secret, depositSigningRoot(params))) };
  });
  const unsigned = buildLock(def, validators);
  const lock = verifyLock({ ...unsigned, signatures: identities.map((id) => signLockHash(unsigned, id)) });
  return { lock, identities, operatorKeys, shares };
}

/** Writes operator k's files; returns the paths `dv-node run` needs. */
export async function writeNodeFiles(c: DealerCluster, k: number, dir: string): Promise<{ lockPath: string; keyPath: string; keysDir: string; dataDir: string }> {
  mkdirSync(join(dir, 'validator_keys'), { recursive: true });
  const lockPath = join(dir, 'cluster-lock.json');
  writeFileSync(lockPath, `${JSON.stringify(c.lock, null, 2)}\n`);
  const keyPath = join(dir, 'operator-key');
  writeFileSync(keyPath, `${c.operatorKeys[k]}\n`, { mode: 0o600 });
  let v = 0;
  for (const [, share] of c.shares[k]!) {
    const ks = await createShareKeystore({ secret: BigInt(toHex(share)), password: `pw-${k}-${v}`, kdf: { function: 'pbkdf2', iterations: 2 } });
    saveKeystore(join(dir, 'validator_keys', `keystore-${v}.json`), ks);
    writeFileSync(join(dir, 'validator_keys', `keystore-${v}.txt`), `pw-${k}-${v}`);
    v++;
  }
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  return { lockPath, keyPath, keysDir: join(dir, 'validator_keys'), dataDir };
}
