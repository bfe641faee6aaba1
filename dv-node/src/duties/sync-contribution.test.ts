/**
 * Sync committee aggregation duties alone: signing roots of both kinds against an independent computation (the domain
 * from @lodestar/config's BeaconConfig, the object root from @lodestar/types' SSZ containers, SigningData hashed
 * directly), threshold signatures over them verifying under the group key, `is_sync_committee_aggregator` on both
 * sides of the modulo (recomputed with @noble/hashes), subcommittee assignment, the sanity checks of a proposed value,
 * and the fetch (one beacon call per subcommittee, 404 = nothing to aggregate, non-aggregators skipped).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { createBeaconConfig, createChainForkConfig } from '@lodestar/config';
import { chainConfig } from '@lodestar/config/default';
import { DOMAIN_CONTRIBUTION_AND_PROOF, DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, ForkName } from '@lodestar/params';
import { ssz, type altair } from '@lodestar/types';
import { signingContextFromConfig } from '../../../common/eth2/signing.ts';
import { BeaconApiError, type BeaconClient } from '../beacon/client.ts';
import { combinePartialSignatures, interopSecretKey, publicKeyOf, sign, splitExistingKey, verify } from '../crypto/index.ts';
import { toHex } from '../consensus/hex.ts';
import { MemoryAggSigDb } from './aggsigdb.ts';
import { encodeJson } from './codec.ts';
import { MemoryDutyStore } from './store.ts';
import {
  decodeSyncContributionValue,
  isSyncCommitteeAggregator,
  prepareSyncContributionKind,
  syncAggregatorModulo,
  syncContributionKind,
  syncSubcommittees,
  validSyncContributions,
  type SyncAggregationParams,
  type SyncContributionValue,
} from './sync-contribution.ts';
import { sigKey, type DutyDefinition, type FetchContext, type Hex } from './types.ts';

const SLOTS_PER_EPOCH = 8;
const GVR = new Uint8Array(32).fill(0x42);
// Deneb from genesis, Electra at epoch 2: the fork version in the domain must follow the message's slot
const forkConfig = createChainForkConfig({ ...chainConfig, ALTAIR_FORK_EPOCH: 0, BELLATRIX_FORK_EPOCH: 0, CAPELLA_FORK_EPOCH: 0, DENEB_FORK_EPOCH: 0, ELECTRA_FORK_EPOCH: 2, FULU_FORK_EPOCH: Infinity });
const beaconConfig = createBeaconConfig(forkConfig, GVR);
/** mainnet: SYNC_COMMITTEE_SIZE 512 / SYNC_COMMITTEE_SUBNET_COUNT 4 = 128 seats, TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE 16 */
const P: SyncAggregationParams = {
  signing: signingContextFromConfig(forkConfig, GVR, SLOTS_PER_EPOCH),
  syncSubcommitteeSize: 128,
  targetAggregatorsPerSyncSubcommittee: 16,
  epochsPerSyncCommitteePeriod: 256,
};
const forkOfSlot = (slot: number) => (Math.floor(slot / SLOTS_PER_EPOCH) >= 2 ? ForkName.electra : ForkName.deneb);

/** compute_signing_root, independently: SigningData{object_root, domain} hashed by @lodestar/types. */
function independentSigningRoot(objectRoot: Uint8Array, domain: Uint8Array): Uint8Array {
  return ssz.phase0.SigningData.hashTreeRoot({ objectRoot, domain });
}
function selectionRoot(slot: number, subcommitteeIndex: number): Uint8Array {
  const domain = beaconConfig.getDomainAtFork(forkOfSlot(slot), DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF);
  return independentSigningRoot(ssz.altair.SyncAggregatorSelectionData.hashTreeRoot({ slot, subcommitteeIndex }), domain);
}
function contributionAndProofRoot(m: altair.ContributionAndProof): Uint8Array {
  const domain = beaconConfig.getDomainAtFork(forkOfSlot(m.contribution.slot), DOMAIN_CONTRIBUTION_AND_PROOF);
  return independentSigningRoot(ssz.altair.ContributionAndProof.hashTreeRoot(m), domain);
}
/** is_sync_committee_aggregator recomputed: first 8 bytes of sha256, little-endian, modulo. */
function remainder(proof: Uint8Array, modulo: number): bigint {
  return new DataView(sha256(proof).buffer).getBigUint64(0, true) % BigInt(modulo);
}

