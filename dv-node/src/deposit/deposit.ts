/**
 * Deposit data for distributed validators: the DepositMessage signing root (DOMAIN_DEPOSIT with the network's
 * GENESIS_FORK_VERSION and a zero genesis validators root), `deposit_data_root`, and the `deposit_data-<ts>.json`
 * file exactly as the staking deposit CLI writes it — but signed by threshold: each node signs the signing root
 * with its share, and t partials are combined into the group signature, which is verified before use.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { depositDataRoot, depositMessageRoot, depositMessageSigningRoot } from '../../../common/eth2/signing.ts';
import { combineAndVerify, parsePublicKey, verify, type PartialSignature } from '../crypto/bls.ts';

/** 32 ETH in gwei: MAX_EFFECTIVE_BALANCE of a 0x01 validator (the deposit the protocol makes). */
export const FULL_DEPOSIT_GWEI = 32_000_000_000;
/** MIN_DEPOSIT_AMOUNT of the consensus specs (1 ETH in gwei). */
export const MIN_DEPOSIT_GWEI = 1_000_000_000;
/** The staking deposit CLI version whose file format we reproduce. */
export const DEPOSIT_CLI_VERSION = '2.7.0';

export interface DepositParameters {
  /** 48-byte group public key of the validator. */
  pubkey: Uint8Array;
  /** 32-byte withdrawal credentials (0x01/0x02 prefix + 11 zero bytes + address for the protocol's vault). */
  withdrawalCredentials: Uint8Array;
  amountGwei: number;
  /** The network's GENESIS_FORK_VERSION (4 bytes). */
  genesisForkVersion: Uint8Array;
  /** The deposit CLI's `network_name` (e.g. mainnet, hoodi, or our devnet's name). */
  networkName: string;
}

/** One entry of `deposit_data-<timestamp>.json`, field for field as the staking deposit CLI writes it. */
export interface DepositDataJson {
  pubkey: string;
  withdrawal_credentials: string;
  amount: number;
  signature: string;
  deposit_message_root: string;
  deposit_data_root: string;
  fork_version: string;
  network_name: string;
  deposit_cli_version: string;
}

const hexNo0x = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Withdrawal credentials pointing at an execution address: prefix (0x01, or 0x02 compounding) ‖ 11 zero bytes ‖ address. */
export function executionWithdrawalCredentials(address: string, prefix: 0x01 | 0x02 = 0x01): Uint8Array {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new Error(`withdrawal address must be a 0x-prefixed 20-byte hex string, got ${address}`);
  const wc = new Uint8Array(32);
  wc[0] = prefix;
  wc.set(Buffer.from(address.slice(2), 'hex'), 12);
  return wc;
}

function checkParameters(p: DepositParameters): void {
  parsePublicKey(p.pubkey, 'deposit pubkey');
  if (p.withdrawalCredentials.length !== 32) throw new Error(`withdrawal credentials must be 32 bytes, got ${p.withdrawalCredentials.length}`);
  if (!Number.isSafeInteger(p.amountGwei) || p.amountGwei < MIN_DEPOSIT_GWEI) {
    throw new Error(`deposit amount must be an integer number of gwei ≥ ${MIN_DEPOSIT_GWEI}, got ${p.amountGwei}`);
  }
  if (p.genesisForkVersion.length !== 4) throw new Error(`genesis fork version must be 4 bytes, got ${p.genesisForkVersion.length}`);
  if (!/^[a-z0-9_-]+$/i.test(p.networkName)) throw new Error(`network name must be a plain identifier, got ${JSON.stringify(p.networkName)}`);
}

/** What each node signs with its share: compute_signing_root(DepositMessage, DOMAIN_DEPOSIT at genesis version). */
export function depositSigningRoot(p: DepositParameters): Uint8Array {
  checkParameters(p);
  return depositMessageSigningRoot(p.genesisForkVersion, {
    pubkey: p.pubkey,
    withdrawalCredentials: p.withdrawalCredentials,
    amount: p.amountGwei,
  });
}

