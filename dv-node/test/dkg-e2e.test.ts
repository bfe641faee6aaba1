/**
 * Integration, end to end with the protocol: a joint DKG makes NEW validator keys, the protocol deposits them, the
 * project's beacon chain activates them, 4 `dv-node run` processes do their duties, and an exit requested on-chain
 * by the protocol is threshold-signed and lands on the beacon chain.
 *
 *   1. anvil + Shoal deployed (contracts/script/Deploy.s.sol through common/deploy.ts).
 *   2. 4 operators (their dv-node operator keys are the keys they bond with on-chain): `dv-node create-cluster`
 *      (withdrawal address = the protocol's WithdrawalVault, fee recipient = its ExecutionRewardsVault),
 *      `create-cluster sign` by each, then 4 real `dv-node dkg` processes WITHOUT --dealer-split (joint Feldman)
 *      for 8 validators over libp2p on loopback; the locks and `deposit_data-*.json` files are checked
 *      independently (common/ssz-deposit: signatures, roots, credentials).
 *   3. Through the protocol: the operators bond in the OperatorRegistry and form their cluster, register the DKG's
 *      keys with its deposit signatures, every member confirms; 256 ETH are staked into the StakingPool; a keeper
 *      deposits through the DepositSecurityModule with the guardian quorum's signatures. The deposit contract's
 *      root must equal the deposit tree of exactly the DKG's deposit data.
 *   4. The beacon chain follows that anvil (deposits from the deposit contract's logs). Its pre-activation epochs
 *      (deposits pending until finalized, eligibility finalized, activation delay: ~8 epochs) are run at full speed
 *      (`advanceTo` on its manual clock), then it follows the wall clock (`followWallClock`: 3 s slots, 8 per epoch). 4 `dv-node run` processes
 *      watch the OperatorRegistry's `ExitRequested` event (--el-rpc-url/--exit-contract/--exit-event). From the
 *      activation epoch A, epochs A, A+1, A+2: every attestation, aggregation, block proposal and sync committee
 *      message of the 8 validators succeeds (the duties the beacon API gives, matched against the nodes' logs and
 *      the chain's blocks and rewards) and their balances rise.
 *   5. In epoch A+1 a keeper (EXIT_REQUESTER_ROLE) calls `requestExits` for the cluster's oldest key: the nodes see
 *      `ExitRequested`, threshold-sign the voluntary exit for the epoch of the event's block, and the beacon chain
 *      sets that validator's exit epoch (and no other's).
 * The chain runs 16 interop validators itself (full participation: it must finalize the deposits on its own).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { keccak256, parseAbiItem, parseEther, toHex as viemHex, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { startAnvil, anvilPrivateKey, type Anvil } from '../../common/anvil.ts';
import { operatorRegistryAbi } from '../../common/abi/index.ts';
import { DEPOSIT_CONTRACT_ADDRESS, depositContractAbi, type DecodedDepositEvent } from '../../common/predeploys.ts';
import { depositDataRoot, depositTreeRoot, verifyDepositSignature } from '../../common/ssz-deposit.ts';
import { startTestBeacon, type TestBeacon } from '../../devnet/beacon/testing.ts';
import { FORK_VERSIONS } from '../../devnet/beacon/config.ts';
import { TIMELY_HEAD, TIMELY_SOURCE, TIMELY_TARGET } from '../../devnet/beacon/state.ts';
import { NodeProcess, freePorts, runCli, type LogLine } from './harness.ts';
import { ShoalOnAnvil } from './protocol-fixture.ts';
import { main as cliMain } from '../src/cli.ts';
import { loadLock } from '../src/cluster/index.ts';
import type { ClusterLock } from '../src/cluster/types.ts';
import { identityFromPrivateKey } from '../src/identity/identity.ts';

const N = 4;
const V = 8;
/** Head votes of the cluster's 24 attestations (8 validators × 3 epochs) that may miss the next slot's block (see the check). */
const HEAD_MISSES_ALLOWED = 2;
const SLOT_S = 3;
const SLOTS_PER_EPOCH = 8;
/** The chain's own validators: with full participation they finalize the deposits before ours are active. */
const GENESIS_VALIDATORS = 16;
/** Pre-activation slots run at full speed; the activation epoch is known once this slot has run (epoch 7's start). */
const FAST_FORWARD_TO = 7 * SLOTS_PER_EPOCH;
/** Wall-clock margin for the fast-forward itself (56 slots with the EL link: ~1–2 s here, more under load). */
const FAST_FORWARD_BUDGET_S = 8;
/** Epochs of duties judged from activation on. */
const DUTY_EPOCHS = 3;
const GWEI_32_ETH = 32_000_000_000;
/** The registry's event, as dv-node takes it (checked against common/abi below). */
const EXIT_EVENT = 'event ExitRequested(uint256 indexed clusterId, uint256 indexed keyIndex, bytes pubkey, uint256 deadline)';