const KEY = interopSecretKey(21);
const PUBKEY = toHex(publicKeyOf(KEY)) as Hex;
const def = (syncCommitteeIndices: number[], pubkey = PUBKEY, validatorIndex = 21): DutyDefinition => ({ pubkey, validatorIndex, syncCommitteeIndices });

/** A slot at which KEY's selection proof for `subcommitteeIndex` has the wanted aggregator verdict. */
function slotWhere(aggregator: boolean, subcommitteeIndex: number, from = 17): { slot: number; proof: Uint8Array } {
  for (let slot = from; slot < from + 400; slot++) {
    const proof = sign(KEY, selectionRoot(slot, subcommitteeIndex));
    if ((remainder(proof, 8) === 0n) === aggregator) return { slot, proof };
  }
  throw new Error('no such slot in 400 tries (probability 2^-50)');
}

function contribution(slot: number, subcommitteeIndex: number, root: Uint8Array, bits = [0, 5]): altair.SyncCommitteeContribution {
  const aggregationBits = ssz.altair.SyncCommitteeContribution.fields.aggregationBits.defaultValue();
  for (const b of bits) aggregationBits.set(b, true);
  return { slot, beaconBlockRoot: root, subcommitteeIndex, aggregationBits, signature: sign(interopSecretKey(3), root) };
}

test('subcommittees: index // subcommittee size, distinct and ascending; bad input named', () => {
  assert.deepEqual(syncSubcommittees([511, 3, 200, 130, 0], 128), [0, 1, 3]);
  assert.deepEqual(syncSubcommittees([], 128), []);
  assert.deepEqual(syncSubcommittees([127], 128), [0]);
  assert.throws(() => syncSubcommittees([-1], 128), /sync committee index must be a non-negative integer, got -1/);
  assert.throws(() => syncSubcommittees([1], 0), /sync subcommittee size must be a positive integer, got 0/);
});

test('is_sync_committee_aggregator: remainder 0 selects, remainders 1 and 7 do not; modulo is max(1, 128 // 16) and 1 for tiny committees', () => {
  assert.equal(syncAggregatorModulo(128, 16), 8);
  assert.equal(syncAggregatorModulo(8, 16), 1); // minimal preset: 32 / 4 = 8 seats per subcommittee, everyone aggregates
  assert.equal(syncAggregatorModulo(15, 16), 1);
  const found = new Map<bigint, Uint8Array>();
  for (let slot = 0; found.size < 8 && slot < 2000; slot++) {
    const proof = sign(KEY, selectionRoot(slot, 2));
    const r = remainder(proof, 8);
    if (!found.has(r)) found.set(r, proof);
  }
  assert.equal(found.size, 8, 'every remainder of 8 seen');
  assert.equal(isSyncCommitteeAggregator(found.get(0n)!, 128, 16), true);
  assert.equal(isSyncCommitteeAggregator(found.get(1n)!, 128, 16), false);
  assert.equal(isSyncCommitteeAggregator(found.get(7n)!, 128, 16), false);
  for (const proof of found.values()) assert.equal(isSyncCommitteeAggregator(proof, 8, 16), true);
  // modulo 2 (a 32-seat subcommittee): remainders 2, 4, 6 of 8 are even, so they select too
  for (const [r, proof] of found) assert.equal(isSyncCommitteeAggregator(proof, 32, 16), r % 2n === 0n, `remainder ${r} mod 2`);
});

