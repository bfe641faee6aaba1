/**
 * DKG ceremony time for a 4-node cluster over real libp2p on loopback (127.0.0.1), all four nodes in this one
 * process (so the figure is the whole cluster's work on this machine's cores, not one node's), for V = 8 and
 * V = 100 validators by default. Keystores use a cheap KDF here so the ceremony itself is measured; the EIP-2335
 * default KDF (pbkdf2 2^18) adds the per-keystore figure printed at the end, per validator and node.
 * Usage: npx tsx dv-node/bench/dkg.ts [V ...]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDkg } from '../src/dkg/ceremony.ts';
import { testDefinition } from '../src/dkg/testing.ts';
import { DKG_PHASES, type DkgOutput } from '../src/dkg/types.ts';
import { createShareKeystore } from '../src/keystore/keystore.ts';
import { randomScalar } from '../src/crypto/field.ts';
import { startLoopbackCluster } from '../src/p2p/testing.ts';
import type { Libp2pClusterNetwork } from '../src/p2p/libp2p.ts';

const N = 4;
const sizes = process.argv.slice(2).map(Number);
const line = (label: string, value: string): void => console.log(`${label.padEnd(58)} ${value}`);

for (const V of sizes.length ? sizes : [8, 100]) {
  const { identities, definition } = testDefinition(N, V);
  const nets = (await startLoopbackCluster(identities, definition.definitionHash)) as Libp2pClusterNetwork[];
  await Promise.all(nets.map((n) => n.waitForPeers(10_000)));
  const dirs = identities.map(() => mkdtempSync(join(tmpdir(), 'dkg-bench-')));
  const start = performance.now();
  const outs: DkgOutput[] = await Promise.all(
    identities.map((identity, k) => runDkg({ definition, identity, network: nets[k]!, outputDir: dirs[k]!, keystoreKdf: { function: 'pbkdf2', iterations: 2 } })),
  );
  const total = performance.now() - start;
  if (!outs.every((o) => o.lock.lockHash === outs[0]!.lock.lockHash)) throw new Error('nodes disagree on the lock');
  line(`DKG ${N} nodes x ${V} validators, libp2p loopback, wall time`, `${(total / 1000).toFixed(2)} s`);
  line(`  per phase (node 0, ms)`, DKG_PHASES.map((p) => `${p} ${outs[0]!.timings[p]}`).join(', '));
  const bytes = nets.reduce((a, n) => a + n.stats().received, 0);
  line(`  messages received (all nodes)`, `${bytes}`);
  await Promise.all(nets.map((n) => n.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

const ks = performance.now();
await createShareKeystore({ secret: randomScalar(), password: 'bench' });
line('EIP-2335 keystore, default pbkdf2 2^18 (per validator per node)', `${(performance.now() - ks).toFixed(0)} ms`);
