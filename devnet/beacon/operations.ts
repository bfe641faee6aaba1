/**
 * Everything validators submit between blocks, judged as the p2p validation rules and the state transition judge
 * it (committee membership, aggregator selection, real BLS over the spec's signing roots), pooled, and packed into
 * blocks: attestations and aggregates, sync committee messages, voluntary exits, and slashings found by the slasher.
 * Each `submit*` returns null when accepted or the reason it was rejected (the API turns that into a 400).
 */
import { ForkName, DOMAIN_CONTRIBUTION_AND_PROOF, DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, DOMAIN_AGGREGATE_AND_PROOF, DOMAIN_BEACON_PROPOSER, DOMAIN_SELECTION_PROOF, DOMAIN_SYNC_COMMITTEE } from '@lodestar/params';
import { ssz, type altair, type electra, type phase0 } from '@lodestar/types';
import { bytesToHex } from 'viem';
import { headerToNum, indexedToNum, isSlashableAttestationData, isValidIndexedAttestation, attestationFlags, attestationSigningRoot, attestingIndices, eq, voluntaryExitError, type BlockEffects } from './block.ts';
import { aggregateSignatures, G2_POINT_AT_INFINITY, verifyAggregate, verifySignature } from './bls.ts';
import type { BeaconChain } from './chain.ts';
import { SPEC } from './params.ts';
import { AttestationPool, Slasher } from './pool.ts';
import { isAggregator, sha256 } from './shuffle.ts';
import { ChainError } from './state.ts';
import { computeSigningRoot, computeSigningRootFromObjectRoot as computeSigningRootFromRoot } from '../../common/eth2/signing.ts';

interface SyncSlot {
  root: string;
  /** committee position → signature (single messages) */
  positions: Map<number, Uint8Array>;
  /** aggregates confined to one subnet: the interop members' aggregate and verified contributions */
  aggregates: { positions: number[]; signature: Uint8Array }[];
}

const SUBCOMMITTEE_SIZE = SPEC.SYNC_COMMITTEE_SIZE / SPEC.SYNC_COMMITTEE_SUBNET_COUNT;
const TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE = 16;

export class Operations {
  readonly attestations = new AttestationPool();
  readonly slasher: Slasher;
  private readonly exits = new Map<number, phase0.SignedVoluntaryExit>();
  private attesterSlashings: electra.AttesterSlashing[] = [];
  private proposerSlashings: phase0.ProposerSlashing[] = [];
  private readonly sync = new Map<number, SyncSlot>();

  constructor(private readonly chain: BeaconChain) {
    this.slasher = new Slasher(chain.opts.slasherEpochs);
  }

  private window(slot: number): string | null {
    const cur = this.chain.slot;
    if (slot > cur) return `slot ${slot} is in the future (current slot ${cur})`;
    if (slot + this.chain.opts.slotsPerEpoch < cur) return `slot ${slot} is outside the propagation window (current slot ${cur})`;
    return null;
  }

  private knownBlock(root: Uint8Array): boolean {
    return this.chain.blocks.has(bytesToHex(root));
  }

  private recordVote(indexed: electra.IndexedAttestation): void {
    for (const sl of this.slasher.record(indexed)) {
      if (!this.attesterSlashings.some((x) => sameSlashing(x, sl))) this.attesterSlashings.push(sl);
    }
  }

