/**
 * Justification rules (after Moniz, "The Istanbul BFT Consensus Algorithm", Algorithm 4, and the QBFT spec).
 * Pure functions: signature checks come in through `ctx.verify` so the caller can cache them.
 *
 *  ROUND-CHANGE(r, pr, pv)  pr = 0: nothing to justify.  pr > 0: pr < r and a quorum of PREPARE(pr, pv).
 *  PRE-PREPARE(r, v)        r = 1: nothing.  r > 1: a quorum Qrc of ROUND-CHANGE(r, ·, ·) and either
 *                           every member of Qrc is unprepared (any valid v may be proposed), or, with (pr, pv) the
 *                           highest prepared pair in Qrc, v = pv and a quorum of PREPARE(pr, pv) is attached.
 *  DECIDED(r, v)            a quorum of COMMIT(r, v).
 *
 * Why this is safe: if any honest member decided v in round r, at least f+1 honest members prepared (r, v) and
 * report pr >= r in every later round change; every Qrc contains one of them, so a later proposal must re-propose
 * the value prepared in the highest round, which (by induction over rounds) is v.
 */
import type { Duty, Envelope, Hex, MsgType, SignedQbftMessage } from './types.ts';

export interface JustifyContext {
  readonly cluster: Hex;
  readonly duty: Duty;
  readonly n: number;
  readonly quorum: number;
  /** Signature check (cached by the caller). */
  verify(m: SignedQbftMessage): boolean;
}

/** A justification member must belong to this very instance, come from a member, and be validly signed. */
function belongs(m: SignedQbftMessage, ctx: JustifyContext): boolean {
  return (
    m.cluster === ctx.cluster &&
    m.duty.slot === ctx.duty.slot &&
    m.duty.type === ctx.duty.type &&
    Number.isInteger(m.sender) &&
    m.sender >= 0 &&
    m.sender < ctx.n &&
    m.signature !== '0x' &&
    ctx.verify(m)
  );
}

/** True when `msgs` holds at least a quorum of distinct, valid senders of `type` for (round, valueHash). */
export function isQuorumOf(
  msgs: readonly SignedQbftMessage[],
  type: MsgType,
  round: number,
  valueHash: Hex,
  ctx: JustifyContext,
): boolean {
  const senders = new Set<number>();
  for (const m of msgs) {
    if (m.type !== type || m.round !== round || m.valueHash !== valueHash) return false;
    if (senders.has(m.sender) || !belongs(m, ctx)) return false;
    senders.add(m.sender);
  }
  return senders.size >= ctx.quorum;
}

export function justifyRoundChange(env: Envelope, ctx: JustifyContext): boolean {
  const { msg } = env;
  if (msg.type !== 'ROUND_CHANGE' || msg.valueHash !== null) return false;
  if (msg.preparedRound === 0) return msg.preparedValueHash === null && env.justification.length === 0;
  if (msg.preparedValueHash === null || msg.preparedRound >= msg.round) return false;
  return isQuorumOf(env.justification, 'PREPARE', msg.preparedRound, msg.preparedValueHash, ctx);
}

/** The round change with the highest prepared round among `rcs`, or undefined when none prepared. */
export function highestPrepared<T extends { msg: SignedQbftMessage }>(rcs: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const rc of rcs) {
    if (rc.msg.preparedRound > 0 && (best === undefined || rc.msg.preparedRound > best.msg.preparedRound)) best = rc;
  }
  return best;
}

export function justifyProposal(env: Envelope, ctx: JustifyContext): boolean {
  const { msg, justification } = env;
  if (msg.type !== 'PRE_PREPARE' || msg.valueHash === null) return false;
  if (msg.preparedRound !== 0 || msg.preparedValueHash !== null) return false;
  if (msg.round === 1) return justification.length === 0;

  const rcs: SignedQbftMessage[] = [];
  const prepares: SignedQbftMessage[] = [];
  for (const m of justification) {
    if (m.type === 'ROUND_CHANGE') rcs.push(m);
    else if (m.type === 'PREPARE') prepares.push(m);
    else return false;
  }
  const senders = new Set<number>();
  let highest = 0;
  for (const rc of rcs) {
    if (rc.round !== msg.round || rc.valueHash !== null || senders.has(rc.sender)) return false;
    if ((rc.preparedRound === 0) !== (rc.preparedValueHash === null) || rc.preparedRound >= msg.round) return false;
    if (!belongs(rc, ctx)) return false;
    senders.add(rc.sender);
    highest = Math.max(highest, rc.preparedRound);
  }
  if (senders.size < ctx.quorum) return false;
  if (highest === 0) return prepares.length === 0;
  // The proposal must carry the value prepared in the highest round, proven by a prepare quorum. (Two round
  // changes cannot both show a prepare quorum for different values in one round: quorums share an honest member.)
  const claimed = rcs.some((rc) => rc.preparedRound === highest && rc.preparedValueHash === msg.valueHash);
  return claimed && isQuorumOf(prepares, 'PREPARE', highest, msg.valueHash, ctx);
}

export function justifyDecided(env: Envelope, ctx: JustifyContext): boolean {
  const { msg } = env;
  if (msg.type !== 'DECIDED' || msg.valueHash === null) return false;
  return isQuorumOf(env.justification, 'COMMIT', msg.round, msg.valueHash, ctx);
}
