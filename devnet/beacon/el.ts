/**
 * The execution link: follows an anvil chain (viem) and plays the parts of the Engine API the beacon chain needs.
 *  - DepositEvent logs of the deposit contract → Electra deposit requests (EIP-6110 semantics) for the next block;
 *  - EIP-7002 requests, dequeued from the system contract by playing its system call → withdrawal requests;
 *  - the EL head → the execution payload header fields of produced blocks;
 *  - withdrawals of imported blocks → credited like EIP-4895 (balance increase, no code executed) with
 *    anvil_setBalance(current + amount);
 *  - each imported block's parent root → the EIP-4788 contract under the block's payload timestamp.
 * EL errors are logged and retried at the next slot; they never stop the chain.
 */
import { createPublicClient, createTestClient, http, parseAbiItem, type Address, type Hex, type PublicClient, type TestClient } from 'viem';
import type { electra } from '@lodestar/types';
import { bytesToHex, hexToBytes } from 'viem';
import { WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, SYSTEM_ADDRESS, decodeDepositEvent, dequeueWithdrawalRequests, writeBeaconRoot } from '../../common/predeploys.ts';
import type { BeaconChain, ImportedBlockEvent } from './chain.ts';

const DEPOSIT_EVENT = parseAbiItem('event DepositEvent(bytes pubkey, bytes withdrawal_credentials, bytes amount, bytes signature, bytes index)');
const GWEI = 1_000_000_000n;

export interface ExecutionFollowerOptions {
  rpcUrl: string;
  depositContract: Address;
  /** blocks behind the EL head to read deposits from (0 on anvil: no reorgs) */
  followDistance?: number;
  log?: (msg: string) => void;
}

export class ExecutionFollower {
  private readonly client: PublicClient;
  private readonly test: TestClient;
  private nextBlock = 0n;
  /** serialises EL writes (credits, roots) so balances are read and written without races */
  private queue: Promise<void> = Promise.resolve();
  private readonly log: (msg: string) => void;
  /** wei credited per address (for the oracle and tests to reconcile) */
  readonly credited = new Map<string, bigint>();
  errors = 0;

  constructor(private readonly chain: BeaconChain, private readonly opts: ExecutionFollowerOptions) {
    const transport = http(opts.rpcUrl);
    this.client = createPublicClient({ transport, pollingInterval: 50 });
    this.test = createTestClient({ mode: 'anvil', transport });
    this.log = opts.log ?? (() => {});
    chain.onImported((ev) => this.enqueue(() => this.afterImport(ev)));
  }

  /** Reads new deposits, EIP-7002 requests and the EL head into the chain (call before each slot). */
  async poll(): Promise<void> {
    try {
      const head = await this.client.getBlock({ blockTag: 'latest' });
      this.chain.setElHead({
        blockHash: hexToBytes(head.hash!), parentHash: hexToBytes(head.parentHash), blockNumber: Number(head.number),
        gasLimit: Number(head.gasLimit), baseFeePerGas: head.baseFeePerGas ?? 0n,
      });
      const to = head.number! - BigInt(this.opts.followDistance ?? 0);
      if (to >= this.nextBlock) {
        const logs = await this.client.getLogs({ address: this.opts.depositContract, event: DEPOSIT_EVENT, fromBlock: this.nextBlock, toBlock: to });
        const reqs: electra.DepositRequest[] = [];
        for (const l of logs) {
          try {
            const d = decodeDepositEvent(l);
            reqs.push({ pubkey: hexToBytes(d.pubkey), withdrawalCredentials: hexToBytes(d.withdrawalCredentials), amount: Number(d.amountGwei), signature: hexToBytes(d.signature), index: d.index });
          } catch (e) {
            this.log(`skipping malformed DepositEvent in tx ${l.transactionHash}: ${(e as Error).message}`);
          }
        }
        if (reqs.length) this.log(`el: ${reqs.length} deposit request(s) up to block ${to}`);
        this.chain.addDepositRequests(reqs);
        this.nextBlock = to + 1n;
      }
      // EIP-7002: only play the system call when requests are queued (eth_call from SYSTEM_ADDRESS is free)
      const { data } = await this.client.call({ account: SYSTEM_ADDRESS, to: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, data: '0x' });
      if (data && data !== '0x') {
        const wrs = await dequeueWithdrawalRequests(this.opts.rpcUrl);
        this.log(`el: ${wrs.length} EIP-7002 withdrawal request(s)`);
        this.chain.addWithdrawalRequests(wrs.map((w) => ({ sourceAddress: hexToBytes(w.sourceAddress), validatorPubkey: hexToBytes(w.validatorPubkey), amount: w.amountGwei })));
      }
    } catch (e) {
      this.errors++;
      this.log(`el poll failed (retrying next slot): ${(e as Error).message}`);
    }
  }

  private enqueue(f: () => Promise<void>): void {
    this.queue = this.queue.then(f).catch((e: unknown) => {
      this.errors++;
      this.log(`el write failed: ${(e as Error).message}`);
    });
  }

  /** Waits for every queued EL write (tests call this before reading balances). */
  flush(): Promise<void> {
    return this.queue;
  }

  private async afterImport(ev: ImportedBlockEvent): Promise<void> {
    for (const w of ev.effects.withdrawals) {
      const address = bytesToHex(w.address) as Address;
      const wei = BigInt(w.amount) * GWEI;
      const current = await this.client.getBalance({ address });
      await this.test.setBalance({ address, value: current + wei });
      this.credited.set(address.toLowerCase(), (this.credited.get(address.toLowerCase()) ?? 0n) + wei);
    }
    const block = this.chain.blocks.get(bytesToHex(ev.root));
    if (block) {
      const m = block.signed.message;
      await writeBeaconRoot(this.opts.rpcUrl, BigInt(m.body.executionPayload.timestamp), bytesToHex(m.parentRoot) as Hex);
    }
  }
}

