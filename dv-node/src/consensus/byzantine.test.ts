/**
 * Byzantine members: equivocation, invalid values, unjustified proposals, locking, and a colluding coalition of f
 * members for n = 4, 7, 10. Safety (no two honest members decide differently), validity (only validated values
 * are decided) and liveness (every honest member decides) are checked on every run.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { verifyDecision } from './decision.ts';
import { mulberry32 } from './memory-transport.ts';
import { decodeEnvelope } from './message.ts';
import { faultTolerance, leaderOf } from './quorum.ts';
import { Adversary, evilValue, startsValid, validValue } from './testing/adversary.ts';
import { ChaosCoalition } from './testing/chaos.ts';
import { SIM_CLUSTER, SimCluster } from './testing/sim.ts';
import type { Decision, Duty } from './types.ts';
import { hashValue } from './value.ts';

const text = (v: Uint8Array) => new TextDecoder().decode(v);
const honestValue = (i: number) => validValue(`honest-${i}`);

function agreed(sim: SimCluster, decisions: (Decision | undefined)[], honest: number[]): Decision {
  const first = decisions[honest[0]!];
  assert.ok(first, `member ${honest[0]} did not decide`);
  for (const i of honest) {
    const d = decisions[i];
    assert.ok(d, `member ${i} did not decide`);
    assert.equal(d.valueHash, first.valueHash, `members ${honest[0]} and ${i} decided differently`);
    assert.ok(startsValid(d.value), `member ${i} decided an invalid value ${text(d.value)}`);
    assert.ok(verifyDecision(d, { cluster: SIM_CLUSTER, n: sim.n, verifier: sim.keys.verifier }));
  }
  return first;
}

describe('Byzantine leader', () => {
  test('an equivocating leader (different values to different members) never splits the honest members', async () => {
    let runs = 0;
    for (let seed = 1; seed <= 12; seed++) {
      for (const sideA of [[0], [1], [0, 1], [1, 2]]) {
        const duty: Duty = { slot: 1000 + seed, type: 'attester' };
        const byz = leaderOf(duty, 1, 4);
        const sim = new SimCluster({ n: 4, seed, byzantine: [byz], faults: { maxDelayMs: 60 } });
        const adv = new Adversary(sim, [byz], duty);
        const a = adv.honest.filter((_, k) => sideA.includes(k));
        const b = adv.honest.filter((_, k) => !sideA.includes(k));
        const [va, vb] = [validValue('A'), validValue('B')];
        adv.send(byz, a, adv.proposal(byz, 1, va));
        adv.send(byz, b, adv.proposal(byz, 1, vb));
        for (const type of ['PREPARE', 'COMMIT'] as const) {
          adv.send(byz, a, adv.vote(byz, type, 1, va));
          adv.send(byz, b, adv.vote(byz, type, 1, vb));
        }
        const { decisions } = await sim.runDuty(duty, { valueFor: honestValue, validate: startsValid });
        const d = agreed(sim, decisions, adv.honest);
        // With a 2-1 split the majority side can decide in round 1; with any split the value must be A, B or honest.
        assert.ok(['valid:A', 'valid:B'].includes(text(d.value)) || text(d.value).startsWith('valid:honest-'));
        sim.close();
        runs++;
      }
    }
    assert.equal(runs, 48);
  });

  test('a leader proposing a value validate() refuses gets nothing decided; the next leader decides', async () => {
    const duty: Duty = { slot: 2000, type: 'attester' };
    const byz = leaderOf(duty, 1, 4);
    const sim = new SimCluster({ n: 4, byzantine: [byz] });
    const adv = new Adversary(sim, [byz], duty);
    const evil = evilValue('garbage');
    adv.send(byz, adv.honest, adv.proposal(byz, 1, evil));
    adv.send(byz, adv.honest, adv.vote(byz, 'PREPARE', 1, evil));
    adv.send(byz, adv.honest, adv.vote(byz, 'COMMIT', 1, evil));
    const { decisions } = await sim.runDuty(duty, { valueFor: honestValue, validate: startsValid });
    const d = agreed(sim, decisions, adv.honest);
    assert.equal(d.round, 2);
    assert.equal(text(d.value), text(honestValue(leaderOf(duty, 2, 4))));
    for (const i of adv.honest) assert.equal(sim.metrics[i]!.droppedCount('invalid-value'), 1);
  });

  test('equivocation is detected: two signed PREPAREs for one round yield evidence against the sender', async () => {
    const duty: Duty = { slot: 2100, type: 'attester' };
    const byz = (leaderOf(duty, 1, 4) + 1) % 4;
    const sim = new SimCluster({ n: 4, byzantine: [byz] });
    const adv = new Adversary(sim, [byz], duty);
    adv.send(byz, adv.honest, adv.vote(byz, 'PREPARE', 1, validValue('X')));
    adv.send(byz, adv.honest, adv.vote(byz, 'PREPARE', 1, validValue('Y')));
    const { decisions } = await sim.runDuty(duty, { valueFor: honestValue, validate: startsValid });
    agreed(sim, decisions, adv.honest);
    for (const i of adv.honest) {
      const m = sim.metrics[i]!;
      assert.equal(m.droppedCount('equivocation'), 1);
      const [ev] = m.equivocations;
      assert.ok(ev);
      assert.equal(ev.sender, byz);
      assert.equal(ev.type, 'PREPARE');
      assert.notEqual(ev.first.valueHash, ev.second.valueHash);
      const { verifyMessage } = await import('./message.ts');
      assert.ok(verifyMessage(ev.first, sim.keys.verifier) && verifyMessage(ev.second, sim.keys.verifier));
    }
  });

  test('locking: a value decided by one member in round 1 is the only value a later leader can get decided', async () => {
    const duty: Duty = { slot: 3000, type: 'attester' };
    const l1 = leaderOf(duty, 1, 4);
    const byz = leaderOf(duty, 2, 4);
    const sim = new SimCluster({ n: 4, byzantine: [byz] });
    const adv = new Adversary(sim, [byz], duty);
    const lucky = adv.honest.find((i) => i !== l1)!;
    // Only `lucky` hears COMMITs in round 1, so only it decides there; the others are prepared on l1's value. Its
    // DECIDED answers are held back until round 2 (750..1750 ms) is over, so round 2 must be fought out.
    const round2End = 750 + 1000;
    sim.network.setFilter((_from, to, bytes) => {
      const { msg } = decodeEnvelope(bytes);
      if (msg.type === 'DECIDED') return sim.clock.now() >= round2End;
      return !(msg.type === 'COMMIT' && msg.round === 1 && to !== lucky);
    });
    const lockedHash = hashValue(honestValue(l1));
    // Round 2's Byzantine leader tries to replace the locked value, with the honest round changes as justification.
    const rc2 = new Map<number, ReturnType<typeof decodeEnvelope>>();
    adv.listen((_self, env) => {
      if (env.msg.type !== 'ROUND_CHANGE' || env.msg.round !== 2) return;
      rc2.set(env.msg.sender, env);
      if (rc2.size !== 2) return;
      const own = adv.msg(byz, 'ROUND_CHANGE', 2);
      const rcs = [...rc2.values()];
      const prepares = rcs.find((e) => e.msg.preparedRound === 1)?.justification ?? [];
      assert.ok(rcs.every((e) => e.msg.preparedValueHash === lockedHash), 'honest round changes carry the lock');
      const j = [...rcs.map((e) => e.msg), own];
      adv.send(byz, adv.honest, adv.proposal(byz, 2, validValue('replacement'), [...j, ...prepares]));
      adv.send(byz, adv.honest, adv.proposal(byz, 2, validValue('replacement-2'), [own, own, own]));
    });
    const { decisions } = await sim.runDuty(duty, { valueFor: honestValue, validate: startsValid });
    const d = agreed(sim, decisions, adv.honest);
    assert.equal(d.valueHash, lockedHash);
    assert.equal(decisions[lucky]!.round, 1);
    for (const i of adv.honest.filter((h) => h !== lucky)) {
      assert.ok(sim.metrics[i]!.decisions[0]!.latencyMs >= round2End, 'stragglers decided only after round 2');
      assert.equal(sim.metrics[i]!.sent.get('PREPARE'), 1, 'no honest member prepared the replacement');
      // First proposal: unjustified; the second one is the same (sender, round) with other content: equivocation.
      assert.equal(sim.metrics[i]!.droppedCount('unjustified'), 1, `${[...sim.metrics[i]!.dropped]}`);
      assert.equal(sim.metrics[i]!.droppedCount('equivocation'), 1);
    }
  });
});

describe('a colluding coalition of f Byzantine members', () => {
  for (const [n, seeds] of [
    [4, 30],
    [7, 20],
    [10, 10],
  ] as const) {
    test(`n=${n}, f=${faultTolerance(n)}: ${seeds} seeded runs keep safety, validity and liveness`, async () => {
      const f = faultTolerance(n);
      const attacks = new Map<string, number>();
      for (let seed = 1; seed <= seeds; seed++) {
        const rand = mulberry32(seed * 7919 + n);
        const duty: Duty = { slot: 10_000 + seed, type: seed % 2 ? 'attester' : 'proposer' };
        // Put the coalition on the first leaders, where it hurts most.
        const members = [...new Set(Array.from({ length: n }, (_, r) => leaderOf(duty, r + 1, n)))].slice(0, f);
        const sim = new SimCluster({
          n,
          seed,
          byzantine: members,
          faults: { maxDelayMs: 1 + Math.floor(rand() * 200), duplicateRate: 0.05 },
        });
        const chaos = new ChaosCoalition(sim, members, duty, rand);
        chaos.start();
        const { decisions } = await sim.runDuty(duty, {
          valueFor: honestValue,
          validate: startsValid,
          maxMs: 20 * 60_000,
        });
        agreed(sim, decisions, chaos.adv.honest);
        for (const i of chaos.adv.honest) {
          for (const [reason, count] of sim.metrics[i]!.dropped) attacks.set(reason, (attacks.get(reason) ?? 0) + count);
        }
        sim.close();
      }
      // The coalition did attack (so the runs above tested something).
      for (const reason of ['unjustified', 'invalid-value']) {
        assert.ok((attacks.get(reason) ?? 0) > 0, `no ${reason} drops: ${[...attacks]}`);
      }
    });
  }
});
