import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPublicClient, createTestClient, createWalletClient, http, toEventSelector, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startAnvil, type Anvil } from './anvil.ts';
import {
  BEACON_ROOTS_ADDRESS,
  DEPOSIT_CONTRACT_ADDRESS,
  PREDEPLOY_ADDRESSES,
  SYSTEM_ADDRESS,
  WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
  dequeueWithdrawalRequests,
  depositContractAbi,
  depositEventAbi,
  forgeBinary,
  installPredeploys,
  loadPredeployRuntimeCode,
  parseWithdrawalRequests,
  withdrawalRequestFee,
  writeBeaconRoot,
  type PredeployRuntimeCode,
} from './predeploys.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const account = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const pubkey = (seed: number): Hex => `0x${seed.toString(16).padStart(2, '0').repeat(48)}`;
const amountBE = (v: bigint): string => v.toString(16).padStart(16, '0');

describe('loading the runtime code', () => {
  let outDir: string;
  let fromArtifacts: PredeployRuntimeCode;

  before(() => {
    // A forge build of our sources into a directory of our own, as `npx forge build` would leave in out/.
    outDir = mkdtempSync(join(tmpdir(), 'predeploys-test-out-'));
    const r = spawnSync(forgeBinary(), ['build', 'contracts/src/predeploys'], {
      cwd: repoRoot,
      env: { ...process.env, FOUNDRY_OUT: join(outDir, 'out'), FOUNDRY_CACHE_PATH: join(outDir, 'cache') },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
  after(() => rmSync(outDir, { recursive: true, force: true }));

  it('reads fresh artifacts from the given directory', async () => {
    fromArtifacts = await loadPredeployRuntimeCode({ artifactsDir: join(outDir, 'out') });
    assert.deepEqual(fromArtifacts.origin, { kind: 'artifacts', dir: join(outDir, 'out') });
    for (const code of Object.values(fromArtifacts.code)) assert.match(code, /^0x[0-9a-f]{200,}$/);
  });

  it('the hand-written viem ABI is exactly the forge artifact ABI', () => {
    const key = (e: unknown) => JSON.stringify(e, Object.keys(e as object).sort());
    const normalise = (abi: readonly unknown[]) =>
      abi.map((e) => JSON.parse(JSON.stringify(e, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v)))).map(key).sort();
    assert.deepEqual(normalise(depositContractAbi), normalise(fromArtifacts.abi.depositContract));
    assert.equal(toEventSelector(depositEventAbi), '0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5');
  });

  it('ignores a stale artifact (source hash differs) and builds privately instead', async () => {
    const file = join(outDir, 'out', 'DepositContract.sol', 'DepositContract.json');
    const artifact = JSON.parse(readFileSync(file, 'utf8'));
    artifact.metadata.sources['contracts/src/predeploys/DepositContract.sol'].keccak256 = `0x${'00'.repeat(32)}`;
    writeFileSync(file, JSON.stringify(artifact));
    const loaded = await loadPredeployRuntimeCode({ artifactsDir: join(outDir, 'out') });
    assert.deepEqual(loaded.origin, { kind: 'build' });
    assert.deepEqual(loaded.code, fromArtifacts.code, 'the private build gives the same bytecode');
  });

  it('a directory without artifacts also falls back to the (memoised) private build', async () => {
    const loaded = await loadPredeployRuntimeCode({ artifactsDir: join(outDir, 'nothing-here') });
    assert.deepEqual(loaded.origin, { kind: 'build' });
    assert.deepEqual(loaded.code, fromArtifacts.code);
  });
});

describe('installPredeploys on a real anvil', () => {
  let anvil: Anvil;
  let client: PublicClient;

  before(async () => {
    anvil = await startAnvil();
    client = createPublicClient({ transport: http(anvil.rpcUrl), pollingInterval: 50 });
  });
  after(async () => {
    await anvil?.stop();
  });

  it('puts code at the three canonical addresses (and is idempotent)', async () => {
    for (const address of Object.values(PREDEPLOY_ADDRESSES)) assert.equal(await client.getCode({ address }), undefined);
    const first = await installPredeploys(anvil.rpcUrl);
    const second = await installPredeploys(anvil.rpcUrl);
    assert.deepEqual(second.code, first.code);
    assert.equal((await client.getCode({ address: DEPOSIT_CONTRACT_ADDRESS }))?.toLowerCase(), first.code.depositContract.toLowerCase());
    assert.equal((await client.getCode({ address: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS }))?.toLowerCase(), first.code.withdrawalRequest.toLowerCase());
    assert.equal((await client.getCode({ address: BEACON_ROOTS_ADDRESS }))?.toLowerCase(), first.code.beaconRoots.toLowerCase());
    const supports = await client.readContract({
      address: DEPOSIT_CONTRACT_ADDRESS,
      abi: depositContractAbi,
      functionName: 'supportsInterface',
      args: ['0x85640907'],
    });
    assert.equal(supports, true);
  });

  it('EIP-7002: fee 1 wei, a request is queued and logged, the system call dequeues it in the EIP format', async () => {
    assert.equal(await withdrawalRequestFee(anvil.rpcUrl), 1n);
    const wallet = createWalletClient({ account, transport: http(anvil.rpcUrl) });
    const requests = [
      { pubkey: pubkey(0xa1), amount: 0n },
      { pubkey: pubkey(0xb2), amount: 0x0102030405060708n },
      { pubkey: pubkey(0xc3), amount: 16_000_000_000n },
    ];
    for (const r of requests) {
      const hash = await wallet.sendTransaction({
        to: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
        data: `${r.pubkey}${amountBE(r.amount)}`,
        value: 1n,
        chain: null,
      });
      const receipt = await client.waitForTransactionReceipt({ hash, timeout: 10_000 });
      assert.equal(receipt.status, 'success');
      assert.equal(receipt.logs.length, 1);
      assert.deepEqual(receipt.logs[0]!.topics, []);
      assert.equal(receipt.logs[0]!.data, `${account.address.toLowerCase()}${r.pubkey.slice(2)}${amountBE(r.amount)}`);
    }
    // underpaying reverts
    const fee = await withdrawalRequestFee(anvil.rpcUrl);
    await assert.rejects(client.call({ account, to: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, data: `${pubkey(1)}${amountBE(0n)}`, value: fee - 1n }));

    const dequeued = await dequeueWithdrawalRequests(anvil.rpcUrl);
    assert.deepEqual(
      dequeued,
      requests.map((r) => ({ sourceAddress: account.address.toLowerCase(), validatorPubkey: r.pubkey, amountGwei: r.amount })),
    );
    // 3 requests in one "block": excess = 3 - 2 = 1, fee still 1 wei (fake_exponential(1, 1, 17) = 1)
    assert.equal(await client.getStorageAt({ address: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, slot: '0x0' }), `0x${'0'.repeat(63)}1`);
    assert.equal(await withdrawalRequestFee(anvil.rpcUrl), 1n);
    assert.deepEqual(await dequeueWithdrawalRequests(anvil.rpcUrl), []);
  });

  it('parseWithdrawalRequests rejects output that is not whole requests', () => {
    assert.throws(() => parseWithdrawalRequests(`0x${'00'.repeat(75)}`), /multiple of 76 bytes, got 75/);
    assert.deepEqual(parseWithdrawalRequests('0x'), []);
  });

  it('EIP-4788: a root written for a timestamp reads back; the system call path works too; unknown reverts', async () => {
    const root: Hex = `0x${'ab'.repeat(32)}`;
    await writeBeaconRoot(anvil.rpcUrl, 1_700_000_000n, root);
    const read = (ts: bigint) => client.call({ to: BEACON_ROOTS_ADDRESS, data: `0x${ts.toString(16).padStart(64, '0')}` });
    assert.equal((await read(1_700_000_000n)).data, root);
    await assert.rejects(read(1_700_000_001n));

    // the real write path: SYSTEM_ADDRESS calls with the root at a block of known timestamp
    const test = createTestClient({ mode: 'anvil', transport: http(anvil.rpcUrl) });
    const latest = await client.getBlock();
    const ts = latest.timestamp + 100n;
    await test.setNextBlockTimestamp({ timestamp: ts });
    await test.setBalance({ address: SYSTEM_ADDRESS, value: 10n ** 18n });
    await test.impersonateAccount({ address: SYSTEM_ADDRESS });
    const sys = createWalletClient({ account: SYSTEM_ADDRESS, transport: http(anvil.rpcUrl) });
    const root2: Hex = `0x${'cd'.repeat(32)}`;
    const hash = await sys.sendTransaction({ to: BEACON_ROOTS_ADDRESS, data: root2, chain: null });
    await test.stopImpersonatingAccount({ address: SYSTEM_ADDRESS });
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: 10_000 });
    assert.equal(receipt.status, 'success');
    assert.equal((await read(ts)).data, root2);
  });
});