test('prepare_sync_contribution: one selection proof per sync validator and subcommittee over SyncAggregatorSelectionData, every slot; no slashing record', async () => {
  const kind = prepareSyncContributionKind(P);
  assert.equal(kind.consensus, false);
  const other = toHex(publicKeyOf(interopSecretKey(22))) as Hex;
  const defs = [def([3, 200]), def([400], other, 22), { pubkey: toHex(publicKeyOf(interopSecretKey(23))) as Hex, validatorIndex: 23 }];
  for (const slot of [5, 6, 2 * SLOTS_PER_EPOCH + 3]) {
    const duty = { slot, type: 'prepare_sync_contribution' as const };
    const value = await kind.fetch({} as FetchContext, duty, defs);
    const items = kind.signingItems(duty, value, defs);
    assert.deepEqual(items.map((i) => sigKey(i.pubkey, i.sub)), [`${PUBKEY}#0`, `${PUBKEY}#1`, `${other}#3`], 'both of validator 21\'s subcommittees; a validator without seats signs nothing');
    assert.deepEqual(items.map((i) => toHex(i.root)), [0, 1, 3].map((sc) => toHex(selectionRoot(slot, sc))));
    assert.ok(items.every((i) => i.slashing === undefined));
  }
  // the threshold signature over the kind's root is the validator's selection proof
  const split = splitExistingKey(KEY, { n: 4, t: 3 });
  const duty = { slot: 40, type: 'prepare_sync_contribution' as const };
  const [item] = kind.signingItems(duty, await kind.fetch({} as FetchContext, duty, [def([130])]), [def([130])]);
  const group = combinePartialSignatures([1, 3, 2].map((k) => ({ index: split.shares[k]!.index, signature: sign(split.shares[k]!.value, item!.root) })), 3);
  assert.equal(toHex(group), toHex(sign(KEY, selectionRoot(40, 1))));
  assert.ok(verify(split.groupPublicKey, selectionRoot(40, 1), group));
});

test('sync_contribution: ContributionAndProof signing root; a sane value passes, every insane one is named', () => {
  const kind = syncContributionKind(P);
  assert.equal(kind.consensus, true);
  const root = new Uint8Array(32).fill(7);
  const { slot, proof } = slotWhere(true, 1, 2 * SLOTS_PER_EPOCH + 1); // an electra slot
  const d = def([200]); // subcommittee 1 only
  const good: SyncContributionValue = { root, contributions: [{ pubkey: PUBKEY, message: { aggregatorIndex: 21, selectionProof: proof, contribution: contribution(slot, 1, root) } }] };
  const encode = (v: SyncContributionValue) =>
    encodeJson({
      root: toHex(v.root),
      contributions: v.contributions.map((c) => ({ pubkey: c.pubkey, aggregatorIndex: c.message.aggregatorIndex, selectionProof: toHex(c.message.selectionProof), contribution: ssz.altair.SyncCommitteeContribution.toJson(c.message.contribution) })),
    });
  const duty = { slot, type: 'sync_contribution' as const };
  assert.equal(kind.validate(duty, encode(good), [d]), null);
  const [item] = kind.signingItems(duty, encode(good), [d]);
  assert.equal(toHex(item!.root), toHex(contributionAndProofRoot(good.contributions[0]!.message)));
  assert.equal(item!.slashing, undefined);
  assert.deepEqual(ssz.altair.ContributionAndProof.toJson(decodeSyncContributionValue(encode(good)).contributions[0]!.message), ssz.altair.ContributionAndProof.toJson(good.contributions[0]!.message));

  const m = good.contributions[0]!.message;
  const with_ = (patch: Partial<altair.ContributionAndProof>, c: Partial<altair.SyncCommitteeContribution> = {}, pubkey = PUBKEY): SyncContributionValue => ({
    root,
    contributions: [{ pubkey, message: { ...m, ...patch, contribution: { ...m.contribution, ...c } } }],
  });
  const notAggregator = slotWhere(false, 1, slot);
  const cases: [string, SyncContributionValue, RegExp][] = [
    ['unknown validator', with_({}, {}, toHex(publicKeyOf(interopSecretKey(99))) as Hex), /has no sync committee duty at slot/],
    ['two per validator and subcommittee', { root, contributions: [good.contributions[0]!, good.contributions[0]!] }, /validator 21 has two contributions for subcommittee 1/],
    ['wrong aggregator index', with_({ aggregatorIndex: 22 }), /aggregator index 22 is not validator 21/],
    ['wrong slot', with_({}, { slot: slot + 1 }), new RegExp(`contribution is for slot ${slot + 1}, duty is slot ${slot}`)],
    ['another block', with_({}, { beaconBlockRoot: new Uint8Array(32).fill(8) }), /the decided sync message root is 0x0707/],
    ['another subcommittee', with_({}, { subcommitteeIndex: 2 }), /is for subcommittee 2, its subcommittees are \[1\]/],
    ['no participant', with_({}, { aggregationBits: ssz.altair.SyncCommitteeContribution.fields.aggregationBits.defaultValue() }), /has no participant/],
    ['forged selection proof', with_({ selectionProof: sign(interopSecretKey(22), selectionRoot(slot, 1)) }), /sync selection proof of validator 21 does not verify/],
    ['not an aggregator', { root, contributions: [{ pubkey: PUBKEY, message: { ...m, selectionProof: notAggregator.proof, contribution: contribution(notAggregator.slot, 1, root) } }] }, /./],
  ];
  for (const [name, value, want] of cases) {
    const s = name === 'not an aggregator' ? notAggregator.slot : slot;
    const why = validSyncContributions(P, s, value, [d]);
    assert.ok(why !== null && want.test(why), `${name}: ${why}`);
    if (name === 'not an aggregator') assert.match(why, /validator 21 is not a sync aggregator of subcommittee 1 at slot/);
  }
  assert.match(kind.validate(duty, new TextEncoder().encode('{"root":1}'), [d])!, /undecodable value/);
});