let anvil: Anvil | undefined;
let shoal: ShoalOnAnvil | undefined;
let beacon: TestBeacon | undefined;
let dir: string;
let beaconPort: number;
let p2pPorts: number[];
let operators: PrivateKeyAccount[];
let keyPaths: string[];
let lock: ClusterLock | undefined;
let clusterId: bigint | undefined;
const nodes: NodeProcess[] = [];
/** CLI child processes still running (killed in `after` if a step gave up on them). */
const children = new Set<ChildProcess>();
const network = `dkg-e2e-${process.pid}`;

const cli = (args: string[], timeoutMs: number) => runCli(args, timeoutMs, children);

/** Resolves once the chain has started `slot` and `fraction` of it has passed (bounded: the chain must get there). */
async function untilSlot(slot: number, fraction = 0): Promise<void> {
  const chain = beacon!.node.chain;
  const target = (chain.slotStartTime(slot) + fraction * SLOT_S) * 1000;
  const deadline = Math.max(target, Date.now()) + 10 * SLOT_S * 1000;
  while (Date.now() < target || chain.slot < slot) {
    const clockError = beacon!.node.clockError;
    if (clockError) throw new Error(`a slot of the chain's wall clock failed: ${clockError.message}`);
    if (Date.now() > deadline) throw new Error(`chain did not reach slot ${slot} (at ${chain.slot})`);
    await new Promise((r) => setTimeout(r, Math.min(200, Math.max(10, target - Date.now()))));
  }
}

/** Operator k's secp256k1 key (deterministic test key; never use on a real network). */
const operatorKey = (k: number): Hex => keccak256(viemHex(`shoal dkg-e2e operator ${k}`));
const dutySlot = (l: LogLine): number => Number(String(l.duty ?? '').split('/')[0]);
const dutyType = (l: LogLine): string => String(l.duty ?? '').split('/')[1] ?? '';
const show = (lines: LogLine[]): string => lines.slice(0, 6).map((l) => JSON.stringify(l)).join('\n');
/** 'duty done' lines of `key` ("slot/type") on every node. */
const done = (key: string): LogLine[] => nodes.flatMap((n) => n.lines.filter((l) => l.msg === 'duty done' && l.duty === key));
/**
 * The duty `key` covered exactly `count` validators on some node, and the nodes together submitted at least `count`
 * (each node submits what it combined itself: designated aggregators split the work).
 */
function covered(key: string, count: number): boolean {
  const lines = done(key);
  return lines.some((l) => Number(l.validators) === count) && lines.reduce((sum, l) => sum + Number(l.submitted), 0) >= count;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dv-dkg-e2e-'));
  const ports = await freePorts(1 + N);
  beaconPort = ports[0]!;
  p2pPorts = ports.slice(1);
  anvil = await startAnvil();
  shoal = await ShoalOnAnvil.deploy(anvil.rpcUrl, network);
  // the operators' keys: each bonds on-chain with the address its dv-node signs with
  operators = Array.from({ length: N }, (_, k) => privateKeyToAccount(operatorKey(k)));
  keyPaths = operators.map((_, k) => join(dir, `operator-${k}.key`));
  keyPaths.forEach((path, k) => writeFileSync(path, `${operatorKey(k)}\n`, { mode: 0o600 }));
});

