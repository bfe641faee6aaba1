/**
 * The beacon chain core: genesis, slot/epoch progression, block production and import, the interop validators'
 * duties, history for the API. No I/O and no clock: callers drive it with `advanceTo(slot)` (tests) or a wall-clock
 * timer (node.ts), feed it execution-layer inputs (deposit and EIP-7002 requests, the EL head) and subscribe to
 * imported blocks (withdrawals to credit, roots for EIP-4788).
 */
import { SecretKey } from '@chainsafe/blst';
import type { BeaconConfig, ChainForkConfig } from '@lodestar/config';
import { ForkName, DOMAIN_BEACON_ATTESTER, DOMAIN_BEACON_PROPOSER, DOMAIN_RANDAO, DOMAIN_SYNC_COMMITTEE } from '@lodestar/params';
import { ssz, type electra, type phase0 } from '@lodestar/types';
import { bytesToHex } from 'viem';
import { G2_POINT_AT_INFINITY, verifySignature } from './bls.ts';
import { BlockError, eq, expectedWithdrawals, processBlock, stateRootFor, type BlockEffects, type Deps, type WithdrawalRecord } from './block.ts';
import { EpochCache, nextSyncCommittee } from './committees.ts';
import { beaconConfig, chainForkConfig } from './config.ts';
import { processEpoch, type EpochRewards } from './epoch.ts';
import { interopSecretKeyBytes } from './interop.ts';
import { parseBeaconOptions, SPEC, type BeaconOptions, type BeaconOptionsInput } from './params.ts';
import { sha256 } from './shuffle.ts';
import { computeSigningRoot, computeSigningRootFromObjectRoot as computeSigningRootFromRoot } from '../../common/eth2/signing.ts';
import { ChainError, currentEpoch, type BeaconState, type Checkpoint, type Ctx, type Validator } from './state.ts';
import { Operations } from './operations.ts';

const CURVE_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

export interface ElHead {
  blockHash: Uint8Array;
  parentHash: Uint8Array;
  blockNumber: number;
  gasLimit: number;
  baseFeePerGas: bigint;
}

export interface StoredBlock {
  root: Uint8Array;
  signed: electra.SignedBeaconBlock;
}

export interface StateSnapshot {
  slot: number;
  stateRoot: Uint8Array;
  validators: Validator[];
  balances: number[];
  finalized: Checkpoint;
  currentJustified: Checkpoint;
  previousJustified: Checkpoint;
  randaoMix: Uint8Array;
}

export interface WithdrawalLogEntry extends WithdrawalRecord {
  slot: number;
  blockRoot: Uint8Array;
}

export interface ImportedBlockEvent {
  slot: number;
  root: Uint8Array;
  proposerIndex: number;
  effects: BlockEffects;
}

export { ChainError };

export class BeaconChain {
  readonly opts: BeaconOptions;
  readonly forkConfig: ChainForkConfig;
  readonly cfg: BeaconConfig;
  readonly genesisBlockRoot: Uint8Array;
  s: BeaconState;
  readonly cache: EpochCache;
  readonly ctx: Ctx;
  readonly ops: Operations;
  headRoot: Uint8Array;
  headSlot: number;
  readonly blocks = new Map<string, StoredBlock>();
  /** latest block root at each past slot */
  private readonly rootAtSlot = new Map<number, Uint8Array>();
  private readonly snapshots = new Map<number, StateSnapshot>();
  private readonly stateRootToSlot = new Map<string, number>();
  readonly rewards = new Map<number, EpochRewards>();
  readonly liveness = new Map<number, Set<number>>();
  readonly withdrawalLog: WithdrawalLogEntry[] = [];
  private interopKeys: bigint[];
  private interopParticipation: number;
  private readonly listeners: ((ev: ImportedBlockEvent) => void)[] = [];
  elHead: ElHead | null = null;
  /** called with anything the chain had to work around (set by the node to its logger) */
  onWarning: (msg: string) => void = () => {};
  pendingDepositRequests: electra.DepositRequest[] = [];
  pendingWithdrawalRequests: electra.WithdrawalRequest[] = [];

