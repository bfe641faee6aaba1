/**
 * A typed client for any standard Beacon API node (the endpoints a distributed validator needs), over
 * `@lodestar/api`'s `getClient` and route definitions. Every failure — HTTP status, the API's own message, or no
 * answer at all — becomes a `BeaconApiError` that names the endpoint, the status and the node's message, so an
 * operator reading the log knows which call failed and why.
 *
 * The chain's config is read from the node itself (`/eth/v1/config/spec`) before the typed client is built, so
 * the fork schedule, SLOTS_PER_EPOCH and slot duration are the node's, not a preset compiled into this program.
 *
 * @example
 * const bn = await BeaconClient.connect('http://127.0.0.1:5052');
 * const data = await bn.attestationData(bn.currentSlot());
 */
import { getClient, type ApiClient, type routes } from '@lodestar/api';
import { chainConfigFromJson, createChainForkConfig, type ChainForkConfig } from '@lodestar/config';
import type { altair, electra, phase0 } from '@lodestar/types';
import { SYNC_COMMITTEE_SUBNET_COUNT, TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE } from '@lodestar/params';
import { signingContextFromConfig, type SigningContext } from '../../../common/eth2/signing.ts';

/** A failed Beacon API call: which endpoint, which HTTP status (0 = no answer), and the node's message. */
export class BeaconApiError extends Error {
  override name = 'BeaconApiError';
  constructor(
    readonly endpoint: string,
    readonly status: number,
    readonly apiMessage: string,
    readonly failures: { index: number; message: string }[] = [],
  ) {
    super(`beacon node ${endpoint} failed${status === 0 ? ' (no answer)' : ` with HTTP ${status}`}: ${apiMessage}`);
  }
}

/** What the duty pipeline needs to know about the chain, read once at start. */
export interface ChainInfo {
  genesisTime: number;
  genesisValidatorsRoot: Uint8Array;
  slotsPerEpoch: number;
  /** Slot duration in milliseconds (SLOT_DURATION_MS if the node publishes it, else SECONDS_PER_SLOT × 1000). */
  slotMs: number;
  /** TARGET_AGGREGATORS_PER_COMMITTEE (aggregator selection modulo). */
  targetAggregatorsPerCommittee: number;
  /** SYNC_COMMITTEE_SIZE / SYNC_COMMITTEE_SUBNET_COUNT, for sync sub-committee indices. */
  syncSubcommitteeSize: number;
  /** TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE (sync aggregator selection modulo; altair validator guide: 16). */
  targetAggregatorsPerSyncSubcommittee: number;
  epochsPerSyncCommitteePeriod: number;
  config: ChainForkConfig;
  signing: SigningContext;
}

export interface ValidatorInfo {
  index: number;
  pubkey: Uint8Array;
  status: string;
  balance: number;
  activationEpoch: number;
  exitEpoch: number;
}

/** Duties together with the `dependent_root` they were computed from (a change means: fetch again). */
export interface WithDependentRoot<T> {
  duties: T[];
  dependentRoot: string;
}

export type AttesterDuty = routes.validator.AttesterDuty;
export type ProposerDuty = routes.validator.ProposerDuty;
export type SyncDuty = routes.validator.SyncDuty;
export type BeaconCommitteeSubscription = routes.validator.BeaconCommitteeSubscription;
export type SyncCommitteeSubscription = routes.validator.SyncCommitteeSubscription;

/** Lodestar's response shape, reduced to what we read. */
interface Res<T, M = unknown> {
  ok: boolean;
  status: number;
  error(): { message: string } | null;
  value(): T;
  meta(): M;
}

export interface BeaconClientOptions {
  /** Per-request timeout in ms (default 10 000). */
  timeoutMs?: number;
}

export class BeaconClient {
  readonly url: string;
  readonly chain: ChainInfo;
  readonly api: ApiClient;

  private constructor(url: string, chain: ChainInfo, api: ApiClient) {
    this.url = url;
    this.chain = chain;
    this.api = api;
  }

