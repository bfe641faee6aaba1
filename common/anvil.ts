/**
 * Starts a private anvil (the execution layer for tests and the devnet) on a free loopback port.
 * Resolves once anvil prints `Listening on 127.0.0.1:PORT`; `stop()` sends SIGTERM and waits for exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { foundryBinary } from './forge.ts';
import { mnemonicToAccount } from 'viem/accounts';

export interface Anvil {
  rpcUrl: string;
  port: number;
  chainId: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartAnvilParameters {
  chainId?: number;
  /** Seconds between blocks; omitted = automine (a block per transaction). */
  blockTime?: number;
  /** Extra CLI arguments (e.g. ['--state', file]). */
  args?: string[];
}

/** Path of the anvil binary from the @foundry-rs platform package (never a launcher that hides exit codes). */
export function anvilBinary(): string {
  return foundryBinary('anvil');
}

export async function startAnvil(params: StartAnvilParameters = {}): Promise<Anvil> {
  const chainId = params.chainId ?? 31337;
  const args = ['--host', '127.0.0.1', '--port', '0', '--chain-id', String(chainId), '--hardfork', 'prague'];
  if (params.blockTime !== undefined) args.push('--block-time', String(params.blockTime));
  args.push(...(params.args ?? []));
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString();
      const m = buf.match(/Listening on 127\.0\.0\.1:(\d+)/);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining so anvil never blocks on a full pipe
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (buf += c.toString()));
    child.once('exit', (code) => reject(new Error(`anvil exited (code ${code}) before listening:\n${buf}`)));
    child.once('error', (err) => reject(new Error(`could not start anvil (${anvilBinary()}): ${err.message}. Run \`npm install\`.`)));
  });
  const rpcUrl = `http://127.0.0.1:${port}`;
  return {
    rpcUrl,
    port,
    chainId,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** anvil's default mnemonic: its well-known, pre-funded development accounts (never use on a real network). */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

/** The private key of anvil's development account `index` (0..9 are funded with 10,000 ETH). */
export function anvilPrivateKey(index: number): `0x${string}` {
  const key = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index }).getHdKey().privateKey;
  if (!key) throw new Error(`could not derive anvil account ${index}`);
  return `0x${Buffer.from(key).toString('hex')}`;
}
