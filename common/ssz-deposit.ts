/**
 * SSZ for beacon-chain deposits, exactly as the consensus specs define it (phase0 beacon-chain.md and
 * deposit-contract.md): the DepositData root the deposit contract checks, the deposit signing root (domain DEPOSIT
 * over GENESIS_FORK_VERSION and a zero genesis_validators_root), the deposit tree root that `get_deposit_root()`
 * returns, and Merkle proofs of a deposit against it.
 *
 * Containers are built from `@chainsafe/ssz` with the same fields as `@lodestar/types` `ssz.phase0.DepositData` /
 * `DepositMessage`, but with `amount` as a bigint so every uint64 the contract accepts is representable (lodestar's
 * `amount` is a JS number). The roots are identical (tested).
 *
 * @example
 * const signed = signDepositData(secretKey, { withdrawalCredentials, amountGwei: 32_000_000_000n });
 * await depositContract.write.deposit([signed.pubkey, signed.withdrawalCredentials, signed.signature, signed.depositDataRoot], { value: 32n * 10n ** 18n });
 */
import { createHash } from 'node:crypto';
import bls from '@chainsafe/bls';
import type { SecretKey } from '@chainsafe/bls/types';
import { ByteVectorType, ContainerType, ListCompositeType, UintBigintType } from '@chainsafe/ssz';
import { DEPOSIT_CONTRACT_TREE_DEPTH, DOMAIN_DEPOSIT } from '@lodestar/params';
import { ssz } from '@lodestar/types';

export type Hex = `0x${string}`;
export type BytesLike = Uint8Array | Hex;

/** BLS12-381 compressed G1 public key. */
export const PUBKEY_LENGTH = 48;
/** One SSZ Bytes32. */
export const WITHDRAWAL_CREDENTIALS_LENGTH = 32;
/** BLS12-381 compressed G2 signature. */
export const SIGNATURE_LENGTH = 96;
/** Mainnet GENESIS_FORK_VERSION (consensus-specs configs/mainnet.yaml); every network configures its own. */
export const MAINNET_GENESIS_FORK_VERSION: Hex = '0x00000000';
/** Deposits are signed with a zero genesis_validators_root (the chain may not exist yet): phase0 compute_domain. */
export const ZERO_GENESIS_VALIDATORS_ROOT = new Uint8Array(32);
/** The deposit contract's tree holds at most 2**32 leaves (DEPOSIT_CONTRACT_TREE_DEPTH = 32). */
export const DEPOSIT_TREE_LIMIT = 2 ** DEPOSIT_CONTRACT_TREE_DEPTH;
/** The deposit contract's minimum, 1 ETH, in gwei. */
export const MIN_DEPOSIT_GWEI = 1_000_000_000n;
const MAX_UINT64 = 2n ** 64n - 1n;

/** DepositMessage (phase0): what the validator key signs. */
export const DepositMessageType = new ContainerType(
  {
    pubkey: new ByteVectorType(PUBKEY_LENGTH),
    withdrawalCredentials: new ByteVectorType(WITHDRAWAL_CREDENTIALS_LENGTH),
    amount: new UintBigintType(8),
  },
  { typeName: 'DepositMessage', jsonCase: 'eth2' },
);

/** DepositData (phase0): a DepositMessage plus its signature; the leaf of the deposit tree. */
export const DepositDataType = new ContainerType(
  {
    pubkey: new ByteVectorType(PUBKEY_LENGTH),
    withdrawalCredentials: new ByteVectorType(WITHDRAWAL_CREDENTIALS_LENGTH),
    amount: new UintBigintType(8),
    signature: new ByteVectorType(SIGNATURE_LENGTH),
  },
  { typeName: 'DepositData', jsonCase: 'eth2' },
);

/** List[DepositData, 2**32]: its hash_tree_root is what the deposit contract's get_deposit_root() returns. */
export const DepositDataListType = new ListCompositeType(DepositDataType, DEPOSIT_TREE_LIMIT);

/** Bytes of a DepositMessage; hex or bytes accepted, amounts in gwei. */
export interface DepositMessageInput {
  pubkey: BytesLike;
  withdrawalCredentials: BytesLike;
  amountGwei: bigint;
}

