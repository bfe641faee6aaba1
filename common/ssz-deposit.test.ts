import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import bls from '@chainsafe/bls';
import { ssz } from '@lodestar/types';
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  http,
  parseEther,
  type Hex,
  type PublicClient,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startAnvil, type Anvil } from './anvil.ts';
import { DEPOSIT_CONTRACT_ADDRESS, decodeDepositEvent, depositContractAbi, installPredeploys } from './predeploys.ts';
import {
  computeDepositDomain,
  depositDataRoot,
  depositProof,
  depositSigningRoot,
  depositTreeRoot,
  isValidMerkleBranch,
  littleEndianToUint64,
  signDepositData,
  toBytes,
  toHex,
  uint64ToLittleEndian,
  verifyDepositSignature,
  type DepositDataInput,
  type SignedDeposit,
} from './ssz-deposit.ts';

/** Byte pattern shared with contracts/test/predeploys/DepositContract.t.sol (`_pattern`). */
const pattern = (n: number, seed: number): Hex => toHex(Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed * 13 + 1) & 0xff));
const vector = (k: number): DepositDataInput => ({
  pubkey: pattern(48, k),
  withdrawalCredentials: pattern(32, k + 10),
  amountGwei: BigInt(k) * 1_000_000_000n + (k === 3 ? 32_000_000_000n : 0n),
  signature: pattern(96, k + 20),
});
/** The same vectors the forge suite pins (so Solidity and TypeScript agree on one set of numbers). */
const VECTOR_ROOTS = [
  '0xc5a001261de4d03caa095c9b38b618cb8a7d38d7e8de82e282a50dcf69158312',
  '0x0be04d01dd6ada65bea51b90dc4a8da780a15b96c78fa99eaaa59dd4766c858e',
  '0x59e685bb44a6b94f51f454adb81b759a4533c6d589ba7a67f0d0d3c38cfc3abb',
  '0x3860b65cc27d12d6ddd70daf2c6e3d4142fa580ed24f702a8aa8cae79daa573c',
  '0x35fbe374d1c4c5c667d85d795aa9395a66a58bce45b6e831ea2a4bde8ff1a416',
];
const EMPTY_DEPOSIT_ROOT = '0xd70a234731285c6804c2a4f56711ddb8c82c99740f207854891028af34e27e5e';

const secretKey = (i: number) => bls.SecretKey.fromKeygen(new Uint8Array(32).fill(i + 1));
const eth1Credentials = (address: Hex): Hex => `0x010000000000000000000000${address.slice(2).toLowerCase()}`;

