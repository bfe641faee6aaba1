/**
 * Operation pools: attestations (singles and aggregates, merged per AttestationData and committee), and a slasher
 * that keeps every validator's recent votes to find double votes and surround votes (the spec's
 * is_slashable_attestation_data) and turns them into AttesterSlashings for the next block.
 */
import type { electra, phase0 } from '@lodestar/types';
import { ssz } from '@lodestar/types';
import { bytesToHex } from 'viem';
import { SPEC } from './params.ts';
import { aggregateSignatures } from './bls.ts';
import { dataToBig } from './block.ts';

function indexedToBig(ia: electra.IndexedAttestation): electra.IndexedAttestationBigint {
  return { attestingIndices: ia.attestingIndices, data: dataToBig(ia.data), signature: ia.signature };
}

interface CommitteeEntry {
  committee: number[];
  singles: Map<number, Uint8Array>;
  aggregates: { bits: boolean[]; signature: Uint8Array }[];
  /** positions already included on chain */
  included: Set<number>;
  /** memo of best(): cleared when a single or an aggregate is added */
  best: { bits: boolean[]; signature: Uint8Array } | null | undefined;
}

interface PoolEntry {
  data: phase0.AttestationData;
  dataRoot: Uint8Array;
  byCommittee: Map<number, CommitteeEntry>;
}

export class AttestationPool {
  private entries = new Map<string, PoolEntry>();

  private committeeEntry(data: phase0.AttestationData, dataRoot: Uint8Array, ci: number, committee: number[]): CommitteeEntry {
    const key = bytesToHex(dataRoot);
    let e = this.entries.get(key);
    if (!e) {
      e = { data, dataRoot, byCommittee: new Map() };
      this.entries.set(key, e);
    }
    let c = e.byCommittee.get(ci);
    if (!c) {
      c = { committee, singles: new Map(), aggregates: [], included: new Set(), best: undefined };
      e.byCommittee.set(ci, c);
    }
    return c;
  }

  addSingle(data: phase0.AttestationData, dataRoot: Uint8Array, ci: number, committee: number[], position: number, signature: Uint8Array): void {
    const c = this.committeeEntry(data, dataRoot, ci, committee);
    if (c.singles.has(position)) return;
    c.singles.set(position, signature);
    c.best = undefined;
  }

  addAggregate(data: phase0.AttestationData, dataRoot: Uint8Array, ci: number, committee: number[], bits: boolean[], signature: Uint8Array): void {
    const c = this.committeeEntry(data, dataRoot, ci, committee);
    if (c.aggregates.length >= 4) c.aggregates.sort((a, b) => count(b.bits) - count(a.bits)).pop();
    c.aggregates.push({ bits, signature });
    c.best = undefined;
  }

  /** The best aggregate known for (data root, committee): the largest aggregate plus every single it lacks. */
  best(dataRootHex: string, ci: number): { data: phase0.AttestationData; bits: boolean[]; signature: Uint8Array } | null {
    const e = this.entries.get(dataRootHex);
    const c = e?.byCommittee.get(ci);
    if (!e || !c) return null;
    if (c.best !== undefined) return c.best && { data: e.data, bits: [...c.best.bits], signature: c.best.signature };
    const base = [...c.aggregates].sort((a, b) => count(b.bits) - count(a.bits))[0];
    const bits = base ? [...base.bits] : new Array<boolean>(c.committee.length).fill(false);
    const sigs: Uint8Array[] = base ? [base.signature] : [];
    for (const [pos, sig] of c.singles) {
      if (!bits[pos]) {
        bits[pos] = true;
        sigs.push(sig);
      }
    }
    if (sigs.length === 0) {
      c.best = null;
      return null;
    }
    c.best = { bits, signature: sigs.length === 1 ? sigs[0]! : aggregateSignatures(sigs) };
    return { data: e.data, bits: [...bits], signature: c.best.signature };
  }

  /**
   * On-chain aggregates for a block (Electra: one Attestation per AttestationData, committees merged with
   * committee_bits), newest first, skipping what is already included, at most MAX_ATTESTATIONS_ELECTRA.
   */
  forBlock(includable: (data: phase0.AttestationData) => boolean): electra.Attestation[] {
    const out: electra.Attestation[] = [];
    const sorted = [...this.entries.entries()].sort((a, b) => b[1].data.slot - a[1].data.slot);
    for (const [key, e] of sorted) {
      if (out.length >= SPEC.MAX_ATTESTATIONS_ELECTRA) break;
      if (!includable(e.data)) continue;
      const cis = [...e.byCommittee.keys()].sort((a, b) => a - b);
      const committeeBits = new Array<boolean>(SPEC.MAX_COMMITTEES_PER_SLOT).fill(false);
      const aggBits: boolean[] = [];
      const sigs: Uint8Array[] = [];
      let adds = false;
      for (const ci of cis) {
        const b = this.best(key, ci);
        const c = e.byCommittee.get(ci)!;
        if (!b) continue;
        if (b.bits.some((x, i) => x && !c.included.has(i))) adds = true;
        committeeBits[ci] = true;
        aggBits.push(...b.bits);
        sigs.push(b.signature);
      }
      if (!adds || sigs.length === 0) continue;
      out.push({
        aggregationBits: boolsToBitList(aggBits),
        data: e.data,
        signature: sigs.length === 1 ? sigs[0]! : aggregateSignatures(sigs),
        committeeBits: boolsToBitVector(committeeBits),
      });
    }
    return out;
  }