test('sync_contribution fetch: only aggregators, the decided sync message root, one beacon call per subcommittee, 404 means nothing to aggregate', async () => {
  const root = new Uint8Array(32).fill(9);
  const { slot } = slotWhere(true, 0, 3);
  // validators whose proofs at `slot` decide: 21 (aggregator in subcommittee 0 if slot is even in its rotation, see defs)
  const keys = [21, 22, 23, 24, 25, 26, 27, 28].map((i) => ({ i, sk: interopSecretKey(i), pubkey: toHex(publicKeyOf(interopSecretKey(i))) as Hex }));
  const defs = keys.map((k) => def([k.i % 2 === 0 ? 130 : 5], k.pubkey, k.i)); // even: subcommittee 1, odd: subcommittee 0
  const subOf = (i: number) => (i % 2 === 0 ? 1 : 0);
  const proofs = new Map(keys.map((k) => [sigKey(k.pubkey, subOf(k.i)), sign(k.sk, selectionRoot(slot, subOf(k.i)))]));
  const aggregators = keys.filter((k) => remainder(proofs.get(sigKey(k.pubkey, subOf(k.i)))!, 8) === 0n).map((k) => k.i);
  assert.ok(aggregators.includes(21));
  const calls: [number, number, Hex][] = [];
  const beacon = {
    slotStartMs: () => Date.now() + 5_000,
    async syncCommitteeContribution(s: number, sub: number, r: Uint8Array) {
      calls.push([s, sub, toHex(r)]);
      if (sub === 1) throw new BeaconApiError('GET /eth/v1/validator/sync_committee_contribution', 404, 'no contribution');
      return contribution(s, sub, r);
    },
  } as unknown as BeaconClient;
  const store = new MemoryDutyStore();
  const aggSigs = new MemoryAggSigDb();
  store.store({ slot, type: 'sync_message' }, encodeJson({ root: toHex(root) }));
  aggSigs.store({ slot, type: 'prepare_sync_contribution' }, proofs);
  const value = decodeSyncContributionValue(await syncContributionKind(P).fetch({ beacon, store, aggSigs }, { slot, type: 'sync_contribution' }, defs));
  const oddAggregators = aggregators.filter((i) => i % 2 === 1);
  assert.deepEqual(value.contributions.map((c) => c.message.aggregatorIndex), oddAggregators, 'aggregators of subcommittee 0 only (subcommittee 1 had nothing)');
  assert.equal(toHex(value.root), toHex(root));
  for (const c of value.contributions) assert.equal(toHex(c.message.contribution.beaconBlockRoot), toHex(root));
  assert.ok(calls.length <= 2 && new Set(calls.map((c) => c[1])).size === calls.length, `one call per subcommittee: ${JSON.stringify(calls)}`);
  assert.ok(calls.every(([s, , r]) => s === slot && r === toHex(root)));
  assert.equal(validSyncContributions(P, slot, value, defs), null);
  // another beacon failure is the duty's failure (beacon_node_error upstream)
  const failing = { ...beacon, slotStartMs: () => Date.now() + 5_000, syncCommitteeContribution: async () => { throw new BeaconApiError('GET /eth/v1/validator/sync_committee_contribution', 500, 'boom'); } } as unknown as BeaconClient;
  await assert.rejects(syncContributionKind(P).fetch({ beacon: failing, store, aggSigs }, { slot, type: 'sync_contribution' }, defs), /HTTP 500: boom/);
  store.close();
  aggSigs.close();
});

