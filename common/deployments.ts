/**
 * The deployment manifest (`deployments/<network>.json`, written by contracts/script/Deploy.s.sol): the one
 * source of contract addresses and parameters for every TypeScript part.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { getAddress, type Address } from 'viem';
import { REPO_ROOT } from './forge.ts';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address').transform((a) => getAddress(a));
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x-prefixed 32-byte hex');
const weiString = z.string().regex(/^\d+$/, 'must be a decimal wei amount').transform((s) => BigInt(s));

export const manifestSchema = z.object({
  network: z.string().min(1),
  chainId: z.number().int().positive(),
  startBlock: z.number().int().nonnegative(),
  contracts: z.object({
    StakingPool: address,
    StakingRouter: address,
    OperatorRegistry: address,
    DepositSecurityModule: address,
    WithdrawalVault: address,
    ExecutionRewardsVault: address,
    WithdrawalQueue: address,
    SanityChecker: address,
    HashConsensus: address,
    AccountingOracle: address,
    DepositContract: address,
  }).catchall(address),
  parameters: z.object({
    admin: address,
    treasury: address,
    withdrawalCredentials: bytes32,
    dvtModuleId: z.number().int().positive(),
    firstBondWei: weiString,
    nextBondWei: weiString,
    guardianQuorum: z.number().int().positive(),
    genesisTime: z.number().int().nonnegative(),
    secondsPerSlot: z.number().int().positive(),
    slotsPerEpoch: z.number().int().positive(),
    epochsPerFrame: z.number().int().positive(),
  }).catchall(z.unknown()),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ContractName = keyof Manifest['contracts'];

export function manifestPath(network: string, dir = join(REPO_ROOT, 'deployments')): string {
  return join(dir, `${network}.json`);
}

/** Loads and validates a manifest; errors name the file and the bad field. */
export function loadManifest(network: string, dir?: string): Manifest {
  const file = manifestPath(network, dir);
  if (!existsSync(file)) {
    throw new Error(`no deployment manifest at ${file}: deploy first (\`npm run deploy:local\` for a local chain)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`deployment manifest ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`deployment manifest ${file} is invalid: ${issues}`);
  }
  return parsed.data;
}

export function contractAddress(manifest: Manifest, name: ContractName): Address {
  return manifest.contracts[name] as Address;
}
