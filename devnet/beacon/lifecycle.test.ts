/**
 * Validator lifecycle in the consensus core without I/O: deposits (valid, invalid, top-up, churn), duties signed
 * over the shared module's signing roots, slashing (double vote, surround vote, double proposal), exits and
 * withdrawals.
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

describe('validator lifecycle', () => {
  it('activates a deposit with a valid signature after the delay and never one with a bad signature', () => {
    const c = new BeaconChain(FAST);
    const t = new TestValidators(c, [1000, 1001, 1002]);
    c.advanceTo(2);
    const wc = eth1Credentials('0x00000000000000000000000000000000000000aa');
    c.addDepositRequests([
      t.depositRequest(0, 32_000_000_000n, wc, 0n),
      t.depositRequest(1, 32_000_000_000n, wc, 1n, true),
      t.depositRequest(2, 16_000_000_000n, wc, 2n),
    ]);
    c.advanceTo(3);
    assert.equal(c.s.pendingDeposits.length, 3, 'deposit requests are queued by the block');
    c.advanceTo(10 * 8);
    const i0 = t.index(0);
    assert.ok(i0 !== undefined, 'valid deposit created a validator');
    assert.equal(t.index(1), undefined, 'bad signature: no validator');
    assert.equal(validatorStatus(c.s.validators[i0]!, c.s.balances[i0]!, c.epoch), 'active_ongoing');
    const i2 = t.index(2)!;
    assert.equal(validatorStatus(c.s.validators[i2]!, c.s.balances[i2]!, c.epoch), 'pending_initialized', '16 ETH is below MIN_ACTIVATION_BALANCE');
    // top-up: a second deposit for the same key needs no signature and adds balance
    const before = c.s.balances[i2]!;
    c.addDepositRequests([t.depositRequest(2, 16_000_000_000n, wc, 3n, true)]);
    c.advanceTo(20 * 8);
    assert.ok(c.s.balances[i2]! >= before + 16e9 - 1e7, 'top-up added balance');
    assert.equal(validatorStatus(c.s.validators[i2]!, c.s.balances[i2]!, c.epoch), 'active_ongoing');
  });

  it('applies deposits under the activation churn limit (128 ETH per epoch: four 32 ETH validators)', () => {
    const c = new BeaconChain(FAST);
    const t = new TestValidators(c, [1100, 1101, 1102, 1103, 1104, 1105]);
    c.advanceTo(2);
    const wc = eth1Credentials('0x00000000000000000000000000000000000000ab');
    c.addDepositRequests(t.keys.map((_, k) => t.depositRequest(k, 32_000_000_000n, wc, BigInt(k))));
    c.advanceTo(12 * 8);
    const eligibility = t.keys.map((_, k) => c.s.validators[t.index(k)!]!.activationEligibilityEpoch);
    const byEpoch = new Map<number, number>();
    for (const e of eligibility) byEpoch.set(e, (byEpoch.get(e) ?? 0) + 1);
    assert.deepEqual([...byEpoch.values()], [4, 2], `eligibility epochs ${eligibility}`);
    const activation = t.keys.map((_, k) => c.s.validators[t.index(k)!]!.activationEpoch);
    assert.ok(activation.every((a, k) => a > eligibility[k]! && a <= c.epoch), `activation epochs ${activation}`);
  });

  it('accepts duties signed over the shared signing roots and rejects other domains; protocol validators earn', () => {
    const c = new BeaconChain(FAST);
    const t = new TestValidators(c, [2000, 2001, 2002, 2003]);
    c.advanceTo(1);
    c.addDepositRequests(t.keys.map((_, k) => t.depositRequest(k, 32_000_000_000n, eth1Credentials('0x00000000000000000000000000000000000000bb'), BigInt(k))));
    c.advanceTo(10 * 8);
    const ours = t.keys.map((_, k) => t.index(k)!);
    for (const i of ours) assert.equal(validatorStatus(c.s.validators[i]!, c.s.balances[i]!, c.epoch), 'active_ongoing');
    const start = ours.map((i) => c.s.balances[i]!);
    let proposed = 0;
    let aggregated = 0;
    for (let slot = c.slot + 1; slot <= 14 * 8; slot++) {
      c.startSlot(slot);
      if (t.propose(slot)) proposed++;
      for (const r of t.attest(slot)) assert.equal(r.error, null);
      for (let k = 0; k < t.keys.length; k++) {
        const sap = t.aggregate(k, slot);
        if (sap) {
          assert.equal(c.ops.submitAggregate(sap), null);
          aggregated++;
        }
      }
      c.attestationDue(slot);
    }
    assert.ok(aggregated > 0, 'aggregates accepted (selection proof + aggregate-and-proof roots)');
    ours.forEach((i, k) => assert.ok(c.s.balances[i]! > start[k]!, `validator ${i} earned`));
    void proposed;
    // wrong domain (mainnet genesis fork version instead of ours): rejected with no effect
    const slot = c.slot;
    const data = c.attestationData(slot);
    const sh = c.cache.shuffling(c.s, c.epoch);
    const ci = sh.committees[slot % 8]!.findIndex((cm) => cm.includes(ours[0]!));
    if (ci >= 0) {
      const wrongDomain = computeDomain(DOMAIN_BEACON_ATTESTER, hexToBytes('0x00000000'), c.s.genesisValidatorsRoot);
      const sig = t.keys[0]!.sign(computeSigningRoot(ssz.phase0.AttestationData, data, wrongDomain)).toBytes();
      assert.match(c.ops.submitSingle({ committeeIndex: ci, attesterIndex: ours[0]!, data, signature: sig }) ?? '', /INVALID_SIGNATURE/);
    }
    // a block by someone other than the slot's proposer is refused
    c.processSlots(c.slot + 1);
    const proposer = c.cache.proposer(c.s, c.slot);
    const k = ours.indexOf(proposer);
    const other = k >= 0 ? (k + 1) % 4 : 0;
    const block = c.produceBlock(c.slot, interopSecretKey(proposer).sign(new Uint8Array(32)).toBytes(), new Uint8Array(32), true);
    block.proposerIndex = ours[other]!;
    assert.throws(() => c.importBlock(t.signBlock(other, block)), (e: unknown) => e instanceof ChainError && /not the proposer/.test(e.message));
  });

  it('slashes a double vote and a surround vote (initial penalty, forced exit)', () => {
    const c = new BeaconChain(FAST);
    const t = new TestValidators(c, [5, 6]); // interop keys 5 and 6: the chain runs them, the test also holds them
    c.advanceTo(4 * 8);
    // double vote: validator 5 signs a second, different attestation for a slot it already attested
    const sh = c.cache.shuffling(c.s, c.epoch);
    const slotOf = (vi: number) => { for (let k = 0; k < 8; k++) { const ci = sh.committees[k]!.findIndex((cm) => cm.includes(vi)); if (ci >= 0) return { slot: c.epoch * 8 + k, ci }; } throw new Error('no duty'); };
    const d5 = slotOf(5);
    c.advanceTo(Math.max(d5.slot, c.slot)); // interop 5 attests at its slot
    const honest = c.attestationData(d5.slot);
    const conflicting = { ...honest, beaconBlockRoot: c.genesisBlockRoot };
    assert.equal(c.ops.submitSingle(t.signedSingle(0, d5.ci, { slot: honest.slot, index: 0, beaconBlockRoot: c.genesisBlockRoot, source: honest.source, target: honest.target })), null);
    void conflicting;
    const eb = c.s.validators[5]!.effectiveBalance;
    const before5 = c.s.balances[5]!;
    c.advanceTo(c.slot + 2);
    assert.equal(c.s.validators[5]!.slashed, true, 'double vote slashed');
    assert.ok(c.s.validators[5]!.exitEpoch !== SPEC.FAR_FUTURE_EPOCH, 'forced exit');
    assert.ok(before5 - c.s.balances[5]! >= Math.floor(eb / SPEC.MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA), 'initial penalty applied');
    // surround vote: validator 6 (idle this epoch) votes source 0 → current target, surrounding its last vote
    c.advanceTo((c.epoch + 1) * 8);
    c.setInteropParticipation(0); // keep 6 from voting this epoch (so the new vote is not also a double vote)
    const sh2 = c.cache.shuffling(c.s, c.epoch);
    let duty: { slot: number; ci: number } | null = null;
    for (let k = 0; k < 8 && !duty; k++) { const ci = sh2.committees[k]!.findIndex((cm) => cm.includes(6)); if (ci >= 0) duty = { slot: c.epoch * 8 + k, ci }; }
    c.advanceTo(Math.max(duty!.slot, c.slot));
    c.setInteropParticipation(1);
    const d = c.attestationData(duty!.slot);
    assert.ok(d.source.epoch > 0);
    assert.equal(c.ops.submitSingle(t.signedSingle(1, duty!.ci, { ...d, source: { epoch: 0, root: new Uint8Array(32) } })), null);
    c.advanceTo(c.slot + 2);
    assert.equal(c.s.validators[6]!.slashed, true, 'surround vote slashed');
  });

  it('slashes a double proposal', () => {
    const c = new BeaconChain(FAST);
    c.advanceTo(9);
    c.processSlots(10); // slot 10 without the chain's own block
    const p = c.cache.proposer(c.s, 10);
    const t = new TestValidators(c, [p]);
    const a = c.produceBlock(10, t.randao(0, 1), new Uint8Array(32).fill(1));
    const b = c.produceBlock(10, t.randao(0, 1), new Uint8Array(32).fill(2));
    c.importBlock(t.signBlock(0, a));
    assert.throws(() => c.importBlock(t.signBlock(0, b)), /double proposal/);
    c.attestationDue(10);
    c.advanceTo(12);
    assert.equal(c.s.validators[p]!.slashed, true);
  });

  it('exits a validator on a signed voluntary exit and sweeps excess, then its full balance, to its address', () => {
    const c = new BeaconChain(FAST);
    const t = new TestValidators(c, [3000]);
    const addr = '0x00000000000000000000000000000000000000cc';
    c.advanceTo(1);
    c.addDepositRequests([t.depositRequest(0, 33_000_000_000n, eth1Credentials(addr), 0n)]);
    c.advanceTo(10 * 8);
    const vi = t.index(0)!;
    assert.equal(validatorStatus(c.s.validators[vi]!, c.s.balances[vi]!, c.epoch), 'active_ongoing');
    const partial = c.withdrawalLog.filter((w) => w.validatorIndex === vi);
    assert.ok(partial.length > 0 && partial[0]!.amount > 0.9e9, 'excess over 32 ETH swept');
    assert.equal(bytesToHex(partial[0]!.address), addr);
    const bad = t.voluntaryExit(0, c.epoch);
    bad.signature = interopSecretKey(1).sign(new Uint8Array(32)).toBytes();
    assert.match(c.ops.submitExit(bad) ?? '', /invalid signature/);
    assert.equal(c.ops.submitExit(t.voluntaryExit(0, c.epoch)), null);
    c.advanceTo(c.slot + 2);
    const exitEpoch = c.s.validators[vi]!.exitEpoch;
    assert.ok(exitEpoch !== SPEC.FAR_FUTURE_EPOCH);
    c.advanceTo((c.s.validators[vi]!.withdrawableEpoch + 1) * 8 + 4);
    assert.equal(c.s.balances[vi], 0, 'fully withdrawn');
    assert.equal(validatorStatus(c.s.validators[vi]!, 0, c.epoch), 'withdrawal_done');
    const full = c.withdrawalLog.filter((w) => w.validatorIndex === vi).at(-1)!;
    assert.ok(full.amount > 31e9, `full withdrawal ${full.amount}`);
  });
});
