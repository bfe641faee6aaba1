/**
 * Beacon API conformance over real HTTP: @lodestar/api's typed client (built from the same route definitions as
 * ethereum/beacon-APIs) must parse every success response, and errors must have the spec's status and
 * `{code, message}` body (with `failures` for pool submissions).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getClient, type ApiClient } from '@lodestar/api';
import { ssz } from '@lodestar/types';
import { bytesToHex } from 'viem';
import { BeaconNode } from './node.ts';
import { TestValidators, eth1Credentials } from './test-helpers.ts';
import { interopSecretKey } from './interop.ts';
import { NODE_VERSION } from './api/handlers.ts';

let node: BeaconNode;
let api: ApiClient;
let t: TestValidators;
let ours: number[];

async function raw(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json', 'eth-consensus-version': 'electra' };
  const r = await fetch(node.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function assertErrorBody(json: Record<string, unknown>, status: number, withFailures = false): void {
  assert.equal(json.code, status, JSON.stringify(json));
  assert.equal(typeof json.message, 'string');
  if (withFailures) {
    assert.ok(Array.isArray(json.failures) && json.failures.length > 0, `failures array in ${JSON.stringify(json)}`);
    for (const f of json.failures as { index: unknown; message: unknown }[]) {
      assert.equal(typeof f.index, 'number');
      assert.equal(typeof f.message, 'string');
    }
  }
}

before(async () => {
  node = await BeaconNode.start({ genesisValidators: 32, slotTime: 1, activationDelay: 2, shardCommitteePeriod: 0, clock: 'manual', port: 0 });
  api = getClient({ baseUrl: node.url }, { config: node.chain.forkConfig });
  t = new TestValidators(node.chain, [4000, 4001, 4002, 4003]);
  await node.advanceTo(1);
  node.chain.addDepositRequests(t.keys.map((_, k) => t.depositRequest(k, 32_000_000_000n, eth1Credentials('0x00000000000000000000000000000000000000dd'), BigInt(k))));
  await node.advanceTo(80);
  ours = t.keys.map((_, k) => t.index(k)!);
});

after(async () => {
  await node.stop();
});

describe('Beacon API conformance', () => {
  it('node, config and genesis endpoints', async () => {
    const g = (await api.beacon.getGenesis()).value();
    assert.equal(bytesToHex(g.genesisValidatorsRoot), bytesToHex(node.chain.s.genesisValidatorsRoot));
    const spec = (await api.config.getSpec()).value();
    assert.equal(spec.SLOTS_PER_EPOCH, '8');
    assert.equal(spec.ELECTRA_FORK_EPOCH, '0');
    assert.equal(spec.DOMAIN_BEACON_ATTESTER, '0x01000000');
    assert.equal((await api.config.getForkSchedule()).value().length, 6);
    assert.equal((await api.config.getDepositContract()).value().chainId, 31337);
    assert.equal((await api.node.getNodeVersion()).value().version, NODE_VERSION);
    assert.equal((await api.node.getHealth()).status, 200);
    assert.equal((await api.node.getSyncingStatus()).value().isSyncing, false);
    const fork = (await api.beacon.getStateFork({ stateId: 'head' })).value();
    assert.equal(bytesToHex(fork.currentVersion), '0x53480005');
  });

  it('states: validators by index and pubkey (GET id= and POST), balances, finality, status codes', async () => {
    const pk = bytesToHex(t.pubkey(0));
    const byGet = (await api.beacon.getStateValidators({ stateId: 'head', validatorIds: [0, pk] })).value();
    assert.deepEqual(byGet.map((v) => v.index).sort((a, b) => a - b), [0, ours[0]!].sort((a, b) => a - b));
    const byPost = (await api.beacon.postStateValidators({ stateId: 'head', validatorIds: [pk, 1] })).value();
    assert.equal(byPost.length, 2);
    assert.equal(byPost.find((v) => v.index === ours[0])!.status, 'active_ongoing');
    const active = (await api.beacon.postStateValidators({ stateId: 'head', statuses: ['active'] as never })).value();
    assert.equal(active.length, 36);
    const one = (await api.beacon.getStateValidator({ stateId: 'finalized', validatorId: 3 })).value();
    assert.equal(one.index, 3);
    const ids = (await api.beacon.postStateValidatorIdentities({ stateId: 'head', validatorIds: [pk] })).value();
    assert.equal(ids[0]!.index, ours[0]);
    const bal = (await api.beacon.postStateValidatorBalances({ stateId: 'head', validatorIds: [0, pk] })).value();
    assert.equal(bal.length, 2);
    assert.ok((await api.beacon.getStateValidatorBalances({ stateId: 'head', validatorIds: [2] })).value()[0]!.balance > 31e9);
    const fc = (await api.beacon.getStateFinalityCheckpoints({ stateId: 'head' })).value();
    assert.ok(fc.finalized.epoch >= 6);
    const fin = (await api.beacon.getStateFinalityCheckpoints({ stateId: 'finalized' })).value();
    assert.ok(fin.finalized.epoch <= fc.finalized.epoch);
    assert.equal((await api.beacon.getStateRoot({ stateId: 'head' })).status, 200);
    let r = await raw('GET', '/eth/v1/beacon/states/bogus/finality_checkpoints');
    assert.equal(r.status, 400);
    assertErrorBody(r.json, 400);
    r = await raw('GET', '/eth/v1/beacon/states/99999/finality_checkpoints');
    assert.equal(r.status, 404);
    assertErrorBody(r.json, 404);
    r = await raw('GET', '/eth/v1/beacon/states/head/validators/999999');
    assert.equal(r.status, 404);
    r = await raw('POST', '/eth/v1/beacon/states/head/validators', { ids: ['nonsense'] });
    assert.equal(r.status, 400);
    assertErrorBody(r.json, 400);
    r = await raw('GET', '/eth/v1/no/such/route');
    assert.equal(r.status, 404);
    assertErrorBody(r.json, 404);
  });

  it('blocks: headers, roots, full block as JSON and SSZ', async () => {
    const h = (await api.beacon.getBlockHeader({ blockId: 'head' })).value();
    assert.equal(h.header.message.slot, node.chain.headSlot);
    const bySlot = (await api.beacon.getBlockHeader({ blockId: h.header.message.slot })).value();
    assert.equal(bytesToHex(bySlot.root), bytesToHex(h.root));
    assert.equal((await api.beacon.getBlockHeaders({})).value().length, 1);
    assert.equal(bytesToHex((await api.beacon.getBlockRoot({ blockId: bytesToHex(h.root) })).value().root), bytesToHex(h.root));
    const blk = await api.beacon.getBlockV2({ blockId: 'head' });
    assert.equal(blk.meta().version, 'electra');
    const res = await fetch(`${node.url}/eth/v2/beacon/blocks/head`, { headers: { accept: 'application/octet-stream' } });
    assert.equal(res.headers.get('eth-consensus-version'), 'electra');
    const decoded = ssz.electra.SignedBeaconBlock.deserialize(new Uint8Array(await res.arrayBuffer()));
    assert.equal(bytesToHex(ssz.electra.BeaconBlock.hashTreeRoot(decoded.message)), bytesToHex(h.root));
    assert.equal((await raw('GET', '/eth/v1/beacon/headers/0x' + '11'.repeat(32))).status, 404);
    assert.equal((await raw('GET', '/eth/v1/beacon/headers/xyz')).status, 400);
  });

  it('duties with dependent roots; attestation data; out-of-range requests are 400', async () => {
    const c = node.chain;
    const duties = await api.validator.getAttesterDuties({ epoch: c.epoch + 1, indices: ours });
    assert.equal(duties.value().length, 4);
    assert.equal(duties.meta().dependentRoot, bytesToHex(c.blockRootAtSlot(c.epoch * 8 - 1)));
    const prop = await api.validator.getProposerDuties({ epoch: c.epoch });
    assert.equal(prop.value().length, 8);
    const sync = (await api.validator.getSyncCommitteeDuties({ epoch: c.epoch, indices: [0, 1, ...ours] })).value();
    assert.ok(sync.length >= 1 && sync.every((d) => d.validatorSyncCommitteeIndices.length > 0));
    let r = await raw('POST', `/eth/v1/validator/duties/attester/${c.epoch + 5}`, ['1']);
    assert.equal(r.status, 400);
    assertErrorBody(r.json, 400);
    r = await raw('GET', `/eth/v1/validator/duties/proposer/${c.epoch + 3}`);
    assert.equal(r.status, 400);
    const data = (await api.validator.produceAttestationData({ slot: c.slot, committeeIndex: 0 })).value();
    assert.equal(data.index, 0);
    assert.equal(bytesToHex(data.beaconBlockRoot), bytesToHex(c.headRoot));
    r = await raw('GET', `/eth/v1/validator/attestation_data?slot=${c.slot + 10}&committee_index=0`);
    assert.equal(r.status, 400);
    assertErrorBody(r.json, 400);
    assert.equal((await api.validator.prepareBeaconCommitteeSubnet({ subscriptions: [{ validatorIndex: ours[0]!, committeeIndex: 0, committeesAtSlot: 1, slot: c.slot, isAggregator: true }] })).status, 200);
  });

  it('pool attestations and aggregates: good ones accepted, bad signatures refused with failures', async () => {
    const c = node.chain;
    let submitted = 0;
    for (let i = 0; i < 16 && submitted === 0; i++) {
      await node.advanceTo(c.slot + 1, async (slot) => {
        const sh = c.cache.shuffling(c.s, c.epochOf(slot));
        const data = (await api.validator.produceAttestationData({ slot, committeeIndex: 0 })).value();
        for (const [k, vi] of ours.entries()) {
          const ci = sh.committees[slot % 8]!.findIndex((cm) => cm.includes(vi));
          if (ci < 0) continue;
          const good = t.signedSingle(k, ci, data);
          const bad = { ...good, signature: interopSecretKey(77).sign(new Uint8Array(32)).toBytes() };
          const okRes = await api.beacon.submitPoolAttestationsV2({ signedAttestations: [good] });
          assert.equal(okRes.status, 200, okRes.error()?.message);
          const badBody = ssz.electra.SingleAttestation.toJson(bad);
          const r = await raw('POST', '/eth/v2/beacon/pool/attestations', [ssz.electra.SingleAttestation.toJson(good), badBody]);
          assert.equal(r.status, 400, JSON.stringify(r.json));
          assertErrorBody(r.json, 400, true);
          assert.deepEqual((r.json.failures as { index: number }[]).map((f) => f.index), [1]);
          const pool = (await api.beacon.getPoolAttestationsV2({ slot })).value();
          assert.ok(pool.length > 0);
          const agg = await api.validator.getAggregatedAttestationV2({ attestationDataRoot: ssz.phase0.AttestationData.hashTreeRoot(data), slot, committeeIndex: ci });
          assert.equal(agg.status, 200);
          const sap = t.aggregate(k, slot)!;
          assert.equal((await api.validator.publishAggregateAndProofsV2({ signedAggregateAndProofs: [sap] })).status, 200);
          const forged = { ...sap, signature: bad.signature };
          const rr = await raw('POST', '/eth/v2/validator/aggregate_and_proofs', [ssz.electra.SignedAggregateAndProof.toJson(forged)]);
          assert.equal(rr.status, 400);
          assertErrorBody(rr.json, 400, true);
          submitted++;
        }
      });
    }
    assert.ok(submitted > 0, 'one of our validators had a duty');
    const missing = await raw('GET', `/eth/v2/validator/aggregate_attestation?attestation_data_root=0x${'22'.repeat(32)}&slot=${c.slot}&committee_index=0`);
    assert.equal(missing.status, 404);
    assertErrorBody(missing.json, 404);
    const tooOld = await raw('POST', '/eth/v2/beacon/pool/attestations', [ssz.electra.SingleAttestation.toJson({ ...t.signedSingle(0, 0, c.attestationData(c.slot)), data: { ...c.attestationData(c.slot), slot: 1, target: { epoch: 0, root: c.genesisBlockRoot } } })]);
    assert.equal(tooOld.status, 400);
  });

  it('block production (v3) and publication by the slot proposer only; bad RANDAO is 400', async () => {
    const c = node.chain;
    let published = 0;
    for (let i = 0; i < 200 && published === 0; i++) {
      // the hook runs after the slot started (interop proposers have proposed), before attestations
      await node.advanceTo(c.slot + 1, async (slot) => {
        const proposer = c.cache.proposer(c.s, slot);
        const k = ours.indexOf(proposer);
        if (k < 0) return;
        const badRandao = await raw('GET', `/eth/v3/validator/blocks/${slot}?randao_reveal=${bytesToHex(t.randao((k + 1) % 4, c.epochOf(slot)))}`);
        assert.equal(badRandao.status, 400);
        assertErrorBody(badRandao.json, 400);
        const produced = await api.validator.produceBlockV3({ slot, randaoReveal: t.randao(k, c.epochOf(slot)), graffiti: 'conformance' });
        assert.equal(produced.status, 200, produced.error()?.message);
        assert.equal(produced.meta().version, 'electra');
        assert.equal(produced.meta().executionPayloadBlinded, false);
        const block = (produced.value() as { block: ReturnType<typeof ssz.electra.BeaconBlock.defaultValue> }).block;
        const wrongSigner = t.signBlock((k + 1) % 4, block);
        const rejected = await api.beacon.publishBlockV2({ signedBlockContents: { signedBlock: wrongSigner, kzgProofs: [], blobs: [] } });
        assert.equal(rejected.status, 400);
        const signed = t.signBlock(k, block);
        const ok = await api.beacon.publishBlockV2({ signedBlockContents: { signedBlock: signed, kzgProofs: [], blobs: [] } });
        assert.equal(ok.status, 200, ok.error()?.message);
        assert.equal(c.headSlot, slot);
        published++;
      });
    }
    assert.equal(published, 1);
  });

  it('voluntary exits, liveness and attestation rewards', async () => {
    const c = node.chain;
    const good = t.voluntaryExit(3, c.epoch);
    const bad = { ...good, signature: interopSecretKey(5).sign(new Uint8Array(32)).toBytes() };
    const r = await raw('POST', '/eth/v1/beacon/pool/voluntary_exits', ssz.phase0.SignedVoluntaryExit.toJson(bad));
    assert.equal(r.status, 400);
    assertErrorBody(r.json, 400);
    assert.equal((await api.beacon.submitPoolVoluntaryExit({ signedVoluntaryExit: good })).status, 200);
    assert.equal((await api.beacon.getPoolVoluntaryExits()).value().length, 1);
    await node.advanceTo(c.slot + 2);
    assert.equal((await api.beacon.getStateValidator({ stateId: 'head', validatorId: ours[3]! })).value().status, 'active_exiting');
    const live = (await api.validator.getLiveness({ epoch: c.epoch - 1, indices: [0, ours[0]!] })).value();
    assert.equal(live.length, 2);
    assert.equal(live[0]!.isLive, true, JSON.stringify({ live, epoch: c.epoch, keys: [...c.liveness.keys()] }));
    const rw = await api.beacon.getAttestationsRewards({ epoch: c.epoch - 2, validatorIds: [0, 1] });
    assert.equal(rw.status, 200);
    assert.equal(rw.value().totalRewards.length, 2);
    assert.ok(rw.value().idealRewards.length >= 1);
    const future = await raw('POST', `/eth/v1/beacon/rewards/attestations/${c.epoch + 3}`, []);
    assert.equal(future.status, 404);
    assertErrorBody(future.json, 404);
  });

  it('sync committee messages from protocol members are verified', async () => {
    const c = node.chain;
    const { syncCommitteeMessageSigningRoot } = await import('../../common/eth2/signing.ts');
    // new validators join the sync committee chosen at the next period boundary (2 periods after activation)
    for (let i = 0; i < 24 && !ours.some((vi) => c.syncCommitteeSigningAt(c.slot).includes(vi)); i++) await node.advanceTo(c.slot + 8);
    const members = c.syncCommitteeSigningAt(c.slot);
    const k = ours.findIndex((vi) => members.includes(vi));
    assert.ok(k >= 0, 'one of ours is in the sync committee (512 seats, 36 validators)');
    const msg = { slot: c.slot, beaconBlockRoot: c.headRoot, validatorIndex: ours[k]!, signature: t.keys[k]!.sign(syncCommitteeMessageSigningRoot(t.sctx, c.slot, c.headRoot)).toBytes() };
    assert.equal((await api.beacon.submitPoolSyncCommitteeSignatures({ signatures: [msg] })).status, 200);
    const bad = { ...msg, signature: interopSecretKey(3).sign(new Uint8Array(32)).toBytes() };
    const r = await raw('POST', '/eth/v1/beacon/pool/sync_committees', [ssz.altair.SyncCommitteeMessage.toJson(msg), ssz.altair.SyncCommitteeMessage.toJson(bad)]);
    assert.equal(r.status, 400);
    assertErrorBody(r.json, 400, true);
    assert.deepEqual((r.json.failures as { index: number }[]).map((f) => f.index), [1]);

    // contributions: produce from the pool, then publish one as an aggregator (selection proof decides who is one)
    const { syncCommitteeSelectionProofSigningRoot, contributionAndProofSigningRoot } = await import('../../common/eth2/signing.ts');
    const { createHash } = await import('node:crypto');
    let published = 0;
    for (let tries = 0; tries < 16 && published === 0; tries++) {
      await node.advanceTo(c.slot + 1, async (slot) => {
        const committee = c.syncCommitteeSigningAt(slot);
        for (const [kk, vi] of ours.entries()) {
          for (let subnet = 0; subnet < 4 && published === 0; subnet++) {
            if (!committee.slice(subnet * 128, subnet * 128 + 128).includes(vi)) continue;
            // previous slot: its messages (interop aggregate included) are complete
            const sp = t.keys[kk]!.sign(syncCommitteeSelectionProofSigningRoot(t.sctx, { slot: slot - 1, subcommitteeIndex: subnet })).toBytes();
            if (createHash('sha256').update(sp).digest().readBigUInt64LE(0) % 8n !== 0n) continue; // is_sync_committee_aggregator
            const contribution = (await api.validator.produceSyncCommitteeContribution({ slot: slot - 1, subcommitteeIndex: subnet, beaconBlockRoot: c.blockRootAtSlot(slot - 1) })).value();
            assert.ok(contribution.aggregationBits.getTrueBitIndexes().length > 0);
            const message = { aggregatorIndex: vi, contribution, selectionProof: sp };
            const signed = { message, signature: t.keys[kk]!.sign(contributionAndProofSigningRoot(t.sctx, message)).toBytes() };
            assert.equal((await api.validator.publishContributionAndProofs({ contributionAndProofs: [signed] })).status, 200);
            const rr = await raw('POST', '/eth/v1/validator/contribution_and_proofs', [ssz.altair.SignedContributionAndProof.toJson({ ...signed, signature: bad.signature })]);
            assert.equal(rr.status, 400);
            assertErrorBody(rr.json, 400, true);
            published++;
          }
        }
      });
    }
    assert.equal(published, 1, 'a protocol sync aggregator published a contribution');
    const none = await raw('GET', `/eth/v1/validator/sync_committee_contribution?slot=${c.slot}&subcommittee_index=0&beacon_block_root=0x${'33'.repeat(32)}`);
    assert.equal(none.status, 404);
  });

  it('slashing pools: submitted proposer and attester slashings are verified, pooled and applied', async () => {
    const c = node.chain;
    const sctx = t.sctx;
    const { blockHeaderSigningRoot, attestationSigningRoot } = await import('../../common/eth2/signing.ts');
    const header = (graffitiByte: number) => ({ slot: BigInt(c.slot), proposerIndex: 7, parentRoot: c.headRoot, stateRoot: new Uint8Array(32).fill(graffitiByte), bodyRoot: new Uint8Array(32) });
    const sign = (vi: number, root: Uint8Array) => interopSecretKey(vi).sign(root).toBytes();
    const h1 = header(1);
    const h2 = header(2);
    const ps = {
      signedHeader1: { message: h1, signature: sign(7, blockHeaderSigningRoot(sctx, { ...h1, slot: Number(h1.slot) })) },
      signedHeader2: { message: h2, signature: sign(7, blockHeaderSigningRoot(sctx, { ...h2, slot: Number(h2.slot) })) },
    };
    const forged = { ...ps, signedHeader2: { ...ps.signedHeader2, signature: sign(8, new Uint8Array(32)) } };
    const bad = await raw('POST', '/eth/v1/beacon/pool/proposer_slashings', ssz.phase0.ProposerSlashing.toJson(forged));
    assert.equal(bad.status, 400);
    assertErrorBody(bad.json, 400);
    assert.equal((await api.beacon.submitPoolProposerSlashings({ proposerSlashing: ps })).status, 200);
    assert.equal((await api.beacon.getPoolProposerSlashings()).value().length, 1);
    const d = c.attestationData(c.slot);
    const big = (x: typeof d) => ({ slot: BigInt(x.slot), index: 0n, beaconBlockRoot: x.beaconBlockRoot, source: { epoch: BigInt(x.source.epoch), root: x.source.root }, target: { epoch: BigInt(x.target.epoch), root: x.target.root } });
    const d2 = { ...d, beaconBlockRoot: new Uint8Array(32).fill(9) };
    const as = {
      attestation1: { attestingIndices: [9], data: big(d), signature: sign(9, attestationSigningRoot(sctx, d)) },
      attestation2: { attestingIndices: [9], data: big(d2), signature: sign(9, attestationSigningRoot(sctx, d2)) },
    };
    assert.equal((await api.beacon.submitPoolAttesterSlashingsV2({ attesterSlashing: as })).status, 200);
    assert.equal((await api.beacon.getPoolAttesterSlashingsV2()).value().length, 1);
    await node.advanceTo(c.slot + 3);
    assert.equal(c.s.validators[7]!.slashed, true, 'proposer slashing applied');
    assert.equal(c.s.validators[9]!.slashed, true, 'attester slashing applied');
  });

  it('server-sent events: head and block', async () => {
    const ac = new AbortController();
    const res = await fetch(`${node.url}/eth/v1/events?topics=head,block`, { signal: ac.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await node.advanceTo(node.chain.slot + 4); // some slots may belong to our (silent) test validators
    let text = '';
    const deadline = Date.now() + 5000;
    while (!text.includes('event: head') && Date.now() < deadline) {
      const timeout = new Promise<{ value: undefined; done: true }>((r) => setTimeout(() => r({ value: undefined, done: true }), Math.max(1, deadline - Date.now())).unref());
      const { value, done } = await Promise.race([reader.read(), timeout]);
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ac.abort();
    assert.match(text, /event: block\ndata: \{"slot":"\d+","block":"0x[0-9a-f]{64}"/);
    assert.match(text, /event: head\ndata: .*"current_duty_dependent_root":"0x[0-9a-f]{64}"/);
    assert.equal((await raw('GET', '/eth/v1/events?topics=nope')).status, 400);
  });
});
