/**
 * The whole duty pipeline in one process, deterministically: 4 wired dv-nodes (real QBFT, real BLS, real slashing
 * databases, the in-memory cluster network) against the project's beacon chain on its MANUAL clock. Each slot, between
 * the chain's slot start and its attestation deadline, the test does what the scheduler would do at the slot's
 * offsets — duties from the Beacon API, then `runDuty` on all 4 nodes: RANDAO + block, selection proofs (attestation
 * and sync aggregation), attestation and sync committee message, aggregation and sync committee contributions — so
 * nothing depends on how fast this machine is. (The scheduler is tested
 * alone in scheduler.test.ts; wall-clock runs of real processes are in dvnode.test.ts.)
 *
 * The chain runs 8 interop validators itself; the other 8 are split (dealer mode) among the cluster, so the chain only
 * finalises and our balances only rise if the cluster does its duties.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBeacon, type TestBeacon } from '../../devnet/beacon/testing.ts';
import { FORK_VERSIONS } from '../../devnet/beacon/config.ts';
import { BeaconApiError, BeaconClient } from '../src/beacon/client.ts';
import { MemoryClusterHub } from '../src/p2p/memory.ts';
import { SlashingProtectionDb } from '../src/slashing/db.ts';
import { wire, type DutyRecord, type DvNode } from '../src/node.ts';
import { NodeMetrics } from '../src/ops/metrics.ts';
import { jsonLogger } from '../src/ops/log.ts';
import { toHex } from '../src/consensus/hex.ts';
import type { Duty, DutyDefinition } from '../src/duties/types.ts';
import type { altair } from '@lodestar/types';
import { makeDealerCluster } from './cluster-fixture.ts';

const OURS = [8, 9, 10, 11, 12, 13, 14, 15];
let beacon: TestBeacon;
let bn: BeaconClient;
let dir: string;
const nodes: DvNode[] = [];
const metrics: NodeMetrics[] = [];
const dbs: SlashingProtectionDb[] = [];
const logs: string[] = [];
/** SignedContributionAndProofs the nodes published (their beacon clients' submissions, recorded as they pass). */
const published: altair.SignedContributionAndProof[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dv-pipeline-'));
  // 12 s slots (4 per epoch) on a manual clock: duty deadlines (wall time from genesis) stay far ahead while the test runs slots fast
  beacon = await startTestBeacon({ withExecution: false, slotTime: 12, slotsPerEpoch: 4, genesisValidators: 16, interopParticipation: 0.5 });
  const cluster = makeDealerCluster({ n: 4, interopIndices: OURS, genesisForkVersion: FORK_VERSIONS.GENESIS_FORK_VERSION });
  const hub = new MemoryClusterHub({ cluster: cluster.lock.lockHash, identities: cluster.identities });
  bn = await BeaconClient.connect(beacon.url);
  for (let k = 0; k < 4; k++) {
    const client = await BeaconClient.connect(beacon.url);
    const submit = client.submitContributionAndProofs.bind(client);
    client.submitContributionAndProofs = async (items) => {
      await submit(items);
      published.push(...items);
    };
    const db = SlashingProtectionDb.open({ path: join(dir, `slashing-${k}.db`), genesisValidatorsRoot: client.chain.genesisValidatorsRoot });
    const m = new NodeMetrics();
    const log = process.env.DVNODE_TEST_LOG ? jsonLogger({ base: { node: k } }) : jsonLogger({ base: { node: k }, write: (l) => void logs.push(l) });
    // not started: the test plays the scheduler
    nodes.push(wire({ lock: cluster.lock, identity: cluster.identities[k]!, shares: cluster.shares[k]!, network: hub.endpoint(k), beacon: client, slashing: db, metrics: m, log }));
    metrics.push(m);
    dbs.push(db);
  }
});