  /** Reads spec and genesis from the node at `url` and builds the typed client. */
  static async connect(url: string, options: BeaconClientOptions = {}): Promise<BeaconClient> {
    const base = url.replace(/\/+$/, '');
    const spec = await rawJson<{ data: Record<string, string> }>(base, '/eth/v1/config/spec');
    const genesis = await rawJson<{ data: { genesis_time: string; genesis_validators_root: string } }>(base, '/eth/v1/beacon/genesis');
    const config = createChainForkConfig(chainConfigFromJson(spec.data));
    const num = (k: string, fallback?: number): number => {
      const v = spec.data[k];
      if (v === undefined) {
        if (fallback !== undefined) return fallback;
        throw new BeaconApiError('GET /eth/v1/config/spec', 200, `spec has no ${k}`);
      }
      const n = Number(v);
      if (!Number.isFinite(n)) throw new BeaconApiError('GET /eth/v1/config/spec', 200, `spec ${k}=${v} is not a number`);
      return n;
    };
    const slotsPerEpoch = num('SLOTS_PER_EPOCH');
    const slotMs = spec.data.SLOT_DURATION_MS !== undefined ? num('SLOT_DURATION_MS') : num('SECONDS_PER_SLOT') * 1000;
    const gvr = Uint8Array.from(Buffer.from(genesis.data.genesis_validators_root.replace(/^0x/, ''), 'hex'));
    const chain: ChainInfo = {
      genesisTime: Number(genesis.data.genesis_time),
      genesisValidatorsRoot: gvr,
      slotsPerEpoch,
      slotMs,
      targetAggregatorsPerCommittee: num('TARGET_AGGREGATORS_PER_COMMITTEE', 16),
      // SYNC_COMMITTEE_SUBNET_COUNT and TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE are constants of the altair validator
      // guide (4 and 16), not preset values, so many nodes leave them out of /config/spec: the spec's value then.
      syncSubcommitteeSize: num('SYNC_COMMITTEE_SIZE', 512) / num('SYNC_COMMITTEE_SUBNET_COUNT', SYNC_COMMITTEE_SUBNET_COUNT),
      targetAggregatorsPerSyncSubcommittee: num('TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE', TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE),
      epochsPerSyncCommitteePeriod: num('EPOCHS_PER_SYNC_COMMITTEE_PERIOD', 256),
      config,
      signing: signingContextFromConfig(config, gvr, slotsPerEpoch),
    };
    const api = getClient({ baseUrl: base, globalInit: { timeoutMs: options.timeoutMs ?? 10_000 } }, { config });
    return new BeaconClient(base, chain, api);
  }

  // ---- time ------------------------------------------------------------------------------------------------------
  slotStartMs(slot: number): number {
    return this.chain.genesisTime * 1000 + slot * this.chain.slotMs;
  }
  currentSlot(nowMs = Date.now()): number {
    return Math.max(0, Math.floor((nowMs - this.chain.genesisTime * 1000) / this.chain.slotMs));
  }
  epochOf(slot: number): number {
    return Math.floor(slot / this.chain.slotsPerEpoch);
  }

  // ---- node ------------------------------------------------------------------------------------------------------
  async syncing(): Promise<{ headSlot: number; syncDistance: number; isSyncing: boolean; isOptimistic: boolean }> {
    const v = await this.call('GET /eth/v1/node/syncing', () => this.api.node.getSyncingStatus());
    return { headSlot: v.headSlot, syncDistance: v.syncDistance, isSyncing: v.isSyncing, isOptimistic: v.isOptimistic ?? false };
  }

