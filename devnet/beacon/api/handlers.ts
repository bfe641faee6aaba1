/**
 * Implementations of the standard Beacon API methods over a BeaconChain, typed by @lodestar/api's Endpoints so
 * arguments and return values have exactly the shapes the route codecs serialise. Only the methods listed in the
 * README are served; every other path answers 404 like any route a node does not have.
 */
import type { routes } from '@lodestar/api';
import type { ApplicationMethods } from '@lodestar/api/server';
import { chainConfigToJson, specValuesToJson } from '@lodestar/config';
import { ForkName, activePreset, DOMAIN_AGGREGATE_AND_PROOF, DOMAIN_BEACON_ATTESTER, DOMAIN_BEACON_PROPOSER, DOMAIN_CONTRIBUTION_AND_PROOF, DOMAIN_DEPOSIT, DOMAIN_RANDAO, DOMAIN_SELECTION_PROOF, DOMAIN_SYNC_COMMITTEE, DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, DOMAIN_VOLUNTARY_EXIT } from '@lodestar/params';
import { ssz, type electra, type phase0 } from '@lodestar/types';
import { bytesToHex, hexToBytes } from 'viem';
import type { BeaconChain, StateSnapshot, StoredBlock } from '../chain.ts';
import { ChainError } from '../chain.ts';
import { FORK_VERSIONS } from '../config.ts';
import { SPEC } from '../params.ts';
import { validatorStatus } from '../state.ts';
import { HttpError } from './router.ts';

export const NODE_VERSION = 'shoal-devnet-beacon/0.1.0 (test chain — NOT a production client)';

type BeaconM = ApplicationMethods<routes.beacon.Endpoints>;
type ValidatorM = ApplicationMethods<routes.validator.Endpoints>;
type NodeM = ApplicationMethods<routes.node.Endpoints>;
type ConfigM = ApplicationMethods<routes.config.Endpoints>;

export interface Handlers {
  beacon: Partial<BeaconM>;
  validator: Partial<ValidatorM>;
  node: Partial<NodeM>;
  config: Partial<ConfigM>;
}

