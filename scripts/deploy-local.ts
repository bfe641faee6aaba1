/**
 * `npm run deploy:local` — the main job until the devnet exists: starts anvil, deploys Shoal behind proxies,
 * stakes from a few accounts, prints the addresses, the share rate and each stake's gas, then keeps anvil running
 * (Ctrl-C stops it). `--exit` stops right after printing (used by tests and CI).
 */
import { createPublicClient, createWalletClient, formatEther, http, parseEther, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { anvilPrivateKey, startAnvil } from '../common/anvil.ts';
import { deployShoal } from '../common/deploy.ts';
import { stakingPoolAbi } from '../common/abi/index.ts';

const exitAfter = process.argv.includes('--exit');
const network = process.env.NETWORK ?? 'local';
const port = process.env.ANVIL_PORT;

const step = (msg: string) => console.log(`• ${msg}`);

step(`starting anvil${port ? ` on port ${port}` : ''}`);
const anvil = await startAnvil({ chainId: 31337, args: port ? ['--port', port] : [] });
const stop = async (code: number) => {
  await anvil.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  step(`anvil at ${anvil.rpcUrl}; deploying (system contracts, then proxies)…`);
  const manifest = await deployShoal({ rpcUrl: anvil.rpcUrl, deployerKey: anvilPrivateKey(0), network });
  const publicClient = createPublicClient({ transport: http(anvil.rpcUrl), pollingInterval: 50 });
  const pool = manifest.contracts.StakingPool;

  const stakes: [number, string][] = [[6, '0.5'], [7, '3'], [8, '40']];
  for (const [index, amount] of stakes) {
    const account = privateKeyToAccount(anvilPrivateKey(index));
    const wallet = createWalletClient({ account, transport: http(anvil.rpcUrl) });
    const hash: Hex = await wallet.writeContract({
      address: pool,
      abi: stakingPoolAbi,
      functionName: 'deposit',
      args: [account.address, '0x0000000000000000000000000000000000000000'],
      value: parseEther(amount),
      chain: null,
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    const shares = await publicClient.readContract({ address: pool, abi: stakingPoolAbi, functionName: 'balanceOf', args: [account.address] });
    step(`${account.address} staked ${amount} ETH → ${formatEther(shares)} dvETH (gas ${receipt.gasUsed})`);
  }

  const [rate, pooled, supply] = await Promise.all([
    publicClient.readContract({ address: pool, abi: stakingPoolAbi, functionName: 'shareRate' }),
    publicClient.readContract({ address: pool, abi: stakingPoolAbi, functionName: 'totalPooledEther' }),
    publicClient.readContract({ address: pool, abi: stakingPoolAbi, functionName: 'totalSupply' }),
  ]);
  console.log('\nShoal is deployed:');
  for (const [name, address] of Object.entries(manifest.contracts)) console.log(`  ${name.padEnd(22)} ${address}`);
  console.log(`  manifest               deployments/${network}.json`);
  console.log(`\n  total pooled ether     ${formatEther(pooled)} ETH`);
  console.log(`  dvETH supply           ${formatEther(supply)}`);
  console.log(`  share rate             ${Number(rate) / 1e27} ETH per dvETH`);
  if (exitAfter) await stop(0);
  console.log(`\nanvil keeps running at ${anvil.rpcUrl} — Ctrl-C to stop.`);
} catch (err) {
  console.error(`deploy:local failed: ${(err as Error).message}`);
  await stop(1);
}
