/**
 * Scripted Byzantine members for tests: they hold their own keys (so what they sign verifies), see what honest
 * members broadcast to them, and can tell different members different things.
 */
import { toHex } from '../hex.ts';
import { decodeEnvelope, encodeEnvelope, signMessage } from '../message.ts';
import { leaderOf, quorumSize } from '../quorum.ts';
import type { Duty, Envelope, MsgType, QbftMessage, SignedQbftMessage } from '../types.ts';
import { hashValue } from '../value.ts';
import { SIM_CLUSTER, type SimCluster } from './sim.ts';

export const VALID_PREFIX = 'valid:';
export const validValue = (tag: string): Uint8Array => new TextEncoder().encode(`${VALID_PREFIX}${tag}`);
export const evilValue = (tag: string): Uint8Array => new TextEncoder().encode(`evil:${tag}`);
/** The validate() honest members use in adversarial tests. */
export const startsValid = (v: Uint8Array): boolean => new TextDecoder().decode(v).startsWith(VALID_PREFIX);

export class Adversary {
  readonly honest: number[];
  readonly #endpoints;

  constructor(
    readonly sim: SimCluster,
    readonly members: readonly number[],
    readonly duty: Duty,
  ) {
    this.honest = Array.from({ length: sim.n }, (_, i) => i).filter((i) => !members.includes(i));
    this.#endpoints = new Map(members.map((i) => [i, sim.network.endpoint(i)] as const));
  }

  get quorum(): number {
    return quorumSize(this.sim.n);
  }

  leader(round: number): number {
    return leaderOf(this.duty, round, this.sim.n);
  }

  msg(
    sender: number,
    type: MsgType,
    round: number,
    fields: Partial<Pick<QbftMessage, 'valueHash' | 'preparedRound' | 'preparedValueHash' | 'duty'>> = {},
  ): SignedQbftMessage {
    const m: QbftMessage = {
      type,
      cluster: SIM_CLUSTER,
      duty: fields.duty ?? this.duty,
      sender,
      round,
      valueHash: fields.valueHash ?? null,
      preparedRound: fields.preparedRound ?? 0,
      preparedValueHash: fields.preparedValueHash ?? null,
    };
    return signMessage(m, this.sim.keys.signers[sender]!);
  }

  proposal(sender: number, round: number, value: Uint8Array, justification: SignedQbftMessage[] = []): Envelope {
    return {
      msg: this.msg(sender, 'PRE_PREPARE', round, { valueHash: hashValue(value) }),
      justification,
      value: toHex(value),
    };
  }

  vote(sender: number, type: 'PREPARE' | 'COMMIT', round: number, value: Uint8Array): Envelope {
    return { msg: this.msg(sender, type, round, { valueHash: hashValue(value) }), justification: [], value: null };
  }

  /** Sends `env` (or raw bytes) from member `from` to each of `to`. */
  send(from: number, to: readonly number[], env: Envelope | Uint8Array): void {
    const bytes = env instanceof Uint8Array ? env : encodeEnvelope(env);
    const ep = this.#endpoints.get(from);
    if (ep === undefined) throw new Error(`member ${from} is not adversarial`);
    for (const j of to) ep.sendTo(j, bytes);
  }

  /** Calls `handler` with every envelope an honest member sends to adversarial member `self`. */
  listen(handler: (self: number, env: Envelope) => void): void {
    for (const [i, ep] of this.#endpoints) {
      ep.onMessage((bytes) => {
        try {
          handler(i, decodeEnvelope(bytes));
        } catch (err) {
          if ((err as Error).name !== 'MalformedMessageError') throw err;
        }
      });
    }
  }
}
