/** Operations: run configuration (file < env < flags, errors naming field, flag and env var) and the HTTP server. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, envName, flagName, loadRunConfig } from './config.ts';
import { NodeMetrics } from './metrics.ts';
import { startOpsServer } from './server.ts';
import { jsonLogger } from './log.ts';

const BASE = { lock: 'l.json', operatorKey: 'k', keysDir: 'keys', dataDir: 'data', beaconUrl: 'http://127.0.0.1:5052' };

test('config: flags over env over file, defaults filled in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  try {
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ ...BASE, opsPort: 1111, logLevel: 'debug' }));
    const cfg = loadRunConfig({ config: file, opsPort: '3333' }, { DVNODE_OPS_PORT: '2222', DVNODE_LOG_LEVEL: 'warn', DVNODE_PEERS: '1=/ip4/1.2.3.4/tcp/9000' });
    assert.equal(cfg.opsPort, 3333);
    assert.equal(cfg.logLevel, 'warn');
    assert.deepEqual(cfg.peers, ['1=/ip4/1.2.3.4/tcp/9000']);
    assert.equal(cfg.p2pListen, '/ip4/0.0.0.0/tcp/9000');
    assert.equal(cfg.fault, 'none');
    assert.equal(envName('beaconUrl'), 'DVNODE_BEACON_URL');
    assert.equal(flagName('beaconUrl'), '--beacon-url');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('config: a bad or missing field is named with its flag and env var', () => {
  assert.throws(() => loadRunConfig({ ...BASE, beaconUrl: 'not a url', opsPort: '99999' }, {}), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /beaconUrl: must be the http\(s\) URL of a beacon node.*--beacon-url, env DVNODE_BEACON_URL/);
    assert.match(e.message, /opsPort: .*--ops-port/);
    return true;
  });
  assert.throws(() => loadRunConfig({ ...BASE, lock: undefined }, {}), /lock: path to cluster-lock.json is required \(flag --lock/);
  assert.throws(() => loadRunConfig({ ...BASE, p2pListen: 'localhost:9000' }, {}), /p2pListen: must be a TCP multiaddr/);
  assert.throws(() => loadRunConfig({ config: '/nonexistent/x.json' }, {}), /config file \/nonexistent\/x.json/);
  assert.throws(() => loadRunConfig({ ...BASE, elRpcUrl: 'http://127.0.0.1:8545' }, {}), /elRpcUrl, exitContract and exitEvent go together/);
  assert.throws(() => loadRunConfig({ ...BASE, exitEvent: 'ExitRequested(bytes pubkey)' }, {}), /exitEvent: must be a human-readable event/);
});

test('ops server: /health, /readiness (503 naming the failing check), /metrics, /cluster, 404', async () => {
  const metrics = new NodeMetrics();
  metrics.invalidPartials.inc({ peer: '2:0xabc' });
  let ready = false;
  const srv = await startOpsServer(
    {
      metrics,
      readiness: async () => ({ ready, checks: { peers: { ok: ready, detail: ready ? '3 of 3' : '1 of 3 peers connected' } } }),
      status: async () => ({ cluster: { name: 'x' } }),
    },
    0,
  );
  try {
    assert.deepEqual(await (await fetch(`${srv.url}/health`)).json(), { status: 'ok' });
    const r1 = await fetch(`${srv.url}/readiness`);
    assert.equal(r1.status, 503);
    assert.match(JSON.stringify(await r1.json()), /1 of 3 peers connected/);
    ready = true;
    assert.equal((await fetch(`${srv.url}/readiness`)).status, 200);
    const m = await (await fetch(`${srv.url}/metrics`)).text();
    assert.match(m, /dvnode_invalid_partials_total\{peer="2:0xabc"\} 1/);
    assert.deepEqual(await (await fetch(`${srv.url}/cluster`)).json(), { cluster: { name: 'x' } });
    const nf = await fetch(`${srv.url}/nope`);
    assert.equal(nf.status, 404);
    assert.match(JSON.stringify(await nf.json()), /try \/health/);
  } finally {
    await srv.close();
  }
});

test('logs: one JSON object per line, level filter, child fields', () => {
  const lines: string[] = [];
  const log = jsonLogger({ level: 'info', write: (l) => void lines.push(l) }).child({ node: 2 });
  log.debug('hidden');
  log.warn('duty failed', { reason: 'consensus_timeout', root: new Uint8Array([1, 2]), n: 5n });
  assert.equal(lines.length, 1);
  const o = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(o.level, 'warn');
  assert.equal(o.msg, 'duty failed');
  assert.equal(o.node, 2);
  assert.equal(o.root, '0x0102');
  assert.equal(o.n, '5');
});
