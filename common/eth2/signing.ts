/**
 * Domains and signing roots exactly as the consensus specs define them (phase0 `compute_domain`,
 * `compute_fork_data_root`, `compute_signing_root`, `get_domain`; altair sync-committee objects; the builder
 * specs' `DOMAIN_APPLICATION_BUILDER`; EIP-7044 for voluntary exits from Deneb on).
 *
 * Shared by dv-node (what it signs), the devnet beacon chain (what it verifies) and the oracle. SSZ hashing is
 * `@lodestar/types` containers over `@chainsafe/ssz`; nothing here is hand-written SSZ.
 *
 * Imports the fork-specific entry points (`@lodestar/types/phase0`, …) so only the containers needed load.
 */
import { UintNumberType, type ValueOf } from '@chainsafe/ssz';
import { ssz as phase0 } from '@lodestar/types/phase0';
import { ssz as altair } from '@lodestar/types/altair';
import { ssz as bellatrix } from '@lodestar/types/bellatrix';
import { ssz as electra } from '@lodestar/types/electra';

/** A 4-byte domain type (spec `DomainType`). */
export type DomainType = Uint8Array;
/** A 4-byte fork version (spec `Version`). */
export type Version = Uint8Array;
/** A 32-byte root (spec `Root`). */
export type Root = Uint8Array;

function domainType(hex: string): DomainType {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

// Domain types: phase0 / altair / capella "Domain types" tables of the consensus specs, and the builder specs.
export const DOMAIN_BEACON_PROPOSER = domainType('00000000');
export const DOMAIN_BEACON_ATTESTER = domainType('01000000');
export const DOMAIN_RANDAO = domainType('02000000');
export const DOMAIN_DEPOSIT = domainType('03000000');
export const DOMAIN_VOLUNTARY_EXIT = domainType('04000000');
export const DOMAIN_SELECTION_PROOF = domainType('05000000');
export const DOMAIN_AGGREGATE_AND_PROOF = domainType('06000000');
export const DOMAIN_SYNC_COMMITTEE = domainType('07000000');
export const DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF = domainType('08000000');
export const DOMAIN_CONTRIBUTION_AND_PROOF = domainType('09000000');
export const DOMAIN_BLS_TO_EXECUTION_CHANGE = domainType('0a000000');
/** builder-specs: `DOMAIN_APPLICATION_BUILDER`, signed with `compute_domain` defaults (genesis version, zero root). */
export const DOMAIN_APPLICATION_BUILDER = domainType('00000001');

/** The all-zero root: `genesis_validators_root` for deposits and builder registrations (fork-agnostic domains). */
export const ZERO_ROOT: Root = new Uint8Array(32);

/** Slot and epoch are SSZ uint64; values stay below 2^53 on any real chain. */
const Uint64 = new UintNumberType(8);

export type AttestationData = ValueOf<typeof phase0.AttestationData>;
export type BeaconBlockHeader = ValueOf<typeof phase0.BeaconBlockHeader>;
export type VoluntaryExit = ValueOf<typeof phase0.VoluntaryExit>;
export type DepositMessage = ValueOf<typeof phase0.DepositMessage>;
export type DepositData = ValueOf<typeof phase0.DepositData>;
export type Phase0AggregateAndProof = ValueOf<typeof phase0.AggregateAndProof>;
export type ElectraAggregateAndProof = ValueOf<typeof electra.AggregateAndProof>;
export type SyncAggregatorSelectionData = ValueOf<typeof altair.SyncAggregatorSelectionData>;
export type ContributionAndProof = ValueOf<typeof altair.ContributionAndProof>;
export type ValidatorRegistrationV1 = ValueOf<typeof bellatrix.ValidatorRegistrationV1>;

/** Forks in activation order; later index = later fork. */
export const FORK_ORDER = ['phase0', 'altair', 'bellatrix', 'capella', 'deneb', 'electra', 'fulu', 'gloas'] as const;
export type ForkName = (typeof FORK_ORDER)[number];

export interface ForkScheduleEntry {
  name: ForkName;
  version: Version;
  /** First epoch of the fork. */
  epoch: number;
}

/** What every `get_domain` needs: the chain's identity and fork schedule. */
export interface SigningContext {
  genesisValidatorsRoot: Root;
  genesisForkVersion: Version;
  /** Scheduled forks, phase0 first at epoch 0; unscheduled forks are simply absent. */
  forks: ForkScheduleEntry[];
  /** SLOTS_PER_EPOCH of the preset (mainnet 32, minimal 8). */
  slotsPerEpoch: number;
}

/** The fork-version fields of a consensus-spec chain config (the shape of `@lodestar/config`'s `ChainConfig`). */
export interface ForkVersionConfig {
  GENESIS_FORK_VERSION: Version;
  ALTAIR_FORK_VERSION?: Version;
  ALTAIR_FORK_EPOCH?: number;
  BELLATRIX_FORK_VERSION?: Version;
  BELLATRIX_FORK_EPOCH?: number;
  CAPELLA_FORK_VERSION?: Version;
  CAPELLA_FORK_EPOCH?: number;
  DENEB_FORK_VERSION?: Version;
  DENEB_FORK_EPOCH?: number;
  ELECTRA_FORK_VERSION?: Version;
  ELECTRA_FORK_EPOCH?: number;
  FULU_FORK_VERSION?: Version;
  FULU_FORK_EPOCH?: number;
  GLOAS_FORK_VERSION?: Version;
  GLOAS_FORK_EPOCH?: number;
}

function assertLength(what: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw new Error(`${what} must be ${length} bytes, got ${got}`);
  }
}