after(async () => {
  await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
  for (const c of children) c.kill('SIGKILL');
  const dump = process.env.DVNODE_TEST_DUMP; // a directory to keep every node's log lines in, for debugging
  if (dump) {
    mkdirSync(dump, { recursive: true });
    nodes.forEach((n) => writeFileSync(join(dump, `e2e-${n.name}.jsonl`), n.lines.map((l) => JSON.stringify(l)).join('\n')));
  }
  await beacon?.stop();
  await anvil?.stop();
  shoal?.remove();
  rmSync(dir, { recursive: true, force: true });
});

test('joint DKG: 4 dv-node dkg processes (no dealer) make 8 validators with deposit data to the protocol\'s withdrawal credentials', { timeout: 150_000 }, async () => {
  const m = shoal!.manifest;
  const ids = await shoal!.registerOperators(operators, V);
  assert.deepEqual(ids, [1n, 2n, 3n, 4n], 'operator ids are registration order');
  const identities = operators.map((_, k) => identityFromPrivateKey(operatorKey(k)));
  identities.forEach((id, k) => assert.equal(id.address.toLowerCase(), operators[k]!.address.toLowerCase(), `operator ${k}: dv-node identity is not the bonded address`));
  const defPath = join(dir, 'cluster-definition.json');
  assert.equal(await cliMain([
    'create-cluster', '--name', 'dkg-e2e', '--validators', String(V),
    '--withdrawal-address', m.contracts.WithdrawalVault, '--fee-recipient', m.contracts.ExecutionRewardsVault,
    '--network-name', 'shoal-devnet', '--chain-id', String(m.chainId), '--genesis-fork-version', FORK_VERSIONS.GENESIS_FORK_VERSION,
    ...identities.flatMap((id, k) => ['--operator', `${ids[k]},${id.peerId},/ip4/127.0.0.1/tcp/${p2pPorts[k]}`]), '--out', defPath,
  ]), 0, 'create-cluster failed');
  for (const path of keyPaths) assert.equal(await cliMain(['create-cluster', 'sign', '--definition', defPath, '--operator-key', path]), 0, `create-cluster sign ${path} failed`);

  const t0 = Date.now();
  const runs = await Promise.all(identities.map((_, k) => cli([
    'dkg', '--definition', defPath, '--operator-key', keyPaths[k]!, '--out', join(dir, `node${k}`), '--p2p-listen', `/ip4/127.0.0.1/tcp/${p2pPorts[k]}`,
  ], 120_000)));
  runs.forEach((r, k) => assert.equal(r.status, 0, `dv-node dkg of operator ${k} failed:\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`));
  const dkgMs = Date.now() - t0;
  for (const r of runs) assert.ok(!/dealer/i.test(r.stdout), `the joint DKG mentions a dealer: ${r.stdout}`);

  // every node's lock verifies and is the same lock; its definition is the protocol's
  const locks = identities.map((_, k) => loadLock(join(dir, `node${k}`, 'cluster-lock.json')));
  lock = locks[0]!;
  for (const [k, l] of locks.entries()) assert.equal(l.lockHash, lock.lockHash, `operator ${k} ended with another lock`);
  assert.equal(lock.validators.length, V);
  assert.equal(lock.definition.threshold, 3);
  assert.equal(lock.definition.withdrawalCredentials.toLowerCase(), m.parameters.withdrawalCredentials.toLowerCase(), 'lock withdrawal credentials are not the protocol\'s');
  assert.equal(new Set(lock.validators.map((v) => v.pubkey)).size, V, 'duplicate validator keys');
  for (const v of lock.validators) {
    assert.equal(v.publicShares.length, N);
    assert.equal(new Set([v.pubkey, ...v.publicShares]).size, N + 1, `validator ${v.pubkey}: a public share equals another or the group key`);
  }

  // deposit_data-*.json on every node: the lock's deposit data, valid by an independent computation
  for (let k = 0; k < N; k++) {
    const files = readdirSync(join(dir, `node${k}`)).filter((f) => /^deposit_data-\d+\.json$/.test(f));
    assert.equal(files.length, 1, `operator ${k}: expected one deposit_data-*.json, got ${files.join(', ')}`);
    const entries = JSON.parse(readFileSync(join(dir, `node${k}`, files[0]!), 'utf8')) as ClusterLock['validators'][number]['depositData'][];
    assert.deepEqual(entries, lock.validators.map((v) => v.depositData), `operator ${k}: deposit data differs from the lock`);
    assert.equal(readdirSync(join(dir, `node${k}`, 'validator_keys')).filter((f) => f.endsWith('.json')).length, V, `operator ${k}: keystores`);
  }
  for (const v of lock.validators) {
    const d = v.depositData;
    assert.equal(`0x${d.pubkey}`, v.pubkey.toLowerCase());
    assert.equal(`0x${d.withdrawal_credentials}`, m.parameters.withdrawalCredentials.toLowerCase());
    assert.equal(d.amount, GWEI_32_ETH);
    assert.equal(`0x${d.fork_version}`, FORK_VERSIONS.GENESIS_FORK_VERSION);
    const input = { pubkey: `0x${d.pubkey}` as Hex, withdrawalCredentials: `0x${d.withdrawal_credentials}` as Hex, amountGwei: BigInt(d.amount), signature: `0x${d.signature}` as Hex };
    assert.ok(verifyDepositSignature(input, FORK_VERSIONS.GENESIS_FORK_VERSION as Hex), `deposit signature of ${v.pubkey} does not verify`);
    assert.equal(`0x${d.deposit_data_root}`, depositDataRoot(input), `deposit_data_root of ${v.pubkey}`);
  }
  console.log(`# joint DKG for ${V} validators, ${N} processes: ${dkgMs} ms`);
});

