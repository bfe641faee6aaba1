/**
 * A scripted protocol history on a private anvil, played through the real contracts (ported from the forge
 * fixtures ShoalFixture/ReportFixture): stakes with a referral, a bonded 4-operator cluster with confirmed keys,
 * guardian-attested deposits, oracle reports by committee vote (activation, rewards, a loss with withdrawal
 * finalization, rewards again), dvETH transfers, withdrawal requests (an NFT transferred), claims, per-cluster
 * reports (slashing penalty, missed duties → forfeit and strike, exits), exit requests with a forced late exit,
 * operator reward claims, bond top-up and withdrawal.
 */
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  encodeAbiParameters,
  getAddress,
  http,
  keccak256,
  concatHex,
  parseEther,
  toHex,
  zeroAddress,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { anvilPrivateKey, startAnvil, type Anvil } from '../../common/anvil.ts';
import { deployShoal } from '../../common/deploy.ts';
import type { Manifest } from '../../common/deployments.ts';
import { readArtifact } from '../../common/forge.ts';
import { guardianAttestedDeposit } from '../../common/guardians.ts';

const abiOf = (file: string, contract: string): Abi => readArtifact(file, contract).abi as Abi;

export const ABIS = {
  pool: abiOf('StakingPool.sol', 'StakingPool'),
  router: abiOf('StakingRouter.sol', 'StakingRouter'),
  registry: abiOf('OperatorRegistry.sol', 'OperatorRegistry'),
  dsm: abiOf('DepositSecurityModule.sol', 'DepositSecurityModule'),
  queue: abiOf('WithdrawalQueue.sol', 'WithdrawalQueue'),
  consensus: abiOf('HashConsensus.sol', 'HashConsensus'),
  oracle: abiOf('AccountingOracle.sol', 'AccountingOracle'),
  vault: abiOf('WithdrawalVault.sol', 'WithdrawalVault'),
  deposit: abiOf('DepositContract.sol', 'DepositContract'),
};

/** AccountingOracle.ReportData as abi.encode sees it (its hash is what the committee votes), from the artifact. */
const REPORT_DATA = (() => {
  const submit = ABIS.oracle.find((e) => e.type === 'function' && e.name === 'submitReportData');
  if (!submit || submit.type !== 'function' || !submit.inputs[0]) throw new Error('AccountingOracle ABI has no submitReportData(data, version)');
  return [submit.inputs[0]];
})();

export interface ReportData {
  consensusVersion: bigint;
  refSlot: bigint;
  beaconValidators: bigint;
  beaconBalance: bigint;
  slashedDelta: bigint;
  exitedDelta: bigint;
  withdrawalVaultBalance: bigint;
  elRewardsVaultBalance: bigint;
  withdrawalFinalizationBatches: bigint[];
  simulatedShareRate: bigint;
  clusterReports: { clusterId: bigint; exitedTotal: bigint; newlySlashed: bigint; missedDutyBps: bigint; stolenExecutionRewards: bigint }[];
  exitRequestClusterIds: bigint[];
  exitRequestCounts: bigint[];
}

export interface Scenario {
  anvil: Anvil;
  client: PublicClient;
  manifest: Manifest;
  /** Block range to replay. */
  fromBlock: bigint;
  toBlock: bigint;
  stakers: Address[];
  operatorIds: bigint[];
  clusterIds: bigint[];
  requestIds: bigint[];
  reports: number;
  stop(): Promise<void>;
}

const RATE_PRECISION = 10n ** 27n;
const KEYS = 4;