  constructor(input: BeaconOptionsInput = {}) {
    this.opts = parseBeaconOptions(input);
    const o = this.opts;
    this.forkConfig = chainForkConfig(o);
    const genesisForkVersion = this.forkConfig.GENESIS_FORK_VERSION;
    this.interopKeys = [];
    this.interopParticipation = o.interopParticipation;
    const validators: Validator[] = [];
    for (let i = 0; i < o.genesisValidators; i++) {
      const skBytes = interopSecretKeyBytes(i);
      this.interopKeys.push(BigInt(bytesToHex(skBytes)));
      const pubkey = SecretKey.fromBytes(skBytes).toPublicKey().toBytes();
      const wc = sha256(pubkey);
      wc[0] = SPEC.BLS_WITHDRAWAL_PREFIX;
      validators.push({
        pubkey, withdrawalCredentials: wc, effectiveBalance: SPEC.MIN_ACTIVATION_BALANCE, slashed: false,
        activationEligibilityEpoch: 0, activationEpoch: 0, exitEpoch: SPEC.FAR_FUTURE_EPOCH, withdrawableEpoch: SPEC.FAR_FUTURE_EPOCH,
      });
    }
    const gvr = ssz.phase0.Validators.hashTreeRoot(validators);
    this.cfg = beaconConfig(this.forkConfig, gvr);
    const genesisMix = sha256(new TextEncoder().encode('shoal-devnet-genesis-randao'));
    const zero: Checkpoint = { epoch: 0, root: new Uint8Array(32) };
    this.s = {
      genesisTime: o.genesisTime ?? Math.floor(Date.now() / 1000),
      genesisValidatorsRoot: gvr,
      slot: 0,
      validators,
      balances: validators.map(() => SPEC.MIN_ACTIVATION_BALANCE),
      pubkeyIndex: new Map(validators.map((v, i) => [bytesToHex(v.pubkey), i])),
      randaoMixes: new Map([[0, genesisMix]]),
      genesisMix,
      previousParticipation: new Uint8Array(validators.length),
      currentParticipation: new Uint8Array(validators.length),
      inactivityScores: validators.map(() => 0),
      justificationBits: [false, false, false, false],
      previousJustified: zero,
      currentJustified: zero,
      finalized: zero,
      slashings: new Array<number>(o.epochsPerSlashingsVector).fill(0),
      pendingDeposits: [],
      pendingPartialWithdrawals: [],
      depositBalanceToConsume: 0,
      exitBalanceToConsume: 0,
      earliestExitEpoch: 0,
      depositRequestsStartIndex: null,
      nextWithdrawalIndex: 0,
      nextWithdrawalValidatorIndex: 0,
      currentSyncCommittee: [],
      nextSyncCommittee: [],
    };
    this.cache = new EpochCache(o.slotsPerEpoch);
    this.ctx = {
      opts: o,
      genesisForkVersion,
      blockRootAtSlot: (slot) => this.blockRootAtSlot(slot),
      currentProposer: () => this.cache.proposer(this.s, this.s.slot),
    };
    this.s.currentSyncCommittee = nextSyncCommittee(this.s, o.slotsPerEpoch);
    this.s.nextSyncCommittee = this.s.currentSyncCommittee;

    const genesisBlock = ssz.electra.BeaconBlock.defaultValue();
    genesisBlock.body.executionPayload.timestamp = this.s.genesisTime;
    genesisBlock.body.executionPayload.prevRandao = genesisMix;
    genesisBlock.stateRoot = stateRootFor(new Uint8Array(32), 0, ssz.electra.BeaconBlockBody.hashTreeRoot(genesisBlock.body));
    this.genesisBlockRoot = ssz.electra.BeaconBlock.hashTreeRoot(genesisBlock);
    this.blocks.set(bytesToHex(this.genesisBlockRoot), { root: this.genesisBlockRoot, signed: { message: genesisBlock, signature: G2_POINT_AT_INFINITY } });
    this.headRoot = this.genesisBlockRoot;
    this.headSlot = 0;
    this.ops = new Operations(this);
  }