export function createHandlers(chain: BeaconChain): Handlers {
  const spe = chain.opts.slotsPerEpoch;
  const meta = (slot: number) => ({ executionOptimistic: false, finalized: slot <= chain.s.finalized.epoch * spe });

  const resolveState = (stateId: string | number): StateSnapshot => {
    const id = String(stateId);
    let snap: StateSnapshot | undefined;
    if (id === 'head') snap = chain.headState();
    else if (id === 'genesis') snap = chain.stateAtSlot(0);
    else if (id === 'finalized') snap = chain.stateAtSlot(chain.s.finalized.epoch * spe);
    else if (id === 'justified') snap = chain.stateAtSlot(chain.s.currentJustified.epoch * spe);
    else if (/^\d+$/.test(id)) {
      const slot = Number(id);
      if (slot > chain.slot) throw new HttpError(404, `State not found: slot ${slot} is in the future (head slot ${chain.slot})`);
      snap = chain.stateAtSlot(slot);
    } else if (/^0x[0-9a-fA-F]{64}$/.test(id)) snap = chain.stateByRoot(id);
    else throw new HttpError(400, `Invalid state ID: ${id}`);
    if (!snap) throw new HttpError(404, `State not found: ${id} (this test chain keeps per-slot states for 2 epochs and epoch-start states for ${chain.opts.historySlots} slots)`);
    return snap;
  };

  const resolveBlock = (blockId: string | number): StoredBlock => {
    const id = String(blockId);
    let b: StoredBlock | undefined;
    if (id === 'head') b = chain.blocks.get(bytesToHex(chain.headRoot));
    else if (id === 'genesis') b = chain.blocks.get(bytesToHex(chain.genesisBlockRoot));
    else if (id === 'finalized' || id === 'justified') {
      const cp = id === 'finalized' ? chain.s.finalized : chain.s.currentJustified;
      b = cp.epoch === 0 ? chain.blocks.get(bytesToHex(chain.genesisBlockRoot)) : chain.blocks.get(bytesToHex(cp.root));
    } else if (/^\d+$/.test(id)) b = chain.blockAtSlot(Number(id));
    else if (/^0x[0-9a-fA-F]{64}$/.test(id)) b = chain.blocks.get(id.toLowerCase());
    else throw new HttpError(400, `Invalid block ID: ${id}`);
    if (!b) throw new HttpError(404, `Block not found: ${id}`);
    return b;
  };

  const indexOf = (snap: StateSnapshot, id: string | number): number | undefined => {
    if (typeof id === 'number' || /^\d+$/.test(id)) {
      const i = Number(id);
      return i < snap.validators.length ? i : undefined;
    }
    if (/^0x[0-9a-fA-F]{96}$/.test(id)) {
      const i = chain.s.pubkeyIndex.get(id.toLowerCase());
      return i !== undefined && i < snap.validators.length ? i : undefined;
    }
    throw new HttpError(400, `Invalid validator ID: ${id} (expected an index or a 0x-prefixed 48-byte pubkey)`);
  };

  const validatorsOf = (snap: StateSnapshot, ids?: (string | number)[], statuses?: string[]) => {
    const epoch = Math.floor(snap.slot / spe);
    const idx = ids && ids.length > 0 ? ids.map((id) => indexOf(snap, id)).filter((i): i is number => i !== undefined) : snap.validators.map((_, i) => i);
    const out = [];
    for (const index of [...new Set(idx)]) {
      const v = snap.validators[index]!;
      const balance = snap.balances[index]!;
      const status = validatorStatus(v, balance, epoch);
      if (statuses && statuses.length > 0 && !statuses.some((st) => st === status || status.startsWith(`${st}_`))) continue;
      out.push({ index, balance, status, validator: v });
    }
    return out;
  };

  const balancesOf = (snap: StateSnapshot, ids?: (string | number)[]) => {
    const idx = ids && ids.length > 0 ? ids.map((id) => indexOf(snap, id)).filter((i): i is number => i !== undefined) : snap.validators.map((_, i) => i);
    return [...new Set(idx)].map((index) => ({ index, balance: snap.balances[index]! }));
  };

  const header = (b: StoredBlock) => {
    const m = b.signed.message;
    return {
      root: b.root,
      canonical: true,
      header: {
        message: { slot: m.slot, proposerIndex: m.proposerIndex, parentRoot: m.parentRoot, stateRoot: m.stateRoot, bodyRoot: ssz.electra.BeaconBlockBody.hashTreeRoot(m.body) },
        signature: b.signed.signature,
      },
    };
  };

  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ChainError) throw new HttpError(e.status, e.message);
      throw e;
    }
  };

  const dependentRoot = (slot: number): Uint8Array => (slot < 0 ? chain.genesisBlockRoot : chain.blockRootAtSlot(slot));

  const poolFailures = <T>(items: T[], submit: (x: T) => string | null, what: string): void => {
    const failures: { index: number; message: string }[] = [];
    items.forEach((x, index) => {
      let err: string | null;
      try {
        err = submit(x);
      } catch (e) {
        err = e instanceof ChainError ? e.message : `${(e as Error).message}`;
      }
      if (err) failures.push({ index, message: err });
    });
    if (failures.length > 0) throw new HttpError(400, `Error processing ${what}`, failures);
  };

  const beacon: Partial<BeaconM> = {
    async getGenesis() {
      return { data: { genesisTime: chain.s.genesisTime, genesisValidatorsRoot: chain.s.genesisValidatorsRoot, genesisForkVersion: hexToBytes(FORK_VERSIONS.GENESIS_FORK_VERSION) } };
    },
    async getStateRoot({ stateId }) {
      const s = resolveState(stateId);
      return { data: { root: s.stateRoot }, meta: meta(s.slot) };
    },
    async getStateFork({ stateId }) {
      const s = resolveState(stateId);
      const v = hexToBytes(FORK_VERSIONS.ELECTRA_FORK_VERSION);
      return { data: { previousVersion: v, currentVersion: v, epoch: 0 }, meta: meta(s.slot) };
    },
    async getStateRandao({ stateId, epoch }) {
      const s = resolveState(stateId);
      if (epoch !== undefined && epoch !== Math.floor(s.slot / spe)) throw new HttpError(400, `this test chain only serves the randao mix of the state's own epoch (${Math.floor(s.slot / spe)})`);
      return { data: { randao: s.randaoMix }, meta: meta(s.slot) };
    },
    async getStateFinalityCheckpoints({ stateId }) {
      const s = resolveState(stateId);
      return { data: { previousJustified: s.previousJustified, currentJustified: s.currentJustified, finalized: s.finalized }, meta: meta(s.slot) };
    },
    async getStateValidator({ stateId, validatorId }) {
      const s = resolveState(stateId);
      const i = indexOf(s, validatorId);
      if (i === undefined) throw new HttpError(404, `Validator not found: ${validatorId}`);
      return { data: validatorsOf(s, [i])[0]!, meta: meta(s.slot) };
    },
    async getStateValidators({ stateId, validatorIds, statuses }) {
      const s = resolveState(stateId);
      return { data: validatorsOf(s, validatorIds, statuses), meta: meta(s.slot) };
    },
    async postStateValidators({ stateId, validatorIds, statuses }) {
      const s = resolveState(stateId);
      return { data: validatorsOf(s, validatorIds, statuses), meta: meta(s.slot) };
    },
    async postStateValidatorIdentities({ stateId, validatorIds }) {
      const s = resolveState(stateId);
      return { data: validatorsOf(s, validatorIds).map((v) => ({ index: v.index, pubkey: v.validator.pubkey, activationEpoch: v.validator.activationEpoch })), meta: meta(s.slot) };
    },
    async getStateValidatorBalances({ stateId, validatorIds }) {
      const s = resolveState(stateId);
      return { data: balancesOf(s, validatorIds), meta: meta(s.slot) };
    },
    async postStateValidatorBalances({ stateId, validatorIds }) {
      const s = resolveState(stateId);
      return { data: balancesOf(s, validatorIds), meta: meta(s.slot) };
    },
    async getEpochCommittees({ stateId, epoch, index, slot }) {
      const s = resolveState(stateId);
      const e = epoch ?? (slot !== undefined ? Math.floor(slot / spe) : Math.floor(s.slot / spe));
      const sh = wrap(() => chain.cache.shuffling(chain.s, e));
      const data: routes.beacon.EpochCommitteeResponse[] = [];
      for (let i = 0; i < spe; i++) {
        const sl = e * spe + i;
        if (slot !== undefined && sl !== slot) continue;
        sh.committees[i]!.forEach((validators, ci) => {
          if (index === undefined || ci === index) data.push({ index: ci, slot: sl, validators });
        });
      }
      return { data, meta: meta(s.slot) };
    },
    async getEpochSyncCommittees({ stateId }) {
      const s = resolveState(stateId);
      const validators = chain.s.currentSyncCommittee;
      const sub = SPEC.SYNC_COMMITTEE_SIZE / SPEC.SYNC_COMMITTEE_SUBNET_COUNT;
      const validatorAggregates = Array.from({ length: SPEC.SYNC_COMMITTEE_SUBNET_COUNT }, (_, k) => validators.slice(k * sub, (k + 1) * sub));
      return { data: { validators, validatorAggregates }, meta: meta(s.slot) };
    },
    async getPendingDeposits({ stateId }) {
      const s = resolveState(stateId);
      if (s.slot !== chain.slot) throw new HttpError(404, 'pending deposits are only served for the head state');
      return { data: chain.s.pendingDeposits.map((d) => ({ ...d })), meta: { ...meta(s.slot), version: ForkName.electra } };
    },
    async getPendingPartialWithdrawals({ stateId }) {
      const s = resolveState(stateId);
      if (s.slot !== chain.slot) throw new HttpError(404, 'pending partial withdrawals are only served for the head state');
      return { data: chain.s.pendingPartialWithdrawals.map((w) => ({ validatorIndex: w.validatorIndex, amount: BigInt(w.amount), withdrawableEpoch: w.withdrawableEpoch })), meta: { ...meta(s.slot), version: ForkName.electra } };
    },
    async getBlockHeader({ blockId }) {
      const b = resolveBlock(blockId);
      return { data: header(b), meta: meta(b.signed.message.slot) };
    },
    async getBlockHeaders({ slot, parentRoot }) {
      let bs: StoredBlock[];
      if (slot !== undefined) bs = [chain.blockAtSlot(slot)].filter((b): b is StoredBlock => b !== undefined);
      else if (parentRoot !== undefined) bs = [...chain.blocks.values()].filter((b) => bytesToHex(b.signed.message.parentRoot) === String(parentRoot).toLowerCase());
      else bs = [chain.blocks.get(bytesToHex(chain.headRoot))!];
      return { data: bs.map(header), meta: { executionOptimistic: false, finalized: false } };
    },
    async getBlockRoot({ blockId }) {
      const b = resolveBlock(blockId);
      return { data: { root: b.root }, meta: meta(b.signed.message.slot) };
    },
    async getBlockV2({ blockId }) {
      const b = resolveBlock(blockId);
      return { data: b.signed, meta: { ...meta(b.signed.message.slot), version: ForkName.electra } };
    },
    async getBlockAttestationsV2({ blockId }) {
      const b = resolveBlock(blockId);
      return { data: b.signed.message.body.attestations, meta: { ...meta(b.signed.message.slot), version: ForkName.electra } };
    },
    async publishBlockV2({ signedBlockContents }) {
      const sbc = signedBlockContents as electra.SignedBlockContents;
      if (sbc.blobs.length > 0 || sbc.signedBlock.message.body.blobKzgCommitments.length > 0) throw new HttpError(400, 'this test chain has no blobs');
      wrap(() => chain.importBlock(sbc.signedBlock));
    },
    async getPoolAttestationsV2({ slot, committeeIndex }) {
      return { data: chain.ops.attestations.all(slot, committeeIndex), meta: { version: ForkName.electra } };
    },
    async submitPoolAttestationsV2({ signedAttestations }) {
      poolFailures(signedAttestations as electra.SingleAttestation[], (a) => wrap(() => chain.ops.submitSingle(a)), 'attestations');
    },
    async getPoolVoluntaryExits() {
      return { data: chain.ops.poolExits() };
    },
    async submitPoolVoluntaryExit({ signedVoluntaryExit }) {
      const err = wrap(() => chain.ops.submitExit(signedVoluntaryExit));
      if (err) throw new HttpError(400, `Invalid voluntary exit: ${err}`);
    },
    async getPoolAttesterSlashingsV2() {
      return { data: chain.ops.poolAttesterSlashings(), meta: { version: ForkName.electra } };
    },
    async submitPoolAttesterSlashingsV2({ attesterSlashing }) {
      const err = wrap(() => chain.ops.submitAttesterSlashing(attesterSlashing as electra.AttesterSlashing));
      if (err) throw new HttpError(400, `Invalid attester slashing: ${err}`);
    },
    async getPoolProposerSlashings() {
      return { data: chain.ops.poolProposerSlashings() };
    },
    async submitPoolProposerSlashings({ proposerSlashing }) {
      const err = wrap(() => chain.ops.submitProposerSlashing(proposerSlashing));
      if (err) throw new HttpError(400, `Invalid proposer slashing: ${err}`);
    },
    async submitPoolSyncCommitteeSignatures({ signatures }) {
      poolFailures(signatures, (m) => wrap(() => chain.ops.submitSyncMessage(m)), 'sync committee signatures');
    },
    async getAttestationsRewards({ epoch, validatorIds }) {
      const r = chain.rewards.get(epoch);
      if (!r) throw new HttpError(404, `attestation rewards of epoch ${epoch} are not available (computed at the end of epoch ${epoch + 1}; kept for ${chain.opts.historySlots} slots)`);
      const snap = chain.headState();
      const ids = validatorIds && validatorIds.length > 0 ? validatorIds.map((id) => indexOf(snap, id)).filter((i): i is number => i !== undefined) : [...r.byValidator.keys()];
      const totalRewards = ids.filter((i) => r.byValidator.has(i)).map((validatorIndex) => {
        const [source, target, head, inactivity] = r.byValidator.get(validatorIndex)!;
        return { validatorIndex, head, target, source, inclusionDelay: 0, inactivity };
      });
      const idealRewards = [...r.ideal.entries()].sort((a, b) => a[0] - b[0]).map(([effectiveBalance, [source, target, head]]) => ({ effectiveBalance, head, target, source, inclusionDelay: 0, inactivity: 0 }));
      return { data: { idealRewards, totalRewards }, meta: meta((epoch + 1) * spe) };
    },
  };

  const validator: Partial<ValidatorM> = {
    async getAttesterDuties({ epoch, indices }) {
      if (epoch > chain.epoch + 1) throw new HttpError(400, `Cannot get duties for epoch ${epoch} more than one epoch ahead of the current epoch ${chain.epoch}`);
      const sh = wrap(() => chain.cache.shuffling(chain.s, epoch));
      const want = new Set(indices);
      for (const i of want) if (i >= chain.s.validators.length) throw new HttpError(400, `Validator index ${i} not in state`);
      const data: routes.validator.AttesterDuty[] = [];
      for (let k = 0; k < spe; k++) {
        sh.committees[k]!.forEach((committee, ci) => {
          committee.forEach((vi, pos) => {
            if (!want.has(vi)) return;
            data.push({
              pubkey: chain.s.validators[vi]!.pubkey, validatorIndex: vi, committeeIndex: ci, committeeLength: committee.length,
              committeesAtSlot: sh.committeesPerSlot, validatorCommitteeIndex: pos, slot: epoch * spe + k,
            });
          });
        });
      }
      return { data, meta: { executionOptimistic: false, dependentRoot: bytesToHex(wrap(() => dependentRoot((epoch - 1) * spe - 1))) } };
    },
    async getProposerDuties({ epoch }) {
      if (epoch !== chain.epoch) throw new HttpError(400, `Proposer duties are served for the current epoch ${chain.epoch} only (requested ${epoch})`);
      const proposers = wrap(() => chain.cache.proposersOf(chain.s, epoch));
      const data = proposers.map((vi, k) => ({ slot: epoch * spe + k, validatorIndex: vi, pubkey: chain.s.validators[vi]!.pubkey }));
      return { data, meta: { executionOptimistic: false, dependentRoot: bytesToHex(wrap(() => dependentRoot(epoch * spe - 1))) } };
    },
    async getSyncCommitteeDuties({ epoch, indices }) {
      const period = (e: number) => Math.floor(e / chain.opts.epochsPerSyncCommitteePeriod);
      const cur = period(chain.epoch);
      const p = period(epoch);
      if (p !== cur && p !== cur + 1) throw new HttpError(400, `Sync committee duties are served for the current (${cur}) and next sync committee period only (epoch ${epoch} is in period ${p})`);
      const committee = p === cur ? chain.s.currentSyncCommittee : chain.s.nextSyncCommittee;
      const data: routes.validator.SyncDuty[] = [];
      for (const vi of new Set(indices)) {
        if (vi >= chain.s.validators.length) throw new HttpError(400, `Validator index ${vi} not in state`);
        const positions = committee.flatMap((x, pos) => (x === vi ? [pos] : []));
        if (positions.length > 0) data.push({ pubkey: chain.s.validators[vi]!.pubkey, validatorIndex: vi, validatorSyncCommitteeIndices: positions });
      }
      return { data, meta: { executionOptimistic: false } };
    },
    async produceAttestationData({ slot }) {
      return { data: wrap(() => chain.attestationData(slot)) };
    },
    async getAggregatedAttestationV2({ attestationDataRoot, slot, committeeIndex }) {
      const a = chain.ops.getAggregate(attestationDataRoot, slot, committeeIndex);
      if (!a) throw new HttpError(404, `No aggregated attestation for slot=${slot}, committee=${committeeIndex}, dataRoot=${bytesToHex(attestationDataRoot)}`);
      return { data: a, meta: { version: ForkName.electra } };
    },
    async publishAggregateAndProofsV2({ signedAggregateAndProofs }) {
      poolFailures(signedAggregateAndProofs as electra.SignedAggregateAndProof[], (x) => wrap(() => chain.ops.submitAggregate(x)), 'aggregate and proofs');
    },
    async produceSyncCommitteeContribution({ slot, subcommitteeIndex, beaconBlockRoot }) {
      const k = wrap(() => chain.ops.syncContribution(slot, subcommitteeIndex, beaconBlockRoot));
      if (!k) throw new HttpError(404, `No sync committee contribution for slot=${slot}, subcommittee=${subcommitteeIndex}, root=${bytesToHex(beaconBlockRoot)}`);
      return { data: k };
    },
    async publishContributionAndProofs({ contributionAndProofs }) {
      poolFailures(contributionAndProofs, (x) => wrap(() => chain.ops.submitContribution(x)), 'contribution and proofs');
    },
    async prepareBeaconCommitteeSubnet() {
      // every attestation reaches this node's pool: there are no subnets to join
    },
    async prepareSyncCommitteeSubnets() {},
    async prepareBeaconProposer() {},
    async registerValidator() {},
    async submitBeaconCommitteeSelections() {
      throw new HttpError(501, 'beacon committee selections are served by a DV middleware, not by a beacon node');
    },
    async submitSyncCommitteeSelections() {
      throw new HttpError(501, 'sync committee selections are served by a DV middleware, not by a beacon node');
    },
    async produceBlockV3({ slot, randaoReveal, graffiti, skipRandaoVerification }) {
      const g = new Uint8Array(32);
      if (graffiti) {
        const bytes = graffiti.startsWith('0x') ? hexToBytes(graffiti as `0x${string}`) : new TextEncoder().encode(graffiti);
        g.set(bytes.subarray(0, 32));
      }
      const block = wrap(() => chain.produceBlock(slot, randaoReveal, g, skipRandaoVerification === true));
      return {
        data: { block, kzgProofs: [], blobs: [] },
        meta: { version: ForkName.electra, executionPayloadBlinded: false, executionPayloadSource: 'engine' as never, executionPayloadValue: 0n, consensusBlockValue: 0n },
      };
    },
    async getLiveness({ epoch, indices }) {
      if (epoch > chain.epoch + 1 || epoch + Math.floor(chain.opts.historySlots / spe) < chain.epoch) throw new HttpError(400, `liveness of epoch ${epoch} is not tracked (current epoch ${chain.epoch})`);
      const live = chain.liveness.get(epoch);
      return { data: indices.map((index) => ({ index, isLive: live?.has(index) ?? false })) };
    },
  };

  const node: Partial<NodeM> = {
    async getHealth() {
      return { status: 200 as never };
    },
    async getSyncingStatus() {
      return { data: { headSlot: chain.headSlot, syncDistance: chain.slot - chain.headSlot, isSyncing: false, isOptimistic: false, elOffline: false } };
    },
    async getNodeVersion() {
      return { data: { version: NODE_VERSION } };
    },
    async getPeerCount() {
      return { data: { disconnected: 0, connecting: 0, connected: 0, disconnecting: 0 } };
    },
  };

  const config: Partial<ConfigM> = {
    async getSpec() {
      const domains = {
        DOMAIN_BEACON_PROPOSER, DOMAIN_BEACON_ATTESTER, DOMAIN_RANDAO, DOMAIN_DEPOSIT, DOMAIN_VOLUNTARY_EXIT, DOMAIN_SELECTION_PROOF,
        DOMAIN_AGGREGATE_AND_PROOF, DOMAIN_SYNC_COMMITTEE, DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, DOMAIN_CONTRIBUTION_AND_PROOF,
      };
      const data: Record<string, string> = {
        ...specValuesToJson(activePreset as never),
        ...chainConfigToJson(chain.forkConfig),
        ...specValuesToJson(domains as never),
        SLOTS_PER_EPOCH: String(spe),
        SECONDS_PER_SLOT: String(chain.opts.slotTime),
        EPOCHS_PER_SYNC_COMMITTEE_PERIOD: String(chain.opts.epochsPerSyncCommitteePeriod),
        EPOCHS_PER_SLASHINGS_VECTOR: String(chain.opts.epochsPerSlashingsVector),
        TARGET_AGGREGATORS_PER_COMMITTEE: String(SPEC.TARGET_AGGREGATORS_PER_COMMITTEE),
        FAR_FUTURE_EPOCH: '18446744073709551615',
      } as Record<string, string>;
      return { data };
    },
    async getForkSchedule() {
      const v = (h: string) => hexToBytes(h as `0x${string}`);
      const order = [FORK_VERSIONS.GENESIS_FORK_VERSION, FORK_VERSIONS.ALTAIR_FORK_VERSION, FORK_VERSIONS.BELLATRIX_FORK_VERSION, FORK_VERSIONS.CAPELLA_FORK_VERSION, FORK_VERSIONS.DENEB_FORK_VERSION, FORK_VERSIONS.ELECTRA_FORK_VERSION];
      const data: phase0.Fork[] = order.map((cur, i) => ({ previousVersion: v(order[Math.max(0, i - 1)]!), currentVersion: v(cur), epoch: 0 }));
      return { data };
    },
    async getDepositContract() {
      return { data: { chainId: chain.opts.depositChainId, address: hexToBytes(chain.opts.depositContractAddress as `0x${string}`) } };
    },
  };

  return { beacon, validator, node, config };
}

