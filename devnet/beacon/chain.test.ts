/**
 * The consensus core without I/O: spec primitives (shuffle, interop keys, domains), committees, finality and its
 * stall, rewards and penalties at a realistic APR. Validator lifecycle tests are in lifecycle.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ssz } from '@lodestar/types';
import { bytesToHex, hexToBytes } from 'viem';
import { computeDomain, computeSigningRoot, DOMAIN_BEACON_ATTESTER } from '../../common/eth2/signing.ts';
import { BeaconChain, ChainError } from './chain.ts';
import { interopSecretKey } from './interop.ts';
import { SPEC } from './params.ts';
import { shuffledIndices } from './shuffle.ts';
import { validatorStatus } from './state.ts';
import { TestValidators, eth1Credentials } from './test-helpers.ts';

const FAST = { genesisValidators: 32, slotsPerEpoch: 8, slotTime: 1, activationDelay: 2, shardCommitteePeriod: 0, withdrawabilityDelay: 1, genesisTime: 1_700_000_000 };

/** The spec's compute_shuffled_index, one index at a time, written independently of shuffle.ts. */
function specShuffledIndex(index: number, count: number, seed: Uint8Array): number {
  const h = (...p: Uint8Array[]) => { const x = createHash('sha256'); for (const b of p) x.update(b); return new Uint8Array(x.digest()); };
  for (let r = 0; r < 90; r++) {
    const pivot = Number(Buffer.from(h(seed, Uint8Array.of(r)).subarray(0, 8)).readBigUInt64LE() % BigInt(count));
    const flip = (pivot + count - index) % count;
    const position = Math.max(index, flip);
    const pos = Buffer.alloc(4);
    pos.writeUInt32LE(Math.floor(position / 256));
    const source = h(seed, Uint8Array.of(r), pos);
    const bit = (source[Math.floor((position % 256) / 8)]! >> (position % 8)) % 2;
    index = bit ? flip : index;
  }
  return index;
}

describe('spec primitives', () => {
  it('interop key 0 gives the well-known interop pubkey', () => {
    assert.equal(interopSecretKey(0).toPublicKey().toHex(), '0xa99a76ed7796f7be22d5b7e85deeb7c5677e88e511e0b337618f8c4eb61349b4bf2d153f649f7b53359fe8b94a38e44c');
  });

  it('the whole-list shuffle equals the per-index compute_shuffled_index', () => {
    for (const n of [1, 7, 64, 300]) {
      const seed = createHash('sha256').update(`seed-${n}`).digest();
      const perm = shuffledIndices(n, seed);
      for (let i = 0; i < n; i++) assert.equal(perm[i], specShuffledIndex(i, n, seed), `n=${n} i=${i}`);
    }
  });
});

describe('domains', () => {
  it("the chain's domains equal the shared module's compute_domain for every duty (fork versions, genesis validators root)", async () => {
    const sig = await import('../../common/eth2/signing.ts');
    const { ForkName, DOMAIN_RANDAO, DOMAIN_BEACON_PROPOSER, DOMAIN_SELECTION_PROOF, DOMAIN_AGGREGATE_AND_PROOF, DOMAIN_SYNC_COMMITTEE, DOMAIN_VOLUNTARY_EXIT } = await import('@lodestar/params');
    const c = new BeaconChain(FAST);
    const gvr = c.s.genesisValidatorsRoot;
    const electraV = hexToBytes('0x53480005');
    for (const [ours, shared] of [
      [DOMAIN_BEACON_PROPOSER, sig.DOMAIN_BEACON_PROPOSER], [sig.DOMAIN_BEACON_ATTESTER, sig.DOMAIN_BEACON_ATTESTER], [DOMAIN_RANDAO, sig.DOMAIN_RANDAO],
      [DOMAIN_SELECTION_PROOF, sig.DOMAIN_SELECTION_PROOF], [DOMAIN_AGGREGATE_AND_PROOF, sig.DOMAIN_AGGREGATE_AND_PROOF], [DOMAIN_SYNC_COMMITTEE, sig.DOMAIN_SYNC_COMMITTEE],
    ] as const) {
      assert.equal(bytesToHex(c.cfg.getDomainAtFork(ForkName.electra, ours)), bytesToHex(sig.computeDomain(shared, electraV, gvr)));
    }
    // EIP-7044: exits always under the Capella fork version; deposits under GENESIS_FORK_VERSION with a zero root
    assert.equal(bytesToHex(c.cfg.getDomainAtFork(ForkName.capella, DOMAIN_VOLUNTARY_EXIT)), bytesToHex(sig.computeDomain(sig.DOMAIN_VOLUNTARY_EXIT, hexToBytes('0x53480003'), gvr)));
    const msg = { pubkey: new Uint8Array(48).fill(1), withdrawalCredentials: new Uint8Array(32).fill(2), amount: 32e9 };
    const { depositSigningRoot } = await import('./state.ts');
    assert.equal(bytesToHex(depositSigningRoot(hexToBytes('0x53480000'), msg.pubkey, msg.withdrawalCredentials, msg.amount)), bytesToHex(sig.depositMessageSigningRoot(hexToBytes('0x53480000'), msg)));
    // the genesis validators root is hash_tree_root(List[Validator]) of the interop registry
    assert.equal(bytesToHex(gvr), bytesToHex(ssz.phase0.Validators.hashTreeRoot(c.s.validators)));
  });
});