  /** POST /eth/v2/beacon/pool/attestations (Electra SingleAttestation). */
  submitSingle(a: electra.SingleAttestation): string | null {
    const c = this.chain;
    const d = a.data;
    const w = this.window(d.slot);
    if (w) return w;
    if (d.index !== 0) return 'data.index must be 0 (Electra)';
    if (d.target.epoch !== c.epochOf(d.slot)) return `target epoch ${d.target.epoch} is not the epoch of slot ${d.slot}`;
    if (!this.knownBlock(d.beaconBlockRoot)) return `unknown beacon_block_root ${bytesToHex(d.beaconBlockRoot)}`;
    const sh = c.cache.shuffling(c.s, d.target.epoch);
    if (a.committeeIndex >= sh.committeesPerSlot) return `committee_index ${a.committeeIndex} ≥ committees per slot ${sh.committeesPerSlot}`;
    const committee = sh.committees[d.slot % c.opts.slotsPerEpoch]![a.committeeIndex]!;
    const pos = committee.indexOf(a.attesterIndex);
    if (pos < 0) return `validator ${a.attesterIndex} is not in committee ${a.committeeIndex} of slot ${d.slot}`;
    const v = c.s.validators[a.attesterIndex]!;
    const root = attestationSigningRoot(c.deps, d);
    if (!verifySignature(v.pubkey, root, a.signature)) return 'ATTESTATION_ERROR_INVALID_SIGNATURE: invalid signature';
    this.recordVote({ attestingIndices: [a.attesterIndex], data: d, signature: a.signature });
    this.attestations.addSingle(d, ssz.phase0.AttestationData.hashTreeRoot(d), a.committeeIndex, committee, pos, a.signature);
    c.markLive(d.target.epoch, a.attesterIndex);
    return null;
  }

  /** POST /eth/v2/validator/aggregate_and_proofs (Electra). */
  submitAggregate(sap: electra.SignedAggregateAndProof): string | null {
    const c = this.chain;
    const m = sap.message;
    const agg = m.aggregate;
    const d = agg.data;
    const w = this.window(d.slot);
    if (w) return w;
    const cis = agg.committeeBits.getTrueBitIndexes();
    if (cis.length !== 1) return `an aggregate must name exactly one committee (got ${cis.length})`;
    if (d.index !== 0) return 'data.index must be 0 (Electra)';
    if (!this.knownBlock(d.beaconBlockRoot)) return `unknown beacon_block_root ${bytesToHex(d.beaconBlockRoot)}`;
    let att;
    try {
      att = attestingIndices(c.deps, agg);
    } catch (e) {
      return (e as Error).message;
    }
    const ci = cis[0]!;
    const committee = c.cache.committee(c.s, d.slot, ci)!;
    if (!committee.includes(m.aggregatorIndex)) return `aggregator ${m.aggregatorIndex} is not in committee ${ci} of slot ${d.slot}`;
    if (!isAggregator(committee.length, m.selectionProof)) return `validator ${m.aggregatorIndex} is not an aggregator for slot ${d.slot} (selection proof)`;
    const aggregator = c.s.validators[m.aggregatorIndex]!;
    const selRoot = computeSigningRoot(ssz.Slot, d.slot, c.cfg.getDomainAtFork(ForkName.electra, DOMAIN_SELECTION_PROOF));
    if (!verifySignature(aggregator.pubkey, selRoot, m.selectionProof)) return 'invalid selection proof';
    const aapRoot = computeSigningRoot(ssz.electra.AggregateAndProof, m, c.cfg.getDomainAtFork(ForkName.electra, DOMAIN_AGGREGATE_AND_PROOF));
    if (!verifySignature(aggregator.pubkey, aapRoot, sap.signature)) return 'invalid aggregate-and-proof signature';
    if (!verifyAggregate(att.indices.map((i) => c.s.validators[i]!.pubkey), attestationSigningRoot(c.deps, d), agg.signature)) return 'invalid aggregate signature';
    this.recordVote({ attestingIndices: att.indices, data: d, signature: agg.signature });
    const bits = committee.map((_, i) => agg.aggregationBits.get(i));
    this.attestations.addAggregate(d, ssz.phase0.AttestationData.hashTreeRoot(d), ci, committee, bits, agg.signature);
    c.markLive(d.target.epoch, m.aggregatorIndex);
    for (const i of att.indices) c.markLive(d.target.epoch, i);
    return null;
  }

  /** The chain's own interop aggregate (signed with the summed key). */
  acceptInteropAggregate(data: phase0.AttestationData, dataRoot: Uint8Array, ci: number, committee: number[], bits: boolean[], members: number[], signature: Uint8Array): void {
    this.recordVote({ attestingIndices: [...members].sort((a, b) => a - b), data, signature });
    this.attestations.addAggregate(data, dataRoot, ci, committee, bits, signature);
  }

