/**
 * Property tests over many seeded runs of the simulated network (HMAC-keyed signatures for speed).
 *
 *  safety    no two members ever decide different values, whatever the delays, reordering, duplication, loss
 *            and partitions;
 *  validity  the decided value is one a member proposed, with a commit certificate that verifies;
 *  liveness  with at least a quorum of members up, every up member decides once messages eventually arrive:
 *            delayed, reordered and duplicated throughout, and in the lossy property also lost and partitioned
 *            until a random "global stabilisation time" (GST, the partial-synchrony model QBFT assumes).
 *  The last property keeps losing messages forever: liveness is not promised there, safety still is.
 *
 * A failing seed replays exactly: the network, the start times and the crash set all derive from it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { verifyDecision } from './decision.ts';
import { mulberry32 } from './memory-transport.ts';
import { faultTolerance } from './quorum.ts';
import { SIM_CLUSTER, SimCluster } from './testing/sim.ts';
import type { Decision } from './types.ts';

const SEEDS = 200;
const LOSSY_SEEDS = 60;

type Network = 'reliable' | 'lossy-until-gst' | 'lossy-forever';

interface Scenario {
  n: number;
  seed: number;
  network: Network;
}

async function runScenario({ n, seed, network }: Scenario): Promise<{ rounds: number; decided: number }> {
  const lossy = network !== 'reliable';
  const rand = mulberry32(seed * 1_000_003 + n * 17 + ['reliable', 'lossy-until-gst', 'lossy-forever'].indexOf(network));
  const f = faultTolerance(n);
  const ids = Array.from({ length: n }, (_, i) => i);
  const crashCount = Math.floor(rand() * (f + 1));
  const absent = ids
    .map((i) => [rand(), i] as const)
    .sort((a, b) => a[0] - b[0])
    .slice(0, crashCount)
    .map(([, i]) => i);
  const maxDelayMs = [0, 5, 60, 400, 1500][Math.floor(rand() * 5)]!;
  const sim = new SimCluster({
    n,
    seed: seed + 1,
    absent,
    faults: {
      minDelayMs: 0,
      maxDelayMs,
      duplicateRate: rand() * 0.3,
      dropRate: lossy ? 0.02 + rand() * 0.18 : 0,
    },
  });
  const gst = network === 'lossy-until-gst' ? 1_000 + rand() * 20_000 : Number.POSITIVE_INFINITY;
  if (lossy && rand() < 0.4) {
    const side = ids.filter(() => rand() < 0.5);
    sim.network.partition(side);
    sim.clock.setTimeout(() => sim.network.heal(), Math.min(gst, rand() * 8_000));
  }
  if (network === 'lossy-until-gst') {
    sim.clock.setTimeout(() => sim.network.setFaults({ maxDelayMs, duplicateRate: 0.1 }), gst);
  }
  const label = `n=${n} seed=${seed} ${network} absent=[${absent}] maxDelay=${maxDelayMs}`;
  const valueFor = (i: number) => new TextEncoder().encode(`proposal-${i}-${seed}`);
  const { decisions } = await sim.runDuty(
    { slot: seed, type: 'attester' },
    { valueFor, startDelayOf: () => rand() * 400, maxMs: network === 'lossy-forever' ? 3 * 60_000 : 60 * 60_000 },
  );
  const up = ids.filter((i) => !absent.includes(i));
  let first: Decision | undefined;
  let rounds = 0;
  let decided = 0;
  for (const i of up) {
    const d = decisions[i];
    if (network !== 'lossy-forever') assert.ok(d, `${label}: member ${i} did not decide (liveness)`);
    if (d === undefined) continue;
    decided++;
    first ??= d;
    assert.equal(d.valueHash, first.valueHash, `${label}: members disagree (safety)`);
    assert.ok(
      up.some((j) => new TextDecoder().decode(valueFor(j)) === new TextDecoder().decode(d.value)),
      `${label}: decided a value nobody up proposed (validity)`,
    );
    assert.ok(verifyDecision(d, { cluster: SIM_CLUSTER, n, verifier: sim.keys.verifier }), `${label}: bad certificate`);
    rounds = Math.max(rounds, d.round);
  }
  sim.close();
  return { rounds, decided };
}

describe('QBFT properties over seeded random networks', () => {
  for (const n of [4, 7]) {
    test(`n=${n}: ${SEEDS} seeds of delay, reordering, duplication, late starts and up to f crashes`, async () => {
      const rounds = new Map<number, number>();
      for (let seed = 1; seed <= SEEDS; seed++) {
        const r = await runScenario({ n, seed, network: 'reliable' });
        rounds.set(r.rounds, (rounds.get(r.rounds) ?? 0) + 1);
      }
      // The runs must have exercised round changes, not only the happy path.
      assert.ok([...rounds.keys()].some((r) => r > 1), `every run decided in round 1: ${[...rounds]}`);
    });

    test(`n=${n}: ${LOSSY_SEEDS} seeds with message loss and partitions until GST`, async () => {
      for (let seed = 1; seed <= LOSSY_SEEDS; seed++) await runScenario({ n, seed, network: 'lossy-until-gst' });
    });

    test(`n=${n}: ${LOSSY_SEEDS} seeds losing messages forever: never two different decisions`, async () => {
      let decided = 0;
      for (let seed = 1; seed <= LOSSY_SEEDS; seed++) {
        decided += (await runScenario({ n, seed, network: 'lossy-forever' })).decided;
      }
      assert.ok(decided > LOSSY_SEEDS, 'many members decided, so agreement was actually checked');
    });
  }
});
