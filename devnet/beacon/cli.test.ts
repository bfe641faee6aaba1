/** The CLI as a real process on loopback with the wall clock: prints its URL, produces blocks, stops on SIGTERM. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createPublicClient, http } from 'viem';
import { startAnvil } from '../../common/anvil.ts';
import { DEPOSIT_CONTRACT_ADDRESS } from '../../common/predeploys.ts';

it('main.ts installs the predeploys on anvil, serves the Beacon API and moves with the wall clock', async () => {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const anvil = await startAnvil();
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--el-rpc', anvil.rpcUrl, '--install-predeploys', '--port', '0', '--slot-time', '0.5', '--genesis-validators', '16', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no URL printed within 40 s:\n${out}`)), 40_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = out.match(/beacon API listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    });
    const deadline = Date.now() + 15_000;
    let head = 0;
    while (head < 4 && Date.now() < deadline) {
      const r = (await (await fetch(`${url}/eth/v1/node/syncing`)).json()) as { data: { head_slot: string } };
      head = Number(r.data.head_slot);
      if (head < 4) await new Promise((r2) => setTimeout(r2, 250));
    }
    assert.ok(head >= 4, `head slot ${head} after waiting`);
    const spec = (await (await fetch(`${url}/eth/v1/config/spec`)).json()) as { data: Record<string, string> };
    assert.equal(spec.data.SECONDS_PER_SLOT, '0.5');
    const code = await createPublicClient({ transport: http(anvil.rpcUrl) }).getCode({ address: DEPOSIT_CONTRACT_ADDRESS });
    assert.ok(code && code.length > 2, 'deposit contract installed');
  } finally {
    const exited = child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    const code = await exited;
    await anvil.stop();
    assert.equal(code, 0);
  }
});

it('main.ts rejects a bad flag value naming it', async () => {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--slot-time', 'fast'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  assert.equal(code, 2);
  assert.match(err, /--slot-time/);
});
