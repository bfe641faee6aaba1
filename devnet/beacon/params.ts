/**
 * Parameters of the test beacon chain: the consensus-spec constants it applies (Electra, mainnet preset values unless
 * named otherwise) and the devnet knobs (slot time, slots per epoch, delays), validated with zod so a bad value fails
 * with the field's name.
 *
 * SSZ container shapes are always those of @lodestar/types' default (mainnet) preset, so any client importing
 * @lodestar/types decodes our JSON/SSZ without changing its preset. SLOTS_PER_EPOCH is a *runtime* value here
 * (published by /eth/v1/config/spec): clients must read it from there, not from @lodestar/params.
 */
import { z } from 'zod';

/** Constants from the consensus specs (phase0 … Electra), values of the mainnet preset. */
export const SPEC = {
  FAR_FUTURE_EPOCH: Number.POSITIVE_INFINITY, // 2**64-1 in the spec; @lodestar/types serialises Infinity as that
  GENESIS_EPOCH: 0,
  EFFECTIVE_BALANCE_INCREMENT: 1_000_000_000, // Gwei
  MIN_ACTIVATION_BALANCE: 32_000_000_000, // Gwei (Electra)
  MAX_EFFECTIVE_BALANCE_ELECTRA: 2_048_000_000_000, // Gwei (Electra, compounding 0x02 credentials)
  MIN_DEPOSIT_AMOUNT: 1_000_000_000, // Gwei
  HYSTERESIS_QUOTIENT: 4,
  HYSTERESIS_DOWNWARD_MULTIPLIER: 1,
  HYSTERESIS_UPWARD_MULTIPLIER: 5,
  BASE_REWARD_FACTOR: 64,
  TIMELY_SOURCE_WEIGHT: 14,
  TIMELY_TARGET_WEIGHT: 26,
  TIMELY_HEAD_WEIGHT: 14,
  SYNC_REWARD_WEIGHT: 2,
  PROPOSER_WEIGHT: 8,
  WEIGHT_DENOMINATOR: 64,
  MIN_ATTESTATION_INCLUSION_DELAY: 1,
  MIN_EPOCHS_TO_INACTIVITY_PENALTY: 4,
  INACTIVITY_SCORE_BIAS: 4,
  INACTIVITY_SCORE_RECOVERY_RATE: 16,
  INACTIVITY_PENALTY_QUOTIENT_BELLATRIX: 2 ** 24,
  TARGET_COMMITTEE_SIZE: 128,
  MAX_COMMITTEES_PER_SLOT: 64,
  MAX_VALIDATORS_PER_COMMITTEE: 2048,
  SHUFFLE_ROUND_COUNT: 90,
  MIN_SEED_LOOKAHEAD: 1,
  MAX_SEED_LOOKAHEAD: 4,
  TARGET_AGGREGATORS_PER_COMMITTEE: 16,
  SYNC_COMMITTEE_SIZE: 512,
  SYNC_COMMITTEE_SUBNET_COUNT: 4,
  MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA: 4096,
  WHISTLEBLOWER_REWARD_QUOTIENT_ELECTRA: 4096,
  PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX: 3,
  MAX_WITHDRAWALS_PER_PAYLOAD: 16,
  MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP: 16384,
  MAX_PENDING_PARTIALS_PER_WITHDRAWALS_SWEEP: 8,
  MAX_PENDING_DEPOSITS_PER_EPOCH: 16,
  MAX_ATTESTATIONS_ELECTRA: 8,
  MAX_ATTESTER_SLASHINGS_ELECTRA: 1,
  MAX_PROPOSER_SLASHINGS: 16,
  MAX_VOLUNTARY_EXITS: 16,
  MAX_DEPOSIT_REQUESTS_PER_PAYLOAD: 8192,
  MAX_WITHDRAWAL_REQUESTS_PER_PAYLOAD: 16,
  CHURN_LIMIT_QUOTIENT: 65536,
  MAX_PER_EPOCH_ACTIVATION_EXIT_CHURN_LIMIT: 256_000_000_000, // Gwei
  FULL_EXIT_REQUEST_AMOUNT: 0,
  BLS_WITHDRAWAL_PREFIX: 0x00,
  ETH1_ADDRESS_WITHDRAWAL_PREFIX: 0x01,
  COMPOUNDING_WITHDRAWAL_PREFIX: 0x02,
  /** Mainnet epoch length in seconds (32 slots × 12 s): rewards are scaled by our epoch length over this. */
  MAINNET_EPOCH_SECONDS: 384,
} as const;