export interface DepositDataInput extends DepositMessageInput {
  signature: BytesLike;
}

/** A deposit ready for `deposit(pubkey, withdrawal_credentials, signature, deposit_data_root)`. */
export interface SignedDeposit {
  pubkey: Hex;
  withdrawalCredentials: Hex;
  amountGwei: bigint;
  signature: Hex;
  depositDataRoot: Hex;
}

export function toBytes(value: BytesLike, field = 'value'): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(value)) {
    throw new Error(`${field}: expected 0x-prefixed hex with an even number of digits or a Uint8Array, got ${String(value)}`);
  }
  return Uint8Array.from(Buffer.from(value.slice(2), 'hex'));
}

export function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

function exact(value: BytesLike, length: number, field: string): Uint8Array {
  const b = toBytes(value, field);
  if (b.length !== length) throw new Error(`${field}: expected ${length} bytes, got ${b.length}`);
  return b;
}

function amountOf(amountGwei: bigint): bigint {
  if (typeof amountGwei !== 'bigint' || amountGwei < 0n || amountGwei > MAX_UINT64) {
    throw new Error(`amountGwei: expected a bigint in [0, 2^64-1], got ${String(amountGwei)}`);
  }
  return amountGwei;
}

function depositMessageValue(m: DepositMessageInput) {
  return {
    pubkey: exact(m.pubkey, PUBKEY_LENGTH, 'pubkey'),
    withdrawalCredentials: exact(m.withdrawalCredentials, WITHDRAWAL_CREDENTIALS_LENGTH, 'withdrawalCredentials'),
    amount: amountOf(m.amountGwei),
  };
}

function depositDataValue(d: DepositDataInput) {
  return { ...depositMessageValue(d), signature: exact(d.signature, SIGNATURE_LENGTH, 'signature') };
}

/** hash_tree_root(DepositData): the `deposit_data_root` argument of the deposit contract. */
export function depositDataRoot(d: DepositDataInput): Hex {
  return toHex(DepositDataType.hashTreeRoot(depositDataValue(d)));
}

/** hash_tree_root(DepositMessage). */
export function depositMessageRoot(m: DepositMessageInput): Hex {
  return toHex(DepositMessageType.hashTreeRoot(depositMessageValue(m)));
}

/**
 * compute_domain(DOMAIN_DEPOSIT, genesis_fork_version, ZERO root):
 * DOMAIN_DEPOSIT (4 bytes) ‖ hash_tree_root(ForkData{genesis_fork_version, 0x00…})[0:28].
 */
export function computeDepositDomain(genesisForkVersion: BytesLike = MAINNET_GENESIS_FORK_VERSION): Uint8Array {
  const forkDataRoot = ssz.phase0.ForkData.hashTreeRoot({
    currentVersion: exact(genesisForkVersion, 4, 'genesisForkVersion'),
    genesisValidatorsRoot: ZERO_GENESIS_VALIDATORS_ROOT,
  });
  const domain = new Uint8Array(32);
  domain.set(DOMAIN_DEPOSIT, 0);
  domain.set(forkDataRoot.subarray(0, 28), 4);
  return domain;
}

/** compute_signing_root(DepositMessage, deposit domain) = hash_tree_root(SigningData{object_root, domain}). */
export function depositSigningRoot(
  m: DepositMessageInput,
  genesisForkVersion: BytesLike = MAINNET_GENESIS_FORK_VERSION,
): Uint8Array {
  return ssz.phase0.SigningData.hashTreeRoot({
    objectRoot: DepositMessageType.hashTreeRoot(depositMessageValue(m)),
    domain: computeDepositDomain(genesisForkVersion),
  });
}