/**
 * Builds a signing context from a chain config. Forks whose epoch is missing, not finite, or not a
 * non-negative integer are treated as unscheduled (the spec's FAR_FUTURE_EPOCH).
 */
export function signingContextFromConfig(
  config: ForkVersionConfig,
  genesisValidatorsRoot: Root,
  slotsPerEpoch: number,
): SigningContext {
  assertLength('genesisValidatorsRoot', genesisValidatorsRoot, 32);
  assertLength('GENESIS_FORK_VERSION', config.GENESIS_FORK_VERSION, 4);
  const forks: ForkScheduleEntry[] = [{ name: 'phase0', version: config.GENESIS_FORK_VERSION, epoch: 0 }];
  const later: Array<[ForkName, Version | undefined, number | undefined]> = [
    ['altair', config.ALTAIR_FORK_VERSION, config.ALTAIR_FORK_EPOCH],
    ['bellatrix', config.BELLATRIX_FORK_VERSION, config.BELLATRIX_FORK_EPOCH],
    ['capella', config.CAPELLA_FORK_VERSION, config.CAPELLA_FORK_EPOCH],
    ['deneb', config.DENEB_FORK_VERSION, config.DENEB_FORK_EPOCH],
    ['electra', config.ELECTRA_FORK_VERSION, config.ELECTRA_FORK_EPOCH],
    ['fulu', config.FULU_FORK_VERSION, config.FULU_FORK_EPOCH],
    ['gloas', config.GLOAS_FORK_VERSION, config.GLOAS_FORK_EPOCH],
  ];
  for (const [name, version, epoch] of later) {
    if (version === undefined || epoch === undefined || !Number.isSafeInteger(epoch) || epoch < 0) continue;
    assertLength(`${name.toUpperCase()}_FORK_VERSION`, version, 4);
    forks.push({ name, version, epoch });
  }
  return makeSigningContext({ genesisValidatorsRoot, genesisForkVersion: config.GENESIS_FORK_VERSION, forks, slotsPerEpoch });
}

