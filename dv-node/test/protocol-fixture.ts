/**
 * Test helper: the Shoal protocol on a private anvil, driven through its real contracts (typed ABIs from
 * common/abi), for tests where dv-node clusters take part in the protocol:
 *   deploy (contracts/script/Deploy.s.sol) → operators bond and form a cluster → the cluster registers the keys of
 *   its DKG and every member confirms them → stakers fill the pool → a keeper deposits through the
 *   DepositSecurityModule with the guardian quorum's signatures → exit requests by a keeper (EXIT_REQUESTER_ROLE).
 * Roles and accounts are those of Deploy.s.sol on anvil: admin = account #0, guardians #3–#5 (quorum 2).
 */
import { rmSync } from 'node:fs';
import {
  concatHex,
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  keccak256,
  parseEther,
  parseEventLogs,
  zeroAddress,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { anvilPrivateKey } from '../../common/anvil.ts';
import { guardianAttestedDeposit } from '../../common/guardians.ts';
import { deployShoal } from '../../common/deploy.ts';
import { manifestPath, type Manifest } from '../../common/deployments.ts';
import { depositSecurityModuleAbi, operatorRegistryAbi, stakingPoolAbi } from '../../common/abi/index.ts';
import { DEPOSIT_CONTRACT_ADDRESS, decodeDepositEvent, depositEventAbi, type DecodedDepositEvent } from '../../common/predeploys.ts';

/** Deploy.s.sol's defaults on anvil: the admin and the guardians who sign deposits (quorum 2 of 3). */
const ADMIN_ACCOUNT = 0;
const GUARDIAN_ACCOUNTS = [3, 4] as const;

export interface KeyForRegistry {
  pubkey: Hex;
  /** The DKG's threshold deposit signature (96 bytes) for 32 ETH to the protocol's withdrawal credentials. */
  signature: Hex;
}

export interface ExitRequestedEvent {
  clusterId: bigint;
  keyIndex: bigint;
  pubkey: Hex;
  deadline: bigint;
}

export class ShoalOnAnvil {
  readonly client: PublicClient;
  readonly admin: PrivateKeyAccount = privateKeyToAccount(anvilPrivateKey(ADMIN_ACCOUNT));

  private constructor(
    readonly rpcUrl: string,
    readonly network: string,
    readonly manifest: Manifest,
  ) {
    this.client = createPublicClient({ transport: http(rpcUrl), pollingInterval: 50 }) as PublicClient;
  }

  /** Deploys Shoal (system contracts first) and returns the driver; `remove()` deletes the manifest it wrote. */
  static async deploy(rpcUrl: string, network: string): Promise<ShoalOnAnvil> {
    const manifest = await deployShoal({ rpcUrl, deployerKey: anvilPrivateKey(ADMIN_ACCOUNT), network });
    return new ShoalOnAnvil(rpcUrl, network, manifest);
  }

  /** Deletes deployments/<network>.json. */
  remove(): void {
    rmSync(manifestPath(this.network), { force: true });
  }

  /** Sends a transaction and fails with the step's name when it reverts. */
  async send(step: string, from: PrivateKeyAccount, address: Address, abi: Abi, functionName: string, args: readonly unknown[] = [], value?: bigint): Promise<TransactionReceipt> {
    const wallet = createWalletClient({ account: from, transport: http(this.rpcUrl), pollingInterval: 50 });
    let hash: Hex;
    try {
      hash = await wallet.writeContract({ address, abi, functionName, args, chain: null, ...(value !== undefined ? { value } : {}) } as never);
    } catch (e) {
      throw new Error(`${step}: ${functionName} by ${from.address} failed: ${(e as Error).message.split('\n').slice(0, 4).join(' ')}`);
    }
    const receipt = await this.client.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`${step}: ${functionName} by ${from.address} reverted (tx ${hash})`);
    return receipt;
  }

  async setBalance(address: Address, wei: bigint): Promise<void> {
    await createTestClient({ mode: 'anvil', transport: http(this.rpcUrl) }).setBalance({ address, value: wei });
  }

  /** Each operator registers with the bond its share of `validators` needs (the bond curve's price); returns ids. */
  async registerOperators(operators: readonly PrivateKeyAccount[], validators: number): Promise<bigint[]> {
    const c = this.manifest.contracts;
    const bond = await this.client.readContract({ address: c.OperatorRegistry, abi: operatorRegistryAbi, functionName: 'bondForValidators', args: [BigInt(validators)] });
    const ids: bigint[] = [];
    for (const [k, op] of operators.entries()) {
      await this.setBalance(op.address, bond + parseEther('10'));
      const r = await this.send(`register operator ${k}`, op, c.OperatorRegistry, operatorRegistryAbi, 'registerOperator', [`dkg-e2e operator ${k}`, op.address], bond);
      const [ev] = parseEventLogs({ abi: operatorRegistryAbi, logs: r.logs, eventName: 'OperatorRegistered' });
      if (!ev) throw new Error(`register operator ${k}: no OperatorRegistered event`);
      ids.push(ev.args.operatorId);
    }
    return ids;
  }

  /** `by` (a member) forms the cluster of `operatorIds` (ascending); returns its id. */
  async createCluster(by: PrivateKeyAccount, operatorIds: readonly bigint[]): Promise<bigint> {
    const r = await this.send('create cluster', by, this.manifest.contracts.OperatorRegistry, operatorRegistryAbi, 'createCluster', [operatorIds]);
    const [ev] = parseEventLogs({ abi: operatorRegistryAbi, logs: r.logs, eventName: 'ClusterCreated' });
    if (!ev) throw new Error('create cluster: no ClusterCreated event');
    return ev.args.clusterId;
  }

  /**
   * `members[0]` registers the keys as one batch; every member confirms it with the batch's code hash
   * (keccak256(0x00 ‖ pubkeys ‖ signatures), what each member checks against its own DKG output).
   */
  async addAndConfirmKeys(clusterId: bigint, members: readonly PrivateKeyAccount[], keys: readonly KeyForRegistry[]): Promise<{ batchIndex: bigint; codeHash: Hex }> {
    const c = this.manifest.contracts;
    const pubkeys = concatHex(keys.map((k) => k.pubkey));
    const signatures = concatHex(keys.map((k) => k.signature));
    const r = await this.send('add keys', members[0]!, c.OperatorRegistry, operatorRegistryAbi, 'addKeys', [clusterId, pubkeys, signatures]);
    const [ev] = parseEventLogs({ abi: operatorRegistryAbi, logs: r.logs, eventName: 'KeysAdded' });
    if (!ev) throw new Error('add keys: no KeysAdded event');
    const codeHash = keccak256(concatHex(['0x00', pubkeys, signatures]));
    if (ev.args.codeHash !== codeHash) throw new Error(`add keys: the registry stored batch ${ev.args.codeHash}, the DKG output hashes to ${codeHash}`);
    for (const [k, m] of members.entries()) {
      await this.send(`confirm keys by operator ${k}`, m, c.OperatorRegistry, operatorRegistryAbi, 'confirmKeys', [clusterId, ev.args.batchIndex, codeHash]);
    }
    return { batchIndex: ev.args.batchIndex, codeHash };
  }

  /** `staker` deposits `wei` into the StakingPool for itself. */
  async stake(staker: PrivateKeyAccount, wei: bigint): Promise<void> {
    await this.send('stake', staker, this.manifest.contracts.StakingPool, stakingPoolAbi, 'deposit', [staker.address, zeroAddress], wei);
  }

  /**
   * A keeper deposits the pool's buffered ether to the DVT module through the DepositSecurityModule: the guardian
   * quorum signs (recent block, deposit contract root, module nonce), signatures sorted by guardian address, in
   * the compact {r, vs} form. Returns the DepositEvents the deposit contract emitted.
   */
  async depositThroughDsm(keeper: PrivateKeyAccount): Promise<DecodedDepositEvent[]> {
    const args = await guardianAttestedDeposit(this.client, this.manifest, GUARDIAN_ACCOUNTS.map((i) => anvilPrivateKey(i)));
    const r = await this.send('guardian-attested deposit', keeper, this.manifest.contracts.DepositSecurityModule, depositSecurityModuleAbi, 'depositBufferedEther', args);
    return parseEventLogs({ abi: [depositEventAbi], logs: r.logs.filter((l) => l.address.toLowerCase() === DEPOSIT_CONTRACT_ADDRESS.toLowerCase()) })
      .map((l) => decodeDepositEvent(l));
  }

  /** The admin lets `keeper` request exits (EXIT_REQUESTER_ROLE, bounded by the keepers' daily limit). */
  async grantExitRequester(keeper: Address): Promise<void> {
    const c = this.manifest.contracts;
    const role = await this.client.readContract({ address: c.OperatorRegistry, abi: operatorRegistryAbi, functionName: 'EXIT_REQUESTER_ROLE' });
    await this.send('grant EXIT_REQUESTER_ROLE', this.admin, c.OperatorRegistry, operatorRegistryAbi, 'grantRole', [role, keeper]);
  }

  /** `keeper` asks `clusterId` to exit its `count` oldest active keys; returns the receipt and the ExitRequested events. */
  async requestExits(keeper: PrivateKeyAccount, clusterId: bigint, count: number): Promise<{ receipt: TransactionReceipt; events: ExitRequestedEvent[]; timestamp: bigint }> {
    const receipt = await this.send('request exits', keeper, this.manifest.contracts.OperatorRegistry, operatorRegistryAbi, 'requestExits', [[clusterId], [BigInt(count)]]);
    const events = parseEventLogs({ abi: operatorRegistryAbi, logs: receipt.logs, eventName: 'ExitRequested' }).map((l) => l.args as ExitRequestedEvent);
    const block = await this.client.getBlock({ blockNumber: receipt.blockNumber });
    return { receipt, events, timestamp: block.timestamp };
  }
}