  /** True if /eth/v1/node/health answers 200 (206 = syncing counts as not ready). */
  async healthy(): Promise<boolean> {
    try {
      const res = await this.api.node.getHealth();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  // ---- beacon state ----------------------------------------------------------------------------------------------
  /** Validators by pubkey (0x hex) or index, in the head state; unknown ones are simply absent. */
  async validators(ids: (string | number)[], stateId = 'head'): Promise<ValidatorInfo[]> {
    if (ids.length === 0) return [];
    const v = await this.call('POST /eth/v1/beacon/states/{state_id}/validators', () =>
      this.api.beacon.postStateValidators({ stateId, validatorIds: ids }),
    );
    return v.map((x) => ({
      index: x.index,
      pubkey: x.validator.pubkey,
      status: x.status,
      balance: x.balance,
      activationEpoch: x.validator.activationEpoch,
      exitEpoch: x.validator.exitEpoch,
    }));
  }

  async balances(indices: number[], stateId = 'head'): Promise<Map<number, number>> {
    const v = await this.call('POST /eth/v1/beacon/states/{state_id}/validator_balances', () =>
      this.api.beacon.postStateValidatorBalances({ stateId, validatorIds: indices }),
    );
    return new Map(v.map((x) => [x.index, x.balance]));
  }

  async blockRoot(blockId: string | number = 'head'): Promise<Uint8Array> {
    const v = await this.call('GET /eth/v1/beacon/blocks/{block_id}/root', () => this.api.beacon.getBlockRoot({ blockId }));
    return v.root;
  }

  // ---- duties ----------------------------------------------------------------------------------------------------
  async attesterDuties(epoch: number, indices: number[]): Promise<WithDependentRoot<AttesterDuty>> {
    const res = await this.api.validator.getAttesterDuties({ epoch, indices });
    const duties = unwrap('POST /eth/v1/validator/duties/attester/{epoch}', res);
    return { duties, dependentRoot: String(res.meta().dependentRoot) };
  }

  async proposerDuties(epoch: number): Promise<WithDependentRoot<ProposerDuty>> {
    const res = await this.api.validator.getProposerDuties({ epoch });
    const duties = unwrap('GET /eth/v1/validator/duties/proposer/{epoch}', res);
    return { duties, dependentRoot: String(res.meta().dependentRoot) };
  }

  async syncDuties(epoch: number, indices: number[]): Promise<SyncDuty[]> {
    return this.call('POST /eth/v1/validator/duties/sync/{epoch}', () => this.api.validator.getSyncCommitteeDuties({ epoch, indices }));
  }

  // ---- attestations ----------------------------------------------------------------------------------------------
  async attestationData(slot: number, committeeIndex = 0): Promise<phase0.AttestationData> {
    return this.call('GET /eth/v1/validator/attestation_data', () => this.api.validator.produceAttestationData({ slot, committeeIndex }));
  }

  /** POST /eth/v2/beacon/pool/attestations (Electra `SingleAttestation`s). */
  async submitAttestations(attestations: electra.SingleAttestation[]): Promise<void> {
    if (attestations.length === 0) return;
    await this.call('POST /eth/v2/beacon/pool/attestations', () => this.api.beacon.submitPoolAttestationsV2({ signedAttestations: attestations }));
  }

  async aggregateAttestation(slot: number, attestationDataRoot: Uint8Array, committeeIndex: number): Promise<electra.Attestation> {
    const v = await this.call('GET /eth/v2/validator/aggregate_attestation', () =>
      this.api.validator.getAggregatedAttestationV2({ slot, attestationDataRoot, committeeIndex }),
    );
    return v as electra.Attestation;
  }

  async submitAggregateAndProofs(items: electra.SignedAggregateAndProof[]): Promise<void> {
    if (items.length === 0) return;
    await this.call('POST /eth/v2/validator/aggregate_and_proofs', () =>
      this.api.validator.publishAggregateAndProofsV2({ signedAggregateAndProofs: items }),
    );
  }

  async subscribeCommittees(subscriptions: BeaconCommitteeSubscription[]): Promise<void> {
    if (subscriptions.length === 0) return;
    await this.call('POST /eth/v1/validator/beacon_committee_subscriptions', () => this.api.validator.prepareBeaconCommitteeSubnet({ subscriptions }));
  }

  // ---- blocks ----------------------------------------------------------------------------------------------------
  /** GET /eth/v3/validator/blocks/{slot}: an unblinded Electra block (blinded/builder blocks are refused). */
  async produceBlock(slot: number, randaoReveal: Uint8Array, graffiti?: string): Promise<electra.BeaconBlock> {
    const res = await this.api.validator.produceBlockV3({ slot, randaoReveal, ...(graffiti === undefined ? {} : { graffiti }) });
    const v = unwrap('GET /eth/v3/validator/blocks/{slot}', res);
    const meta = res.meta() as { executionPayloadBlinded?: boolean; version?: string };
    if (meta.executionPayloadBlinded) throw new BeaconApiError('GET /eth/v3/validator/blocks/{slot}', res.status, 'node returned a blinded block; builder blocks are not supported');
    const block = (v as { block?: electra.BeaconBlock }).block ?? (v as unknown as electra.BeaconBlock);
    return block;
  }

  async publishBlock(signed: electra.SignedBeaconBlock): Promise<void> {
    await this.call('POST /eth/v2/beacon/blocks', () =>
      this.api.beacon.publishBlockV2({ signedBlockContents: { signedBlock: signed, kzgProofs: [], blobs: [] } as never }),
    );
  }

  // ---- sync committee --------------------------------------------------------------------------------------------
  async submitSyncCommitteeMessages(messages: altair.SyncCommitteeMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.call('POST /eth/v1/beacon/pool/sync_committees', () => this.api.beacon.submitPoolSyncCommitteeSignatures({ signatures: messages }));
  }

  /**
   * GET /eth/v1/validator/sync_committee_contribution: the node's aggregate of the sync committee messages of one
   * subcommittee for `beaconBlockRoot` at `slot`. A 404 (no message for that subcommittee and root) is a
   * `BeaconApiError` with status 404, which callers treat as "nothing to aggregate".
   */
  async syncCommitteeContribution(slot: number, subcommitteeIndex: number, beaconBlockRoot: Uint8Array): Promise<altair.SyncCommitteeContribution> {
    if (!Number.isSafeInteger(subcommitteeIndex) || subcommitteeIndex < 0) {
      throw new RangeError(`sync_committee_contribution: subcommittee_index must be a non-negative integer, got ${subcommitteeIndex}`);
    }
    if (beaconBlockRoot.length !== 32) throw new RangeError(`sync_committee_contribution: beacon_block_root must be 32 bytes, got ${beaconBlockRoot.length}`);
    return this.call('GET /eth/v1/validator/sync_committee_contribution', () =>
      this.api.validator.produceSyncCommitteeContribution({ slot, subcommitteeIndex, beaconBlockRoot }),
    );
  }

  /**
   * POST /eth/v1/validator/contribution_and_proofs. A refused item makes the call fail with the node's per-item
   * `failures` (index and message) on the `BeaconApiError`.
   */
  async submitContributionAndProofs(items: altair.SignedContributionAndProof[]): Promise<void> {
    if (items.length === 0) return;
    await this.call('POST /eth/v1/validator/contribution_and_proofs', () => this.api.validator.publishContributionAndProofs({ contributionAndProofs: items }));
  }

  /** POST /eth/v1/validator/sync_committee_subscriptions: the node joins the sync subnets of these validators. */
  async subscribeSyncCommittees(subscriptions: SyncCommitteeSubscription[]): Promise<void> {
    if (subscriptions.length === 0) return;
    await this.call('POST /eth/v1/validator/sync_committee_subscriptions', () => this.api.validator.prepareSyncCommitteeSubnets({ subscriptions }));
  }

  // ---- exits -----------------------------------------------------------------------------------------------------
  async submitVoluntaryExit(signed: phase0.SignedVoluntaryExit): Promise<void> {
    await this.call('POST /eth/v1/beacon/pool/voluntary_exits', () => this.api.beacon.submitPoolVoluntaryExit({ signedVoluntaryExit: signed }));
  }

  // ---- plumbing --------------------------------------------------------------------------------------------------
  /**
   * One call; a call that got no answer is tried once more at once: a kept-alive connection the node closed while
   * idle fails exactly like that, and every call here is safe to repeat (reads, or submissions a node de-duplicates).
   */
  private async call<T>(endpoint: string, f: () => Promise<Res<T>>): Promise<T> {
    let res: Res<T>;
    try {
      res = await f();
    } catch {
      try {
        res = await f();
      } catch (e) {
        throw new BeaconApiError(endpoint, 0, `${(e as Error).message} (is the beacon node at ${this.url} running?)`);
      }
    }
    return unwrap(endpoint, res);
  }
}

function unwrap<T>(endpoint: string, res: Res<T>): T {
  if (!res.ok) {
    const err = res.error() as ({ message: string } & { failures?: { index: number; message: string }[] }) | null;
    const message = err?.message ?? `HTTP ${res.status}`;
    // lodestar formats "<op> failed with status N: <api message>"; keep the API's part
    const apiMessage = message.replace(/^\w+ failed with status \d+: /, '');
    throw new BeaconApiError(endpoint, res.status, apiMessage, err?.failures ?? []);
  }
  return res.value();
}

async function rawJson<T>(base: string, path: string): Promise<T> {
  let r: Response;
  try {
    r = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    throw new BeaconApiError(`GET ${path}`, 0, `${(e as Error).message} (is the beacon node at ${base} running?)`);
  }
  const text = await r.text();
  if (!r.ok) {
    let msg = text;
    try {
      msg = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      /* not JSON */
    }
    throw new BeaconApiError(`GET ${path}`, r.status, msg);
  }
  return JSON.parse(text) as T;
}
