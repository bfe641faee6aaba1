/**
 * Every event of every deployed contract has a handler: read from the forge artifacts (not from the
 * subgraph's own files), checked against the built subgraph.yaml and the exports of its WASM.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readArtifact } from '../../common/forge.ts';
import { manifestSchema } from '../../common/deployments.ts';
import { BUILD_MANIFEST, buildSubgraph, readManifestFile } from '../scripts/build.ts';
import { SUBGRAPH_DIR, abiEvents, eventSignature, resolveHandlers } from '../scripts/generate.ts';
import { DATA_SOURCES } from '../sources.ts';
import { parseSubgraphYaml } from './harness/subgraph.ts';

const BUILD_DIR = join(SUBGRAPH_DIR, 'build');

before(() => {
  if (!existsSync(join(BUILD_DIR, 'subgraph.yaml'))) buildSubgraph(readManifestFile(BUILD_MANIFEST));
});

test('every contract of the deployment manifest is a data source', () => {
  const deployed = Object.keys(manifestSchema.shape.contracts.shape);
  assert.deepEqual(DATA_SOURCES.map((d) => d.name).sort(), [...deployed].sort());
});

test('every event in the artifacts has an event handler in the built subgraph.yaml, exported by its WASM', () => {
  const built = parseSubgraphYaml(readFileSync(join(BUILD_DIR, 'subgraph.yaml'), 'utf8'));
  let checked = 0;
  for (const source of DATA_SOURCES) {
    const ds = built.find((d) => d.name === source.name);
    assert.ok(ds, `no data source ${source.name} in the built subgraph.yaml`);
    const exported = new Set(
      WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(BUILD_DIR, ds.wasmFile)))).map((e) => e.name),
    );
    const handled = new Map(ds.handlers.map((h) => [h.event, h.handler]));
    for (const ev of abiEvents(readArtifact(source.artifact.file, source.artifact.contract).abi)) {
      const sig = eventSignature(ev);
      const handler = handled.get(sig);
      assert.ok(handler, `${source.name} emits ${sig} but the subgraph has no handler for it`);
      assert.ok(exported.has(handler), `${source.name}: handler ${handler} for ${sig} is not exported by ${ds.wasmFile}`);
      checked++;
    }
  }
  assert.ok(checked > 120, `only ${checked} events checked`);
});

test('governance-only events are the configuration, role and upgrade events, never state the schema models', () => {
  const modelled = ['Staked', 'Transfer', 'TokenRebased', 'WithdrawalRequested', 'BondDeposited', 'ExitRequested', 'ClusterPenalised'];
  for (const s of DATA_SOURCES) {
    for (const g of s.governance) assert.ok(!modelled.includes(g), `${s.name}.${g} must have a dedicated handler`);
  }
});

test('a new contract event without a handler fails generation, naming contract and event', () => {
  const pool = DATA_SOURCES.find((d) => d.name === 'StakingPool')!;
  const abi = [
    ...readArtifact(pool.artifact.file, pool.artifact.contract).abi,
    { type: 'event', name: 'SharesBurnt', anonymous: false, inputs: [{ name: 'account', type: 'address', indexed: true }, { name: 'shares', type: 'uint256', indexed: false }] },
  ];
  assert.throws(() => resolveHandlers(pool, abi), /StakingPool emits events without a handler .*SharesBurnt\(indexed address,uint256\)/);
  assert.throws(
    () => resolveHandlers({ ...pool, handlers: { ...pool.handlers, Gone: 'handleGone' } }, readArtifact(pool.artifact.file, pool.artifact.contract).abi),
    /names events its ABI does not have: Gone/,
  );
});
