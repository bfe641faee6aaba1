/**
 * The wall clock prepares each slot before its start (EL read, epoch transition), so a validator client asking at a
 * slot's first milliseconds for that epoch's proposer duties is answered. Before the fix the node read the EL *at*
 * the slot start and only then started the slot, and such a request was refused with 400 (found by dv-node's DKG
 * end-to-end test: half the nodes skipped the first slot of each epoch).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBeacon } from './testing.ts';

test('wall clock: an epoch\'s proposer duties are served from the first millisecond of the epoch (EL linked)', { timeout: 60_000 }, async () => {
  const slotTime = 1;
  const slotsPerEpoch = 2;
  const beacon = await startTestBeacon({ clock: 'wall', slotTime, slotsPerEpoch, genesisValidators: 16, genesisTime: Math.floor(Date.now() / 1000) + 1 });
  try {
    const chain = beacon.node.chain;
    for (let epoch = 1; epoch <= 4; epoch++) {
      const startMs = chain.slotStartTime(epoch * slotsPerEpoch) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, startMs + 2 - Date.now())));
      const res = await fetch(`${beacon.url}/eth/v1/validator/duties/proposer/${epoch}`);
      const text = await res.text();
      assert.equal(res.status, 200, `epoch ${epoch}, ${Date.now() - startMs} ms into it: ${text}`);
      const body = JSON.parse(text) as { data: { slot: string }[] };
      assert.equal(body.data.length, slotsPerEpoch);
      assert.equal(Number(body.data[0]!.slot), epoch * slotsPerEpoch);
    }
    assert.equal(beacon.node.clockError, undefined);
  } finally {
    await beacon.stop();
  }
});
