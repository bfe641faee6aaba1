/**
 * 1,000 slots with 64 interop validators and 16 protocol validators (deposited, activated, attesting and proposing
 * with keys the test holds): the chain keeps finalizing, protocol validators earn, and the heap stays bounded once
 * history pruning is in effect (historySlots = 256 here). Prints the measured figures.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BeaconChain } from './chain.ts';
import { TestValidators, eth1Credentials } from './test-helpers.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

it('runs 1,000 slots with protocol validators attesting, heap bounded', () => {
  const HISTORY = 256;
  const c = new BeaconChain({ genesisValidators: 64, slotsPerEpoch: 8, slotTime: 0.25, activationDelay: 2, shardCommitteePeriod: 0, historySlots: HISTORY, genesisTime: 1_700_000_000 });
  const t = new TestValidators(c, Array.from({ length: 16 }, (_, i) => 6000 + i));
  c.advanceTo(1);
  c.addDepositRequests(t.keys.map((_, k) => t.depositRequest(k, 32_000_000_000n, eth1Credentials('0x00000000000000000000000000000000000000ee'), BigInt(k))));
  let rejected = 0;
  // 0x01 validators are skimmed by the withdrawal sweep: earnings = balance + what was withdrawn
  const withdrawn = new Map<number, number>();
  c.onImported((ev) => { for (const w of ev.effects.withdrawals) if (ev.slot > 120) withdrawn.set(w.validatorIndex, (withdrawn.get(w.validatorIndex) ?? 0) + w.amount); });
  const heap: Record<number, number> = {};
  const times: number[] = [];
  let start: number[] = [];
  for (let slot = 2; slot <= 1000; slot++) {
    const t0 = performance.now();
    c.startSlot(slot);
    t.propose(slot);
    for (const r of t.attest(slot)) if (r.error) rejected++;
    c.attestationDue(slot);
    times.push(performance.now() - t0);
    if (slot === 120) start = t.keys.map((_, k) => c.s.balances[t.index(k)!]!);
    if (slot === 300 || slot === 600 || slot === 1000) heap[slot] = heapMb();
  }
  const ours = t.keys.map((_, k) => t.index(k)!);
  assert.equal(ours.length, 16);
  assert.equal(rejected, 0, 'every protocol attestation accepted');
  ours.forEach((i, k) => assert.ok(c.s.balances[i]! + (withdrawn.get(i) ?? 0) > start[k]!, `validator ${i} earned: ${start[k]} → ${c.s.balances[i]} ${JSON.stringify({ ...c.s.validators[i], pubkey: 0, withdrawalCredentials: 0 })} epoch ${c.epoch}`));
  assert.ok(c.s.finalized.epoch >= 120, `finalized epoch ${c.s.finalized.epoch}`);
  const sizes = c.sizes();
  assert.ok(sizes.blocks! <= HISTORY + 2 && sizes.snapshots! <= HISTORY / 8 + 2 * 8 + 2, JSON.stringify(sizes));
  const growth = heap[1000]! - heap[300]!;
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(times.length / 2)]!;
  const p99 = times[Math.floor(times.length * 0.99)]!;
  console.log(`soak: heap after GC ${heap[300]!.toFixed(1)} MB @300, ${heap[600]!.toFixed(1)} MB @600, ${heap[1000]!.toFixed(1)} MB @1000 (growth ${growth.toFixed(1)} MB); slot processing p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; ${JSON.stringify(sizes)}`);
  assert.ok(growth < 16, `heap grew ${growth.toFixed(1)} MB between slot 300 and 1000`);
});