test('the protocol deposits the DKG\'s keys: bonded cluster, keys confirmed by every member, guardian-attested deposit of 256 ETH', { timeout: 60_000 }, async () => {
  assert.ok(lock, 'no cluster lock: the DKG step failed');
  const s = shoal!;
  clusterId = await s.createCluster(operators[0]!, [1n, 2n, 3n, 4n]);
  const keys = lock.validators.map((v) => ({ pubkey: v.pubkey as Hex, signature: `0x${v.depositData.signature}` as Hex }));
  await s.addAndConfirmKeys(clusterId, operators, keys);
  const staker = privateKeyToAccount(anvilPrivateKey(9));
  await s.stake(staker, parseEther(String(32 * V)));
  const deposits: DecodedDepositEvent[] = await s.depositThroughDsm(privateKeyToAccount(anvilPrivateKey(1)));
  assert.deepEqual(
    deposits.map((d) => ({ pubkey: d.pubkey.toLowerCase(), wc: d.withdrawalCredentials.toLowerCase(), amount: d.amountGwei, sig: d.signature.toLowerCase() })),
    lock.validators.map((v) => ({ pubkey: v.pubkey.toLowerCase(), wc: s.manifest.parameters.withdrawalCredentials.toLowerCase(), amount: BigInt(GWEI_32_ETH), sig: `0x${v.depositData.signature}` })),
    'the deposit contract did not receive exactly the DKG\'s deposit data, in key order',
  );
  const root = await s.client.readContract({ address: DEPOSIT_CONTRACT_ADDRESS, abi: depositContractAbi, functionName: 'get_deposit_root' });
  const tree = depositTreeRoot(lock.validators.map((v) => ({
    pubkey: v.pubkey as Hex, withdrawalCredentials: s.manifest.parameters.withdrawalCredentials as Hex, amountGwei: BigInt(GWEI_32_ETH), signature: `0x${v.depositData.signature}` as Hex,
  })));
  assert.equal(root, tree, 'deposit contract root is not the tree of the DKG\'s deposit data');
});