/** Validates and normalises a signing context (forks sorted by epoch, phase0 at epoch 0). */
export function makeSigningContext(ctx: SigningContext): SigningContext {
  assertLength('genesisValidatorsRoot', ctx.genesisValidatorsRoot, 32);
  assertLength('genesisForkVersion', ctx.genesisForkVersion, 4);
  if (!Number.isSafeInteger(ctx.slotsPerEpoch) || ctx.slotsPerEpoch <= 0) {
    throw new Error(`slotsPerEpoch must be a positive integer, got ${ctx.slotsPerEpoch}`);
  }
  const forks = [...ctx.forks].sort((a, b) => a.epoch - b.epoch || FORK_ORDER.indexOf(a.name) - FORK_ORDER.indexOf(b.name));
  if (forks.length === 0 || forks[0]!.epoch !== 0) throw new Error('fork schedule must start with a fork at epoch 0');
  for (const f of forks) assertLength(`fork version of ${f.name}`, f.version, 4);
  return { ...ctx, forks };
}

export function computeEpochAtSlot(ctx: Pick<SigningContext, 'slotsPerEpoch'>, slot: number): number {
  return Math.floor(slot / ctx.slotsPerEpoch);
}

/** The fork active at `epoch` (the last scheduled fork whose epoch is ≤ `epoch`). */
export function forkAtEpoch(ctx: SigningContext, epoch: number): ForkScheduleEntry {
  let active = ctx.forks[0];
  for (const f of ctx.forks) if (f.epoch <= epoch) active = f;
  if (active === undefined) throw new Error('empty fork schedule');
  return active;
}

export function isForkAtLeast(fork: ForkName, atLeast: ForkName): boolean {
  return FORK_ORDER.indexOf(fork) >= FORK_ORDER.indexOf(atLeast);
}

/** spec `compute_fork_data_root(current_version, genesis_validators_root)`. */
export function computeForkDataRoot(currentVersion: Version, genesisValidatorsRoot: Root): Root {
  assertLength('currentVersion', currentVersion, 4);
  assertLength('genesisValidatorsRoot', genesisValidatorsRoot, 32);
  return freshHashTreeRoot(phase0.ForkData, { currentVersion, genesisValidatorsRoot });
}

/** spec `compute_domain(domain_type, fork_version, genesis_validators_root)`: domain type ++ fork data root[:28]. */
export function computeDomain(type: DomainType, forkVersion: Version, genesisValidatorsRoot: Root = ZERO_ROOT): Uint8Array {
  assertLength('domainType', type, 4);
  const domain = new Uint8Array(32);
  domain.set(type, 0);
  domain.set(computeForkDataRoot(forkVersion, genesisValidatorsRoot).subarray(0, 28), 4);
  return domain;
}

/** spec `get_domain(state, domain_type, epoch)` using the fork schedule instead of a state's `fork`. */
export function getDomain(ctx: SigningContext, type: DomainType, epoch: number): Uint8Array {
  return computeDomain(type, forkAtEpoch(ctx, epoch).version, ctx.genesisValidatorsRoot);
}

/** spec `compute_signing_root` for an object whose `hash_tree_root` is already known. */
export function computeSigningRootFromObjectRoot(objectRoot: Root, domain: Uint8Array): Root {
  assertLength('objectRoot', objectRoot, 32);
  assertLength('domain', domain, 32);
  return freshHashTreeRoot(phase0.SigningData, { objectRoot, domain });
}

/** An SSZ type we can hash; `clone` is used to hash a fresh copy (see `freshHashTreeRoot`). */
export interface HashableType<T> {
  hashTreeRoot(value: T): Uint8Array;
  clone(value: T): T;
}

/**
 * `hash_tree_root` of a fresh deep copy. Several `@lodestar/types` containers (AttestationData, BeaconBlockHeader,
 * VoluntaryExit, AggregateAndProof, blocks) are built with `cachePermanentRootStruct`, which stores the root on the
 * value object under a symbol; `{...value, slot: 2}` copies that symbol and would hash to the *old* root. Signing
 * the wrong root is not acceptable, so we never trust a cached root.
 */