  // ---------------------------------------------------------------- basic views
  get slot(): number { return this.s.slot; }
  get epoch(): number { return currentEpoch(this.s, this.opts.slotsPerEpoch); }
  get deps(): Deps { return { s: this.s, ctx: this.ctx, cache: this.cache, cfg: this.cfg }; }
  epochOf(slot: number): number { return Math.floor(slot / this.opts.slotsPerEpoch); }
  slotStartTime(slot: number): number { return this.s.genesisTime + slot * this.opts.slotTime; }
  isInterop(index: number): boolean { return index < this.opts.genesisValidators; }
  onImported(fn: (ev: ImportedBlockEvent) => void): void { this.listeners.push(fn); }
  setInteropParticipation(fraction: number): void {
    if (!(fraction >= 0 && fraction <= 1)) throw new Error(`interop participation must be in [0, 1], got ${fraction}`);
    this.interopParticipation = fraction;
  }
  /** Interop validator i does its duties iff i < round(participation × genesisValidators). */
  interopActive(index: number): boolean {
    return this.isInterop(index) && index < Math.round(this.interopParticipation * this.opts.genesisValidators);
  }

  blockRootAtSlot(slot: number): Uint8Array {
    if (slot >= this.headSlot) return this.headRoot;
    const r = this.rootAtSlot.get(slot);
    if (!r) throw new ChainError(404, `block root at slot ${slot} is no longer kept`);
    return r;
  }

  /** Block root of a slot iff a block was proposed at that slot. */
  blockAtSlot(slot: number): StoredBlock | undefined {
    if (slot > this.s.slot) return undefined;
    const root = slot === this.headSlot ? this.headRoot : this.rootAtSlot.get(slot);
    if (!root) return undefined;
    const b = this.blocks.get(bytesToHex(root));
    return b && b.signed.message.slot === slot ? b : undefined;
  }

  // ---------------------------------------------------------------- time
  /** Processes empty slots up to `slot` (epoch transitions included), without duties. */
  processSlots(slot: number): void {
    const spe = this.opts.slotsPerEpoch;
    while (this.s.slot < slot) {
      const leaving = this.s.slot;
      if (!this.rootAtSlot.has(leaving)) this.rootAtSlot.set(leaving, this.blockRootAtSlot(leaving));
      this.snapshot(leaving);
      if ((leaving + 1) % spe === 0) {
        const r = processEpoch(this.s, this.ctx);
        if (r) this.rewards.set(r.epoch, r);
      }
      this.s.slot = leaving + 1;
      if ((leaving + 1) % spe === 0) this.prune();
    }
  }

  /** Start of `slot`: process up to it and, if an interop validator proposes, build and import its block. */
  startSlot(slot: number): void {
    if (slot < this.s.slot) return;
    this.processSlots(slot);
    const proposer = this.cache.proposer(this.s, slot);
    if (this.interopActive(proposer) && !this.s.validators[proposer]!.slashed && !this.blockAtSlot(slot)) this.proposeAsInterop(slot, proposer);
  }

  /** One third into `slot`: interop attesters and sync committee members sign. */
  attestationDue(slot: number): void {
    if (slot !== this.s.slot) return;
    this.attestAsInterop(slot);
  }

  /** Tests: runs every slot up to `slot` (block at start, attestations) instantly. */
  advanceTo(slot: number, beforeAttest?: (slot: number) => void): void {
    for (let next = this.s.slot + 1; next <= slot; next++) {
      this.startSlot(next);
      beforeAttest?.(next);
      this.attestationDue(next);
    }
  }

  // ---------------------------------------------------------------- interop duties
  private signInterop(indices: number[], message: Uint8Array): Uint8Array {
    let sum = 0n;
    for (const i of indices) sum = (sum + this.interopKeys[i]!) % CURVE_ORDER;
    const b = new Uint8Array(32);
    let x = sum;
    for (let k = 31; k >= 0; k--) { b[k] = Number(x & 0xffn); x >>= 8n; }
    return SecretKey.fromBytes(b).sign(message).toBytes();
  }