/** Devnet knobs; every one has a default and a reason. */
export const BeaconOptionsSchema = z.object({
  /** Seconds per slot (fractions allowed for tests). Spec mainnet: 12. */
  slotTime: z.number().positive().default(4),
  slotsPerEpoch: z.number().int().min(2).max(64).default(8),
  /** Interop validators (keys `int_le(sha256(uint256_le(i))) mod r`) present at genesis and run by the chain. */
  genesisValidators: z.number().int().min(1).max(4096).default(64),
  /**
   * Epochs between the epoch that activates a validator and its activation epoch (spec: 1 + MAX_SEED_LOOKAHEAD = 5).
   * At least 2: committees of the next epoch are served one epoch ahead and must not change afterwards.
   */
  activationDelay: z.number().int().min(2).max(1024).default(5),
  /** MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA (Gwei): deposits/exits processed per epoch are bounded by this churn. */
  minPerEpochChurnLimit: z.number().int().positive().default(128_000_000_000),
  /** MIN_VALIDATOR_WITHDRAWABILITY_DELAY (epochs) between exit and withdrawability. Spec: 256. */
  withdrawabilityDelay: z.number().int().min(0).default(4),
  /** SHARD_COMMITTEE_PERIOD (epochs) a validator must be active before it may exit. Spec: 256. */
  shardCommitteePeriod: z.number().int().min(0).default(4),
  /** EPOCHS_PER_SLASHINGS_VECTOR: a slashed validator is withdrawable this many epochs after slashing. Spec: 8192. */
  epochsPerSlashingsVector: z.number().int().min(2).default(16),
  /** EPOCHS_PER_SYNC_COMMITTEE_PERIOD. Spec: 256. */
  epochsPerSyncCommitteePeriod: z.number().int().min(1).default(8),
  /**
   * Total active balance (Gwei) that rewards are computed as if the network had: the spec's base reward is
   * EBI·BASE_REWARD_FACTOR/√(total active balance); with our tiny validator set that would pay thousands of % APR.
   * Default: 34 M ETH, about mainnet's, which gives ≈ 2.9 % APR at full participation.
   */
  rewardReferenceTotalBalance: z.number().positive().default(34_000_000 * 1e9),
  /** Unix seconds of slot 0; default: now (rounded down) when the chain is created. */
  genesisTime: z.number().int().nonnegative().optional(),
  /** Fraction of interop validators that do their duties (tests set 0 to stall finality). */
  interopParticipation: z.number().min(0).max(1).default(1),
  /** Slots of history (blocks, headers, records) kept in memory; older ones are pruned. */
  historySlots: z.number().int().min(64).default(2048),
  /** Epochs of attestation history kept for double/surround-vote detection. */
  slasherEpochs: z.number().int().min(2).default(64),
  depositContractAddress: z.string().regex(/^0x[0-9a-fA-F]{40}$/).default('0x00000000219ab540356cBB839Cbe05303d7705Fa'),
  /** Chain id of the execution layer (published in /eth/v1/config/deposit_contract). */
  depositChainId: z.number().int().positive().default(31337),
});
export type BeaconOptionsInput = z.input<typeof BeaconOptionsSchema>;
export type BeaconOptions = z.output<typeof BeaconOptionsSchema>;

/** Validates options; throws an Error naming each bad field. */
export function parseBeaconOptions(input: BeaconOptionsInput = {}): BeaconOptions {
  const r = BeaconOptionsSchema.safeParse(input);
  if (!r.success) {
    const detail = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid beacon chain options: ${detail}`);
  }
  return r.data;
}