export function freshHashTreeRoot<T>(type: HashableType<T>, value: T): Root {
  return type.hashTreeRoot(type.clone(value));
}

/** spec `compute_signing_root(ssz_object, domain)`. */
export function computeSigningRoot<T>(type: HashableType<T>, value: T, domain: Uint8Array): Root {
  return computeSigningRootFromObjectRoot(freshHashTreeRoot(type, value), domain);
}

// ---------------------------------------------------------------------------------------------------------------
// Per-duty signing roots (validator guide of each fork).

/** Attestation: DOMAIN_BEACON_ATTESTER at `data.target.epoch`. */
export function attestationSigningRoot(ctx: SigningContext, data: AttestationData): Root {
  return computeSigningRoot(phase0.AttestationData, data, getDomain(ctx, DOMAIN_BEACON_ATTESTER, data.target.epoch));
}

/**
 * Block proposal: DOMAIN_BEACON_PROPOSER at the block's epoch. `hash_tree_root(BeaconBlock)` equals the root of its
 * header (body replaced by `body_root`), so the header form covers every fork, blinded or not.
 */
export function blockHeaderSigningRoot(ctx: SigningContext, header: BeaconBlockHeader): Root {
  return computeSigningRoot(
    phase0.BeaconBlockHeader,
    header,
    getDomain(ctx, DOMAIN_BEACON_PROPOSER, computeEpochAtSlot(ctx, header.slot)),
  );
}

/** Block proposal when the caller already has the fork-specific `hash_tree_root(block)`. */
export function blockRootSigningRoot(ctx: SigningContext, slot: number, blockRoot: Root): Root {
  return computeSigningRootFromObjectRoot(blockRoot, getDomain(ctx, DOMAIN_BEACON_PROPOSER, computeEpochAtSlot(ctx, slot)));
}

/** RANDAO reveal: the epoch (uint64) under DOMAIN_RANDAO at that epoch. */
export function randaoSigningRoot(ctx: SigningContext, epoch: number): Root {
  return computeSigningRoot(Uint64, epoch, getDomain(ctx, DOMAIN_RANDAO, epoch));
}

/** Aggregator selection proof: the slot (uint64) under DOMAIN_SELECTION_PROOF at the slot's epoch. */
export function selectionProofSigningRoot(ctx: SigningContext, slot: number): Root {
  return computeSigningRoot(Uint64, slot, getDomain(ctx, DOMAIN_SELECTION_PROOF, computeEpochAtSlot(ctx, slot)));
}

/**
 * AggregateAndProof under DOMAIN_AGGREGATE_AND_PROOF at the aggregate's slot epoch. From Electra on the container
 * holds an electra `Attestation` (committee_bits, longer aggregation bits), so the SSZ type follows the fork.
 * Electra's aggregation-bits limit depends on the preset (mainnet vs minimal) that `@lodestar/params` loaded.
 */
export function aggregateAndProofSigningRoot(
  ctx: SigningContext,
  value: Phase0AggregateAndProof | ElectraAggregateAndProof,
): Root {
  const epoch = computeEpochAtSlot(ctx, value.aggregate.data.slot);
  const domain = getDomain(ctx, DOMAIN_AGGREGATE_AND_PROOF, epoch);
  const fork = forkAtEpoch(ctx, epoch).name;
  if (isForkAtLeast(fork, 'electra')) {
    if (!('committeeBits' in value.aggregate)) {
      throw new Error(`aggregate at slot ${value.aggregate.data.slot} is in ${fork} but has no committeeBits (phase0 shape)`);
    }
    return computeSigningRoot(electra.AggregateAndProof, value as ElectraAggregateAndProof, domain);
  }
  if ('committeeBits' in value.aggregate) {
    throw new Error(`aggregate at slot ${value.aggregate.data.slot} is in ${fork} but has committeeBits (electra shape)`);
  }
  return computeSigningRoot(phase0.AggregateAndProof, value as Phase0AggregateAndProof, domain);
}

