/**
 * Replays the real logs of a scripted anvil scenario (./scenario.ts) through the built subgraph WASM (the
 * harness in ./harness) and compares the resulting entities with on-chain reads at the end of the scenario.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress, type Abi, type Address, type Hex } from 'viem';
import { manifestPath } from '../../common/deployments.ts';
import { BUILD_MANIFEST, buildSubgraph, readManifestFile } from '../scripts/build.ts';
import { SUBGRAPH_DIR } from '../scripts/generate.ts';
import { SubgraphHarness } from './harness/subgraph.ts';
import { ABIS, runScenario, type Scenario } from './scenario.ts';

const BUILD_DIR = join(SUBGRAPH_DIR, 'build');
const network = `subgraph-test-${process.pid}`;
let s: Scenario;
let h: SubgraphHarness;

const read = <T>(address: Address, abi: Abi, functionName: string, args: unknown[] = []): Promise<T> =>
  s.client.readContract({ address, abi, functionName, args }) as Promise<T>;

before(async () => {
  // the suite `subgraph` of npm test builds first; alone, this test builds what is missing
  if (!existsSync(join(BUILD_DIR, 'subgraph.yaml'))) buildSubgraph(readManifestFile(BUILD_MANIFEST));
  s = await runScenario(network);
  const addresses = Object.fromEntries(Object.entries(s.manifest.contracts)) as Record<string, `0x${string}`>;
  h = await SubgraphHarness.load(BUILD_DIR, addresses);
  await h.replay(s.client, s.fromBlock, s.toBlock);
});

after(async () => {
  rmSync(manifestPath(network), { force: true });
  await s?.stop();
});

const entity = (type: string, id: string): Record<string, unknown> => {
  const e = h.store.plain(type, id);
  assert.ok(e, `no ${type} ${id} in the store`);
  return e;
};

test('every log of every indexed contract reaches a handler and no handler fails', () => {
  assert.deepEqual(h.unhandled, [], 'logs without a handler');
  assert.ok(h.stats.handled > 100, `only ${h.stats.handled} logs handled`);
  for (const handler of [
    'StakingPool.handleStaked', 'StakingPool.handleTokenRebased', 'StakingPool.handlePenaltyReceived',
    'WithdrawalQueue.handleWithdrawalsFinalized', 'WithdrawalQueue.handleWithdrawalClaimed',
    'OperatorRegistry.handleRewardsDistributed', 'OperatorRegistry.handleClusterPenalised',
    'OperatorRegistry.handleExitRequested', 'OperatorRegistry.handleLateExitForced',
    'OperatorRegistry.handleClusterValidatorsExited', 'DepositContract.handleDepositEvent',
    'HashConsensus.handleConsensusReached', 'AccountingOracle.handleReportApplied',
  ]) {
    assert.ok((h.stats.byHandler.get(handler) ?? 0) > 0, `${handler} never ran: the scenario does not cover it`);
  }
  assert.deepEqual(h.logs.filter((l) => l.level <= 1), [], 'error logs from the mappings');
});

test('every staker holds exactly its on-chain dvETH shares; protocol totals equal the pool views', async () => {
  const pool = s.manifest.contracts.StakingPool;
  const stakers = h.store.plainAll('Staker');
  assert.ok(stakers.length >= 6, 'stakers, treasury, module and queue are all holders');
  let sum = 0n;
  for (const st of stakers) {
    const onChain = await read<bigint>(pool, ABIS.pool, 'balanceOf', [getAddress(st.id as string)]);
    assert.equal(st.shares, onChain, `shares of ${st.id as string}`);
    sum += onChain;
  }
  const p = entity('Protocol', '1');
  assert.equal(p.totalShares, await read<bigint>(pool, ABIS.pool, 'totalSupply'));
  assert.equal(sum, p.totalShares);
  assert.equal(p.totalPooledEther, await read<bigint>(pool, ABIS.pool, 'totalPooledEther'));
  assert.equal(p.shareRate, await read<bigint>(pool, ABIS.pool, 'shareRate'));
  assert.equal(p.bufferedEther, await read<bigint>(pool, ABIS.pool, 'getBufferedEther'));
  assert.equal(p.transientEther, await read<bigint>(pool, ABIS.pool, 'getTransientEther'));
  const [deposited, validators, balance] = await read<[bigint, bigint, bigint]>(pool, ABIS.pool, 'getBeaconStat');
  assert.deepEqual([p.depositedValidators, p.beaconValidators, p.beaconBalance], [deposited, validators, balance]);
  assert.equal(p.holders, stakers.filter((x) => (x.shares as bigint) > 0n).length);
  const alice = entity('Staker', s.stakers[0]!.toLowerCase());
  assert.equal(alice.totalStaked, 100n * 10n ** 18n);
});

test('withdrawal requests match the queue: status, amounts, owners, claimable and claimed ETH, queue totals', async () => {
  const q = s.manifest.contracts.WithdrawalQueue;
  const statuses = await read<{ shares: bigint; etherAtRequest: bigint; owner: Address; isFinalized: boolean; isClaimed: boolean }[]>(
    q, ABIS.queue, 'getWithdrawalStatus', [s.requestIds],
  );
  for (const [i, id] of s.requestIds.entries()) {
    const r = entity('WithdrawalRequest', id.toString());
    const st = statuses[i]!;
    assert.equal(r.shares, st.shares, `request ${id} shares`);
    assert.equal(r.etherAtRequest, st.etherAtRequest, `request ${id} ether`);
    assert.equal(r.owner, st.owner.toLowerCase(), `request ${id} owner`);
    assert.equal(r.status, st.isClaimed ? 'CLAIMED' : st.isFinalized ? 'FINALIZED' : 'REQUESTED', `request ${id} status`);
    if (st.isFinalized && !st.isClaimed) {
      assert.equal(r.claimableEther, await read<bigint>(q, ABIS.queue, 'claimableEther', [id]), `request ${id} claimable`);
    }
    if (st.isClaimed) assert.equal(r.claimedEther, r.claimableEther, `request ${id} paid what finalization locked`);
  }
  assert.deepEqual(
    s.requestIds.map((id) => entity('WithdrawalRequest', id.toString()).status),
    ['CLAIMED', 'CLAIMED', 'FINALIZED'],
  );
  assert.equal(entity('WithdrawalRequest', '2').owner, s.stakers[2]!.toLowerCase(), 'the NFT moved to carol');
  const p = entity('Protocol', '1');
  assert.equal(p.lastRequestId, await read<bigint>(q, ABIS.queue, 'lastRequestId'));
  assert.equal(p.lastFinalizedRequestId, await read<bigint>(q, ABIS.queue, 'lastFinalizedRequestId'));
  assert.equal(p.unfinalizedShares, await read<bigint>(q, ABIS.queue, 'unfinalizedShares'));
  assert.equal(p.unfinalizedEther, await read<bigint>(q, ABIS.queue, 'unfinalizedEther'));
  assert.equal(p.lockedEther, await read<bigint>(q, ABIS.queue, 'lockedEther'));
  assert.equal(p.requestShareRate, await read<bigint>(q, ABIS.queue, 'requestShareRate'));
});

test('oracle reports: share rate, rewards, fees, a loss, APR sign; the rate series and daily aggregates', async () => {
  const reports = h.store.plainAll('OracleReport').sort((a, b) => Number((a.blockNumber as bigint) - (b.blockNumber as bigint)));
  assert.equal(reports.length, s.reports);
  for (const r of reports) {
    assert.ok(r.refSlot !== undefined && r.refSlot !== null, 'ReportApplied linked the report');
    assert.equal(r.shareRate, ((r.postTotalEther as bigint) * 10n ** 27n) / (r.postTotalShares as bigint));
    assert.equal(entity('ConsensusFrame', String(r.refSlot)).processed, true);
    const pre = ((r.preTotalEther as bigint) * 10n ** 27n) / (r.preTotalShares as bigint);
    assert.equal(r.shareRateBefore, pre);
    const expected = (Number((r.shareRate as bigint) - pre) / Number(pre)) * (31_536_000 / Number(r.timeElapsed)) * 100;
    assert.ok(Math.abs(Number(r.apr) - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `APR ${r.apr as string} vs ${expected}`);
  }
  const withRewards = reports.filter((r) => (r.rewards as bigint) > 0n);
  const withLoss = reports.filter((r) => (r.loss as bigint) > 0n);
  assert.equal(withRewards.length, 3);
  assert.equal(withLoss.length, 1);
  for (const r of withRewards) {
    assert.ok((r.fees as bigint) > 0n && (r.sharesMintedAsFees as bigint) > 0n, 'fees on rewards');
    assert.ok(Number(r.apr) > 0, `APR ${r.apr as string} should be positive`);
  }
  assert.equal(withLoss[0]!.loss, 4n * 10n ** 15n);
  assert.ok(Number(withLoss[0]!.apr) < 0, 'a loss has a negative APR');
  assert.equal(withLoss[0]!.sharesMintedAsFees, 0n, 'no fee on a loss');
  const p = entity('Protocol', '1');
  assert.equal(p.lastReport, reports.at(-1)!.id);
  const points = h.store.plainAll('ExchangeRate');
  const penalties = h.store.plainAll('PenaltyReceipt');
  assert.ok(penalties.length >= 2, 'slashing and late-exit penalties reached the pool');
  assert.equal(points.length, reports.length + penalties.length);
  const last = points.sort((a, b) => Number((a.blockNumber as bigint) - (b.blockNumber as bigint))).at(-1)!;
  assert.equal(last.shareRate, p.shareRate);
  const days = h.store.plainAll('ExchangeRateDaily');
  assert.equal(days.reduce((n, d) => n + (d.reports as number), 0), reports.length);
  assert.equal(days.reduce((n, d) => n + (d.changes as number), 0), points.length);
  const fees = await read<bigint>(s.manifest.contracts.StakingPool, ABIS.pool, 'balanceOf', [s.manifest.parameters.treasury as Address]);
  assert.ok(fees > 0n);
});

test('operators and clusters match the registry: bonds, debt, rewards, penalties, exits, validators', async () => {
  const reg = s.manifest.contracts.OperatorRegistry;
  for (const id of s.operatorIds) {
    const op = entity('Operator', id.toString());
    const onChain = await read<{ manager: Address; rewardAddress: Address; bond: bigint }>(reg, ABIS.registry, 'getOperator', [id]);
    assert.equal(op.bond, onChain.bond, `bond of operator ${id}`);
    assert.equal(op.manager, onChain.manager.toLowerCase());
    assert.equal(op.bondDebt, await read<bigint>(reg, ABIS.registry, 'getBondDebt', [id]), `bond debt of operator ${id}`);
    const [claimable] = await read<[bigint, bigint]>(reg, ABIS.registry, 'getOperatorRewards', [id]);
    const earned = op.rewardsEarned as bigint;
    const accounted = claimable + (op.rewardsClaimed as bigint);
    assert.ok(accounted > 0n, `operator ${id} earned rewards`);
    const diff = earned > accounted ? earned - accounted : accounted - earned;
    assert.ok(diff <= BigInt(s.reports), `operator ${id}: earned ${earned} vs claimable+claimed ${accounted}`);
    assert.ok((op.totalPenaltyTaken as bigint) > 0n, `operator ${id} paid penalties`);
  }
  const claims = h.store.plainAll('RewardClaim');
  assert.equal(claims.length, 2);

  for (const id of s.clusterIds) {
    const c = entity('Cluster', id.toString());
    const econ = await read<Record<string, bigint | boolean>>(reg, ABIS.registry, 'getClusterEconomics', [id]);
    const onChain = await read<Record<string, unknown>>(reg, ABIS.registry, 'getCluster', [id]);
    assert.equal(c.activeValidators, econ.activeValidators);
    assert.equal(c.earningValidators, econ.earningValidators);
    assert.equal(c.exitedValidators, econ.exitedValidators);
    assert.equal(c.exitsRequested, econ.exitsRequested);
    assert.equal(c.lateExitsForced, econ.lateExitsForced);
    assert.equal(c.strikes, econ.strikes);
    assert.equal(c.rewardsForfeited, econ.rewardsForfeited);
    assert.equal(c.penaltiesCharged, econ.penaltiesCharged);
    assert.equal(c.penaltiesCollected, econ.penaltiesCollected);
    assert.equal(c.depositedValidators, BigInt(onChain.depositedKeys as number | bigint));
    assert.equal(c.totalKeys, BigInt(onChain.totalKeys as number | bigint));
    assert.equal(c.confirmedKeys, BigInt(onChain.confirmedKeys as number | bigint));
    assert.deepEqual(c.members, s.operatorIds.map(String));
    const reasons = h.store.plainAll('Penalty').map((p) => p.reason).sort();
    assert.deepEqual(reasons, ['LATE_EXIT', 'SLASHING']);

    const [pubkeys] = await read<[Hex, Hex]>(reg, ABIS.registry, 'getKeys', [id, 0n, 4n]);
    const keys = (pubkeys.slice(2).match(/.{96}/g) ?? []).map((k) => `0x${k}`);
    assert.equal(keys.length, 4);
    const statuses = keys.map((k) => entity('Validator', k).status);
    assert.deepEqual(statuses, ['EXITED', 'EXIT_FORCED', 'DEPOSITED', 'DEPOSITED']);
    for (const k of [0n, 1n]) {
      const r = entity('ExitRequest', `${id}-${k}`);
      assert.equal(r.deadline, await read<bigint>(reg, ABIS.registry, 'getExitDeadline', [id, k]));
      assert.equal(r.pubkey, keys[Number(k)]);
    }
    assert.equal(entity('ExitRequest', `${id}-0`).exited, true);
    assert.equal(entity('ExitRequest', `${id}-1`).forced, true);
  }
});
