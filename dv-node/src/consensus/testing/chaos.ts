/**
 * A colluding Byzantine coalition for property tests. Its members sign with their own keys, see everything honest
 * members send them, and try every attack that a signature cannot stop:
 *  - when leading: equivocate (a different valid value to each half of the honest members, garbage to some),
 *    with *valid* justifications built from the honest round changes they collected;
 *  - vote for the proposal to some members and for another value to others (PREPARE and COMMIT);
 *  - round changes claiming prepared values they cannot justify, and rounds far ahead;
 *  - DECIDED with a certificate of only their own commits.
 */
import { highestPrepared } from '../justify.ts';
import { toHex } from '../hex.ts';
import type { Duty, Envelope, SignedQbftMessage } from '../types.ts';
import { hashValue } from '../value.ts';
import { Adversary, evilValue, validValue } from './adversary.ts';
import type { SimCluster } from './sim.ts';

export class ChaosCoalition {
  readonly adv: Adversary;
  readonly #rand: () => number;
  readonly #rcs = new Map<number, Map<number, Envelope>>();
  readonly #led = new Set<number>();
  readonly #voted = new Set<string>();
  readonly #fakeRc = new Set<string>();
  readonly #a: Uint8Array;
  readonly #b: Uint8Array;
  readonly #evil: Uint8Array;

  constructor(sim: SimCluster, members: readonly number[], duty: Duty, rand: () => number) {
    this.adv = new Adversary(sim, members, duty);
    this.#rand = rand;
    this.#a = validValue(`byzantine-A-${duty.slot}`);
    this.#b = validValue(`byzantine-B-${duty.slot}`);
    this.#evil = evilValue(`${duty.slot}`);
    this.adv.listen((self, env) => this.#react(self, env));
  }

  /** Round 1: if a coalition member leads, it equivocates right away. */
  start(): void {
    const leader = this.adv.leader(1);
    if (this.adv.members.includes(leader)) this.#lead(leader, 1, []);
  }

  #split(): [number[], number[]] {
    const a: number[] = [];
    const b: number[] = [];
    for (const h of this.adv.honest) (this.#rand() < 0.5 ? a : b).push(h);
    return [a, b];
  }

  #react(self: number, env: Envelope): void {
    const { msg } = env;
    if (msg.type === 'PRE_PREPARE' && msg.valueHash !== null) this.#voteBoth(self, msg.round, env);
    if (msg.type === 'ROUND_CHANGE') {
      let byRound = this.#rcs.get(msg.round);
      if (byRound === undefined) this.#rcs.set(msg.round, (byRound = new Map()));
      byRound.set(msg.sender, env);
      const leader = this.adv.leader(msg.round);
      if (this.adv.members.includes(leader) && byRound.size >= this.adv.quorum - this.adv.members.length) {
        this.#lead(leader, msg.round, [...byRound.values()]);
      }
      this.#lie(self, msg.round);
    }
  }

  /** PREPARE and COMMIT the proposal to some, another value to the rest (each member once per round). */
  #voteBoth(self: number, round: number, proposal: Envelope): void {
    const key = `${self}/${round}`;
    if (this.#voted.has(key)) return;
    this.#voted.add(key);
    const real = proposal.value === null ? this.#a : Uint8Array.from(Buffer.from(proposal.value.slice(2), 'hex'));
    const other = this.#rand() < 0.5 ? this.#b : this.#evil;
    const [x, y] = this.#split();
    for (const type of ['PREPARE', 'COMMIT'] as const) {
      this.adv.send(self, x, this.adv.vote(self, type, round, real));
      this.adv.send(self, y, this.adv.vote(self, type, round, other));
    }
  }

  /** Lead `round` with justifications as valid as the coalition can make them, but equivocating. */
  #lead(leader: number, round: number, honestRcs: Envelope[]): void {
    if (this.#led.has(round)) return;
    this.#led.add(round);
    let justification: SignedQbftMessage[] = [];
    let forced: Uint8Array | undefined;
    if (round > 1) {
      const own = this.adv.members.map((m) => ({
        msg: this.adv.msg(m, 'ROUND_CHANGE', round),
        justification: [] as SignedQbftMessage[],
      }));
      const all = [...honestRcs, ...own];
      justification = all.map((e) => e.msg);
      const hp = highestPrepared(all);
      if (hp !== undefined && hp.msg.preparedValueHash !== null) {
        justification.push(...hp.justification);
        const carried = honestRcs.find((e) => e.msg.preparedValueHash === hp.msg.preparedValueHash)?.value;
        if (carried) forced = Uint8Array.from(Buffer.from(carried.slice(2), 'hex'));
      }
    }
    const [x, y] = this.#split();
    if (forced !== undefined) {
      // Locked: only the prepared value can be justified. Send it to some, an unjustifiable value to the rest.
      this.adv.send(leader, x, this.adv.proposal(leader, round, forced, justification));
      this.adv.send(leader, y, this.adv.proposal(leader, round, this.#a, justification));
      return;
    }
    this.adv.send(leader, x, this.adv.proposal(leader, round, this.#a, justification));
    this.adv.send(leader, y.slice(1), this.adv.proposal(leader, round, this.#b, justification));
    this.adv.send(leader, y.slice(0, 1), this.adv.proposal(leader, round, this.#evil, justification));
  }

  /** Unjustifiable round changes and certificates (once per member and round). */
  #lie(self: number, round: number): void {
    const key = `${self}/${round}`;
    if (this.#fakeRc.has(key)) return;
    this.#fakeRc.add(key);
    const everyone = this.adv.honest;
    const claimed = hashValue(this.#b);
    // Claims to have prepared B in the previous round, with no prepare quorum to show.
    this.adv.send(self, everyone, {
      msg: this.adv.msg(self, 'ROUND_CHANGE', round + 1, { preparedRound: round, preparedValueHash: claimed }),
      justification: [],
      value: toHex(this.#b),
    });
    // A round far ahead (alone, the coalition is below f+1 and cannot drag anyone there).
    this.adv.send(self, everyone, { msg: this.adv.msg(self, 'ROUND_CHANGE', round + 10), justification: [], value: null });
    // A DECIDED for B backed only by the coalition's commits.
    const commits = this.adv.members.map((m) => this.adv.msg(m, 'COMMIT', round, { valueHash: claimed }));
    this.adv.send(self, everyone, {
      msg: this.adv.msg(self, 'DECIDED', round, { valueHash: claimed }),
      justification: commits,
      value: toHex(this.#b),
    });
  }
}