  private proposeAsInterop(slot: number, proposer: number): void {
    const reveal = this.signInterop([proposer], computeSigningRoot(ssz.Epoch, this.epochOf(slot), this.cfg.getDomainAtFork(ForkName.electra, DOMAIN_RANDAO)));
    const block = this.produceBlock(slot, reveal, new TextEncoder().encode('shoal interop'.padEnd(32, '\0')), true);
    const signature = this.signInterop([proposer], computeSigningRoot(ssz.electra.BeaconBlock, block, this.cfg.getDomainAtFork(ForkName.electra, DOMAIN_BEACON_PROPOSER)));
    this.importBlock({ message: block, signature }, true);
  }

  /**
   * Interop committee members attest to the head: one aggregate per committee, signed with the sum of the members'
   * secret keys — byte-identical to aggregating their individual signatures, at the cost of one signing.
   */
  private attestAsInterop(slot: number): void {
    const data = this.attestationData(slot);
    const dataRoot = ssz.phase0.AttestationData.hashTreeRoot(data);
    const sh = this.cache.shuffling(this.s, this.epochOf(slot));
    const committees = sh.committees[slot % this.opts.slotsPerEpoch]!;
    const root = computeSigningRootFromRoot(dataRoot, this.cfg.getDomainAtFork(ForkName.electra, DOMAIN_BEACON_ATTESTER));
    committees.forEach((committee, ci) => {
      const members = committee.filter((vi) => this.interopActive(vi));
      if (members.length === 0) return;
      const bits = committee.map((vi) => this.interopActive(vi));
      const signature = this.signInterop(members, root);
      this.ops.acceptInteropAggregate(data, dataRoot, ci, committee, bits, members, signature);
    });
    // sync committee: members sign the head root
    const sync = this.syncCommitteeSigningAt(slot);
    const positions = sync.map((vi, pos) => [vi, pos] as const).filter(([vi]) => this.interopActive(vi));
    if (positions.length > 0) {
      // one aggregate per sync subnet, so contributions of protocol aggregators can be merged per subnet
      const syncRoot = computeSigningRootFromRoot(this.headRoot, this.cfg.getDomainAtFork(ForkName.electra, DOMAIN_SYNC_COMMITTEE));
      const perSubnet = SPEC.SYNC_COMMITTEE_SIZE / SPEC.SYNC_COMMITTEE_SUBNET_COUNT;
      for (let subnet = 0; subnet < SPEC.SYNC_COMMITTEE_SUBNET_COUNT; subnet++) {
        const here = positions.filter(([, p]) => Math.floor(p / perSubnet) === subnet);
        if (here.length === 0) continue;
        this.ops.acceptInteropSyncAggregate(slot, this.headRoot, here.map(([, p]) => p), this.signInterop(here.map(([vi]) => vi), syncRoot));
      }
    }
    for (const vi of new Set(committees.flat().filter((v) => this.interopActive(v)))) this.markLive(this.epochOf(slot), vi);
  }

  /**
   * The sync committee whose members sign at `slot`: messages at slot N go into the block at N + 1, verified with
   * that block's committee, so the last slot of a period is signed by the next period's members (validator guide).
   */
  syncCommitteeSigningAt(slot: number): number[] {
    const period = (sl: number) => Math.floor(this.epochOf(sl) / this.opts.epochsPerSyncCommitteePeriod);
    return period(slot + 1) !== period(this.s.slot) ? this.s.nextSyncCommittee : this.s.currentSyncCommittee;
  }

  markLive(epoch: number, index: number): void {
    let set = this.liveness.get(epoch);
    if (!set) {
      set = new Set();
      this.liveness.set(epoch, set);
    }
    set.add(index);
  }

  // ---------------------------------------------------------------- attestation data
  /** produce_attestation_data for a slot of the current or previous epoch (Electra: index 0). */
  attestationData(slot: number): phase0.AttestationData {
    if (slot > this.s.slot) throw new ChainError(400, `slot ${slot} is in the future (current slot ${this.s.slot})`);
    if (slot + this.opts.slotsPerEpoch < this.s.slot) throw new ChainError(400, `slot ${slot} is too old (current slot ${this.s.slot})`);
    const epoch = this.epochOf(slot);
    const source = epoch === this.epoch ? this.s.currentJustified : this.s.previousJustified;
    return {
      slot,
      index: 0,
      beaconBlockRoot: this.blockRootAtSlot(slot),
      source: { epoch: source.epoch, root: source.root },
      target: { epoch, root: this.blockRootAtSlot(epoch * this.opts.slotsPerEpoch) },
    };
  }

