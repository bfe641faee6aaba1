/**
 * Scheduler alone, against a scripted beacon node on a fast clock (300 ms slots): duties fire at their offsets, only
 * for active cluster validators, and are replaced when the beacon node reports another dependent_root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AttesterDuty, BeaconClient, ProposerDuty, ValidatorInfo } from '../beacon/client.ts';
import { SlotScheduler } from './scheduler.ts';
import type { Duty, DutyDefinition, Hex } from './types.ts';

const SLOT_MS = 300;
const SPE = 4;
const pk = (i: number): Uint8Array => new Uint8Array(48).fill(i + 1);
const pkHex = (i: number): Hex => `0x${Buffer.from(pk(i)).toString('hex')}`;

function fakeBeacon(genesisMs: number, script: { attesterRoot: () => string; attesterSlot: (validator: number, epoch: number) => number }) {
  const calls = { attester: 0 };
  const bn = {
    chain: { slotMs: SLOT_MS, slotsPerEpoch: SPE },
    slotStartMs: (slot: number) => genesisMs + slot * SLOT_MS,
    currentSlot: (now = Date.now()) => Math.max(0, Math.floor((now - genesisMs) / SLOT_MS)),
    epochOf: (slot: number) => Math.floor(slot / SPE),
    validators: async (ids: (string | number)[]): Promise<ValidatorInfo[]> =>
      [0, 1, 2].filter((i) => ids.includes(pkHex(i))).map((i) => ({ index: 10 + i, pubkey: pk(i), status: i === 2 ? 'pending_queued' : 'active_ongoing', balance: 32e9, activationEpoch: i === 2 ? Infinity : 0, exitEpoch: Infinity })),
    attesterDuties: async (epoch: number, indices: number[]) => {
      calls.attester++;
      const duties: AttesterDuty[] = indices.map((vi) => ({ pubkey: pk(vi - 10), validatorIndex: vi, committeeIndex: 0, committeeLength: 2, committeesAtSlot: 1, validatorCommitteeIndex: vi - 10, slot: script.attesterSlot(vi, epoch) }));
      return { duties, dependentRoot: script.attesterRoot() };
    },
    proposerDuties: async (epoch: number) => ({ duties: [{ slot: epoch * SPE + 1, validatorIndex: 10, pubkey: pk(0) }] as ProposerDuty[], dependentRoot: '0xaa' }),
    // validator 11 sits in the sync committee (seats 3 and 200: subcommittees 0 and 1 of 128 seats)
    syncDuties: async (_epoch: number, indices: number[]) => (indices.includes(11) ? [{ pubkey: pk(1), validatorIndex: 11, validatorSyncCommitteeIndices: [3, 200] }] : []),
  };
  return { bn: bn as unknown as BeaconClient, calls };
}

test('scheduler: duties at their offsets, active validators only, re-fetched when the dependent root changes', async () => {
  const genesis = Date.now() + 50;
  let root = '0x01';
  // before the re-org validator 10 attests at slot 2 of each epoch; after it, at slot 3
  let slotOf = (vi: number, epoch: number) => epoch * SPE + (vi === 10 ? 2 : 0);
  const { bn } = fakeBeacon(genesis, { attesterRoot: () => root, attesterSlot: (vi, e) => slotOf(vi, e) });
  const events: [string, Record<string, unknown>][] = [];
  const fired: { duty: Duty; defs: readonly DutyDefinition[]; at: number }[] = [];
  const s = new SlotScheduler({ beacon: bn, pubkeys: [pkHex(0), pkHex(1), pkHex(2)], onEvent: (e, f) => events.push([e, f]) });
  s.onDuty((duty, defs) => fired.push({ duty, defs, at: Date.now() }));
  await s.start();
  const deadline = Date.now() + 5000;
  // let slot 0 and 1 pass, then re-org: the dependent root of epoch 0's attester duties changes
  while (!fired.some((f) => f.duty.slot === 1 && f.duty.type === 'proposer')) {
    assert.ok(Date.now() < deadline, 'no proposer duty at slot 1');
    await new Promise((r) => setTimeout(r, 10));
  }
  root = '0x02';
  slotOf = (vi, epoch) => epoch * SPE + (vi === 10 ? 3 : 0);
  while (!fired.some((f) => f.duty.slot === 3 && f.duty.type === 'aggregator')) {
    assert.ok(Date.now() < deadline, 'no aggregator duty at slot 3');
    await new Promise((r) => setTimeout(r, 10));
  }
  s.stop();
  const att = fired.filter((f) => f.duty.type === 'attester');
  // validator 12 is pending: never scheduled; validator 11 attests at slot 0
  assert.ok(att.every((f) => f.defs.every((d) => d.validatorIndex !== 12)));
  assert.deepEqual(att.find((f) => f.duty.slot === 0)?.defs.map((d) => d.validatorIndex), [11]);
  // after the re-org validator 10 attests at slot 3, not 2
  assert.equal(att.some((f) => f.duty.slot === 2), false, 'stale duty at slot 2 fired');
  assert.deepEqual(att.find((f) => f.duty.slot === 3)?.defs.map((d) => d.validatorIndex), [10]);
  assert.ok(events.some(([e, f]) => e === 'dependent_root_changed' && f.old === '0x01' && f.new === '0x02'), JSON.stringify(events));
  // sync committee duties every slot for validator 11: selection proofs, message, contribution
  for (const type of ['prepare_sync_contribution', 'sync_message', 'sync_contribution'] as const) {
    const f = fired.find((x) => x.duty.slot === 2 && x.duty.type === type);
    assert.deepEqual(f?.defs.map((d) => [d.validatorIndex, d.syncCommitteeIndices]), [[11, [3, 200]]], `${type} at slot 2`);
  }
  // offsets: attester and sync message ≈ 1/3 slot, aggregation and sync contribution ≈ 2/3 slot after the slot start
  const THIRDS: Partial<Record<Duty['type'], number>> = { attester: 1, sync_message: 1, aggregator: 2, sync_contribution: 2 };
  for (const f of fired.filter((x) => x.duty.slot >= 1)) {
    const offset = f.at - bn.slotStartMs(f.duty.slot);
    const want = ((THIRDS[f.duty.type] ?? 0) * SLOT_MS) / 3;
    assert.ok(offset >= want - 2 && offset < want + SLOT_MS / 3 - 10, `${f.duty.type} at slot ${f.duty.slot} fired ${offset} ms into the slot`);
  }
});