after(async () => {
  for (const n of nodes) await n.stop();
  for (const d of dbs) d.close();
  await beacon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The cluster's duties at `slot`, from the Beacon API, as the scheduler builds them. */
async function dutiesAt(slot: number): Promise<{ proposer: DutyDefinition[]; attester: DutyDefinition[]; sync: DutyDefinition[] }> {
  const epoch = bn.epochOf(slot);
  const [att, prop, sync] = await Promise.all([bn.attesterDuties(epoch, OURS), bn.proposerDuties(epoch), bn.syncDuties(epoch, OURS)]);
  return {
    proposer: prop.duties.filter((d) => d.slot === slot && OURS.includes(d.validatorIndex)).map((d) => ({ pubkey: toHex(d.pubkey), validatorIndex: d.validatorIndex })),
    attester: att.duties.filter((d) => d.slot === slot).map((d) => ({
      pubkey: toHex(d.pubkey), validatorIndex: d.validatorIndex, committeeIndex: d.committeeIndex, committeeLength: d.committeeLength,
      committeesAtSlot: d.committeesAtSlot, validatorCommitteeIndex: d.validatorCommitteeIndex,
    })),
    sync: sync.map((d) => ({ pubkey: toHex(d.pubkey), validatorIndex: d.validatorIndex, syncCommitteeIndices: d.validatorSyncCommitteeIndices })),
  };
}

test('4 nodes propose, attest, aggregate, send sync messages and contributions for 8 validators over 3 epochs; rewards earned, balances rise, chain justifies', { timeout: 120_000 }, async () => {
  const chain = beacon.node.chain;
  const spe = chain.opts.slotsPerEpoch;
  const records: DutyRecord[] = [];
  const all = async (duty: Duty, defs: DutyDefinition[]) => {
    if (defs.length === 0) return;
    records.push(...(await Promise.all(nodes.map((n) => n.runDuty(duty, defs)))));
  };
  // Slot 0 has no duties (the chain starts there), so epoch 0 is incomplete for whoever attests at slot 0. Epoch 1 is
  // judged: its rewards are paid at the end of epoch 2, so the balance change from slot 2·spe+1 to 3·spe+1 is epoch
  // 1's attestations plus epoch 2's sync committee and proposer rewards — all the cluster's doing.
  let before: number[] = [];
  const runSlot = async (slot: number) => {
    const d = await dutiesAt(slot);
    await all({ slot, type: 'randao' }, d.proposer);
    await all({ slot, type: 'proposer' }, d.proposer);
    await Promise.all([all({ slot, type: 'prepare_aggregator' }, d.attester), all({ slot, type: 'prepare_sync_contribution' }, d.sync)]);
    await Promise.all([all({ slot, type: 'attester' }, d.attester), all({ slot, type: 'sync_message' }, d.sync)]);
    await Promise.all([all({ slot, type: 'aggregator' }, d.attester), all({ slot, type: 'sync_contribution' }, d.sync)]);
    const mine = published.find((x) => x.message.contribution.slot === slot);
    if (mine !== undefined && refused === undefined) {
      // the beacon chain verifies what it accepts: the same contribution under another valid signature is refused
      refused = await bn.submitContributionAndProofs([{ ...mine, signature: mine.message.selectionProof }]).then(
        () => new Error('a contribution-and-proof with a wrong signature was accepted'),
        (e: unknown) => e as Error,
      );
    }
  };
  let refused: Error | undefined;
  await beacon.advanceTo(2 * spe + 1, runSlot);
  before = OURS.map((i) => chain.s.balances[i]!);
  await beacon.advanceTo(3 * spe + 1, runSlot);
  const failures = records.filter((r) => Object.keys(r.failures).length > 0);
  assert.deepEqual(failures, [], `failed duties: ${JSON.stringify(failures.slice(0, 5))}\n${logs.filter((l) => l.includes('"warn"')).slice(0, 10).join('')}`);
  const ok = new Map<string, number>();
  for (const r of records) ok.set(r.type, (ok.get(r.type) ?? 0) + r.succeeded);
  for (const t of ['randao', 'proposer', 'prepare_aggregator', 'attester', 'aggregator', 'sync_message', 'prepare_sync_contribution', 'sync_contribution']) assert.ok((ok.get(t) ?? 0) > 0, `no successful ${t} duty: ${JSON.stringify([...ok])}`);
  assert.ok([...chain.blocks.values()].some((b) => OURS.includes(b.signed.message.proposerIndex)), 'no block of the cluster on chain');
  const rewards = chain.rewards.get(1);
  assert.ok(rewards !== undefined, 'no rewards computed for epoch 1');
  OURS.forEach((vi, k) => {
    const [source, target, head] = rewards.byValidator.get(vi)!;
    assert.ok(source > 0 && target > 0 && head > 0, `validator ${vi} missed an attestation reward in epoch 1: ${source}/${target}/${head}`);
    assert.ok(chain.s.balances[vi]! > before[k]!, `balance of validator ${vi} did not rise: ${before[k]} → ${chain.s.balances[vi]}`);
  });
  assert.ok(chain.s.currentJustified.epoch >= 1, `chain did not justify epoch 1 or later (justified epoch ${chain.s.currentJustified.epoch})`);
  assert.match(await metrics[0]!.text(), /dvnode_duties_total\{type="attester",outcome="success"\} \d+/);
  // sync committee contributions: published by the cluster's aggregators and accepted (HTTP 200 after the chain checked
  // membership, aggregator selection, selection proof, contribution-and-proof signature and the aggregate signature)
  assert.ok(published.length > 0, 'the cluster published no sync committee contribution');
  for (const x of published) {
    assert.ok(OURS.includes(x.message.aggregatorIndex), `contribution by validator ${x.message.aggregatorIndex}, not ours`);
    assert.ok(x.message.contribution.aggregationBits.getTrueBitIndexes().length > 0, 'contribution without participants');
  }
  assert.ok(new Set(published.map((x) => x.message.contribution.slot)).size >= 3, `contributions in only ${new Set(published.map((x) => x.message.contribution.slot)).size} slots`);
  assert.ok(refused instanceof BeaconApiError, `a wrong contribution-and-proof signature was not refused: ${refused?.message}`);
  assert.equal(refused.status, 400);
  assert.match(refused.message, /invalid contribution-and-proof signature/);
  assert.match(await metrics[0]!.text(), /dvnode_duties_total\{type="sync_contribution",outcome="success"\} [1-9]/);
});