describe('chain', () => {
  it('finalizes with full participation and stalls below 2/3', () => {
    const c = new BeaconChain(FAST);
    c.advanceTo(6 * 8);
    const finalized = c.s.finalized.epoch;
    assert.ok(finalized >= 3, `finalized epoch ${finalized} after 6 epochs`);
    c.setInteropParticipation(0.5);
    c.advanceTo(9 * 8);
    const stalled = c.s.finalized.epoch;
    assert.ok(stalled <= finalized + 1, 'at most the checkpoint already justified gets finalized');
    c.advanceTo(14 * 8);
    assert.equal(c.s.finalized.epoch, stalled, 'finality stalls with half the stake');
    // inactivity leak: idle validators accrue inactivity scores and penalties; attesters get no flag rewards
    const leakEpoch = c.epoch - 2;
    assert.ok(leakEpoch - stalled > 4, 'in a leak');
    const r = c.rewards.get(leakEpoch)!;
    assert.ok(c.s.inactivityScores[31]! > 0 && c.s.inactivityScores[0] === 0);
    assert.deepEqual(r.byValidator.get(0)!.slice(0, 3), [0, 0, 0], 'no flag rewards during a leak');
    assert.ok(r.byValidator.get(31)![3] < 0, 'inactivity penalty for the idle validator');
    c.setInteropParticipation(1);
    c.advanceTo(18 * 8);
    assert.ok(c.s.finalized.epoch > stalled + 1, 'finality resumes');
  });

  it('pays a validator that attests and penalises one that misses, at a realistic APR', () => {
    const c = new BeaconChain({ ...FAST, slotTime: 12, slotsPerEpoch: 32, genesisValidators: 64 });
    c.setInteropParticipation(63 / 64); // validator 63 never attests
    c.advanceTo(5 * 32);
    const start0 = c.s.balances[0]!;
    const start63 = c.s.balances[63]!;
    c.advanceTo(7 * 32);
    const gain = c.s.balances[0]! - start0;
    assert.ok(gain > 0, `attester gained ${gain}`);
    assert.ok(c.s.balances[63]! < start63, 'idle validator lost balance');
    // two epochs of 384 s at ~mainnet reward rates: APR from flag rewards alone between 1 % and 6 %
    const apr = (gain / 32e9) * ((365 * 86400) / (2 * 384));
    assert.ok(apr > 0.01 && apr < 0.06, `APR ${apr}`);
    const r = c.rewards.get(5)!;
    assert.ok(r.byValidator.get(0)!.slice(0, 3).every((x) => x > 0));
    assert.ok(r.byValidator.get(63)![0] < 0 && r.byValidator.get(63)![1] < 0 && r.byValidator.get(63)![2] === 0);
  });

  it('committees cover every active validator exactly once per epoch; proposers come from the active set', () => {
    const c = new BeaconChain(FAST);
    c.advanceTo(10);
    const sh = c.cache.shuffling(c.s, 1);
    const all = sh.committees.flat(2).sort((a, b) => a - b);
    assert.deepEqual(all, [...Array(32).keys()]);
    for (const p of c.cache.proposersOf(c.s, 1)) assert.ok(p < 32);
  });

});