  /** POST /eth/v1/beacon/pool/sync_committees */
  submitSyncMessage(m: altair.SyncCommitteeMessage): string | null {
    const c = this.chain;
    if (m.slot > c.slot || m.slot + 1 < c.slot) return `sync message slot ${m.slot} is not the current or previous slot (${c.slot})`;
    const positions = c.syncCommitteeSigningAt(m.slot).flatMap((vi, p) => (vi === m.validatorIndex ? [p] : []));
    if (positions.length === 0) return `validator ${m.validatorIndex} is not in the sync committee signing at slot ${m.slot}`;
    const root = computeSigningRootFromRoot(m.beaconBlockRoot, c.cfg.getDomainAtFork(ForkName.electra, DOMAIN_SYNC_COMMITTEE));
    if (!verifySignature(c.s.validators[m.validatorIndex]!.pubkey, root, m.signature)) return 'invalid signature';
    c.markLive(c.epochOf(m.slot), m.validatorIndex);
    const rootHex = bytesToHex(m.beaconBlockRoot);
    let e = this.sync.get(m.slot);
    if (!e) {
      e = { root: bytesToHex(c.blockRootAtSlot(m.slot)), positions: new Map(), aggregates: [] };
      this.sync.set(m.slot, e);
    }
    if (e.root === rootHex) for (const p of positions) e.positions.set(p, m.signature);
    return null;
  }

  acceptInteropSyncAggregate(slot: number, root: Uint8Array, positions: number[], signature: Uint8Array): void {
    let e = this.sync.get(slot);
    if (!e) {
      e = { root: bytesToHex(root), positions: new Map(), aggregates: [] };
      this.sync.set(slot, e);
    }
    if (e.root === bytesToHex(root)) e.aggregates.push({ positions, signature });
  }

  /** POST /eth/v1/beacon/pool/voluntary_exits */
  submitExit(ex: phase0.SignedVoluntaryExit): string | null {
    const err = voluntaryExitError(this.chain.deps, ex, true);
    if (err) return err;
    this.exits.set(ex.message.validatorIndex, ex);
    return null;
  }

  poolExits(): phase0.SignedVoluntaryExit[] {
    return [...this.exits.values()];
  }

  /** POST /eth/v2/beacon/pool/attester_slashings: both indexed attestations valid and slashable. */
  submitAttesterSlashing(x: electra.AttesterSlashing): string | null {
    const c = this.chain;
    const a1 = indexedToNum(x.attestation1);
    const a2 = indexedToNum(x.attestation2);
    if (!isSlashableAttestationData(a1.data, a2.data)) return 'attestation data are neither a double vote nor a surround vote (attestation_1 must surround attestation_2)';
    if (!isValidIndexedAttestation(c.deps, a1) || !isValidIndexedAttestation(c.deps, a2)) return 'invalid indexed attestation (indices or signature)';
    const epoch = c.epoch;
    const both = a1.attestingIndices.filter((i) => a2.attestingIndices.includes(i));
    if (!both.some((i) => { const v = c.s.validators[i]!; return !v.slashed && v.activationEpoch <= epoch && epoch < v.withdrawableEpoch; })) return 'no slashable validator in both attestations';
    if (!this.attesterSlashings.some((y) => sameSlashing(x, y))) this.attesterSlashings.push(x);
    return null;
  }

  /** POST /eth/v1/beacon/pool/proposer_slashings: two different signed headers of one proposer and slot. */
  submitProposerSlashing(p: phase0.ProposerSlashing): string | null {
    const c = this.chain;
    const h1 = headerToNum(p.signedHeader1.message);
    const h2 = headerToNum(p.signedHeader2.message);
    if (h1.slot !== h2.slot || h1.proposerIndex !== h2.proposerIndex) return 'headers differ in slot or proposer';
    if (eq(ssz.phase0.BeaconBlockHeader.hashTreeRoot(h1), ssz.phase0.BeaconBlockHeader.hashTreeRoot(h2))) return 'headers are equal';
    const v = c.s.validators[h1.proposerIndex];
    if (!v || v.slashed || v.activationEpoch > c.epoch || c.epoch >= v.withdrawableEpoch) return `validator ${h1.proposerIndex} is not slashable`;
    const domain = c.cfg.getDomainAtFork(ForkName.electra, DOMAIN_BEACON_PROPOSER);
    for (const [h, sig] of [[h1, p.signedHeader1.signature], [h2, p.signedHeader2.signature]] as const) {
      if (!verifySignature(v.pubkey, computeSigningRoot(ssz.phase0.BeaconBlockHeader, h, domain), sig)) return 'invalid header signature';
    }
    if (!this.proposerSlashings.some((q) => q.signedHeader1.message.proposerIndex === p.signedHeader1.message.proposerIndex)) this.proposerSlashings.push(p);
    return null;
  }

