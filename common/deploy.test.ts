import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicClient, createWalletClient, http, parseEther, zeroAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { anvilPrivateKey, startAnvil } from './anvil.ts';
import { deployShoal } from './deploy.ts';
import { loadManifest, manifestPath } from './deployments.ts';
import { stakingPoolAbi, stakingRouterAbi } from './abi/index.ts';

test('deployShoal deploys every contract behind proxies, writes a valid manifest, and the pool takes 0.5 ETH', async () => {
  const anvil = await startAnvil();
  const network = `test-deploy-${process.pid}`;
  try {
    const manifest = await deployShoal({ rpcUrl: anvil.rpcUrl, deployerKey: anvilPrivateKey(0), network });
    const client = createPublicClient({ transport: http(anvil.rpcUrl), pollingInterval: 50 });
    for (const [name, address] of Object.entries(manifest.contracts)) {
      const code = await client.getCode({ address });
      assert.ok(code && code.length > 2, `${name} has no code at ${address}`);
    }
    assert.equal(manifest.chainId, 31337);
    // withdrawal credentials are 0x01 ‖ 11 zero bytes ‖ the WithdrawalVault
    const credentials = await client.readContract({
      address: manifest.contracts.StakingRouter, abi: stakingRouterAbi, functionName: 'getWithdrawalCredentials',
    });
    assert.equal(credentials.toLowerCase(), `0x01${'0'.repeat(22)}${manifest.contracts.WithdrawalVault.slice(2).toLowerCase()}`);
    assert.equal(credentials, manifest.parameters.withdrawalCredentials);

    const depositor = privateKeyToAccount(anvilPrivateKey(9));
    const wallet = createWalletClient({ account: depositor, transport: http(anvil.rpcUrl) });
    const hash = await wallet.writeContract({
      address: manifest.contracts.StakingPool, abi: stakingPoolAbi, functionName: 'deposit',
      args: [depositor.address, zeroAddress], value: parseEther('0.5'), chain: null,
    });
    const receipt = await client.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    const shares = await client.readContract({
      address: manifest.contracts.StakingPool, abi: stakingPoolAbi, functionName: 'balanceOf', args: [depositor.address],
    });
    assert.equal(shares, parseEther('0.5'));
    assert.ok(receipt.gasUsed <= 62_000n, `first stake used ${receipt.gasUsed} gas (ceiling 62,000)`);
  } finally {
    rmSync(manifestPath(network), { force: true });
    await anvil.stop();
  }
});

test('loadManifest names the missing file, bad JSON and the bad field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-manifest-'));
  try {
    assert.throws(() => loadManifest('nowhere', dir), /no deployment manifest at .*nowhere\.json: deploy first/);
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    assert.throws(() => loadManifest('broken', dir), /broken\.json is not valid JSON/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ network: 'bad', chainId: 1, startBlock: 0, contracts: { StakingPool: '0x12' }, parameters: {} }));
    assert.throws(() => loadManifest('bad', dir), /contracts\.StakingPool: must be a 0x-prefixed 20-byte hex address/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