test('prepare_sync_contribution submit: the beacon node joins the sync subnets once per epoch, until the end of the sync committee period', async () => {
  const kind = prepareSyncContributionKind(P);
  const subs: { validatorIndex: number; syncCommitteeIndices: number[]; untilEpoch: number }[][] = [];
  const beacon = { subscribeSyncCommittees: async (s: (typeof subs)[number]) => void subs.push(s) } as unknown as BeaconClient;
  const defs = [def([3, 200]), { pubkey: toHex(publicKeyOf(interopSecretKey(23))) as Hex, validatorIndex: 23 }];
  const sigs = new Map([[sigKey(PUBKEY, 0), new Uint8Array(96)], [sigKey(PUBKEY, 1), new Uint8Array(96)]]);
  for (const slot of [255 * SLOTS_PER_EPOCH + 1, 255 * SLOTS_PER_EPOCH + 2, 256 * SLOTS_PER_EPOCH]) {
    const duty = { slot, type: 'prepare_sync_contribution' as const };
    assert.deepEqual(await kind.submit(beacon, duty, await kind.fetch({} as FetchContext, duty, defs), defs, sigs), [PUBKEY, PUBKEY]);
  }
  // epoch 255 (period 0 ends at epoch 256), then epoch 256 (period 1 ends at 512); the second slot of epoch 255 adds nothing
  assert.deepEqual(subs, [[{ validatorIndex: 21, syncCommitteeIndices: [3, 200], untilEpoch: 256 }], [{ validatorIndex: 21, syncCommitteeIndices: [3, 200], untilEpoch: 512 }]]);
});

test('sync_contribution: a validator aggregating in two subcommittees in one slot makes both contributions, each signed under its own key', async () => {
  let slot = 2 * SLOTS_PER_EPOCH;
  while (remainder(sign(KEY, selectionRoot(slot, 0)), 8) !== 0n || remainder(sign(KEY, selectionRoot(slot, 1)), 8) !== 0n) slot++;
  const root = new Uint8Array(32).fill(4);
  const d = def([5, 130]); // validator 21: seats in subcommittees 0 and 1
  const beacon = { slotStartMs: () => Date.now() + 5_000, syncCommitteeContribution: async (s: number, sc: number, r: Uint8Array) => contribution(s, sc, r) } as unknown as BeaconClient;
  const store = new MemoryDutyStore();
  const aggSigs = new MemoryAggSigDb();
  store.store({ slot, type: 'sync_message' }, encodeJson({ root: toHex(root) }));
  // what prepare_sync_contribution combined: one proof per subcommittee
  const prepare = prepareSyncContributionKind(P);
  const pduty = { slot, type: 'prepare_sync_contribution' as const };
  const pitems = prepare.signingItems(pduty, await prepare.fetch({} as FetchContext, pduty, [d]), [d]);
  aggSigs.store(pduty, new Map(pitems.map((it) => [sigKey(it.pubkey, it.sub), sign(KEY, it.root)])));
  const kind = syncContributionKind(P);
  const duty = { slot, type: 'sync_contribution' as const };
  const value = await kind.fetch({ beacon, store, aggSigs }, duty, [d]);
  assert.equal(kind.validate(duty, value, [d]), null);
  const items = kind.signingItems(duty, value, [d]);
  assert.deepEqual(items.map((it) => sigKey(it.pubkey, it.sub)), [`${PUBKEY}#0`, `${PUBKEY}#1`]);
  const submitted: altair.SignedContributionAndProof[] = [];
  const sink = { submitContributionAndProofs: async (x: altair.SignedContributionAndProof[]) => void submitted.push(...x) } as unknown as BeaconClient;
  const sigs = new Map(items.map((it) => [sigKey(it.pubkey, it.sub), sign(KEY, it.root)]));
  assert.deepEqual(await kind.submit(sink, duty, value, [d], sigs), [PUBKEY, PUBKEY]);
  assert.deepEqual(submitted.map((x) => x.message.contribution.subcommitteeIndex), [0, 1]);
  for (const x of submitted) assert.ok(verify(publicKeyOf(KEY), contributionAndProofRoot(x.message), x.signature), `contribution of subcommittee ${x.message.contribution.subcommitteeIndex} signed under its own root`);
  store.close();
  aggSigs.close();
});
