/**
 * The execution link against a real anvil with our predeploys: deposits through the deposit contract (valid and
 * badly signed), an EIP-7002 exit request from the withdrawal address, withdrawals credited to that address on
 * anvil (EIP-4895 style), and beacon roots readable from the EIP-4788 contract.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import bls from '@chainsafe/bls';
import { createPublicClient, createTestClient, createWalletClient, encodeFunctionData, http, hexToBytes, bytesToHex, concatHex, numberToHex, type Address, type Hex } from 'viem';
import { BEACON_ROOTS_ADDRESS, DEPOSIT_CONTRACT_ADDRESS, WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, depositContractAbi, withdrawalRequestFee } from '../../common/predeploys.ts';
import { signDepositData } from '../../common/ssz-deposit.ts';
import type { electra } from '@lodestar/types';
import { interopSecretKeyBytes } from './interop.ts';
import { startTestBeacon, type TestBeacon } from './testing.ts';
import { eth1Credentials } from './test-helpers.ts';

const SENDER = '0x00000000000000000000000000000000005e11de' as Address;
const WITHDRAWAL_ADDRESS = '0x000000000000000000000000000000000000c0de' as Address;
let t: TestBeacon;

before(async () => {
  t = await startTestBeacon({ genesisValidators: 32, slotTime: 1, activationDelay: 2, shardCommitteePeriod: 0, withdrawabilityDelay: 1 });
});
after(async () => {
  await t?.stop();
});

async function sendAs(from: Address, to: Address, data: Hex, value: bigint): Promise<void> {
  const transport = http(t.anvil!.rpcUrl);
  const test = createTestClient({ mode: 'anvil', transport });
  const pub = createPublicClient({ transport, pollingInterval: 50 });
  await test.setBalance({ address: from, value: 10n ** 21n });
  await test.impersonateAccount({ address: from });
  const wallet = createWalletClient({ account: from, transport });
  const hash = await wallet.sendTransaction({ to, data, value, chain: null });
  const r = await pub.waitForTransactionReceipt({ hash, timeout: 10_000 });
  assert.equal(r.status, 'success');
  await test.stopImpersonatingAccount({ address: from });
}

async function deposit(keySeed: number, amountGwei: bigint, forkVersion: Hex): Promise<Hex> {
  const sk = bls.SecretKey.fromBytes(interopSecretKeyBytes(keySeed));
  const d = signDepositData(sk, { withdrawalCredentials: eth1Credentials(WITHDRAWAL_ADDRESS), amountGwei }, forkVersion);
  const data = encodeFunctionData({ abi: depositContractAbi, functionName: 'deposit', args: [d.pubkey, d.withdrawalCredentials, d.signature, d.depositDataRoot] });
  await sendAs(SENDER, DEPOSIT_CONTRACT_ADDRESS, data, amountGwei * 10n ** 9n);
  return d.pubkey;
}

describe('execution link (anvil + predeploys)', () => {
  it('deposits from the contract: a valid one activates, one signed for another network never does; EIP-7002 exit; withdrawals credited; EIP-4788 roots', async () => {
    const chain = t.node.chain;
    const ours = bytesToHex(chain.forkConfig.GENESIS_FORK_VERSION);
    const good = await deposit(5000, 33_000_000_000n, ours);
    const bad = await deposit(5001, 32_000_000_000n, '0x00000000'); // mainnet fork version: invalid here
    await t.advanceTo(10 * 8);
    const vals = (await t.api.beacon.postStateValidators({ stateId: 'head', validatorIds: [good, bad] })).value();
    assert.equal(vals.length, 1, 'only the valid deposit made a validator');
    assert.equal(bytesToHex(vals[0]!.validator.pubkey), good);
    assert.equal(vals[0]!.status, 'active_ongoing');
    const vi = vals[0]!.index;

    // the 1 ETH excess was swept to the withdrawal address on anvil
    const pub = createPublicClient({ transport: http(t.anvil!.rpcUrl) });
    const swept = chain.withdrawalLog.filter((w) => w.validatorIndex === vi).reduce((a, w) => a + BigInt(w.amount), 0n);
    assert.ok(swept > 900_000_000n, `excess swept: ${swept} gwei`);
    assert.equal(await pub.getBalance({ address: WITHDRAWAL_ADDRESS }), swept * 10n ** 9n);

    // EIP-7002 full exit from the withdrawal address
    const fee = await withdrawalRequestFee(t.anvil!.rpcUrl);
    await sendAs(WITHDRAWAL_ADDRESS, WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, concatHex([good, numberToHex(0n, { size: 8 })]), fee);
    await t.advanceTo(chain.slot + 2);
    const exiting = (await t.api.beacon.getStateValidator({ stateId: 'head', validatorId: vi })).value();
    assert.equal(exiting.status, 'active_exiting');
    await t.advanceTo((exiting.validator.withdrawableEpoch + 1) * 8 + 2);
    const done = (await t.api.beacon.getStateValidator({ stateId: 'head', validatorId: vi })).value();
    assert.equal(done.status, 'withdrawal_done');
    const total = chain.withdrawalLog.filter((w) => w.validatorIndex === vi).reduce((a, w) => a + BigInt(w.amount), 0n);
    assert.ok(total > 32_900_000_000n, `all ETH returned: ${total}`);
    // anvil balance = everything credited, minus the EIP-7002 fee the address paid and its gas
    const bal = await pub.getBalance({ address: WITHDRAWAL_ADDRESS });
    assert.equal(t.node.el!.credited.get(WITHDRAWAL_ADDRESS.toLowerCase()), total * 10n ** 9n);
    assert.ok(bal > 10n ** 21n, 'credits added to the existing balance');

    // EIP-4788: the head block's parent root is stored under its payload timestamp
    const head = (await t.api.beacon.getBlockV2({ blockId: 'head' })).value() as electra.SignedBeaconBlock;
    const ts = head.message.body.executionPayload.timestamp;
    const { data } = await pub.call({ to: BEACON_ROOTS_ADDRESS, data: numberToHex(BigInt(ts), { size: 32 }) });
    assert.equal(data, bytesToHex(head.message.parentRoot));
    assert.equal(t.node.el!.errors, 0, 'no EL errors');
    void hexToBytes;
  });
});