  // ---------------------------------------------------------------- blocks
  /**
   * Builds the unsigned block of the current slot (attestations, slashings, exits, sync aggregate, EL requests,
   * expected withdrawals), checked by a dry run; `randaoReveal` is verified unless `trusted`.
   */
  produceBlock(slot: number, randaoReveal: Uint8Array, graffiti: Uint8Array, trusted = false): electra.BeaconBlock {
    if (slot !== this.s.slot) throw new ChainError(400, `can only produce a block for the current slot ${this.s.slot}, not ${slot}`);
    if (this.blockAtSlot(slot)) throw new ChainError(400, `slot ${slot} already has a block`);
    const proposer = this.cache.proposer(this.s, slot);
    if (!trusted) {
      const root = computeSigningRoot(ssz.Epoch, this.epoch, this.cfg.getDomainAtFork(ForkName.electra, DOMAIN_RANDAO));
      if (!verify(this.s.validators[proposer]!.pubkey, root, randaoReveal)) throw new ChainError(400, `invalid randao_reveal for proposer ${proposer} of slot ${slot}`);
    }
    const build = (level: 0 | 1 | 2): electra.BeaconBlock => {
      const b = ssz.electra.BeaconBlock.defaultValue();
      b.slot = slot;
      b.proposerIndex = proposer;
      b.parentRoot = this.headRoot;
      const body = b.body;
      body.randaoReveal = randaoReveal;
      body.graffiti = graffiti;
      body.eth1Data = { depositRoot: new Uint8Array(32), depositCount: BigInt(this.s.depositRequestsStartIndex ?? 0), blockHash: this.elHead?.blockHash ?? new Uint8Array(32) };
      if (level < 2) this.ops.fillBlockBody(body, slot, level === 0);
      const pl = body.executionPayload;
      pl.prevRandao = this.s.randaoMixes.get(this.epoch) ?? this.s.genesisMix;
      pl.timestamp = this.s.genesisTime + Math.floor(slot * this.opts.slotTime);
      if (this.elHead) {
        pl.blockHash = this.elHead.blockHash;
        pl.parentHash = this.elHead.parentHash;
        pl.blockNumber = this.elHead.blockNumber;
        pl.gasLimit = this.elHead.gasLimit;
        pl.baseFeePerGas = this.elHead.baseFeePerGas;
      }
      pl.withdrawals = expectedWithdrawals(this.s, this.ctx).withdrawals.map((w) => ({ index: w.index, validatorIndex: w.validatorIndex, address: w.address, amount: BigInt(w.amount) }));
      body.executionRequests.deposits = this.pendingDepositRequests.slice(0, SPEC.MAX_DEPOSIT_REQUESTS_PER_PAYLOAD);
      body.executionRequests.withdrawals = this.pendingWithdrawalRequests.slice(0, SPEC.MAX_WITHDRAWAL_REQUESTS_PER_PAYLOAD);
      b.stateRoot = stateRootFor(b.parentRoot, slot, ssz.electra.BeaconBlockBody.hashTreeRoot(body));
      return b;
    };
    // level 0: everything pooled; 1: without slashings and exits; 2: no pooled operation. A pooled operation that
    // went stale must never cost the chain its block.
    for (const level of [0, 1] as const) {
      const block = build(level);
      try {
        processBlock({ ...this.deps, s: cloneState(this.s) }, block, true);
        return block;
      } catch (e) {
        this.onWarning(`block of slot ${slot} without ${level === 0 ? 'slashings/exits' : 'any pooled operation'}: ${(e as Error).message}`);
      }
    }
    const block = build(2);
    processBlock({ ...this.deps, s: cloneState(this.s) }, block, true);
    return block;
  }

