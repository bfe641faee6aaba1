/**
 * Scheduler at boundaries (both found by dv-node/test/dkg-e2e.test.ts).
 *
 * Activation: at the first slot of a validator's activation epoch the beacon node's head
 * state may still be the previous epoch's (the epoch transition has not run yet), so the validator's status still
 * reads `pending_queued` although its activation epoch has come. The scheduler judges activity by the validator's
 * activation and exit epochs, so the new validator's duties of that first epoch are not lost (half the nodes skipped
 * a whole epoch).
 *
 * Sync committee period: the last slot of a period is signed by the NEXT period's committee (the message is
 * included in the next slot's block), so that slot's sync duties (subcommittee seats) are the next period's; with
 * the current period's seats the beacon node refuses the contributions ("aggregator … is not in sync subcommittee").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AttesterDuty, BeaconClient, ValidatorInfo } from '../beacon/client.ts';
import { SlotScheduler } from './scheduler.ts';
import type { Duty, DutyDefinition, Hex } from './types.ts';

const SLOT_MS = 200;
const SPE = 4;
const pk = (i: number): Uint8Array => new Uint8Array(48).fill(i + 1);
const pkHex = (i: number): Hex => `0x${Buffer.from(pk(i)).toString('hex')}`;

test('scheduler: a validator whose activation epoch has come attests even while the head state still calls it pending; an exited one does not', async () => {
  const genesis = Date.now() + 30;
  // validator 20 activates at epoch 0 but the head state never ran the transition (status pending_queued);
  // validator 21 activates at epoch 5 (pending); validator 22 exited at epoch 0
  const info: ValidatorInfo[] = [
    { index: 20, pubkey: pk(0), status: 'pending_queued', balance: 32e9, activationEpoch: 0, exitEpoch: Infinity },
    { index: 21, pubkey: pk(1), status: 'pending_queued', balance: 32e9, activationEpoch: 5, exitEpoch: Infinity },
    { index: 22, pubkey: pk(2), status: 'exited_unslashed', balance: 32e9, activationEpoch: 0, exitEpoch: 0 },
  ];
  const asked: number[][] = [];
  const bn = {
    chain: { slotMs: SLOT_MS, slotsPerEpoch: SPE },
    slotStartMs: (slot: number) => genesis + slot * SLOT_MS,
    currentSlot: (now = Date.now()) => Math.max(0, Math.floor((now - genesis) / SLOT_MS)),
    epochOf: (slot: number) => Math.floor(slot / SPE),
    validators: async (ids: (string | number)[]): Promise<ValidatorInfo[]> => info.filter((v) => ids.includes(`0x${Buffer.from(v.pubkey).toString('hex')}`)),
    attesterDuties: async (epoch: number, indices: number[]) => {
      asked.push(indices);
      const duties: AttesterDuty[] = indices.map((vi, k) => ({ pubkey: pk(vi - 20), validatorIndex: vi, committeeIndex: 0, committeeLength: 2, committeesAtSlot: 1, validatorCommitteeIndex: k, slot: epoch * SPE + 1 }));
      return { duties, dependentRoot: '0x01' };
    },
    proposerDuties: async () => ({ duties: [], dependentRoot: '0x01' }),
    syncDuties: async () => [],
  } as unknown as BeaconClient;
  const fired: { duty: Duty; defs: readonly DutyDefinition[] }[] = [];
  const s = new SlotScheduler({ beacon: bn, pubkeys: [pkHex(0), pkHex(1), pkHex(2)] });
  s.onDuty((duty, defs) => fired.push({ duty, defs }));
  await s.start();
  try {
    const deadline = Date.now() + 3000;
    while (!fired.some((f) => f.duty.type === 'attester' && f.duty.slot === 1)) {
      assert.ok(Date.now() < deadline, `no attester duty at slot 1 (asked the beacon node for ${JSON.stringify(asked)})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    s.stop();
  }
  assert.deepEqual(fired.find((f) => f.duty.type === 'attester' && f.duty.slot === 1)?.defs.map((d) => d.validatorIndex), [20]);
  assert.ok(asked.length > 0 && asked.every((a) => a.length === 1 && a[0] === 20), `duties asked for ${JSON.stringify(asked)}: only validator 20 is active in epoch 0`);
});

test('scheduler: the last slot of a sync committee period takes the next period\'s sync duties', async () => {
  const genesis = Date.now() + 30;
  const syncAsked: number[] = [];
  const bn = {
    chain: { slotMs: SLOT_MS, slotsPerEpoch: SPE, epochsPerSyncCommitteePeriod: 1 },
    slotStartMs: (slot: number) => genesis + slot * SLOT_MS,
    currentSlot: (now = Date.now()) => Math.max(0, Math.floor((now - genesis) / SLOT_MS)),
    epochOf: (slot: number) => Math.floor(slot / SPE),
    validators: async (): Promise<ValidatorInfo[]> => [{ index: 30, pubkey: pk(0), status: 'active_ongoing', balance: 32e9, activationEpoch: 0, exitEpoch: Infinity }],
    attesterDuties: async () => ({ duties: [], dependentRoot: '0x01' }),
    proposerDuties: async () => ({ duties: [], dependentRoot: '0x01' }),
    // a new committee every epoch (period = 1 epoch): validator 30 sits at seat 10·epoch + 3
    syncDuties: async (epoch: number) => {
      syncAsked.push(epoch);
      return [{ pubkey: pk(0), validatorIndex: 30, validatorSyncCommitteeIndices: [10 * epoch + 3] }];
    },
  } as unknown as BeaconClient;
  const fired: { duty: Duty; defs: readonly DutyDefinition[] }[] = [];
  const s = new SlotScheduler({ beacon: bn, pubkeys: [pkHex(0)] });
  s.onDuty((duty, defs) => fired.push({ duty, defs }));
  await s.start();
  try {
    const deadline = Date.now() + 4000;
    while (!fired.some((f) => f.duty.type === 'sync_contribution' && f.duty.slot === SPE)) {
      assert.ok(Date.now() < deadline, `no sync contribution duty at slot ${SPE} (sync duties asked for epochs ${syncAsked})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    s.stop();
  }
  const seats = (type: Duty['type'], slot: number) => fired.find((f) => f.duty.type === type && f.duty.slot === slot)?.defs.map((d) => d.syncCommitteeIndices);
  for (const type of ['prepare_sync_contribution', 'sync_message', 'sync_contribution'] as const) {
    assert.deepEqual(seats(type, SPE - 2), [[3]], `${type} at slot ${SPE - 2}: epoch 0's seat`);
    assert.deepEqual(seats(type, SPE - 1), [[13]], `${type} at slot ${SPE - 1} (last of period 0): period 1's seat`);
    assert.deepEqual(seats(type, SPE), [[13]], `${type} at slot ${SPE}: period 1's seat`);
  }
});

test('scheduler: a refused proposer-duty call at an epoch\'s first slot does not cost its attestations (attester duties fetched an epoch ahead, each kind on its own)', async () => {
  const genesis = Date.now() + 30;
  const attAsked: { epoch: number; at: number }[] = [];
  const events: string[] = [];
  const bn = {
    chain: { slotMs: SLOT_MS, slotsPerEpoch: SPE },
    slotStartMs: (slot: number) => genesis + slot * SLOT_MS,
    currentSlot: (now = Date.now()) => Math.max(0, Math.floor((now - genesis) / SLOT_MS)),
    epochOf: (slot: number) => Math.floor(slot / SPE),
    validators: async (): Promise<ValidatorInfo[]> => [{ index: 40, pubkey: pk(0), status: 'active_ongoing', balance: 32e9, activationEpoch: 0, exitEpoch: Infinity }],
    // validator 40 attests in the first slot of every epoch; from epoch 1 on the beacon node refuses every duty call
    // made in the epoch's first slot
    attesterDuties: async (epoch: number) => {
      attAsked.push({ epoch, at: Date.now() });
      if (epoch >= 1 && Date.now() >= genesis + epoch * SPE * SLOT_MS && Date.now() < genesis + (epoch * SPE + 1) * SLOT_MS) throw new Error('503 not ready');
      return { duties: [{ pubkey: pk(0), validatorIndex: 40, committeeIndex: 0, committeeLength: 1, committeesAtSlot: 1, validatorCommitteeIndex: 0, slot: epoch * SPE }], dependentRoot: '0x01' };
    },
    proposerDuties: async (epoch: number) => {
      if (epoch >= 1) throw new Error('400 proposer duties not ready');
      return { duties: [], dependentRoot: '0x01' };
    },
    syncDuties: async () => [],
  } as unknown as BeaconClient;
  const fired: Duty[] = [];
  const s = new SlotScheduler({ beacon: bn, pubkeys: [pkHex(0)], onEvent: (e, f) => events.push(`${e}:${String(f.kind)}:${String(f.epoch)}`) });
  s.onDuty((duty) => fired.push(duty));
  await s.start();
  try {
    const deadline = Date.now() + 3000;
    while (!fired.some((d) => d.type === 'attester' && d.slot === 2 * SPE)) {
      assert.ok(Date.now() < deadline, `no attestation in the first slot of epoch 2: fired ${JSON.stringify(fired)}, events ${events}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    s.stop();
  }
  assert.ok(fired.some((d) => d.type === 'attester' && d.slot === SPE), 'no attestation in the first slot of epoch 1');
  assert.ok(attAsked.some((a) => a.epoch === 1 && a.at < genesis + SPE * SLOT_MS), 'epoch 1 attester duties were not fetched during epoch 0');
  assert.ok(events.includes('duties_fetch_failed:proposer:1'), `the refused proposer call is reported: ${events}`);
});
