/**
 * Test-side validators: keys the *test* holds (not the chain), deposit requests signed with common/ssz-deposit, and
 * duties signed with the shared spec signing module (common/eth2/signing.ts). Because the chain verifies with its
 * own code path, every accepted message proves both sides compute the same domain and signing root.
 */
import { SecretKey } from '@chainsafe/blst';
import { ssz, type electra, type phase0 } from '@lodestar/types';
import { bytesToHex, hexToBytes } from 'viem';
import {
  aggregateAndProofSigningRoot, attestationSigningRoot, depositMessageSigningRoot, blockRootSigningRoot, randaoSigningRoot, selectionProofSigningRoot,
  signingContextFromConfig, voluntaryExitSigningRoot, type SigningContext,
} from '../../common/eth2/signing.ts';
import type { BeaconChain } from './chain.ts';
import { interopSecretKey } from './interop.ts';
import { boolsToBitList, boolsToBitVector } from './pool.ts';

export function signingContext(chain: BeaconChain): SigningContext {
  return signingContextFromConfig(chain.forkConfig, chain.s.genesisValidatorsRoot, chain.opts.slotsPerEpoch);
}

/** 0x01 withdrawal credentials for an execution address. */
export function eth1Credentials(address: `0x${string}`): Uint8Array {
  const wc = new Uint8Array(32);
  wc[0] = 0x01;
  wc.set(hexToBytes(address), 12);
  return wc;
}

export class TestValidators {
  readonly keys: SecretKey[];
  readonly sctx: SigningContext;
  private readonly pubkeys: Uint8Array[];

  /** `seeds` pick keys interop-style (index ≥ the chain's genesis validators, so the chain does not run them). */
  constructor(readonly chain: BeaconChain, seeds: number[]) {
    this.keys = seeds.map((s) => interopSecretKey(s));
    this.pubkeys = this.keys.map((k) => k.toPublicKey().toBytes());
    this.sctx = signingContext(chain);
  }

  pubkey(k: number): Uint8Array {
    return this.pubkeys[k]!;
  }

  /** Deposit request (as the EL delivers it) signed by key k, or with a signature by another key if `badSignature`. */
  depositRequest(k: number, amountGwei: bigint, withdrawalCredentials: Uint8Array, index: bigint, badSignature = false): electra.DepositRequest {
    const signer = badSignature ? interopSecretKey(999_999) : this.keys[k]!;
    const root = depositMessageSigningRoot(this.chain.forkConfig.GENESIS_FORK_VERSION, { pubkey: this.pubkey(k), withdrawalCredentials, amount: Number(amountGwei) });
    return { pubkey: this.pubkey(k), withdrawalCredentials, amount: Number(amountGwei), signature: signer.sign(root).toBytes(), index };
  }

  /** Validator index of key k, if it is in the registry. */
  index(k: number): number | undefined {
    return this.chain.s.pubkeyIndex.get(bytesToHex(this.pubkey(k)));
  }

  /** Signs and submits single attestations for each of our validators with a duty at `slot`. Returns submissions. */
  attest(slot: number, only?: Set<number>): { index: number; error: string | null }[] {
    const c = this.chain;
    const sh = c.cache.shuffling(c.s, c.epochOf(slot));
    const data = c.attestationData(slot);
    const out: { index: number; error: string | null }[] = [];
    this.keys.forEach((sk, k) => {
      const vi = this.index(k);
      if (vi === undefined || (only && !only.has(vi))) return;
      sh.committees[slot % c.opts.slotsPerEpoch]!.forEach((committee, ci) => {
        if (!committee.includes(vi)) return;
        const signature = sk.sign(attestationSigningRoot(this.sctx, data)).toBytes();
        out.push({ index: vi, error: c.ops.submitSingle({ committeeIndex: ci, attesterIndex: vi, data, signature }) });
      });
    });
    return out;
  }

  /** Signs an arbitrary attestation for key k (for slashing tests). */
  signedSingle(k: number, committeeIndex: number, data: phase0.AttestationData): electra.SingleAttestation {
    const vi = this.index(k)!;
    return { committeeIndex, attesterIndex: vi, data, signature: this.keys[k]!.sign(attestationSigningRoot(this.sctx, data)).toBytes() };
  }

  /** If one of ours proposes `slot`, produces (with a real RANDAO reveal), signs and imports its block. */
  propose(slot: number): Uint8Array | null {
    const c = this.chain;
    const proposer = c.cache.proposer(c.s, slot);
    const k = this.keys.findIndex((_, i) => this.index(i) === proposer);
    if (k < 0) return null;
    return c.importBlock(this.signBlock(k, c.produceBlock(slot, this.randao(k, c.epochOf(slot)), new Uint8Array(32))));
  }

  randao(k: number, epoch: number): Uint8Array {
    return this.keys[k]!.sign(randaoSigningRoot(this.sctx, epoch)).toBytes();
  }

  signBlock(k: number, block: electra.BeaconBlock): electra.SignedBeaconBlock {
    const root = ssz.electra.BeaconBlock.hashTreeRoot(block);
    return { message: block, signature: this.keys[k]!.sign(blockRootSigningRoot(this.sctx, block.slot, root)).toBytes() };
  }

  /** A SignedAggregateAndProof by key k over the pool's best aggregate for its committee at `slot`. */
  aggregate(k: number, slot: number): electra.SignedAggregateAndProof | null {
    const c = this.chain;
    const vi = this.index(k)!;
    const sh = c.cache.shuffling(c.s, c.epochOf(slot));
    const ci = sh.committees[slot % c.opts.slotsPerEpoch]!.findIndex((cm) => cm.includes(vi));
    if (ci < 0) return null;
    const data = c.attestationData(slot);
    const best = c.ops.attestations.best(bytesToHex(ssz.phase0.AttestationData.hashTreeRoot(data)), ci);
    if (!best) return null;
    const committeeBits = new Array<boolean>(64).fill(false);
    committeeBits[ci] = true;
    const aggregate: electra.Attestation = { aggregationBits: boolsToBitList(best.bits), data: best.data, signature: best.signature, committeeBits: boolsToBitVector(committeeBits) };
    const selectionProof = this.keys[k]!.sign(selectionProofSigningRoot(this.sctx, slot)).toBytes();
    const message: electra.AggregateAndProof = { aggregatorIndex: vi, aggregate, selectionProof };
    return { message, signature: this.keys[k]!.sign(aggregateAndProofSigningRoot(this.sctx, message)).toBytes() };
  }

  voluntaryExit(k: number, epoch: number): phase0.SignedVoluntaryExit {
    const message = { epoch, validatorIndex: this.index(k)! };
    return { message, signature: this.keys[k]!.sign(voluntaryExitSigningRoot(this.sctx, message, this.chain.epoch)).toBytes() };
  }
}