/** Builds the deposit-data entry from a complete (group) signature, which must verify. */
export function buildDepositData(p: DepositParameters, signature: Uint8Array): DepositDataJson {
  const signingRoot = depositSigningRoot(p);
  if (!verify(p.pubkey, signingRoot, signature)) {
    throw new Error(`deposit signature does not verify for pubkey 0x${hexNo0x(p.pubkey)} over the deposit signing root`);
  }
  const message = { pubkey: p.pubkey, withdrawalCredentials: p.withdrawalCredentials, amount: p.amountGwei };
  return {
    pubkey: hexNo0x(p.pubkey),
    withdrawal_credentials: hexNo0x(p.withdrawalCredentials),
    amount: p.amountGwei,
    signature: hexNo0x(signature),
    deposit_message_root: hexNo0x(depositMessageRoot(message)),
    deposit_data_root: hexNo0x(depositDataRoot({ ...message, signature })),
    fork_version: hexNo0x(p.genesisForkVersion),
    network_name: p.networkName,
    deposit_cli_version: DEPOSIT_CLI_VERSION,
  };
}

/** Combines t verified partial deposit signatures into the group signature and builds the entry. */
export function depositDataFromPartials(p: DepositParameters, partials: readonly PartialSignature[], threshold: number): DepositDataJson {
  const signature = combineAndVerify(partials, threshold, p.pubkey, depositSigningRoot(p));
  return buildDepositData(p, signature);
}

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `must be ${bytes} bytes of lowercase hex without 0x`);
export const DepositDataFileSchema = z
  .array(
    z.object({
      pubkey: hex(48),
      withdrawal_credentials: hex(32),
      amount: z.number().int().min(MIN_DEPOSIT_GWEI),
      signature: hex(96),
      deposit_message_root: hex(32),
      deposit_data_root: hex(32),
      fork_version: hex(4),
      network_name: z.string().min(1),
      deposit_cli_version: z.string().min(1),
    }),
  )
  .min(1);

/**
 * Validates a deposit-data file (parsed JSON) and re-derives everything in it: both roots and the signature over
 * the signing root for the file's fork version. Throws naming the entry and field that is wrong.
 */
export function verifyDepositDataFile(json: unknown): DepositDataJson[] {
  const r = DepositDataFileSchema.safeParse(json);
  if (!r.success) {
    throw new Error(`invalid deposit data file: ${r.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  r.data.forEach((e, i) => {
    const p: DepositParameters = {
      pubkey: Buffer.from(e.pubkey, 'hex'),
      withdrawalCredentials: Buffer.from(e.withdrawal_credentials, 'hex'),
      amountGwei: e.amount,
      genesisForkVersion: Buffer.from(e.fork_version, 'hex'),
      networkName: e.network_name,
    };
    let rebuilt: DepositDataJson;
    try {
      rebuilt = buildDepositData(p, Buffer.from(e.signature, 'hex'));
    } catch (err) {
      throw new Error(`deposit data entry ${i}: ${(err as Error).message}`);
    }
    for (const k of ['deposit_message_root', 'deposit_data_root'] as const) {
      if (rebuilt[k] !== e[k]) throw new Error(`deposit data entry ${i}: ${k} is ${e[k]}, expected ${rebuilt[k]}`);
    }
  });
  return r.data;
}

/**
 * Writes `deposit_data-<unix seconds>.json` into `dir` (atomically) as the deposit CLI does; returns its path.
 */
export function writeDepositDataFile(dir: string, entries: readonly DepositDataJson[], now: Date = new Date()): string {
  verifyDepositDataFile(entries);
  const path = join(dir, `deposit_data-${Math.floor(now.getTime() / 1000)}.json`);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, JSON.stringify(entries));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return path;
}