test('4 dv-node run processes: every duty of the 8 new validators for 3 epochs after activation, balances rise; an on-chain exit request exits a validator', { timeout: 240_000 }, async () => {
  assert.ok(lock && clusterId !== undefined, 'no deposited cluster: an earlier step failed');
  const s = shoal!;
  // the event dv-node watches is the registry's own
  const abiEvent = operatorRegistryAbi.find((e) => e.type === 'event' && e.name === 'ExitRequested');
  const parsed = parseAbiItem(EXIT_EVENT);
  assert.ok(abiEvent && parsed.type === 'event');
  assert.deepEqual(parsed.inputs.map((i) => [i.name, i.type, 'indexed' in i ? i.indexed : false]), abiEvent.inputs.map((i) => [i.name, i.type, i.indexed]), 'EXIT_EVENT is not the registry\'s ExitRequested');

  for (let k = 0; k < N; k++) {
    nodes.push(new NodeProcess(`node${k}`, [
      '--lock', join(dir, `node${k}`, 'cluster-lock.json'), '--operator-key', keyPaths[k]!, '--keys-dir', join(dir, `node${k}`, 'validator_keys'),
      '--data-dir', join(dir, `node${k}`, 'data'), '--beacon-url', `http://127.0.0.1:${beaconPort}`, '--p2p-listen', `/ip4/127.0.0.1/tcp/${p2pPorts[k]}`,
      '--ops-port', '0', '--round-ms', '1000',
      '--el-rpc-url', anvil!.rpcUrl, '--exit-contract', s.manifest.contracts.OperatorRegistry, '--exit-event', EXIT_EVENT,
    ]));
  }
  for (const n of nodes) n.start();
  await Promise.all(nodes.map((n) => n.waitFor((l) => l.msg === 'waiting for the beacon node', 60_000, 'waiting for the beacon node')));

  // the beacon chain follows the anvil; genesis in the past so that the fast-forward ends just before the wall clock
  const genesisTime = Math.floor(Date.now() / 1000) + FAST_FORWARD_BUDGET_S - (FAST_FORWARD_TO + 1) * SLOT_S;
  beacon = await startTestBeacon({
    elRpcUrl: anvil!.rpcUrl, clock: 'manual', port: beaconPort, slotTime: SLOT_S, slotsPerEpoch: SLOTS_PER_EPOCH, genesisValidators: GENESIS_VALIDATORS,
    genesisTime, activationDelay: 2, minPerEpochChurnLimit: V * GWEI_32_ETH, epochsPerSyncCommitteePeriod: 1, shardCommitteePeriod: 1,
  });
  const chain = beacon.node.chain;
  const ff0 = Date.now();
  await beacon.advanceTo(FAST_FORWARD_TO);
  const fastForwardMs = Date.now() - ff0;
  beacon.node.followWallClock(); // slots whose start has passed (a fast-forward over its budget) are caught up: nothing of ours is active yet
  const indices = lock.validators.map((v) => chain.s.pubkeyIndex.get(v.pubkey.toLowerCase()));
  assert.ok(indices.every((i) => i !== undefined), `not every DKG key became a validator by slot ${FAST_FORWARD_TO}: ${indices}`);
  const ours = indices as number[];
  const activation = new Set(ours.map((i) => chain.s.validators[i]!.activationEpoch));
  assert.equal(activation.size, 1, `the 8 validators activate in different epochs: ${[...activation]}`);
  const A = [...activation][0]!;
  assert.ok(Number.isFinite(A) && A * SLOTS_PER_EPOCH > FAST_FORWARD_TO && A <= 9, `activation epoch ${A} (expected 8: deposits applied at epoch 4 once slot 1 is finalized, eligibility finalized in the epoch 6→7 transition, + activation delay 2)`);
  for (const i of ours) assert.equal(chain.s.balances[i], GWEI_32_ETH, `validator ${i}: deposited balance`);

  const serving = await Promise.all(nodes.map((n) => n.waitFor((l) => l.msg === 'serving', 60_000, 'serving')));
  assert.ok(chain.slot < A * SLOTS_PER_EPOCH - 1, `the nodes were not serving before the activation epoch ${A} (chain at slot ${chain.slot})`);

  // ---- duties of epochs A .. A+2, as the beacon API gives them ----
  const api = beacon.api;
  const attesters = new Map<number, number[]>(); // slot → our validators attesting
  const proposals = new Map<number, number>(); // slot → our proposer
  const syncMembers = new Map<number, number[]>(); // epoch → our validators in the sync committee
  const balancesAtActivation = ours.map((i) => chain.s.balances[i]!); // 32 ETH each (asserted above)
  let exitRequest: Awaited<ReturnType<ShoalOnAnvil['requestExits']>> | undefined;
  for (let e = A; e < A + DUTY_EPOCHS; e++) {
    await untilSlot(e * SLOTS_PER_EPOCH, 0.05);
    const att = (await api.validator.getAttesterDuties({ epoch: e, indices: ours })).value();
    for (const d of att) attesters.set(d.slot, [...(attesters.get(d.slot) ?? []), d.validatorIndex]);
    const prop = (await api.validator.getProposerDuties({ epoch: e })).value();
    for (const d of prop) if (ours.includes(d.validatorIndex)) proposals.set(d.slot, d.validatorIndex);
    const sync = (await api.validator.getSyncCommitteeDuties({ epoch: e, indices: ours })).value();
    syncMembers.set(e, sync.map((d) => d.validatorIndex));
    assert.equal(att.length, V, `epoch ${e}: expected an attester duty for each of the 8 validators, got ${att.length}`);
    if (e === A + 1) {
      // ---- the protocol asks the cluster to exit its oldest key ----
      await untilSlot(e * SLOTS_PER_EPOCH + 1);
      const keeper = privateKeyToAccount(anvilPrivateKey(2));
      await s.grantExitRequester(keeper.address);
      exitRequest = await s.requestExits(keeper, clusterId, 1);
    }
  }

  // ---- the exit ----
  assert.ok(exitRequest, 'no exit requested');
  assert.equal(exitRequest.events.length, 1, 'one ExitRequested event');
  const ev = exitRequest.events[0]!;
  assert.equal(ev.clusterId, clusterId);
  assert.equal(ev.keyIndex, 0n, 'the oldest key is asked to exit first');
  assert.equal(ev.pubkey.toLowerCase(), lock.validators[0]!.pubkey.toLowerCase());
  assert.ok(ev.deadline > exitRequest.timestamp, `exit deadline ${ev.deadline} is not after the request (${exitRequest.timestamp})`);
  const exiting = ours[0]!;
  const exitEpoch = chain.epochOf(Math.floor((Number(exitRequest.timestamp) - chain.s.genesisTime) / SLOT_S));
  const requested = await Promise.all(nodes.map((n) => n.waitFor((l) => l.msg === 'voluntary exit requested', 2 * SLOT_S * 1000, 'voluntary exit requested (from the ExitRequested event)')));
  for (const l of requested) {
    assert.equal(l.pubkey, ev.pubkey.toLowerCase());
    assert.equal(l.validatorIndex, exiting);
    assert.equal(l.epoch, exitEpoch, 'the exit is not for the epoch of the event\'s block');
  }
  const exitKey = `${exitEpoch * SLOTS_PER_EPOCH}/exit`;
  await Promise.all(nodes.map((n) => n.waitFor((l) => l.msg === 'duty done' && l.duty === exitKey, 3 * SLOT_S * 1000, `duty done ${exitKey}`)));
  assert.ok(covered(exitKey, 1), `the threshold-signed exit was not submitted: ${show(done(exitKey))}`);
  const landed = Date.now() + 4 * SLOT_S * 1000;
  while (!Number.isFinite(chain.s.validators[exiting]!.exitEpoch)) {
    assert.ok(Date.now() < landed, `the voluntary exit of validator ${exiting} did not land on the beacon chain within 4 slots`);
    await untilSlot(chain.slot + 1, 0.1);
  }

  // ---- judge epochs A .. A+2 (rewards of A+1 are computed at the start of A+3) ----
  await untilSlot((A + DUTY_EPOCHS) * SLOTS_PER_EPOCH + 1, 0.5);
  const failed = nodes.flatMap((n) => n.lines.filter((l) => l.msg === 'duty failed' || l.msg === 'exit request refused' || l.msg === 'slashing protection refused to sign'));
  assert.deepEqual(failed, [], `failed duties:\n${show(failed)}`);
  const warnings = nodes.flatMap((n) => n.lines.filter((l) => l.level === 'warn' && dutySlot(l) >= A * SLOTS_PER_EPOCH));
  assert.deepEqual(warnings.filter((l) => /partial signature over another root/.test(l.msg)), [], 'a partial over a conflicting root');

  const first = A * SLOTS_PER_EPOCH;
  const last = (A + DUTY_EPOCHS) * SLOTS_PER_EPOCH - 1;
  for (let slot = first; slot <= last; slot++) {
    const a = attesters.get(slot) ?? [];
    if (a.length > 0) {
      assert.ok(covered(`${slot}/attester`, a.length), `slot ${slot}: attestations of validators ${a} were not all submitted: ${show(done(`${slot}/attester`))}`);
      const agg = done(`${slot}/aggregator`);
      assert.ok(agg.some((l) => Number(l.submitted) > 0), `slot ${slot}: no aggregate submitted: ${show(agg)}`);
    }
    const p = proposals.get(slot);
    if (p !== undefined) {
      const block = [...chain.blocks.values()].find((b) => b.signed.message.slot === slot);
      assert.ok(block && block.signed.message.proposerIndex === p, `slot ${slot}: no block by our proposer ${p} on chain`);
    }
    // the last slot of a sync committee period (here: of every epoch) is signed by the next period's committee
    const sync = syncMembers.get(chain.epochOf(slot + 1)) ?? [];
    if (sync.length > 0) {
      assert.ok(covered(`${slot}/sync_message`, sync.length), `slot ${slot}: sync committee messages of ${sync} were not all submitted: ${show(done(`${slot}/sync_message`))}`);
    }
  }
  assert.ok(proposals.size > 0, 'no proposal duty for the cluster in 3 epochs (the test proves nothing about proposals)');
  assert.ok([...syncMembers.values()].some((m) => m.length === V), `the 8 validators were never all in the sync committee: ${JSON.stringify([...syncMembers])}`);
  // on chain: every validator's attestation of A and A+1 was rewarded for source and target, and those of A+2
  // (rewarded only at the start of A+4) are in the state with both flags. The head vote counts only if included in
  // the very next slot: on this 2-core machine running the chain, 4 nodes and other tests at once, an attestation
  // now and then misses that slot (it still counts for source and target), so up to HEAD_MISSES_ALLOWED of the 24
  // head votes may be late — more means the cluster is too slow.
  const headMisses: string[] = [];
  for (const e of [A, A + 1]) {
    const rewards = chain.rewards.get(e);
    assert.ok(rewards, `no rewards computed for epoch ${e}`);
    for (const i of ours) {
      const [source, target, head] = rewards.byValidator.get(i) ?? [0, 0, 0];
      assert.ok(source > 0 && target > 0, `validator ${i} missed a source or target reward in epoch ${e}: ${source}/${target}/${head}`);
      if (!(head > 0)) headMisses.push(`validator ${i} epoch ${e}`);
    }
  }
  assert.equal(chain.epoch, A + DUTY_EPOCHS);
  for (const i of ours) {
    const flags = chain.s.previousParticipation[i]!;
    assert.equal(flags & (TIMELY_SOURCE | TIMELY_TARGET), TIMELY_SOURCE | TIMELY_TARGET, `validator ${i}: epoch ${A + 2} attestation flags ${flags}`);
    if ((flags & TIMELY_HEAD) === 0) headMisses.push(`validator ${i} epoch ${A + 2}`);
  }
  assert.ok(headMisses.length <= HEAD_MISSES_ALLOWED, `${headMisses.length} late head votes (at most ${HEAD_MISSES_ALLOWED}): ${headMisses.join(', ')}`);
  // balances rise: what each validator holds now plus what the withdrawal sweep took from it (0x01 credentials: every
  // gwei above 32 ETH is swept to the WithdrawalVault) exceeds its balance at activation
  const swept = (i: number): number => chain.withdrawalLog.filter((w) => w.validatorIndex === i && w.slot >= first).reduce((a, w) => a + Number(w.amount), 0);
  ours.forEach((i, k) => {
    assert.equal(chain.s.validators[i]!.slashed, false, `validator ${i} was slashed`);
    const earned = chain.s.balances[i]! + swept(i) - balancesAtActivation[k]!;
    assert.ok(earned > 0, `validator ${i} earned nothing: balance ${balancesAtActivation[k]} → ${chain.s.balances[i]}, swept ${swept(i)} gwei`);
    if (i !== exiting) assert.equal(chain.s.validators[i]!.exitEpoch, Number.POSITIVE_INFINITY, `validator ${i} is exiting but was not asked to`);
  });
  const vault = s.manifest.contracts.WithdrawalVault;
  await beacon.node.el?.flush(); // credits of imported blocks are written to anvil in order
  const sweptWei = BigInt(ours.reduce((a, i) => a + swept(i), 0)) * 1_000_000_000n;
  const creditedWei = beacon.node.el?.credited.get(vault.toLowerCase());
  assert.ok(sweptWei > 0n, 'no reward was swept to the WithdrawalVault');
  assert.equal(creditedWei, sweptWei, 'the beacon chain credited the WithdrawalVault with other amounts than it swept');
  assert.ok((await s.client.getBalance({ address: vault })) >= sweptWei, 'the WithdrawalVault on anvil does not hold the swept rewards');
  const types = new Set(nodes.flatMap((n) => n.lines.filter((l) => l.msg === 'duty done' && Number(l.submitted) > 0).map(dutyType)));
  for (const t of ['randao', 'proposer', 'prepare_aggregator', 'attester', 'aggregator', 'prepare_sync_contribution', 'sync_message', 'sync_contribution', 'exit']) {
    assert.ok(types.has(t), `no successful ${t} duty: ${[...types]}`);
  }
  // the nodes' own accounts agree: successes counted, no failure reason counted
  for (const [k, l] of serving.entries()) {
    const metrics = await (await fetch(`${String(l.ops)}/metrics`)).text();
    assert.match(metrics, /dvnode_duties_total\{type="attester",outcome="success"\} [1-9]/, `node ${k} /metrics counts no successful attestation`);
    assert.doesNotMatch(metrics, /dvnode_duty_failures_total\{[^}]*\} [1-9]/, `node ${k} /metrics counts failed duties`);
  }
  console.log(`# activation epoch ${A}; judged slots ${first}-${last}; proposals ${proposals.size}; rewards swept to the vault ${sweptWei} wei; exit of validator ${exiting} at epoch ${chain.s.validators[exiting]!.exitEpoch}; fast-forward of ${FAST_FORWARD_TO} slots ${fastForwardMs} ms`);
});