describe('ssz-deposit (pure)', () => {
  it('DepositData root equals @lodestar/types phase0.DepositData and the pinned vectors', () => {
    for (let k = 1; k <= 5; k++) {
      const d = vector(k);
      const lodestar = ssz.phase0.DepositData.hashTreeRoot({
        pubkey: toBytes(d.pubkey),
        withdrawalCredentials: toBytes(d.withdrawalCredentials),
        amount: Number(d.amountGwei),
        signature: toBytes(d.signature),
      });
      assert.equal(depositDataRoot(d), toHex(lodestar));
      assert.equal(depositDataRoot(d), VECTOR_ROOTS[k - 1]);
    }
  });

  it('deposit domain for mainnet is DOMAIN_DEPOSIT ‖ fork_data_root(0x00000000, 0)[:28]', () => {
    assert.equal(toHex(computeDepositDomain()), '0x03000000f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a9');
    assert.notEqual(toHex(computeDepositDomain('0x10000910')), toHex(computeDepositDomain()));
  });

  it('signing root is hash_tree_root(SigningData{DepositMessage root, domain})', () => {
    const m = { pubkey: pattern(48, 1), withdrawalCredentials: pattern(32, 2), amountGwei: 32_000_000_000n };
    const objectRoot = ssz.phase0.DepositMessage.hashTreeRoot({
      pubkey: toBytes(m.pubkey),
      withdrawalCredentials: toBytes(m.withdrawalCredentials),
      amount: 32_000_000_000,
    });
    const expected = ssz.phase0.SigningData.hashTreeRoot({ objectRoot, domain: computeDepositDomain('0x00000001') });
    assert.equal(toHex(depositSigningRoot(m, '0x00000001')), toHex(expected));
  });

  it('a real BLS deposit signature verifies for its fork version only, and not once tampered', () => {
    const signed = signDepositData(secretKey(0), { withdrawalCredentials: pattern(32, 9), amountGwei: 32_000_000_000n }, '0x00000001');
    assert.equal(verifyDepositSignature(signed, '0x00000001'), true);
    assert.equal(verifyDepositSignature(signed, '0x00000000'), false);
    assert.equal(verifyDepositSignature({ ...signed, amountGwei: 31_000_000_000n }, '0x00000001'), false);
    assert.equal(verifyDepositSignature({ ...signed, signature: pattern(96, 3) }, '0x00000001'), false, 'not a G2 point');
  });

  it('tree root of an empty list is the spec empty deposit root; proofs verify against the SSZ list root', () => {
    assert.equal(depositTreeRoot([]), EMPTY_DEPOSIT_ROOT);
    const ds = [1, 2, 3, 4, 5].map(vector);
    const root = depositTreeRoot(ds);
    for (let i = 0; i < ds.length; i++) {
      const proof = depositProof(ds, i);
      assert.equal(proof.length, 33);
      assert.equal(isValidMerkleBranch(depositDataRoot(ds[i]!), proof, 33, i, root), true, `proof ${i}`);
      assert.equal(isValidMerkleBranch(depositDataRoot(ds[i]!), proof, 33, (i + 1) % 5, root), false);
    }
    assert.throws(() => depositProof(ds, 5), /index: expected an integer in \[0, 4\]/);
  });

  it('rejects malformed input with the field named', () => {
    assert.throws(() => depositDataRoot({ ...vector(1), pubkey: pattern(47, 1) }), /pubkey: expected 48 bytes, got 47/);
    assert.throws(() => depositDataRoot({ ...vector(1), signature: '0x12' }), /signature: expected 96 bytes, got 1/);
    assert.throws(() => depositDataRoot({ ...vector(1), withdrawalCredentials: '0xzz' as Hex }), /withdrawalCredentials: expected 0x-prefixed hex/);
    assert.throws(() => depositDataRoot({ ...vector(1), amountGwei: -1n }), /amountGwei/);
    assert.throws(() => depositDataRoot({ ...vector(1), amountGwei: 2n ** 64n }), /amountGwei/);
  });

  it('uint64 little-endian round trip', () => {
    assert.equal(toHex(uint64ToLittleEndian(0x0102030405060708n)), '0x0807060504030201');
    assert.equal(littleEndianToUint64('0x0040597307000000'), 32_000_000_000n);
    assert.equal(littleEndianToUint64(uint64ToLittleEndian(2n ** 64n - 1n)), 2n ** 64n - 1n);
  });
});