  /** Imports a signed block of the current slot from its proposer (all checks of process_block). */
  importBlock(signed: electra.SignedBeaconBlock, trusted = false): Uint8Array {
    const block = signed.message;
    const root = ssz.electra.BeaconBlock.hashTreeRoot(block);
    const rootHex = bytesToHex(root);
    if (this.blocks.has(rootHex)) return root; // already known: idempotent
    if (block.slot !== this.s.slot) throw new ChainError(400, `block slot ${block.slot} is not the current slot ${this.s.slot}`);
    const proposer = this.cache.proposer(this.s, block.slot);
    if (block.proposerIndex !== proposer) throw new ChainError(400, `block proposer ${block.proposerIndex} is not the proposer of slot ${block.slot} (${proposer})`);
    if (!trusted) {
      const sr = computeSigningRootFromRoot(root, this.cfg.getDomainAtFork(ForkName.electra, DOMAIN_BEACON_PROPOSER));
      if (!verify(this.s.validators[proposer]!.pubkey, sr, signed.signature)) throw new ChainError(400, 'invalid block signature');
    }
    const existing = this.blockAtSlot(block.slot);
    if (existing) {
      this.ops.reportDoubleProposal(existing.signed, signed);
      throw new ChainError(400, `slot ${block.slot} already has block ${bytesToHex(existing.root)} (double proposal reported for slashing)`);
    }
    if (!eq(block.parentRoot, this.headRoot)) throw new ChainError(400, `parent root ${bytesToHex(block.parentRoot)} is not the head ${bytesToHex(this.headRoot)}`);
    if (this.s.validators[proposer]!.slashed) throw new ChainError(400, `proposer ${proposer} is slashed`);
    const bodyRoot = ssz.electra.BeaconBlockBody.hashTreeRoot(block.body);
    if (!eq(block.stateRoot, stateRootFor(block.parentRoot, block.slot, bodyRoot))) throw new ChainError(400, 'state_root does not match the post-state commitment');
    const next = cloneState(this.s);
    let effects: BlockEffects;
    try {
      effects = processBlock({ ...this.deps, s: next }, block, trusted);
    } catch (e) {
      if (e instanceof BlockError) throw new ChainError(400, `invalid block: ${e.code}: ${e.message}`);
      throw e;
    }
    this.s = next;
    this.blocks.set(rootHex, { root, signed });
    this.headRoot = root;
    this.headSlot = block.slot;
    this.pendingDepositRequests = this.pendingDepositRequests.slice(block.body.executionRequests.deposits.length);
    this.pendingWithdrawalRequests = this.pendingWithdrawalRequests.slice(block.body.executionRequests.withdrawals.length);
    this.ops.afterImport(signed, root, effects);
    this.markLive(this.epochOf(block.slot), proposer);
    for (const w of effects.withdrawals) this.withdrawalLog.push({ ...w, slot: block.slot, blockRoot: root });
    for (const fn of this.listeners) fn({ slot: block.slot, root, proposerIndex: proposer, effects });
    return root;
  }

  // ---------------------------------------------------------------- EL inputs
  addDepositRequests(reqs: electra.DepositRequest[]): void { this.pendingDepositRequests.push(...reqs); }
  addWithdrawalRequests(reqs: electra.WithdrawalRequest[]): void { this.pendingWithdrawalRequests.push(...reqs); }
  setElHead(head: ElHead): void { this.elHead = head; }

  // ---------------------------------------------------------------- history
  private snapshot(slot: number): void {
    const b = this.blocks.get(bytesToHex(this.blockRootAtSlot(slot)));
    const stateRoot = slot === this.headSlot && b ? b.signed.message.stateRoot : sha256(b?.signed.message.stateRoot ?? new Uint8Array(32), new Uint8Array([slot & 0xff, (slot >> 8) & 0xff, (slot >> 16) & 0xff, slot >>> 24]));
    this.snapshots.set(slot, {
      slot,
      stateRoot,
      validators: this.s.validators.slice(),
      balances: this.s.balances.slice(),
      finalized: this.s.finalized,
      currentJustified: this.s.currentJustified,
      previousJustified: this.s.previousJustified,
      randaoMix: this.s.randaoMixes.get(this.epoch) ?? this.s.genesisMix,
    });
    this.stateRootToSlot.set(bytesToHex(stateRoot), slot);
  }