/**
 * Voluntary exit. Before Deneb: DOMAIN_VOLUNTARY_EXIT with the fork version at `exit.epoch`. From Deneb on
 * (EIP-7044) the domain is fixed to CAPELLA_FORK_VERSION so a signed exit stays valid forever. `currentEpoch` is
 * the chain's epoch where the exit will be verified (it decides which rule applies).
 */
export function voluntaryExitSigningRoot(ctx: SigningContext, exit: VoluntaryExit, currentEpoch: number): Root {
  const current = forkAtEpoch(ctx, currentEpoch);
  let domain: Uint8Array;
  if (isForkAtLeast(current.name, 'deneb')) {
    const capella = ctx.forks.find((f) => f.name === 'capella');
    if (capella === undefined) throw new Error('EIP-7044 exit domain needs the capella fork version in the schedule');
    domain = computeDomain(DOMAIN_VOLUNTARY_EXIT, capella.version, ctx.genesisValidatorsRoot);
  } else {
    domain = getDomain(ctx, DOMAIN_VOLUNTARY_EXIT, exit.epoch);
  }
  return computeSigningRoot(phase0.VoluntaryExit, exit, domain);
}

/** Sync committee message: the block root under DOMAIN_SYNC_COMMITTEE at the slot's epoch. */
export function syncCommitteeMessageSigningRoot(ctx: SigningContext, slot: number, beaconBlockRoot: Root): Root {
  return computeSigningRootFromObjectRoot(
    beaconBlockRoot,
    getDomain(ctx, DOMAIN_SYNC_COMMITTEE, computeEpochAtSlot(ctx, slot)),
  );
}

/** Sync committee aggregator selection: SyncAggregatorSelectionData under DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF. */
export function syncCommitteeSelectionProofSigningRoot(ctx: SigningContext, data: SyncAggregatorSelectionData): Root {
  return computeSigningRoot(
    altair.SyncAggregatorSelectionData,
    data,
    getDomain(ctx, DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, computeEpochAtSlot(ctx, data.slot)),
  );
}

/** ContributionAndProof under DOMAIN_CONTRIBUTION_AND_PROOF at the contribution's slot epoch. */
export function contributionAndProofSigningRoot(ctx: SigningContext, value: ContributionAndProof): Root {
  return computeSigningRoot(
    altair.ContributionAndProof,
    value,
    getDomain(ctx, DOMAIN_CONTRIBUTION_AND_PROOF, computeEpochAtSlot(ctx, value.contribution.slot)),
  );
}

/** Builder validator registration: DOMAIN_APPLICATION_BUILDER with the genesis fork version and a zero root. */
export function validatorRegistrationSigningRoot(ctx: Pick<SigningContext, 'genesisForkVersion'>, value: ValidatorRegistrationV1): Root {
  return computeSigningRoot(
    bellatrix.ValidatorRegistrationV1,
    value,
    computeDomain(DOMAIN_APPLICATION_BUILDER, ctx.genesisForkVersion, ZERO_ROOT),
  );
}

/** Deposit: DepositMessage under DOMAIN_DEPOSIT with the network's GENESIS_FORK_VERSION and a zero root. */
export function depositMessageSigningRoot(genesisForkVersion: Version, message: DepositMessage): Root {
  return computeSigningRoot(phase0.DepositMessage, message, computeDomain(DOMAIN_DEPOSIT, genesisForkVersion, ZERO_ROOT));
}

/** `hash_tree_root(DepositMessage)` (the deposit CLI's `deposit_message_root`). */
export function depositMessageRoot(message: DepositMessage): Root {
  return freshHashTreeRoot(phase0.DepositMessage, message);
}

/** `hash_tree_root(DepositData)`: the `deposit_data_root` the deposit contract checks. */
export function depositDataRoot(data: DepositData): Root {
  return freshHashTreeRoot(phase0.DepositData, data);
}