/** Signs a deposit with the validator key and returns everything `deposit(...)` takes. */
export function signDepositData(
  secretKey: SecretKey,
  m: Omit<DepositMessageInput, 'pubkey'>,
  genesisForkVersion: BytesLike = MAINNET_GENESIS_FORK_VERSION,
): SignedDeposit {
  const pubkey = secretKey.toPublicKey().toBytes();
  const message = { ...m, pubkey };
  const signature = secretKey.sign(depositSigningRoot(message, genesisForkVersion)).toBytes();
  const withdrawalCredentials = exact(m.withdrawalCredentials, WITHDRAWAL_CREDENTIALS_LENGTH, 'withdrawalCredentials');
  return {
    pubkey: toHex(pubkey),
    withdrawalCredentials: toHex(withdrawalCredentials),
    amountGwei: m.amountGwei,
    signature: toHex(signature),
    depositDataRoot: depositDataRoot({ ...message, signature }),
  };
}

/** True if `signature` is the pubkey's valid BLS signature of the deposit (what the beacon chain checks). */
export function verifyDepositSignature(
  d: DepositDataInput,
  genesisForkVersion: BytesLike = MAINNET_GENESIS_FORK_VERSION,
): boolean {
  const v = depositDataValue(d);
  try {
    return bls.verify(v.pubkey, depositSigningRoot(d, genesisForkVersion), v.signature);
  } catch {
    return false; // not a valid G1/G2 point
  }
}

/**
 * hash_tree_root(List[DepositData, 2**32]) of `deposits` in order: equals the deposit contract's
 * `get_deposit_root()` after exactly these deposits.
 */
export function depositTreeRoot(deposits: readonly DepositDataInput[]): Hex {
  return toHex(DepositDataListType.hashTreeRoot(deposits.map(depositDataValue)));
}

/**
 * The Merkle proof of deposit `index` against `depositTreeRoot(deposits)`, as phase0 `Deposit.proof` has it:
 * DEPOSIT_CONTRACT_TREE_DEPTH + 1 = 33 nodes, bottom-up, the last being the length mix-in (uint256 little-endian).
 * Check with `isValidMerkleBranch(depositDataRoot(d), proof, 33, index, depositTreeRoot(deposits))`.
 */
export function depositProof(deposits: readonly DepositDataInput[], index: number): Hex[] {
  if (!Number.isInteger(index) || index < 0 || index >= deposits.length) {
    throw new Error(`index: expected an integer in [0, ${deposits.length - 1}], got ${index}`);
  }
  // Walk the tree level by level, keeping only the nodes that exist (the rest are zero-subtree roots).
  let level: Uint8Array[] = deposits.map((d) => DepositDataType.hashTreeRoot(depositDataValue(d)));
  let zero: Uint8Array = new Uint8Array(32);
  let position = index;
  const proof: Hex[] = [];
  for (let h = 0; h < DEPOSIT_CONTRACT_TREE_DEPTH; h++) {
    const sibling = position ^ 1;
    proof.push(toHex(sibling < level.length ? level[sibling]! : zero));
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256Pair(level[i]!, i + 1 < level.length ? level[i + 1]! : zero));
    level = next;
    zero = sha256Pair(zero, zero);
    position >>= 1;
  }
  const length = new Uint8Array(32);
  length.set(uint64ToLittleEndian(BigInt(deposits.length)));
  proof.push(toHex(length));
  return proof;
}

/** phase0 is_valid_merkle_branch. */
export function isValidMerkleBranch(leaf: BytesLike, branch: readonly BytesLike[], depth: number, index: number, root: BytesLike): boolean {
  if (branch.length !== depth) return false;
  let value = toBytes(leaf, 'leaf');
  for (let i = 0; i < depth; i++) {
    const sibling = toBytes(branch[i]!, `branch[${i}]`);
    const pair = Math.floor(index / 2 ** i) % 2 === 1 ? [sibling, value] : [value, sibling];
    value = sha256Pair(pair[0]!, pair[1]!);
  }
  return toHex(value) === toHex(toBytes(root, 'root'));
}

function sha256Pair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const h = createHash('sha256');
  h.update(a);
  h.update(b);
  return new Uint8Array(h.digest());
}

/** 8-byte little-endian (SSZ uint64), as the deposit contract's `get_deposit_count()` and DepositEvent use. */
export function uint64ToLittleEndian(value: bigint): Uint8Array {
  const v = amountOf(value);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, true);
  return out;
}

export function littleEndianToUint64(bytes: BytesLike): bigint {
  const b = exact(bytes, 8, 'uint64 (little-endian)');
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}

