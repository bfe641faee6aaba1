/**
 * Fork configuration of the test beacon chain: a single fork, **Electra from genesis** (every earlier fork at epoch 0,
 * Fulu and later never), with fork versions of our own (`0x5348000N`, "SH" + fork number) so nothing signed here is
 * valid on a public network. Built with @lodestar/config so domains, the API client and our server agree.
 */
import { createBeaconConfig, createChainForkConfig, type BeaconConfig, type ChainForkConfig } from '@lodestar/config';
import { PresetName } from '@lodestar/params';
import { hexToBytes } from 'viem';
import type { BeaconOptions } from './params.ts';

export const FORK_NAME = 'electra' as const;

export const FORK_VERSIONS = {
  GENESIS_FORK_VERSION: '0x53480000',
  ALTAIR_FORK_VERSION: '0x53480001',
  BELLATRIX_FORK_VERSION: '0x53480002',
  CAPELLA_FORK_VERSION: '0x53480003',
  DENEB_FORK_VERSION: '0x53480004',
  ELECTRA_FORK_VERSION: '0x53480005',
  FULU_FORK_VERSION: '0x53480006',
  GLOAS_FORK_VERSION: '0x53480007',
  HEZE_FORK_VERSION: '0x53480008',
} as const;

/** The chain's ChainForkConfig (what an API client needs: `getClient({baseUrl}, {config})`). */
export function chainForkConfig(opts: Pick<BeaconOptions, 'slotTime' | 'depositChainId' | 'depositContractAddress' | 'minPerEpochChurnLimit' | 'shardCommitteePeriod' | 'withdrawabilityDelay' | 'epochsPerSyncCommitteePeriod'>): ChainForkConfig {
  const v = (h: string) => hexToBytes(h as `0x${string}`);
  return createChainForkConfig({
    CONFIG_NAME: 'shoal-devnet',
    PRESET_BASE: PresetName.mainnet,
    GENESIS_FORK_VERSION: v(FORK_VERSIONS.GENESIS_FORK_VERSION),
    ALTAIR_FORK_VERSION: v(FORK_VERSIONS.ALTAIR_FORK_VERSION),
    ALTAIR_FORK_EPOCH: 0,
    BELLATRIX_FORK_VERSION: v(FORK_VERSIONS.BELLATRIX_FORK_VERSION),
    BELLATRIX_FORK_EPOCH: 0,
    CAPELLA_FORK_VERSION: v(FORK_VERSIONS.CAPELLA_FORK_VERSION),
    CAPELLA_FORK_EPOCH: 0,
    DENEB_FORK_VERSION: v(FORK_VERSIONS.DENEB_FORK_VERSION),
    DENEB_FORK_EPOCH: 0,
    ELECTRA_FORK_VERSION: v(FORK_VERSIONS.ELECTRA_FORK_VERSION),
    ELECTRA_FORK_EPOCH: 0,
    FULU_FORK_VERSION: v(FORK_VERSIONS.FULU_FORK_VERSION),
    FULU_FORK_EPOCH: Number.POSITIVE_INFINITY,
    GLOAS_FORK_VERSION: v(FORK_VERSIONS.GLOAS_FORK_VERSION),
    GLOAS_FORK_EPOCH: Number.POSITIVE_INFINITY,
    HEZE_FORK_VERSION: v(FORK_VERSIONS.HEZE_FORK_VERSION),
    HEZE_FORK_EPOCH: Number.POSITIVE_INFINITY,
    SECONDS_PER_SLOT: Math.max(1, Math.round(opts.slotTime)),
    SLOT_DURATION_MS: Math.round(opts.slotTime * 1000),
    MIN_GENESIS_ACTIVE_VALIDATOR_COUNT: 1,
    DEPOSIT_CHAIN_ID: opts.depositChainId,
    DEPOSIT_NETWORK_ID: opts.depositChainId,
    DEPOSIT_CONTRACT_ADDRESS: v(opts.depositContractAddress),
    MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA: opts.minPerEpochChurnLimit,
    SHARD_COMMITTEE_PERIOD: opts.shardCommitteePeriod,
    MIN_VALIDATOR_WITHDRAWABILITY_DELAY: opts.withdrawabilityDelay,
  });
}

export function beaconConfig(forkConfig: ChainForkConfig, genesisValidatorsRoot: Uint8Array): BeaconConfig {
  return createBeaconConfig(forkConfig, genesisValidatorsRoot);
}