  /** Marks attesters of an on-chain attestation as included (so blocks stop repeating them). */
  markIncluded(dataRoot: Uint8Array, ci: number, positions: number[]): void {
    const c = this.entries.get(bytesToHex(dataRoot))?.byCommittee.get(ci);
    if (c) for (const p of positions) c.included.add(p);
  }

  all(filterSlot?: number, filterCommittee?: number): electra.Attestation[] {
    const out: electra.Attestation[] = [];
    for (const [key, e] of this.entries) {
      if (filterSlot !== undefined && e.data.slot !== filterSlot) continue;
      for (const ci of e.byCommittee.keys()) {
        if (filterCommittee !== undefined && ci !== filterCommittee) continue;
        const b = this.best(key, ci);
        if (!b) continue;
        const committeeBits = new Array<boolean>(SPEC.MAX_COMMITTEES_PER_SLOT).fill(false);
        committeeBits[ci] = true;
        out.push({ aggregationBits: boolsToBitList(b.bits), data: e.data, signature: b.signature, committeeBits: boolsToBitVector(committeeBits) });
      }
    }
    return out;
  }

  prune(minSlot: number): void {
    for (const [k, e] of this.entries) if (e.data.slot < minSlot) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}

export function count(bits: boolean[]): number {
  let n = 0;
  for (const b of bits) if (b) n++;
  return n;
}

export function boolsToBitList(bits: boolean[]): electra.Attestation['aggregationBits'] {
  const bl = ssz.electra.Attestation.fields.aggregationBits.defaultValue();
  const BitArrayCtor = bl.constructor as unknown as { fromBoolArray(b: boolean[]): typeof bl };
  return BitArrayCtor.fromBoolArray(bits);
}

export function boolsToBitVector(bits: boolean[]): electra.Attestation['committeeBits'] {
  const bv = ssz.electra.Attestation.fields.committeeBits.defaultValue();
  const BitArrayCtor = bv.constructor as unknown as { fromBoolArray(b: boolean[]): typeof bv };
  return BitArrayCtor.fromBoolArray(bits);
}

interface Vote {
  source: number;
  target: number;
  dataRoot: string;
  indexed: electra.IndexedAttestation;
}

/** Remembers votes for `windowEpochs` and reports slashable pairs. */
export class Slasher {
  private votes = new Map<number, Vote[]>();
  /** validators already reported (one slashing per validator is enough) */
  private reported = new Set<number>();
  constructor(private readonly windowEpochs: number) {}

  /** Records the attestation for each attester; returns AttesterSlashings found (both votes signed and verified). */
  record(indexed: electra.IndexedAttestation): electra.AttesterSlashing[] {
    const d = indexed.data;
    const dataRoot = bytesToHex(ssz.phase0.AttestationData.hashTreeRoot(d));
    const found: electra.AttesterSlashing[] = [];
    for (const vi of indexed.attestingIndices) {
      let list = this.votes.get(vi);
      if (!list) {
        list = [];
        this.votes.set(vi, list);
      }
      let seenSame = false;
      for (const old of list) {
        if (old.dataRoot === dataRoot) {
          seenSame = true;
          continue;
        }
        const double = old.target === d.target.epoch;
        const oldSurroundsNew = old.source < d.source.epoch && d.target.epoch < old.target;
        const newSurroundsOld = d.source.epoch < old.source && old.target < d.target.epoch;
        if ((double || oldSurroundsNew || newSurroundsOld) && !this.reported.has(vi)) {
          this.reported.add(vi);
          // is_slashable_attestation_data(data_1, data_2) wants attestation_1 to be the surrounding one
          const [a1, a2] = newSurroundsOld ? [indexed, old.indexed] : [old.indexed, indexed];
          found.push({ attestation1: indexedToBig(a1), attestation2: indexedToBig(a2) });
        }
      }
      if (!seenSame) list.push({ source: d.source.epoch, target: d.target.epoch, dataRoot, indexed });
    }
    return found;
  }

  prune(currentEpoch: number): void {
    const min = currentEpoch - this.windowEpochs;
    for (const [vi, list] of this.votes) {
      const kept = list.filter((v) => v.target >= min);
      if (kept.length === 0) this.votes.delete(vi);
      else if (kept.length !== list.length) this.votes.set(vi, kept);
    }
  }
}
