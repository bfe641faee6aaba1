import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAnvil } from './anvil.ts';

test('startAnvil serves JSON-RPC on a private port and stops cleanly', async () => {
  const anvil = await startAnvil({ chainId: 1337 });
  try {
    const res = await fetch(anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    });
    const body = (await res.json()) as { result: string };
    assert.equal(Number(body.result), 1337);
  } finally {
    await anvil.stop();
  }
  assert.notEqual(anvil.process.exitCode ?? anvil.process.signalCode, null);
});
