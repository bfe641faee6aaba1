/** The Beacon API client against the project's beacon chain (manual clock): config from the node, duties with
 * dependent roots, data, and errors that carry endpoint, status and the node's message. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBeacon, type TestBeacon } from '../../../devnet/beacon/testing.ts';
import { freePorts } from '../../test/harness.ts';
import { BeaconApiError, BeaconClient } from './client.ts';

let t: TestBeacon;
let bn: BeaconClient;

before(async () => {
  t = await startTestBeacon({ withExecution: false, genesisValidators: 16, slotTime: 2 });
  bn = await BeaconClient.connect(t.url);
  await t.advanceTo(3);
});
after(async () => {
  await t?.stop();
});

test('chain info comes from the node: SLOTS_PER_EPOCH, slot duration, genesis', () => {
  assert.equal(bn.chain.slotsPerEpoch, 8);
  assert.equal(bn.chain.slotMs, 2000);
  assert.equal(bn.chain.genesisTime, t.node.chain.s.genesisTime);
  assert.deepEqual(bn.chain.genesisValidatorsRoot, t.node.chain.s.genesisValidatorsRoot);
  assert.equal(bn.slotStartMs(5), (t.node.chain.s.genesisTime + 10) * 1000);
});

test('validators by pubkey and by index, duties with their dependent root, attestation data', async () => {
  const pk = `0x${Buffer.from(t.node.chain.s.validators[3]!.pubkey).toString('hex')}`;
  const [byPk] = await bn.validators([pk]);
  assert.equal(byPk!.index, 3);
  assert.equal(byPk!.status, 'active_ongoing');
  const [byIndex] = await bn.validators([5]);
  assert.equal(byIndex!.index, 5);
  const att = await bn.attesterDuties(0, [0, 1, 2, 3]);
  assert.equal(att.duties.length, 4);
  assert.match(att.dependentRoot, /^0x[0-9a-f]{64}$/);
  const prop = await bn.proposerDuties(0);
  assert.equal(prop.duties.length, 8);
  const data = await bn.attestationData(3);
  assert.equal(data.slot, 3);
  assert.equal(data.index, 0);
  assert.deepEqual(await bn.blockRoot('head'), t.node.chain.headRoot);
  const s = await bn.syncing();
  assert.equal(s.isSyncing, false);
});

test('a refused call names endpoint, HTTP status and the node message', async () => {
  await assert.rejects(bn.attestationData(1000), (e: unknown) => {
    assert.ok(e instanceof BeaconApiError);
    assert.equal(e.status, 400);
    assert.equal(e.endpoint, 'GET /eth/v1/validator/attestation_data');
    assert.match(e.apiMessage, /slot 1000 is in the future/);
    assert.match(e.message, /attestation_data failed with HTTP 400: slot 1000 is in the future/);
    return true;
  });
  await assert.rejects(bn.submitAttestations([{ committeeIndex: 0, attesterIndex: 1, data: await bn.attestationData(3), signature: new Uint8Array(96) }]), (e: unknown) => {
    assert.ok(e instanceof BeaconApiError);
    assert.equal(e.status, 400);
    return true;
  });
});

test('sync committee aggregation endpoints: parameters from the spec, contributions (404 = none), publishing refused with the reason, subscriptions', async () => {
  assert.equal(bn.chain.syncSubcommitteeSize, 128); // SYNC_COMMITTEE_SIZE 512 / SYNC_COMMITTEE_SUBNET_COUNT 4
  assert.equal(bn.chain.targetAggregatorsPerSyncSubcommittee, 16);
  const head = await bn.blockRoot('head');
  await assert.rejects(bn.syncCommitteeContribution(3, 0, new Uint8Array(32).fill(0x33)), (e: unknown) => {
    assert.ok(e instanceof BeaconApiError);
    assert.equal(e.status, 404);
    assert.equal(e.endpoint, 'GET /eth/v1/validator/sync_committee_contribution');
    return true;
  });
  await assert.rejects(bn.syncCommitteeContribution(3, 9, head), (e: unknown) => {
    assert.ok(e instanceof BeaconApiError);
    assert.equal(e.status, 400);
    assert.match(e.message, /sync_committee_contribution failed with HTTP 400: subcommittee_index 9/);
    return true;
  });
  await assert.rejects(bn.syncCommitteeContribution(3, -1, head), /subcommittee_index must be a non-negative integer, got -1/);
  await assert.rejects(bn.syncCommitteeContribution(3, 0, new Uint8Array(31)), /beacon_block_root must be 32 bytes, got 31/);
  const aggregationBits = (await import('@lodestar/types')).ssz.altair.SyncCommitteeContribution.fields.aggregationBits.defaultValue();
  aggregationBits.set(0, true);
  const junk = {
    message: { aggregatorIndex: 1, selectionProof: new Uint8Array(96), contribution: { slot: 3, beaconBlockRoot: head, subcommitteeIndex: 0, aggregationBits, signature: new Uint8Array(96) } },
    signature: new Uint8Array(96),
  };
  await assert.rejects(bn.submitContributionAndProofs([junk]), (e: unknown) => {
    assert.ok(e instanceof BeaconApiError);
    assert.equal(e.status, 400);
    assert.equal(e.endpoint, 'POST /eth/v1/validator/contribution_and_proofs');
    assert.match(e.apiMessage, /contribution/);
    return true;
  });
  await bn.submitContributionAndProofs([]); // nothing to send: no call
  await bn.subscribeSyncCommittees([{ validatorIndex: 1, syncCommitteeIndices: [0, 200], untilEpoch: 256 }]);
});

test('no beacon node: status 0 and a hint', async () => {
  const [port] = await freePorts(1);
  await assert.rejects(BeaconClient.connect(`http://127.0.0.1:${port}`), (e: unknown) => {
    assert.ok(e instanceof BeaconApiError);
    assert.equal(e.status, 0);
    assert.match(e.message, /no answer.*is the beacon node/);
    return true;
  });
});