  poolAttesterSlashings(): electra.AttesterSlashing[] {
    return [...this.attesterSlashings];
  }

  poolProposerSlashings(): phase0.ProposerSlashing[] {
    return [...this.proposerSlashings];
  }

  /** Two different validly signed blocks of one proposer at one slot → a ProposerSlashing for the next block. */
  reportDoubleProposal(a: electra.SignedBeaconBlock, b: electra.SignedBeaconBlock): void {
    const header = (sb: electra.SignedBeaconBlock): phase0.SignedBeaconBlockHeaderBigint => ({
      message: { slot: BigInt(sb.message.slot), proposerIndex: sb.message.proposerIndex, parentRoot: sb.message.parentRoot, stateRoot: sb.message.stateRoot, bodyRoot: ssz.electra.BeaconBlockBody.hashTreeRoot(sb.message.body) },
      signature: sb.signature,
    });
    const h1 = header(a);
    const h2 = header(b);
    if (h1.message.proposerIndex !== h2.message.proposerIndex) return;
    const v = this.chain.s.validators[h1.message.proposerIndex]!;
    const domain = this.chain.cfg.getDomainAtFork(ForkName.electra, DOMAIN_BEACON_PROPOSER);
    for (const h of [h1, h2]) if (!verifySignature(v.pubkey, computeSigningRoot(ssz.phase0.BeaconBlockHeader, headerToNum(h.message), domain), h.signature)) return;
    if (!this.proposerSlashings.some((p) => p.signedHeader1.message.proposerIndex === h1.message.proposerIndex)) {
      this.proposerSlashings.push({ signedHeader1: h1, signedHeader2: h2 });
    }
  }

  /** Fills a block body's operations from the pools (only what the state transition will accept). */
  fillBlockBody(body: electra.BeaconBlockBody, slot: number, withSlashingsAndExits = true): void {
    const c = this.chain;
    const epoch = c.epochOf(slot);
    const slashable = (i: number) => {
      const v = c.s.validators[i];
      return v !== undefined && !v.slashed && v.activationEpoch <= epoch && epoch < v.withdrawableEpoch;
    };
    body.proposerSlashings = this.proposerSlashings.filter((p) => slashable(p.signedHeader1.message.proposerIndex)).slice(0, SPEC.MAX_PROPOSER_SLASHINGS);
    const setOf = (x: electra.AttesterSlashing) => x.attestation1.attestingIndices.filter((i) => x.attestation2.attestingIndices.includes(i));
    body.attesterSlashings = this.attesterSlashings.filter((x) => setOf(x).some(slashable)).slice(0, SPEC.MAX_ATTESTER_SLASHINGS_ELECTRA);
    body.attestations = this.attestations.forBlock((data) => {
      try {
        attestationFlags(c.deps, data, slot);
        return true;
      } catch {
        return false;
      }
    });
    body.voluntaryExits = [...this.exits.values()].filter((ex) => voluntaryExitError(c.deps, ex, false) === null).slice(0, SPEC.MAX_VOLUNTARY_EXITS);
    body.syncAggregate = this.syncAggregate(slot);
    if (!withSlashingsAndExits) {
      body.proposerSlashings = [];
      body.attesterSlashings = [];
      body.voluntaryExits = [];
    }
  }