export async function runScenario(network: string): Promise<Scenario> {
  const anvil = await startAnvil();
  try {
    return await play(anvil, network);
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}

async function play(anvil: Anvil, network: string): Promise<Scenario> {
  const transport = http(anvil.rpcUrl);
  const client = createPublicClient({ transport, pollingInterval: 50 }) as PublicClient;
  const test = createTestClient({ mode: 'anvil', transport, pollingInterval: 50 });
  const manifest = await deployShoal({ rpcUrl: anvil.rpcUrl, deployerKey: anvilPrivateKey(0), network });
  const c = manifest.contracts;
  const acct = (i: number): PrivateKeyAccount => privateKeyToAccount(anvilPrivateKey(i));
  const admin = acct(0);
  const [alice, bob, carol] = [acct(1), acct(2), acct(9)];
  const guardianKeys = [anvilPrivateKey(3), anvilPrivateKey(4)];
  const members = [acct(6), acct(7)];

  const read = <T>(address: Address, abi: Abi, functionName: string, args: unknown[] = []): Promise<T> =>
    client.readContract({ address, abi, functionName, args }) as Promise<T>;
  const send = async (from: PrivateKeyAccount, address: Address, abi: Abi, functionName: string, args: unknown[] = [], value?: bigint) => {
    const wallet = createWalletClient({ account: from, transport, pollingInterval: 50 });
    const hash = await wallet.writeContract({ address, abi, functionName, args, chain: null, ...(value ? { value } : {}) });
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`${functionName} reverted (tx ${hash})`);
    return receipt;
  };

  // ------------------------------------------------------------------------------ wiring the economics
  const reporterRole = await read<Hex>(c.OperatorRegistry, ABIS.registry, 'REPORTER_ROLE');
  await send(admin, c.OperatorRegistry, ABIS.registry, 'grantRole', [reporterRole, admin.address]);

  // ------------------------------------------------------------------------------ operators and a cluster
  const operators: PrivateKeyAccount[] = [];
  const operatorIds: bigint[] = [];
  const bond = await read<bigint>(c.OperatorRegistry, ABIS.registry, 'bondForValidators', [BigInt(KEYS)]);
  for (let i = 0; i < 4; i++) {
    const op = privateKeyToAccount(keccak256(toHex(`shoal subgraph operator ${i}`)));
    await test.setBalance({ address: op.address, value: parseEther('100') });
    operators.push(op);
    await send(op, c.OperatorRegistry, ABIS.registry, 'registerOperator', [`op-${i}`, op.address], bond);
    operatorIds.push(BigInt(i + 1));
  }
  await send(operators[0]!, c.OperatorRegistry, ABIS.registry, 'createCluster', [operatorIds]);
  const clusterId = 1n;
  let pubkeys: Hex = '0x';
  let signatures: Hex = '0x';
  for (let i = 0; i < KEYS; i++) {
    const h = keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [7n, BigInt(i)]));
    pubkeys = concatHex([pubkeys, h, keccak256(h).slice(0, 34) as Hex]);
    signatures = concatHex([signatures, h, h, keccak256(concatHex([h, '0x01']))]);
  }
  await send(operators[0]!, c.OperatorRegistry, ABIS.registry, 'addKeys', [clusterId, pubkeys, signatures]);
  const codeHash = keccak256(concatHex(['0x00', pubkeys, signatures]));
  for (const op of operators) await send(op, c.OperatorRegistry, ABIS.registry, 'confirmKeys', [clusterId, 0n, codeHash]);

  // ------------------------------------------------------------------------------ stakes
  await send(alice, c.StakingPool, ABIS.pool, 'deposit', [alice.address, zeroAddress], parseEther('100'));
  await send(bob, c.StakingPool, ABIS.pool, 'deposit', [bob.address, carol.address], parseEther('60'));

  // ------------------------------------------------------------------------------ guardian-attested deposit
  await send(admin, c.DepositSecurityModule, ABIS.dsm, 'depositBufferedEther', [...(await guardianAttestedDeposit(client, manifest, guardianKeys))]);

  // ------------------------------------------------------------------------------ oracle reports
  const secondsPerFrame = BigInt(manifest.parameters.epochsPerFrame * manifest.parameters.slotsPerEpoch * manifest.parameters.secondsPerSlot);
  let reports = 0;
  // frame 0 starts at the initial epoch (1): step past it once so the first report covers a whole frame
  await test.increaseTime({ seconds: 2 * manifest.parameters.slotsPerEpoch * manifest.parameters.secondsPerSlot });
  const beacon = async () => {
    const [deposited, validators, balance] = await read<[bigint, bigint, bigint]>(c.StakingPool, ABIS.pool, 'getBeaconStat');
    return { deposited, validators, balance };
  };
  const report = async (edit: (d: ReportData) => void | Promise<void>) => {
    await test.increaseTime({ seconds: Number(secondsPerFrame) });
    await test.mine({ blocks: 1 });
    const [refSlot] = await read<[bigint, bigint]>(c.HashConsensus, ABIS.consensus, 'getCurrentFrame');
    const b = await beacon();
    const data: ReportData = {
      consensusVersion: 1n,
      refSlot,
      beaconValidators: b.validators,
      beaconBalance: b.balance,
      slashedDelta: 0n,
      exitedDelta: 0n,
      withdrawalVaultBalance: 0n,
      elRewardsVaultBalance: 0n,
      withdrawalFinalizationBatches: [],
      simulatedShareRate: await read<bigint>(c.StakingPool, ABIS.pool, 'shareRate'),
      clusterReports: [],
      exitRequestClusterIds: [],
      exitRequestCounts: [],
    };
    await edit(data);
    const hash = keccak256(encodeAbiParameters(REPORT_DATA, [data] as never));
    for (const m of members) await send(m, c.HashConsensus, ABIS.consensus, 'submitReport', [refSlot, hash, 1n]);
    const version = await read<bigint>(c.AccountingOracle, ABIS.oracle, 'getContractVersion');
    await send(members[0]!, c.AccountingOracle, ABIS.oracle, 'submitReportData', [data, version]);
    reports++;
  };

  // 1. the validators appear (no reward)
  await report((d) => {
    d.beaconValidators += BigInt(KEYS);
    d.beaconBalance += BigInt(KEYS) * parseEther('32');
  });
  // 2. rewards (fees minted to treasury and module, spread over the cluster)
  await report((d) => {
    d.beaconBalance += parseEther('0.012');
  });

  // ------------------------------------------------------------------------------ transfers and withdrawals
  const aliceShares = await read<bigint>(c.StakingPool, ABIS.pool, 'balanceOf', [alice.address]);
  await send(alice, c.StakingPool, ABIS.pool, 'transfer', [carol.address, aliceShares / 10n]);
  // no allowance: the queue takes the caller's dvETH through the pool (batch for alice, the single-request path for bob)
  await send(alice, c.WithdrawalQueue, ABIS.queue, 'requestWithdrawals', [[parseEther('5'), parseEther('7')], alice.address]);
  await send(bob, c.WithdrawalQueue, ABIS.queue, 'requestWithdrawal', [parseEther('10')]);
  await send(alice, c.WithdrawalQueue, ABIS.queue, 'transferFrom', [alice.address, carol.address, 2n]);

  // 3. a loss (missed duties) and finalization of requests 1..2 at the post-loss rate
  await report(async (d) => {
    const loss = parseEther('0.004');
    d.beaconBalance -= loss;
    const pooled = await read<bigint>(c.StakingPool, ABIS.pool, 'totalPooledEther');
    const shares = await read<bigint>(c.StakingPool, ABIS.pool, 'totalSupply');
    d.simulatedShareRate = ((pooled - loss) * RATE_PRECISION) / shares;
    d.withdrawalFinalizationBatches = [2n];
  });
  await send(alice, c.WithdrawalQueue, ABIS.queue, 'claimWithdrawal', [1n]);
  await send(carol, c.WithdrawalQueue, ABIS.queue, 'claimWithdrawal', [2n]);

  // ------------------------------------------------------------------------------ cluster reports, exits
  const clusterReport = (exitedTotal: bigint, newlySlashed: bigint, missedDutyBps: bigint) =>
    send(admin, c.OperatorRegistry, ABIS.registry, 'processClusterReports', [
      [{ clusterId, exitedTotal, newlySlashed, missedDutyBps, stolenExecutionRewards: 0n }],
    ]);
  await clusterReport(0n, 1n, 0n); // a slashing: penalty from the bonds to the pool (rate rises)
  await clusterReport(0n, 0n, 2_500n); // a bad frame: rewards forfeited for the next report, a strike
  await send(admin, c.OperatorRegistry, ABIS.registry, 'requestExits', [[clusterId], [2n]]);
  // 4. rewards again (the forfeiting cluster earns nothing of them), then finalize request 3
  await report(async (d) => {
    d.beaconBalance += parseEther('0.01');
    const pooled = await read<bigint>(c.StakingPool, ABIS.pool, 'totalPooledEther');
    const shares = await read<bigint>(c.StakingPool, ABIS.pool, 'totalSupply');
    d.simulatedShareRate = (pooled * RATE_PRECISION) / shares; // at most the post-report rate
    d.withdrawalFinalizationBatches = [3n];
  });
  const [deadline] = [await read<bigint>(c.OperatorRegistry, ABIS.registry, 'getExitDeadline', [clusterId, 1n])];
  await test.setNextBlockTimestamp({ timestamp: deadline + 1n });
  await test.mine({ blocks: 1 });
  const fee = await read<bigint>(c.WithdrawalVault, ABIS.vault, 'exitRequestFee');
  await send(bob, c.OperatorRegistry, ABIS.registry, 'forceLateExit', [clusterId, 1n], fee + 1000n);
  await clusterReport(1n, 0n, 0n); // key 0 exited (the oracle saw it)
  // 5. rewards after the exit
  await report((d) => {
    d.beaconBalance += parseEther('0.008');
  });

  // ------------------------------------------------------------------------------ operators' money
  for (let i = 0; i < 2; i++) {
    const debt = await read<bigint>(c.OperatorRegistry, ABIS.registry, 'getBondDebt', [operatorIds[i]!]);
    await send(operators[i]!, c.OperatorRegistry, ABIS.registry, 'topUpBond', [operatorIds[i]!], debt + parseEther('0.5'));
    await send(operators[i]!, c.OperatorRegistry, ABIS.registry, 'claimRewards', [operatorIds[i]!]);
  }
  const unlocked = await read<bigint>(c.OperatorRegistry, ABIS.registry, 'unlockedBond', [operatorIds[0]!]);
  if (unlocked > 0n) {
    await send(operators[0]!, c.OperatorRegistry, ABIS.registry, 'withdrawBond', [operatorIds[0]!, unlocked / 2n, operators[0]!.address]);
  }

  const toBlock = await client.getBlockNumber({ cacheTime: 0 }); // not the 50 ms cached value: the last block counts
  return {
    anvil,
    client,
    manifest,
    fromBlock: BigInt(manifest.startBlock),
    toBlock,
    stakers: [alice.address, bob.address, carol.address, getAddress('0x000000000000000000000000000000000000dEaD')],
    operatorIds,
    clusterIds: [clusterId],
    requestIds: [1n, 2n, 3n],
    reports,
    stop: () => anvil.stop(),
  };
}