  /** The live state as a snapshot. */
  headState(): StateSnapshot {
    const b = this.blocks.get(bytesToHex(this.headRoot))!;
    return {
      slot: this.s.slot,
      stateRoot: this.headSlot === this.s.slot ? b.signed.message.stateRoot : sha256(b.signed.message.stateRoot, new Uint8Array([this.s.slot & 0xff, (this.s.slot >> 8) & 0xff, (this.s.slot >> 16) & 0xff, this.s.slot >>> 24])),
      validators: this.s.validators,
      balances: this.s.balances,
      finalized: this.s.finalized,
      currentJustified: this.s.currentJustified,
      previousJustified: this.s.previousJustified,
      randaoMix: this.s.randaoMixes.get(this.epoch) ?? this.s.genesisMix,
    };
  }

  stateAtSlot(slot: number): StateSnapshot | undefined {
    if (slot === this.s.slot) return this.headState();
    return this.snapshots.get(slot);
  }

  stateByRoot(rootHex: string): StateSnapshot | undefined {
    const head = this.headState();
    if (bytesToHex(head.stateRoot) === rootHex.toLowerCase()) return head;
    const slot = this.stateRootToSlot.get(rootHex.toLowerCase());
    return slot === undefined ? undefined : this.snapshots.get(slot);
  }

  /** Keeps `historySlots` of blocks/roots; per-slot states for 2 epochs, then one per epoch start. */
  private prune(): void {
    const spe = this.opts.slotsPerEpoch;
    const minSlot = this.s.slot - this.opts.historySlots;
    const recent = this.s.slot - 2 * spe;
    for (const [slot, snap] of this.snapshots) {
      if (slot === 0) continue;
      if (slot < minSlot || (slot < recent && slot % spe !== 0)) {
        this.snapshots.delete(slot);
        this.stateRootToSlot.delete(bytesToHex(snap.stateRoot));
      }
    }
    for (const [slot] of this.rootAtSlot) if (slot < minSlot && slot !== 0) this.rootAtSlot.delete(slot);
    for (const [k, b] of this.blocks) if (b.signed.message.slot < minSlot && b.signed.message.slot !== 0) this.blocks.delete(k);
    const minEpoch = Math.floor(minSlot / spe);
    for (const e of this.rewards.keys()) if (e < minEpoch) this.rewards.delete(e);
    for (const e of this.liveness.keys()) if (e < minEpoch) this.liveness.delete(e);
    while (this.withdrawalLog.length > 0 && this.withdrawalLog[0]!.slot < minSlot) this.withdrawalLog.shift();
    this.cache.prune(this.epoch - 2);
    this.ops.prune();
  }

  /** Sizes of every growing structure (for the memory test and /debug). */
  sizes(): Record<string, number> {
    return {
      blocks: this.blocks.size, rootAtSlot: this.rootAtSlot.size, snapshots: this.snapshots.size, rewards: this.rewards.size,
      liveness: this.liveness.size, withdrawalLog: this.withdrawalLog.length, ...this.ops.sizes(),
    };
  }
}

function verify(pubkey: Uint8Array, root: Uint8Array, sig: Uint8Array): boolean {
  return verifySignature(pubkey, root, sig);
}

/** A copy of the state that block processing may mutate (validator objects are immutable and shared). */
export function cloneState(s: BeaconState): BeaconState {
  return {
    ...s,
    validators: s.validators.slice(),
    balances: s.balances.slice(),
    pubkeyIndex: new Map(s.pubkeyIndex),
    randaoMixes: new Map(s.randaoMixes),
    previousParticipation: s.previousParticipation.slice(),
    currentParticipation: s.currentParticipation.slice(),
    inactivityScores: s.inactivityScores.slice(),
    justificationBits: [...s.justificationBits],
    slashings: s.slashings.slice(),
    pendingDeposits: s.pendingDeposits.slice(),
    pendingPartialWithdrawals: s.pendingPartialWithdrawals.slice(),
  };
}