  /** The best aggregate of one subnet: disjoint aggregates (largest first), then singles they lack. */
  private subnetAggregate(e: SyncSlot, subnet: number): { positions: number[]; signature: Uint8Array } | null {
    const lo = subnet * SUBCOMMITTEE_SIZE;
    const hi = lo + SUBCOMMITTEE_SIZE;
    const covered = new Set<number>();
    const sigs: Uint8Array[] = [];
    const aggs = e.aggregates.filter((a) => a.positions.length > 0 && a.positions[0]! >= lo && a.positions[0]! < hi).sort((a, b) => b.positions.length - a.positions.length);
    for (const a of aggs) {
      if (a.positions.some((p) => covered.has(p))) continue;
      for (const p of a.positions) covered.add(p);
      sigs.push(a.signature);
    }
    for (const [p, sig] of e.positions) {
      if (p < lo || p >= hi || covered.has(p)) continue;
      covered.add(p);
      sigs.push(sig);
    }
    if (sigs.length === 0) return null;
    return { positions: [...covered].sort((a, b) => a - b), signature: sigs.length === 1 ? sigs[0]! : aggregateSignatures(sigs) };
  }

  private syncAggregate(slot: number): altair.SyncAggregate {
    const c = this.chain;
    const prev = Math.max(slot, 1) - 1;
    const e = this.sync.get(prev);
    const bits = ssz.altair.SyncAggregate.fields.syncCommitteeBits.defaultValue();
    if (!e || e.root !== bytesToHex(c.blockRootAtSlot(prev))) return { syncCommitteeBits: bits, syncCommitteeSignature: G2_POINT_AT_INFINITY };
    const sigs: Uint8Array[] = [];
    for (let subnet = 0; subnet < SPEC.SYNC_COMMITTEE_SUBNET_COUNT; subnet++) {
      const a = this.subnetAggregate(e, subnet);
      if (!a) continue;
      for (const p of a.positions) bits.set(p, true);
      sigs.push(a.signature);
    }
    if (sigs.length === 0) return { syncCommitteeBits: bits, syncCommitteeSignature: G2_POINT_AT_INFINITY };
    return { syncCommitteeBits: bits, syncCommitteeSignature: sigs.length === 1 ? sigs[0]! : aggregateSignatures(sigs) };
  }

  /** GET /eth/v1/validator/sync_committee_contribution */
  syncContribution(slot: number, subnet: number, root: Uint8Array): altair.SyncCommitteeContribution | null {
    if (subnet < 0 || subnet >= SPEC.SYNC_COMMITTEE_SUBNET_COUNT) throw new ChainError(400, `subcommittee_index ${subnet} ≥ ${SPEC.SYNC_COMMITTEE_SUBNET_COUNT}`);
    const e = this.sync.get(slot);
    if (!e || e.root !== bytesToHex(root)) return null;
    const a = this.subnetAggregate(e, subnet);
    if (!a) return null;
    const aggregationBits = ssz.altair.SyncCommitteeContribution.fields.aggregationBits.defaultValue();
    for (const p of a.positions) aggregationBits.set(p - subnet * SUBCOMMITTEE_SIZE, true);
    return { slot, beaconBlockRoot: root, subcommitteeIndex: subnet, aggregationBits, signature: a.signature };
  }

