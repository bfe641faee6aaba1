/**
 * QBFT decision latency and message cost over the in-memory transport with zero network delay.
 *
 *   npx tsx dv-node/bench/qbft.ts [instances=1000] [secpInstances4=200] [secpInstances10=40]
 *
 * All n members run in this one process on the real clock (zero-delay deliveries go through setImmediate), so a
 * latency figure is the CPU time of the whole cluster's work for one decision: with n machines each member does
 * about 1/n of it. Two signers: HMAC-SHA256 (the protocol's own overhead) and secp256k1 (the real operator keys:
 * ~0.6 ms per signature, ~1.5 ms per recovery here, dominating). Instances run one after another.
 */
import { systemClock, linearRoundTimer } from '../src/consensus/clock.ts';
import { QbftConsensus } from '../src/consensus/consensus.ts';
import { MemoryNetwork } from '../src/consensus/memory-transport.ts';
import { RecordingMetrics } from '../src/consensus/metrics.ts';
import { hmacKeys, secpKeys, SIM_CLUSTER, type KeySet } from '../src/consensus/testing/sim.ts';
import type { MsgType } from '../src/consensus/types.ts';

interface Result {
  label: string;
  n: number;
  instances: number;
  allDecided: number[];
  firstDecided: number[];
  deliveries: number;
  broadcasts: number;
  bytes: number;
  rounds: number;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function bench(label: string, n: number, instances: number, keys: KeySet): Promise<Result> {
  const network = new MemoryNetwork({ n, clock: systemClock, seed: 1 });
  const metrics = Array.from({ length: n }, () => new RecordingMetrics());
  const nodes = Array.from(
    { length: n },
    (_, i) =>
      new QbftConsensus({
        cluster: SIM_CLUSTER,
        n,
        self: i,
        signer: keys.signers[i]!,
        verifier: keys.verifier,
        transport: network.endpoint(i),
        clock: systemClock,
        roundTimer: linearRoundTimer(),
        metrics: metrics[i]!,
      }),
  );
  const value = new TextEncoder().encode(JSON.stringify({ slot: 0, index: 0, beacon_block_root: `0x${'ab'.repeat(32)}` }));
  const allDecided: number[] = [];
  const firstDecided: number[] = [];
  let rounds = 0;
  const warmup = Math.min(20, Math.ceil(instances / 10));
  let sentBefore = 0;
  let bytesBefore = 0;
  for (let k = -warmup; k < instances; k++) {
    if (k === 0) {
      sentBefore = network.stats.sent;
      bytesBefore = network.stats.bytes;
      for (const m of metrics) m.sent.clear();
    }
    const duty = { slot: 1_000_000 + k + warmup, type: 'attester' };
    const t0 = performance.now();
    let first = 0;
    const done = await Promise.all(
      nodes.map((node) =>
        node.run(duty, { getValue: async () => value, validate: () => true }).then((d) => {
          if (first === 0) first = performance.now() - t0;
          return d;
        }),
      ),
    );
    const all = performance.now() - t0;
    for (const node of nodes) node.cancel(duty);
    // Let deliveries still in flight (e.g. the last COMMITs) land, so they are counted to this instance.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    if (k < 0) continue;
    allDecided.push(all);
    firstDecided.push(first);
    rounds = Math.max(rounds, ...done.map((d) => d.round));
  }
  for (const node of nodes) node.close();
  const broadcasts = metrics.reduce((s, m) => s + [...m.sent.values()].reduce((a, b) => a + b, 0), 0);
  return {
    label,
    n,
    instances,
    allDecided: allDecided.sort((a, b) => a - b),
    firstDecided: firstDecided.sort((a, b) => a - b),
    deliveries: (network.stats.sent - sentBefore) / instances,
    broadcasts: broadcasts / instances,
    bytes: (network.stats.bytes - bytesBefore) / instances,
    rounds,
  };
}

function report(r: Result): void {
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  console.log(
    `${r.label.padEnd(10)} n=${String(r.n).padEnd(2)} ${String(r.instances).padStart(5)} instances | ` +
      `all decided p50 ${ms(pct(r.allDecided, 50))} p99 ${ms(pct(r.allDecided, 99))} | ` +
      `first decided p50 ${ms(pct(r.firstDecided, 50))} | ` +
      `${r.broadcasts.toFixed(1)} broadcasts, ${r.deliveries.toFixed(1)} messages, ${(r.bytes / 1024).toFixed(1)} KiB per decision | max round ${r.rounds}`,
  );
}

const [instances = 1000, secp4 = 200, secp10 = 40] = process.argv.slice(2).map(Number);
const expected = (n: number): Record<MsgType, number> => ({ PRE_PREPARE: 1, PREPARE: n, COMMIT: n, ROUND_CHANGE: 0, DECIDED: 0 });
console.log(`QBFT over the in-memory transport, zero delay, node ${process.version}`);
console.log(`happy path per decision: 2n+1 broadcasts = ${expected(4).PREPARE * 2 + 1} (n=4), ${expected(10).PREPARE * 2 + 1} (n=10)`);
for (const n of [4, 10]) report(await bench('hmac', n, instances, hmacKeys(n)));
report(await bench('secp256k1', 4, secp4, secpKeys(4)));
report(await bench('secp256k1', 10, secp10, secpKeys(10)));