describe('ssz-deposit against the DepositContract on a real anvil', () => {
  // anvil's first default account (well-known development key)
  const account = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
  let anvil: Anvil;
  let client: PublicClient;
  let wallet: WalletClient;
  const deposited: SignedDeposit[] = [];

  before(async () => {
    anvil = await startAnvil();
    await installPredeploys(anvil.rpcUrl);
    client = createPublicClient({ transport: http(anvil.rpcUrl), pollingInterval: 50 });
    wallet = createWalletClient({ account, transport: http(anvil.rpcUrl) });
  });
  after(async () => {
    await anvil?.stop();
  });

  const deposit = async (d: SignedDeposit, root: Hex = d.depositDataRoot) => {
    const hash = await wallet.writeContract({
      account,
      address: DEPOSIT_CONTRACT_ADDRESS,
      abi: depositContractAbi,
      functionName: 'deposit',
      args: [d.pubkey, d.withdrawalCredentials, d.signature, root],
      value: d.amountGwei * 1_000_000_000n,
      chain: null,
    });
    return client.waitForTransactionReceipt({ hash, timeout: 10_000 });
  };
  const readRoot = () => client.readContract({ address: DEPOSIT_CONTRACT_ADDRESS, abi: depositContractAbi, functionName: 'get_deposit_root' });
  const readCount = async () =>
    littleEndianToUint64(await client.readContract({ address: DEPOSIT_CONTRACT_ADDRESS, abi: depositContractAbi, functionName: 'get_deposit_count' }));

  it('starts empty', async () => {
    assert.equal(await readRoot(), EMPTY_DEPOSIT_ROOT);
    assert.equal(await readCount(), 0n);
  });

  it('accepts exactly the TypeScript deposit_data_root of real BLS-signed deposits; root tracks the SSZ list', async (t) => {
    const amounts = [32_000_000_000n, 1_000_000_000n, 32_000_000_000n, 2_048_000_000_000n, 7_500_000_000n];
    for (let i = 0; i < amounts.length; i++) {
      const signed = signDepositData(secretKey(i), { withdrawalCredentials: eth1Credentials(account.address), amountGwei: amounts[i]! });
      assert.equal(verifyDepositSignature(signed), true);
      const receipt = await deposit(signed);
      assert.equal(receipt.status, 'success');
      if (i === 0) t.diagnostic(`gasUsed of one 32 ETH deposit transaction (first, empty tree): ${receipt.gasUsed}`);
      if (i === 2) t.diagnostic(`gasUsed of one 32 ETH deposit transaction (third deposit): ${receipt.gasUsed}`);
      deposited.push(signed);

      assert.equal(receipt.logs.length, 1);
      const ev = decodeDepositEvent(receipt.logs[0]!);
      assert.equal(receipt.logs[0]!.address.toLowerCase(), DEPOSIT_CONTRACT_ADDRESS.toLowerCase());
      assert.deepEqual(ev, {
        pubkey: signed.pubkey,
        withdrawalCredentials: signed.withdrawalCredentials,
        amountGwei: amounts[i],
        signature: signed.signature,
        index: BigInt(i),
      });
      // what a beacon chain does with the log: rebuild DepositData, check the signature
      assert.equal(verifyDepositSignature({ ...ev }), true);
      assert.equal(depositDataRoot(ev), signed.depositDataRoot);

      assert.equal(await readRoot(), depositTreeRoot(deposited), `get_deposit_root after ${i + 1} deposits`);
      assert.equal(await readCount(), BigInt(i + 1));
    }
    // a proof from the TypeScript tree verifies against the contract's root
    const root = await readRoot();
    assert.equal(isValidMerkleBranch(deposited[3]!.depositDataRoot, depositProof(deposited, 3), 33, 3, root), true);
  });

  it('rejects a wrong deposit_data_root with DepositDataRootMismatch and changes nothing', async () => {
    const before = await readRoot();
    const signed = signDepositData(secretKey(42), { withdrawalCredentials: eth1Credentials(account.address), amountGwei: 32_000_000_000n });
    // the root of the same deposit for another amount: well-formed, but not this DepositData
    const wrong = depositDataRoot({ ...signed, amountGwei: 31_000_000_000n });
    await assert.rejects(
      client.simulateContract({
        account,
        address: DEPOSIT_CONTRACT_ADDRESS,
        abi: depositContractAbi,
        functionName: 'deposit',
        args: [signed.pubkey, signed.withdrawalCredentials, signed.signature, wrong],
        value: parseEther('32'),
      }),
      (err: unknown) => {
        assert.ok(err instanceof BaseError);
        const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
        assert.ok(revert instanceof ContractFunctionRevertedError, String(err));
        assert.equal(revert.data?.errorName, 'DepositDataRootMismatch');
        assert.deepEqual(revert.data?.args, [wrong, signed.depositDataRoot]);
        return true;
      },
    );
    assert.equal(await readRoot(), before);
    assert.equal(await readCount(), BigInt(deposited.length));
  });

  it('reads every DepositEvent back from the chain in order', async () => {
    const logs = await client.getLogs({ address: DEPOSIT_CONTRACT_ADDRESS, fromBlock: 0n, toBlock: 'latest' });
    const events = logs.map(decodeDepositEvent);
    assert.deepEqual(
      events.map((e) => [e.index, e.pubkey]),
      deposited.map((d, i) => [BigInt(i), d.pubkey]),
    );
    assert.equal(depositTreeRoot(events.map((e) => ({ ...e }))), await readRoot());
  });
});