  /** POST /eth/v1/validator/contribution_and_proofs (altair p2p validation of sync contributions). */
  submitContribution(x: altair.SignedContributionAndProof): string | null {
    const c = this.chain;
    const m = x.message;
    const k = m.contribution;
    if (k.slot > c.slot || k.slot + 1 < c.slot) return `contribution slot ${k.slot} is not the current or previous slot (${c.slot})`;
    if (k.subcommitteeIndex >= SPEC.SYNC_COMMITTEE_SUBNET_COUNT) return `subcommittee_index ${k.subcommitteeIndex} out of range`;
    const committee = c.syncCommitteeSigningAt(k.slot);
    const lo = k.subcommitteeIndex * SUBCOMMITTEE_SIZE;
    const sub = committee.slice(lo, lo + SUBCOMMITTEE_SIZE);
    if (!sub.includes(m.aggregatorIndex)) return `aggregator ${m.aggregatorIndex} is not in sync subcommittee ${k.subcommitteeIndex}`;
    const modulo = Math.max(1, Math.floor(SUBCOMMITTEE_SIZE / TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE));
    const h = sha256(m.selectionProof);
    if (new DataView(h.buffer).getBigUint64(0, true) % BigInt(modulo) !== 0n) return `validator ${m.aggregatorIndex} is not a sync aggregator (selection proof)`;
    const pk = c.s.validators[m.aggregatorIndex]!.pubkey;
    const selRoot = computeSigningRoot(ssz.altair.SyncAggregatorSelectionData, { slot: k.slot, subcommitteeIndex: k.subcommitteeIndex }, c.cfg.getDomainAtFork(ForkName.electra, DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF));
    if (!verifySignature(pk, selRoot, m.selectionProof)) return 'invalid selection proof';
    if (!verifySignature(pk, computeSigningRoot(ssz.altair.ContributionAndProof, m, c.cfg.getDomainAtFork(ForkName.electra, DOMAIN_CONTRIBUTION_AND_PROOF)), x.signature)) return 'invalid contribution-and-proof signature';
    const positions: number[] = [];
    for (let i = 0; i < SUBCOMMITTEE_SIZE; i++) if (k.aggregationBits.get(i)) positions.push(lo + i);
    if (positions.length === 0) return 'contribution has no participant';
    const root = computeSigningRootFromRoot(k.beaconBlockRoot, c.cfg.getDomainAtFork(ForkName.electra, DOMAIN_SYNC_COMMITTEE));
    if (!verifyAggregate(positions.map((p) => c.s.validators[committee[p]!]!.pubkey), root, k.signature)) return 'invalid contribution signature';
    let e = this.sync.get(k.slot);
    if (!e) {
      e = { root: bytesToHex(c.blockRootAtSlot(k.slot)), positions: new Map(), aggregates: [] };
      this.sync.set(k.slot, e);
    }
    if (e.root === bytesToHex(k.beaconBlockRoot)) e.aggregates.push({ positions, signature: k.signature });
    c.markLive(c.epochOf(k.slot), m.aggregatorIndex);
    return null;
  }

  afterImport(signed: electra.SignedBeaconBlock, _root: Uint8Array, fx: BlockEffects): void {
    const c = this.chain;
    for (const inc of fx.includedAttestations) {
      const dataRoot = ssz.phase0.AttestationData.hashTreeRoot(inc.att.data);
      for (const pc of inc.perCommittee) this.attestations.markIncluded(dataRoot, pc.ci, pc.positions);
      this.recordVote({ attestingIndices: inc.indices, data: inc.att.data, signature: inc.att.signature });
      for (const i of inc.indices) c.markLive(inc.att.data.target.epoch, i);
    }
    for (const vi of fx.exits) this.exits.delete(vi);
    const included = new Set(signed.message.body.attesterSlashings.map((x) => bytesToHex(ssz.electra.AttesterSlashing.hashTreeRoot(x))));
    this.attesterSlashings = this.attesterSlashings.filter((x) => !included.has(bytesToHex(ssz.electra.AttesterSlashing.hashTreeRoot(x))));
    const slashedProposers = new Set(fx.proposerSlashings);
    this.proposerSlashings = this.proposerSlashings.filter((p) => !slashedProposers.has(p.signedHeader1.message.proposerIndex));
  }

  prune(): void {
    const c = this.chain;
    const minSlot = c.slot - 2 * c.opts.slotsPerEpoch;
    this.attestations.prune(minSlot);
    for (const s of this.sync.keys()) if (s < c.slot - 2) this.sync.delete(s);
    this.slasher.prune(c.epoch);
    for (const [vi, ex] of this.exits) if (c.s.validators[vi]!.exitEpoch !== SPEC.FAR_FUTURE_EPOCH) this.exits.delete(vi);
  }

  sizes(): Record<string, number> {
    return { attestationPool: this.attestations.size, syncPool: this.sync.size, exitPool: this.exits.size, attesterSlashingPool: this.attesterSlashings.length };
  }

  getAggregate(dataRoot: Uint8Array, slot: number, ci: number): electra.Attestation | null {
    const best = this.attestations.best(bytesToHex(dataRoot), ci);
    if (!best || best.data.slot !== slot) return null;
    return this.attestations.all(slot, ci).find((a) => eq(ssz.phase0.AttestationData.hashTreeRoot(a.data), dataRoot)) ?? null;
  }
}

function sameSlashing(a: electra.AttesterSlashing, b: electra.AttesterSlashing): boolean {
  return eq(ssz.electra.AttesterSlashing.hashTreeRoot(a), ssz.electra.AttesterSlashing.hashTreeRoot(b));
}
